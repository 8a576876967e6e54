/**
 * {@link PerfBuffer}: the consumer side of a `perf_event_array` map (what
 * `bpf_perf_event_output` writes), as an async iterator of samples.
 *
 * @module
 */
import type { Codec } from './codecs.js';
import { BpfError, ClosedError, CodecError, Errno, fromNative, type ErrorContext } from './errors.js';
import type { BpfMap } from './map.js';
import { nativeBinding, type NativePerfBatch, type NativePerfBufferConsumer } from './native.js';
import { Resource } from './resource.js';
import { MapType } from './uapi.js';
import { I32_MAX, int, optional } from './validate.js';

/** Options of the {@link PerfBuffer} constructor. */
export interface PerfBufferOptions {
  /**
   * Pages of room per slot (one slot per CPU, as libbpf's `perf_buffer__new`
   * opens one perf event per CPU): a power of two, default 8. A sample that
   * does not fit is dropped and reported to `onLost`.
   */
  pageCount?: number;
  /**
   * How long one wait for samples in the async iterator may take (ms, an
   * integer in [1, 2^31-1], default 500); samples end a wait at once.
   */
  pollIntervalMs?: number;
  /** Called with the number of samples slot `cpu` dropped for lack of room, before the next sample of that slot. */
  onLost?: (cpu: number, count: bigint) => void;
}

/** One sample: the slot (CPU) it was written to and its data. */
export interface PerfSample<T> {
  cpu: number;
  data: T;
}

/**
 * Reads the samples programs write with `bpf_perf_event_output` to a perf
 * event array map. Sample data are Buffers, or decoded with `codec` (which
 * must match each sample's size).
 *
 * @example
 * for await (const { cpu, data } of obj.perfBuffer('events', struct({ seq: u32, len: u32 }))) console.log(cpu, data.len);
 */
export class PerfBuffer<T = Buffer> extends Resource implements AsyncIterable<PerfSample<T>> {
  /** The perf event array map's name. */
  readonly map: string;
  readonly codec: Codec<T> | undefined;
  readonly #consumer: NativePerfBufferConsumer;
  readonly #interval: number;
  readonly #onLost: ((cpu: number, count: bigint) => void) | undefined;
  readonly #ctx: ErrorContext;
  #lost = 0n;
  #pending: Promise<unknown> | undefined;

  /** Opens a consumer on `map` (a `perf_event_array` map). Close it when done. */
  constructor(map: BpfMap<any, any>, codec?: Codec<T>, opts: PerfBufferOptions = {}) {
    super();
    this.map = map.name;
    this.codec = codec;
    this.#ctx = { map: map.name };
    const op = { ...this.#ctx, op: 'open perf buffer' };
    this.#interval = optional(opts.pollIntervalMs, (v) => int('pollIntervalMs', v, 1, I32_MAX, op)) ?? 500;
    const pages = optional(opts.pageCount, (v) => int('pageCount', v, 1, 1 << 30, op)) ?? 8;
    if ((pages & (pages - 1)) !== 0) throw new BpfError('EINVAL', Errno.EINVAL, `pageCount must be a power of two, got ${pages}`, op);
    this.#onLost = opts.onLost;
    if (map.closed) throw new ClosedError('map', op);
    if (map.type !== MapType.perf_event_array) {
      throw new BpfError('EINVAL', Errno.EINVAL, `a ${map.typeName} map is not a perf event array`, op);
    }
    try {
      this.#consumer = new (nativeBinding().PerfBufferConsumer)(map.fd, pages);
    } catch (e) {
      throw fromNative(e, op);
    }
  }

  protected get kind(): string {
    return 'perf buffer';
  }

  protected get context(): ErrorContext {
    return this.#ctx;
  }

  protected release(): void {
    // A wait in progress resolves with no samples within 50 ms; the binding
    // frees the consumer when it has settled.
    this.#consumer.close();
  }

  /** Samples dropped for lack of room since the buffer was opened, over all slots. */
  get lost(): bigint {
    return this.#lost;
  }

  private take(batch: NativePerfBatch, op: string): PerfSample<T>[] {
    for (const l of batch.lost) {
      this.#lost += l.count;
      this.#onLost?.(l.cpu, l.count);
    }
    const c = this.codec;
    if (!c) return batch.samples as unknown as PerfSample<T>[];
    try {
      return batch.samples.map((s) => ({ cpu: s.cpu, data: c.decode(s.data) }));
    } catch (e) {
      throw e instanceof CodecError ? e.withContext({ ...this.#ctx, op }) : e;
    }
  }

  /** The samples there now, without waiting (`EBUSY` while a {@link poll} is in progress). */
  consume(): PerfSample<T>[] {
    this.ensureOpen('consume');
    if (this.#pending) throw new BpfError('EBUSY', Errno.EBUSY, 'a poll is in progress', { ...this.#ctx, op: 'consume' });
    let batch: NativePerfBatch;
    try {
      batch = this.#consumer.consume();
    } catch (e) {
      throw fromNative(e, { ...this.#ctx, op: 'consume' });
    }
    return this.take(batch, 'consume');
  }

  /**
   * Waits up to `timeoutMs` (off the JavaScript thread) for samples and
   * returns them (an empty array on timeout). `timeoutMs` is an integer in
   * [-1, 2^31-1]; -1 waits until samples come or the buffer is closed.
   */
  async poll(timeoutMs: number): Promise<PerfSample<T>[]> {
    this.ensureOpen('poll');
    int('timeoutMs', timeoutMs, -1, I32_MAX, { ...this.#ctx, op: 'poll' });
    if (this.#pending) throw new BpfError('EBUSY', Errno.EBUSY, 'another poll is in progress', { ...this.#ctx, op: 'poll' });
    const p = this.#consumer.poll(timeoutMs);
    this.#pending = p;
    let batch: NativePerfBatch;
    try {
      batch = await p;
    } catch (e) {
      throw fromNative(e, { ...this.#ctx, op: 'poll' });
    } finally {
      this.#pending = undefined;
    }
    return this.take(batch, 'poll');
  }

  /** Samples as they arrive, until the buffer is closed. Breaking out of the loop leaves it open. */
  async *[Symbol.asyncIterator](): AsyncIterator<PerfSample<T>> {
    while (!this.closed) {
      const now = this.consume();
      if (now.length === 0) {
        const later = await this.poll(this.#interval);
        for (const s of later) yield s;
        continue;
      }
      for (const s of now) yield s;
    }
  }
}
