/**
 * `bpfhost sdk`: where the installed `@bpfhost/sdk` package is, for build
 * systems (`cmake -DCMAKE_PREFIX_PATH=$(npx bpfhost sdk --cmake-prefix)`,
 * `cc $(npx bpfhost sdk --cflags) host.c $(npx bpfhost sdk --libs)`).
 * Needs no binding: it only resolves the package.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import packageRequire from '../require.cjs';

import type { Output } from './output.js';
import { UsageError } from './usage.js';

/** The SDK's package name: the error names it. */
export const SDK_PACKAGE = '@bpfhost/sdk';

/** An installed SDK's folders. */
export interface SdkPaths {
  version: string;
  /** The install prefix (CMAKE_PREFIX_PATH). */
  prefix: string;
  /** bpfhostConfig.cmake's folder (bpfhost_DIR). */
  cmakeDir: string;
  includeDir: string;
  libDir: string;
  /** bpfhost.pc and bpfhost-extension.pc (PKG_CONFIG_PATH). */
  pkgconfigDir: string;
}

/** An error with a code, printed as its message (exit 1). */
function sdkError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ENOSDK' });
}

/**
 * Finds `@bpfhost/sdk` the way Node would from `cwd` (the project's own
 * install), else from this package (installed beside `@bpfhost/api`).
 */
export function findSdk(cwd: string = process.cwd()): SdkPaths {
  // From the project first, then from this package (its own require works in both builds).
  const resolvers = [createRequire(pathToFileURL(join(cwd, 'bpfhost-sdk-lookup.js')).href), packageRequire];
  let manifest: string | undefined;
  for (const r of resolvers) {
    try {
      manifest = r.resolve(`${SDK_PACKAGE}/package.json`);
      break;
    } catch {
      // not reachable from this base: try the next
    }
  }
  if (manifest === undefined) {
    throw sdkError(`the SDK package ${SDK_PACKAGE} is not installed (looked from ${cwd} and from @bpfhost/api): install it with 'npm install --save-dev ${SDK_PACKAGE}'`);
  }
  const root = dirname(manifest);
  const prefix = join(root, 'dist');
  const cmakeDir = join(prefix, 'lib', 'cmake', 'bpfhost');
  if (!existsSync(join(cmakeDir, 'bpfhostConfig.cmake'))) {
    throw sdkError(`${SDK_PACKAGE} at ${root} has no dist/lib/cmake/bpfhost/bpfhostConfig.cmake: reinstall it (in the bpfhost repository: npx nx run sdk:build)`);
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { version, prefix, cmakeDir, includeDir: join(prefix, 'include'), libDir: join(prefix, 'lib'), pkgconfigDir: join(prefix, 'lib', 'pkgconfig') };
}

/** Compiler flags for C hosts and modules: the include folder. */
export function sdkCflags(sdk: SdkPaths): string {
  return `-I${sdk.includeDir}`;
}

/** Linker flags for C hosts: the shared core, found at run time through the RUNPATH. */
export function sdkLibs(sdk: SdkPaths): string {
  return `-L${sdk.libDir} -Wl,-rpath,${sdk.libDir} -lbpfhost -pthread -ldl`;
}

export interface SdkOptions {
  cmakePrefix?: boolean;
  cflags?: boolean;
  libs?: boolean;
  pkgConfigPath?: boolean;
}

/** `bpfhost sdk [--cmake-prefix] [--cflags] [--libs] [--pkg-config-path]`. */
export function sdkCommand(out: Output, args: readonly string[], opts: SdkOptions): void {
  if (args.length > 0) throw new UsageError(`sdk: unexpected '${args.join(' ')}'`, 'sdk');
  const sdk = findSdk();
  const all = { ...sdk, cflags: sdkCflags(sdk), libs: sdkLibs(sdk) };
  const asked: string[] = [];
  if (opts.cmakePrefix) asked.push(sdk.prefix);
  if (opts.cflags) asked.push(all.cflags);
  if (opts.libs) asked.push(all.libs);
  if (opts.pkgConfigPath) asked.push(sdk.pkgconfigDir);
  if (asked.length > 0) {
    out.document(asked);
    for (const line of asked) out.line(line);
    return;
  }
  out.document(all);
  out.line(`@bpfhost/sdk ${sdk.version}`);
  out.line(`cmake prefix     ${sdk.prefix}`);
  out.line(`include          ${sdk.includeDir}`);
  out.line(`lib              ${sdk.libDir}`);
  out.line(`pkg-config path  ${sdk.pkgconfigDir}`);
  out.line(`cflags           ${all.cflags}`);
  out.line(`libs             ${all.libs}`);
}
