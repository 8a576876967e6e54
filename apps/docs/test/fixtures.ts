// Shared by the tests that run the guide's examples and CLI commands: a working directory holding
// the guide's objects, as the examples expect them (packets.bpf.o and net.bpf.o, compiled here with
// clang-19 from examples/bpf/*.bpf.c; sample_ext.so and sample_maps.bpf.o from packages/sample-ext/build).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** apps/docs (the tests run from apps/docs/build-test/test). */
export const siteDir = path.resolve(__dirname, '../..');
export const repoRoot = path.resolve(siteDir, '../..');
/** The compiled examples (tsconfig.test.json). */
export const examplesDir = path.resolve(__dirname, '../examples');
const sampleBuild = path.join(repoRoot, 'packages/sample-ext/build');

let dir: string | undefined;

/** The examples' working directory, made once per test process and removed at exit. */
export function workDir(): string {
  if (dir) return dir;
  for (const f of ['sample_ext.so', 'bpf/sample_maps.bpf.o']) {
    if (!existsSync(path.join(sampleBuild, f))) throw new Error(`${path.join(sampleBuild, f)} is missing: run npx nx run sample-ext:build`);
  }
  const d = mkdtempSync(path.join(tmpdir(), 'bpfhost-docs-'));
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  for (const name of ['packets', 'net']) {
    execFileSync('clang-19', [
      '-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-Wall', '-Werror',
      '-I/usr/include/x86_64-linux-gnu',
      '-c', path.join(siteDir, `examples/bpf/${name}.bpf.c`),
      '-o', path.join(d, `${name}.bpf.o`),
    ]);
  }
  symlinkSync(path.join(sampleBuild, 'sample_ext.so'), path.join(d, 'sample_ext.so'));
  symlinkSync(path.join(sampleBuild, 'bpf/sample_maps.bpf.o'), path.join(d, 'sample_maps.bpf.o'));
  dir = d;
  return d;
}

/** The fenced code blocks of a markdown page: info string (language and meta) and body lines. */
export function codeBlocks(markdown: string): Array<{ lang: string; meta: string; body: string[]; line: number }> {
  const blocks: Array<{ lang: string; meta: string; body: string[]; line: number }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^${fence}\\s*$`).test(lines[j]!)) j++;
    blocks.push({ lang: open[2]!, meta: open[3]!, body: lines.slice(i + 1, j), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** The environment for the examples and the CLI: no colors (Nx sets FORCE_COLOR, which would color console.log). */
export function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.FORCE_COLOR;
  // Set by `node --test` for its own children: an example that uses node:test would report to it in
  // its binary protocol instead of printing TAP.
  delete env.NODE_TEST_CONTEXT;
  return env;
}
