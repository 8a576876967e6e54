// Builds dist/: `cmake --install` of the kernel's build (packages/kernel/build,
// which the kernel's Nx build target made) with stripped binaries, then the
// library's version symlinks replaced by copies (npm pack drops symlinks, and
// hosts need the SONAME file at run time), then the layout checked.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, readdirSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const kernelBuild = join(root, '..', 'kernel', 'build');
const dist = join(root, 'dist');

if (!existsSync(join(kernelBuild, 'cmake_install.cmake'))) {
  console.error(`sdk build: ${kernelBuild} is not a configured kernel build: run \`npx nx run kernel:build\` first`);
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
execFileSync('cmake', ['--install', kernelBuild, '--prefix', dist, '--strip'], { stdio: ['ignore', 'ignore', 'inherit'] });

const lib = join(dist, 'lib');
for (const name of readdirSync(lib)) {
  const p = join(lib, name);
  if (!lstatSync(p).isSymbolicLink()) continue;
  const target = realpathSync(p);
  unlinkSync(p);
  copyFileSync(target, p);
}

// Debug info is most of the archive's size; hosts debug their own build of the core.
execFileSync('strip', ['--strip-debug', join(lib, 'libbpfhost.a')]);

const expected = [
  'include/bpfhost/extension.h',
  'include/bpfhost/bpfhost.h',
  'include/bpfhost/bpf.h',
  'include/bpfhost/libbpf.h',
  'lib/libbpfhost.a',
  'lib/libbpfhost.so',
  'lib/cmake/bpfhost/bpfhostConfig.cmake',
  'lib/cmake/bpfhost/bpfhostConfigVersion.cmake',
  'lib/cmake/bpfhost/bpfhostTargets.cmake',
  'lib/cmake/bpfhost/bpfhostExtension.cmake',
  'lib/pkgconfig/bpfhost.pc',
  'lib/pkgconfig/bpfhost-extension.pc',
  // The conformance kit (bpfhost ext check runs bin/bpfhost-check).
  'include/bpfhost/check.h',
  'lib/libbpfhost_check.so',
  'bin/bpfhost-check',
];
const missing = expected.filter((f) => !existsSync(join(dist, f)));
if (missing.length) {
  console.error(`sdk build: the kernel's install lacks ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`sdk build: ${dist}`);
