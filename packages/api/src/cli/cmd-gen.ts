/**
 * `bpfhost gen skeleton OBJ.o [-o FILE.ts] [--type NAME]... [--check]`: the
 * typed TypeScript skeleton of an object (see generateSkeleton), printed,
 * written, or compared with a checked-in one (for CI).
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

import { generateSkeleton } from '../index.js';

import type { Output } from './output.js';
import { UsageError } from './usage.js';

export interface GenOptions {
  out: string | undefined;
  types: readonly string[];
  check: boolean;
}

/** Thrown by --check when the file differs: exit code 1 with the first differing line. */
export class StaleSkeletonError extends Error {
  override name = 'StaleSkeletonError';
}

export function genCommand(out: Output, args: readonly string[], opts: GenOptions): void {
  const [sub, obj, ...rest] = args;
  if (sub !== 'skeleton') throw new UsageError(`gen: expected 'skeleton'${sub === undefined ? '' : `, got '${sub}'`}`, 'gen');
  if (obj === undefined || rest.length > 0) throw new UsageError('gen skeleton: expected one OBJ.o', 'gen');
  if (opts.check && opts.out === undefined) throw new UsageError('gen skeleton --check: give the checked-in skeleton with -o FILE.ts', 'gen');
  const text = generateSkeleton(obj, { types: opts.types, sourceName: basename(obj) });
  if (opts.check) {
    const path = opts.out as string;
    let old: string;
    try {
      old = readFileSync(path, 'utf8');
    } catch (e) {
      throw new StaleSkeletonError(`${path}: cannot read the checked-in skeleton (${(e as Error).message}); generate it with: bpfhost gen skeleton ${obj} -o ${path}`);
    }
    if (old !== text) {
      const a = old.split('\n');
      const b = text.split('\n');
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      throw new StaleSkeletonError(
        `${path} does not match ${obj} (first difference at line ${i + 1}: has ${JSON.stringify(a[i] ?? '<end>')}, expected ${JSON.stringify(b[i] ?? '<end>')}); regenerate it with: bpfhost gen skeleton ${obj} -o ${path}${opts.types.map((t) => ` --type '${t}'`).join('')}`,
      );
    }
    out.document({ skeleton: path, upToDate: true });
    out.line(`${path} matches ${obj}`);
    return;
  }
  if (opts.out !== undefined) {
    writeFileSync(opts.out, text);
    out.document({ skeleton: opts.out, bytes: Buffer.byteLength(text) });
    out.line(`wrote ${opts.out}`);
    return;
  }
  out.document({ skeleton: text });
  if (!out.json) out.raw(text);
}
