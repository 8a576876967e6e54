/**
 * Disposal: every object that holds a native handle (objects, maps,
 * programs, links, ring buffers, extensions) is a {@link Resource}. `close()`
 * is idempotent; `[Symbol.dispose]()` calls it, so `using` works; any other
 * call after closing throws a {@link ClosedError}.
 *
 * @module
 */
import { ClosedError, type ErrorContext } from './errors.js';

// Node 20.4+ defines Symbol.dispose; older runtimes get the same well-known
// symbol TypeScript's downlevel `using` helpers look for.
{
  const S = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol };
  S.dispose ??= Symbol.for('nodejs.dispose');
  S.asyncDispose ??= Symbol.for('nodejs.asyncDispose');
}

/** Base class of everything that owns (or borrows) a native handle. */
export abstract class Resource implements Disposable {
  #closed = false;
  /** The resource this one borrows its handle from (a map or program of a {@link BpfObject}). */
  readonly #owner: Resource | undefined;

  protected constructor(owner?: Resource) {
    this.#owner = owner;
  }

  /** True once `close()` was called on this resource or on the one that owns it. */
  get closed(): boolean {
    return this.#closed || (this.#owner?.closed ?? false);
  }

  /** Releases the native handle (if this resource owns one). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.release();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** What kind of resource it is, for messages: `'map'`, `'link'`. */
  protected abstract get kind(): string;

  /** Context for errors about this resource. */
  protected abstract get context(): ErrorContext;

  /** Frees the native handle (if owned); called once, by `close()`, even when the owner is closed already. */
  protected abstract release(): void;

  /** Throws {@link ClosedError} if the resource (or its owner) is closed. */
  protected ensureOpen(op?: string): void {
    if (this.closed) throw new ClosedError(this.kind, { ...this.context, ...(op ? { op } : {}) });
  }
}
