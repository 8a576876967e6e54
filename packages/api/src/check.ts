/**
 * The conformance kit for custom map providers, from TypeScript: runs the
 * SDK's `bpfhost-check` (in its own process: the kit forks, and a provider
 * that crashes must not take the caller with it) and returns its report.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { findSdk } from './cli/cmd-sdk.js';

/** Options of {@link checkProvider}. */
export interface CheckOptions {
  /** The custom map type to check (the module must provide it). */
  mapType: number;
  keySize?: number;
  valueSize?: number;
  maxEntries?: number;
  /** The program type of the helper-path programs (default: socket filter, then XDP). */
  progType?: number;
  /** Threads of the concurrent phase (default 4). */
  threads?: number;
  /** Operations per thread in the concurrent phase (default 2000). */
  iterations?: number;
  /** The value the kit writes (valueSize bytes; default: small integers). */
  value?: Uint8Array;
  /** Skip the fault-injection sweeps. */
  noFaults?: boolean;
  /** Where to find the SDK from (default: the current folder). */
  cwd?: string;
}

/** One phase of the report. */
export interface CheckPhase {
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  /** What broke, each naming the callback and what the contract expects. */
  failures: string[];
  notes: string[];
}

/** The kit's report (`bpfhost-check --json`). */
export interface CheckReport {
  module: string;
  name: string;
  mapType: number;
  base: 'hash' | 'array';
  updatesOriginalValue: boolean;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  phases: CheckPhase[];
  /** Calls the provider got, by "callback/0xFLAGS". */
  calls: Record<string, number>;
  /** Failed checks in all: 0 means the provider passed. */
  failed: number;
}

/** The command line of `bpfhost-check` for these options. */
export function checkArguments(module: string, opts: CheckOptions): string[] {
  const args = [module, '--map-type', String(opts.mapType)];
  const numbers: Array<[string, number | undefined]> = [
    ['--key-size', opts.keySize],
    ['--value-size', opts.valueSize],
    ['--max-entries', opts.maxEntries],
    ['--prog-type', opts.progType],
    ['--threads', opts.threads],
    ['--iterations', opts.iterations],
  ];
  for (const [flag, v] of numbers) {
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`checkProvider: ${flag.slice(2)} must be an integer in [0, 2^32-1], got ${v}`);
    args.push(flag, String(v));
  }
  if (opts.value !== undefined) args.push('--value', Buffer.from(opts.value).toString('hex'));
  if (opts.noFaults) args.push('--no-faults');
  return args;
}

/** The SDK's `bpfhost-check`. */
export function checkTool(cwd?: string): string {
  const tool = join(findSdk(cwd).prefix, 'bin', 'bpfhost-check');
  if (!existsSync(tool)) throw Object.assign(new Error(`the SDK at ${findSdk(cwd).prefix} has no bin/bpfhost-check: update @bpfhost/sdk`), { code: 'ENOSDK' });
  return tool;
}

/**
 * Checks the provider of `opts.mapType` in the module at `module` against the
 * custom map contract and returns the report; `report.failed === 0` means it
 * passed. Throws when the kit cannot run (the module does not load, no
 * provider of that type, no SDK installed), with the kit's message.
 */
export function checkProvider(module: string, opts: CheckOptions): CheckReport {
  const r = spawnSync(checkTool(opts.cwd), [...checkArguments(module, opts), '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1) {
    throw Object.assign(new Error(`${`${r.stdout}${r.stderr}`.trim() || `bpfhost-check exited with ${r.status ?? r.signal}`}`), { code: 'ECHECK' });
  }
  return JSON.parse(r.stdout) as CheckReport;
}
