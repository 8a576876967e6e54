/**
 * {@link RingBuffer}: the consumer side of a `ringbuf` map, as an async
 * iterator of records.
 *
 * @module
 */
import type { Codec } from './codecs.js';
import { BpfError, ClosedError, CodecError, Errno, fromNative, type ErrorContext } from './errors.js';
import type { BpfMap } from './map.js';
import { nativeBinding, type NativeRingBufferConsumer } from './native.js';
import { Resource } from './resource.js';
import { MapType } from './uapi.js';
import { I32_MAX, int, optional, u32 } from './validate.js';

/** Options of the {@link RingBuffer} constructor. */
export interface RingBufferOptions {
  /**
   * How long one wait for records in the async iterator may take (ms, an
   * integer in [1, 2^31-1], default 500). Records and `close()` end a wait
   * at once; the bound only keeps a worker thread from waiting forever on an
   * abandoned iterator.
   */
  pollIntervalMs?: number;
}

/**
 * Reads the records programs submit to a ring buffer map. Records are
 * Buffers, or decoded with `codec` (which must match each record's size).
 *
 * @example
 * for await (const ev of obj.ringBuffer('events', struct({ pid: u32, len: u32 }))) console.log(ev.pid);
 */
export class RingBuffer<T = Buffer> extends Resource implements AsyncIterable<T> {
  /** The ring buffer map's name. */
  readonly map: string;
  readonly codec: Codec<T> | undefined;
  readonly #consumer: NativeRingBufferConsumer;
  readonly #interval: number;
  readonly #ctx: ErrorContext;
  #pending: Promise<unknown> | undefined;

  /** Opens a consumer on `map` (a `ringbuf` map). Close it when done. */
  constructor(map: BpfMap<any, any>, codec?: Codec<T>, opts: RingBufferOptions = {}) {
    super();
    this.map = map.name;
    this.codec = codec;
    this.#ctx = { map: map.name };
    this.#interval = optional(opts.pollIntervalMs, (v) => int('pollIntervalMs', v, 1, I32_MAX, { ...this.#ctx, op: 'open ring buffer' })) ?? 500;
    if (map.closed) throw new ClosedError('map', { ...this.#ctx, op: 'open ring buffer' });
    if (map.type !== MapType.ringbuf) {
      throw new BpfError('EINVAL', Errno.EINVAL, `a ${map.typeName} map is not a ring buffer`, { ...this.#ctx, op: 'open ring buffer' });
    }
    try {
      const b = nativeBinding();
      this.#consumer = new b.RingBufferConsumer(map.fd);
    } catch (e) {
      throw fromNative(e, { ...this.#ctx, op: 'open ring buffer' });
    }
  }

  protected get kind(): string {
    return 'ring buffer';
  }

  protected get context(): ErrorContext {
    return this.#ctx;
  }

  protected release(): void {
    // A wait in progress resolves at once with no records; the binding frees
    // the consumer when it has settled.
    this.#consumer.close();
  }

  private decode(records: Buffer[], op: string): T[] {
    const c = this.codec;
    if (!c) return records as unknown as T[];
    try {
      return records.map((r) => c.decode(r));
    } catch (e) {
      throw e instanceof CodecError ? e.withContext({ ...this.#ctx, op }) : e;
    }
  }

  /** The records available now, without waiting (at most `max`, an integer in [0, 2^32-1]). */
  consume(max?: number): T[] {
    this.ensureOpen('consume');
    if (max !== undefined) u32('max', max, { ...this.#ctx, op: 'consume' });
    let records: Buffer[];
    try {
      records = max === undefined ? this.#consumer.consume() : this.#consumer.consume(max);
    } catch (e) {
      throw fromNative(e, { ...this.#ctx, op: 'consume' });
    }
    return this.decode(records, 'consume');
  }

  /**
   * Waits up to `timeoutMs` (off the JavaScript thread) for records and
   * returns them (an empty array on timeout). `timeoutMs` is an integer in
   * [-1, 2^31-1]; -1 waits until records come or the ring buffer is closed.
   */
  async poll(timeoutMs: number): Promise<T[]> {
    this.ensureOpen('poll');
    int('timeoutMs', timeoutMs, -1, I32_MAX, { ...this.#ctx, op: 'poll' });
    if (this.#pending) throw new BpfError('EBUSY', Errno.EBUSY, 'another poll is in progress', { ...this.#ctx, op: 'poll' });
    const p = this.#consumer.poll(timeoutMs);
    this.#pending = p;
    let records: Buffer[];
    try {
      records = await p;
    } catch (e) {
      throw fromNative(e, { ...this.#ctx, op: 'poll' });
    } finally {
      this.#pending = undefined;
    }
    return this.decode(records, 'poll');
  }

  /** Records as they arrive, until the ring buffer is closed. Breaking out of the loop leaves it open. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (!this.closed) {
      const now = this.consume();
      if (now.length === 0) {
        const later = await this.poll(this.#interval);
        for (const r of later) yield r;
        continue;
      }
      for (const r of now) yield r;
    }
  }
}
