/**
 * Where the CLI writes: results on stdout (plain lines or one JSON
 * document), errors and progress on stderr.
 *
 * @module
 */
import { toJson } from './values.js';

/** A stream the CLI writes to (process.stdout, or a buffer in tests). */
export interface Sink {
  write(text: string): unknown;
  /** True for a terminal (progress lines redraw in place). */
  isTTY?: boolean;
}

/** Options of {@link Output}. */
export interface OutputOptions {
  json: boolean;
  pretty: boolean;
  /**
   * Progress lines on stderr: true (every dump), false (none), or undefined
   * (dumps of large maps, when stderr is a terminal).
   */
  progress: boolean | undefined;
}

/** Dumps of maps with more entries than this report progress. */
export const PROGRESS_MIN_ENTRIES = 10_000;
/** One progress line per this many entries. */
export const PROGRESS_STEP = 8192;

export class Output {
  readonly json: boolean;
  readonly pretty: boolean;
  readonly #out: Sink;
  readonly #err: Sink;
  readonly #progress: boolean | undefined;
  /** The documents of a batch in JSON mode, written as one array by {@link finish}. */
  #collected: unknown[] | undefined;

  constructor(out: Sink, err: Sink, opts: OutputOptions) {
    this.#out = out;
    this.#err = err;
    this.json = opts.json || opts.pretty;
    this.pretty = opts.pretty;
    this.#progress = opts.progress ?? (err.isTTY === true ? undefined : false);
  }

  /** A plain-text line on stdout (ignored in JSON mode). */
  line(text = ''): void {
    if (!this.json) this.#out.write(`${text}\n`);
  }

  /** The JSON document of the command (ignored in plain mode); one element of the array in a batch. */
  document(v: unknown): void {
    if (!this.json) return;
    if (this.#collected) this.#collected.push(v);
    else this.#out.write(`${toJson(v, this.pretty ? 2 : undefined)}\n`);
  }

  /**
   * From now on (JSON mode), documents and the error are collected and
   * {@link finish} writes them as one JSON array, as bpftool's batch does.
   */
  collect(): void {
    if (this.json) this.#collected ??= [];
  }

  /** How many documents were collected so far (a batch checks each command wrote one). */
  get collectedCount(): number {
    return this.#collected?.length ?? 0;
  }

  /** Writes the collected array, if {@link collect} was called. */
  finish(): void {
    const all = this.#collected;
    if (all === undefined) return;
    this.#collected = undefined;
    this.#out.write(`${toJson(all, this.pretty ? 2 : undefined)}\n`);
  }

  /** Raw bytes or text on stdout (asm without -o). */
  raw(text: string): void {
    this.#out.write(text);
  }

  /** A warning or note on stderr. */
  note(text: string): void {
    this.#err.write(`${text}\n`);
  }

  /** The error of a failed command: stderr in plain mode, `{"error": ...}` on stdout in JSON mode (as bpftool). */
  error(message: string, extra: Record<string, unknown> = {}): void {
    if (this.json) this.document({ error: message, ...extra });
    else this.#err.write(`Error: ${message}\n`);
  }

  /**
   * A progress reporter for a dump of up to `total` entries: `tick(n)` after
   * each entry, `done(n)` at the end. With --progress every dump reports;
   * by default only dumps of large maps on a terminal.
   */
  progress(what: string, total: number): { tick(n: number): void; done(n: number): void } {
    if (this.#progress === false || (this.#progress === undefined && total < PROGRESS_MIN_ENTRIES)) return { tick() {}, done() {} };
    const tty = this.#err.isTTY === true;
    const started = Date.now();
    const show = (n: number, end: boolean): void => {
      const pct = total > 0 ? Math.min(100, Math.floor((n * 100) / total)) : 100;
      const text = `${what}: ${n} of at most ${total} entries (${pct}%)${end ? `, ${Date.now() - started} ms` : ''}`;
      this.#err.write(tty ? `\r${text}${end ? '\n' : ''}` : `${text}\n`);
    };
    return {
      tick: (n) => {
        if (n % PROGRESS_STEP === 0) show(n, false);
      },
      done: (n) => show(n, true),
    };
  }
}
