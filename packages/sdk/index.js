// The installed SDK's folders, for scripts and tools (`npx bpfhost sdk` prints them).
import { fileURLToPath } from 'node:url';

/** The install prefix: pass it as CMAKE_PREFIX_PATH. */
export const prefix = fileURLToPath(new URL('./dist', import.meta.url));
/** Where bpfhostConfig.cmake is (bpfhost_DIR). */
export const cmakeDir = `${prefix}/lib/cmake/bpfhost`;
/** The include folder (holds bpfhost/extension.h and the host headers). */
export const includeDir = `${prefix}/include`;
/** libbpfhost.a and libbpfhost.so. */
export const libDir = `${prefix}/lib`;
/** bpfhost.pc and bpfhost-extension.pc (PKG_CONFIG_PATH). */
export const pkgconfigDir = `${prefix}/lib/pkgconfig`;
