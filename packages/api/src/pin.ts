/**
 * Pins: names in the core's in-process path namespace that keep a map,
 * program or link alive (`map.pin(path)`, `program.pin(path)`,
 * `BpfMap.fromPin(path)`).
 *
 * @module
 */
import { fromNative } from './errors.js';
import { nativeBinding } from './native.js';

/** Removes the pin at `path` (the object lives on while other handles hold it). Throws {@link NotFoundError}. */
export function unpin(path: string): void {
  try {
    nativeBinding().objUnpin(path);
  } catch (e) {
    throw fromNative(e, { op: `unpin '${path}'` });
  }
}
