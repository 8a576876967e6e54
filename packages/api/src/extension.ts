/**
 * Extension modules: shared objects that add program types, hooks, helpers
 * and custom map types to the core at run time.
 *
 * @module
 */
import { fromNative, type ErrorContext } from './errors.js';
import { nativeBinding } from './native.js';
import { Resource } from './resource.js';

/** Options of {@link Extension.unload}. */
export interface UnloadOptions {
  /**
   * Unload even while maps of the module's types are alive: their entries
   * are cleaned up and the maps orphaned (later operations throw `ENODEV`).
   * Without it, live maps make the unload fail with `EBUSY`.
   */
  force?: boolean;
}

/**
 * A loaded extension module. `unload()` (or `close()`, or `using`) unloads it;
 * afterwards every call throws {@link ClosedError}.
 */
export class Extension extends Resource {
  /** The path it was loaded from. */
  readonly path: string;
  /** The core's module handle. */
  readonly handle: number;

  /** @internal Use {@link loadExtension}. */
  constructor(path: string, handle: number) {
    super();
    this.path = path;
    this.handle = handle;
  }

  protected get kind(): string {
    return 'extension';
  }

  protected get context(): ErrorContext {
    return { object: this.path };
  }

  /**
   * Unloads the module. Throws `EBUSY` (naming the maps that hold it) when
   * maps of its types are alive, unless `force`; the extension then stays loaded.
   */
  unload(opts: UnloadOptions = {}): void {
    this.ensureOpen('unload');
    try {
      nativeBinding().extensionUnload(this.handle, opts.force === true);
    } catch (e) {
      throw fromNative(e, { ...this.context, op: 'unload' });
    }
    super.close();
  }

  /** Unloads the module if it is still loaded (not forced); a refusal is thrown and the module stays loaded. */
  override close(): void {
    if (!this.closed) this.unload();
  }

  protected release(): void {}
}

/**
 * Loads an extension module (a shared object exporting the bpfhost entry
 * point). Throws {@link NotFoundError} for a missing file and a
 * {@link BpfError} with code `ENOEXEC` for a file that is not a shared object
 * or does not export the entry point.
 */
export function loadExtension(path: string): Extension {
  let handle: number;
  try {
    handle = nativeBinding().extensionLoad(path);
  } catch (e) {
    throw fromNative(e, { object: path, op: 'load extension' });
  }
  return new Extension(path, handle);
}
