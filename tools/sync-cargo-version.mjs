#!/usr/bin/env node
// Changesets versions npm manifests only. Run after `changeset version`: it
// gives the binding's crate (packages/bindings/Cargo.toml, and its entry in
// Cargo.lock) the version of @bpfhost/bindings, so the .node a release builds
// reports the version it ships under.
//
// Usage: node tools/sync-cargo-version.mjs [repo root, default: this repo]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const CRATE = 'bpfhost-bindings';
const { version } = JSON.parse(readFileSync(join(root, 'packages/bindings/package.json'), 'utf8'));
if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error(`sync-cargo-version: packages/bindings/package.json has no semver version ('${version}')`);
  process.exit(1);
}

/** Replaces the version line of the TOML block that starts at `header` + `name = "CRATE"`. */
function setVersion(file, blockStart) {
  const text = readFileSync(file, 'utf8');
  const at = text.search(blockStart);
  if (at < 0) throw new Error(`${file}: no ${blockStart} for ${CRATE}`);
  const rest = text.slice(at);
  const m = /\nversion = "([^"]*)"/.exec(rest);
  if (!m) throw new Error(`${file}: the ${CRATE} block has no version line`);
  const out = text.slice(0, at) + rest.replace(m[0], `\nversion = "${version}"`);
  if (out !== text) writeFileSync(file, out);
  return m[1];
}

try {
  const was = setVersion(join(root, 'packages/bindings/Cargo.toml'), /^\[package\]\nname = "bpfhost-bindings"/m);
  setVersion(join(root, 'Cargo.lock'), /^\[\[package\]\]\nname = "bpfhost-bindings"/m);
  console.log(was === version ? `${CRATE} is at ${version}` : `${CRATE}: ${was} -> ${version} (Cargo.toml, Cargo.lock)`);
} catch (e) {
  console.error(`sync-cargo-version: ${e.message}`);
  process.exit(1);
}
