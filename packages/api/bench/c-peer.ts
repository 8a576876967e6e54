// The C side of the map benchmark: builds bench/map_c_bench.c against the kernel library
// configured exactly as the binding's build.rs configures it (CMake Release, no tests), and runs
// it. The build tree is packages/api/build-bench (gitignored, kept between runs).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/api (this file runs from packages/api/dist-scripts/bench). */
const apiRoot = fileURLToPath(new URL('../../', import.meta.url));
const kernelRoot = join(apiRoot, '..', 'kernel');
const buildDir = join(apiRoot, 'build-bench');

/** One round of the C program: ns per element. */
export interface CRound {
  update: number;
  lookup: number;
  updateBatch: number;
  lookupBatch: number;
  kernelUpdate?: number;
  kernelLookup?: number;
}

export interface COutput {
  entries: number;
  passes: number;
  rounds: CRound[];
  kernelSkipped?: string;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Builds the C benchmark (incrementally) and returns its path. Throws when cmake or cc fails. */
export function buildCPeer(): string {
  mkdirSync(buildDir, { recursive: true });
  const lib = join(buildDir, 'kernel');
  run('cmake', ['-S', kernelRoot, '-B', lib, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=Release', '-DBPFHOST_BUILD_TESTS=OFF', '-DBPFHOST_WERROR=OFF']);
  run('cmake', ['--build', lib, '--target', 'bpfhost']);
  const exe = join(buildDir, 'map_c_bench');
  run('cc', [
    '-O3', '-std=gnu11', '-Wall', '-Wextra', '-Werror',
    '-I', join(kernelRoot, 'include'),
    join(apiRoot, 'bench', 'map_c_bench.c'),
    join(apiRoot, 'bench', 'map_c_bench_kernel.c'),
    join(lib, 'libbpfhost.a'),
    '-lpthread', '-ldl',
    '-o', exe,
  ]);
  return exe;
}

/** Runs `rounds` rounds of the C benchmark (with the kernel's map through bpf(2) if `kernel`). */
export function runCPeer(exe: string, opts: { entries: number; passes: number; rounds: number; kernel: boolean }): COutput {
  const args = ['--entries', String(opts.entries), '--passes', String(opts.passes), '--rounds', String(opts.rounds)];
  if (opts.kernel) args.push('--kernel');
  return JSON.parse(execFileSync(exe, args, { encoding: 'utf8' })) as COutput;
}
