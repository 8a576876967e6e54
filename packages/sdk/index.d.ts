/** The install prefix: pass it as CMAKE_PREFIX_PATH. */
export declare const prefix: string;
/** Where bpfhostConfig.cmake is (bpfhost_DIR). */
export declare const cmakeDir: string;
/** The include folder (holds bpfhost/extension.h and the host headers). */
export declare const includeDir: string;
/** libbpfhost.a and libbpfhost.so. */
export declare const libDir: string;
/** bpfhost.pc and bpfhost-extension.pc (PKG_CONFIG_PATH). */
export declare const pkgconfigDir: string;
