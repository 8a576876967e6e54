// Shared by the live tests: where the sample extension and objects are, and
// compiling the test's own BPF object with clang-19.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/api (the tests run from packages/api/dist-test). */
export const apiRoot = fileURLToPath(new URL('..', import.meta.url));
/** packages/sample-ext/build, where its Nx build target puts the module and BPF objects. */
export const sampleBuild = join(apiRoot, '..', 'sample-ext', 'build');
export const sampleExtension = join(sampleBuild, 'sample_ext.so');
export const sampleObject = join(sampleBuild, 'bpf', 'sample_maps.bpf.o');
export const sampleRefusedObject = join(sampleBuild, 'bpf', 'sample_refused.bpf.o');
/** The sample extension's hook (SAMPLE_EXT_ATTACH_TYPE) and custom map types. */
export const SAMPLE_ATTACH_TYPE = 4097;
export const SAMPLE_PROGRAM_TYPE = 4097;
export const SAMPLE_MAP_OBJECT_HASH = 4097;
export const SAMPLE_MAP_ACCUMULATOR_ARRAY = 4098;
export const SAMPLE_MAP_COUNTER_HASH = 4099;

/** Why the sample-extension tests cannot run, or false. */
export const noSample: string | false =
  existsSync(sampleExtension) && existsSync(sampleObject) ? false : `sample extension not built (${sampleExtension}); run \`npx nx run sample-ext:build\``;

function findClang(): string | undefined {
  for (const c of ['clang-19', 'clang-22']) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return c;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

const clang = findClang();

/** Why clang-compiled objects cannot be built and loaded, or false. */
export const noClang: string | false = clang ? false : 'clang-19 not found: the clang-compiled object tests are skipped';

for (const why of new Set([noSample, noClang])) if (why) console.log(`# skipping: ${why}`);

const built = new Map<string, string>();

/** Compiles test/fixtures/NAME.bpf.c (once per process) and returns the object's path. */
export function bpfFixture(name: string): string {
  const done = built.get(name);
  if (done) return done;
  if (!clang) throw new Error(String(noClang));
  const dir = mkdtempSync(join(tmpdir(), 'bpfhost-api-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, `${name}.bpf.o`);
  execFileSync(clang, [
    '-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-Wall', '-Werror',
    '-I/usr/include/x86_64-linux-gnu',
    '-c', join(apiRoot, 'test', 'fixtures', `${name}.bpf.c`),
    '-o', out,
  ]);
  built.set(name, out);
  return out;
}

/** Compiles test/fixtures/api_test.bpf.c (once per process) and returns the object's path. */
export function apiTestObject(): string {
  return bpfFixture('api_test');
}

/** A 64-byte Ethernet frame of a non-IP ethertype (socket filters accept it whole). */
export function frame(len = 64): Buffer {
  const f = Buffer.alloc(len);
  f.fill(0xff, 0, 6);
  f.writeUInt16BE(0x88b5, 12); // local experimental ethertype
  return f;
}
