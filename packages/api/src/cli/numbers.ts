/**
 * Numbers on the command line (`--repeat N`, `--insn-budget N`, `--hook
 * ATTACH_TYPE`, ids): decimal or 0x-hex integers checked against the range
 * the API takes, so a value is refused here, with the option's name, rather
 * than rounded or wrapped on its way to the core.
 *
 * @module
 */
import { UsageError } from './usage.js';

export const U32_MAX = 0xffffffff;

/**
 * `text` as an integer in [min, max]; anything else is a {@link UsageError}
 * naming `what` (`'--repeat'`), the range and the text.
 */
export function parseUint(text: string, what: string, opts: { min?: number; max?: number; command?: string } = {}): number {
  const min = opts.min ?? 0;
  const max = opts.max ?? U32_MAX;
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`${what} must be an integer in [${min}, ${max}], got '${text}'`, opts.command);
  return n;
}
