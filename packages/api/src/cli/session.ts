/**
 * What one CLI run has loaded into the in-process core: extension modules,
 * BPF objects, maps and programs opened by id, links. Everything is closed
 * (in reverse order) when the command ends.
 *
 * @module
 */
import { basename } from 'node:path';

import { BpfMap, BpfObject, NotFoundError, Program, loadExtension, type Extension, type Link, type UntypedMap } from '../index.js';

import { parseUint } from './numbers.js';
import { UsageError } from './usage.js';

/** A map found by {@link Session.findMap}, with the object it belongs to (if any). */
export interface FoundMap {
  map: UntypedMap;
  /** The object's name when the map is one of an --obj object's (typed from its BTF). */
  object: string | undefined;
}

/** Something the session closes at the end. */
interface Closable {
  close(): void;
}

export class Session {
  readonly extensions: Extension[] = [];
  readonly objects: BpfObject[] = [];
  readonly #closables: Closable[] = [];

  /** Loads an extension module; it stays loaded until {@link close}. */
  loadExtension(path: string): Extension {
    const ext = loadExtension(path);
    this.extensions.push(ext);
    return ext;
  }

  /** Opens and loads a BPF object; closed by {@link close}. */
  loadObject(path: string): BpfObject {
    const obj = BpfObject.open(path);
    this.#closables.push(obj);
    obj.load();
    this.objects.push(obj);
    return obj;
  }

  /** Keeps `r` open until {@link close} (links, maps and programs opened by id). */
  hold<T extends Closable>(r: T): T {
    this.#closables.push(r);
    return r;
  }

  /** Attaches `program` to `attachType` (each run bounded by `insnBudget` if given); the link is closed by {@link close}. */
  attach(program: Program, attachType: number, insnBudget?: number): Link {
    return this.hold(program.attach({ attachType, ...(insnBudget !== undefined ? { insnBudget } : {}) }));
  }

  /**
   * The map a bpftool-style reference names: `['7']`, `['counters']`,
   * `['id', '7']`, `['name', 'counters']`, `['pinned', '/path']`. Returns the
   * map and how many tokens it used. Maps of --obj objects come typed from
   * their BTF; others raw.
   */
  findMap(tokens: readonly string[]): FoundMap & { used: number } {
    const [first, second] = tokens;
    if (first === undefined) throw new UsageError('expected a map: ID, NAME, id ID, name NAME or pinned PATH', 'map');
    if (first === 'id' || first === 'name' || first === 'pinned') {
      if (second === undefined) throw new UsageError(`expected a value after '${first}'`, 'map');
      if (first === 'pinned') return { map: this.hold(BpfMap.fromPin(second)), object: undefined, used: 2 };
      if (first === 'id') return { ...this.mapById(parseId(second)), used: 2 };
      return { ...this.mapByName(second), used: 2 };
    }
    return { ...(/^\d+$/.test(first) ? this.mapById(parseId(first)) : this.mapByName(first)), used: 1 };
  }

  private objectMaps(): FoundMap[] {
    return this.objects.flatMap((obj) => obj.maps.map((spec) => ({ map: obj.map(spec.name), object: obj.name })));
  }

  private mapById(id: number): FoundMap {
    const own = this.objectMaps().find((m) => m.map.id === id);
    if (own) return own;
    try {
      return { map: this.hold(BpfMap.fromId(id)), object: undefined };
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`no map with id ${id} in this process${hint(this)}`, { op: 'find map' });
      throw e;
    }
  }

  private mapByName(name: string): FoundMap {
    const own = this.objectMaps().filter((m) => m.map.name === name);
    if (own.length === 1) return own[0] as FoundMap;
    const ids = [...BpfMap.ids()].filter((id) => {
      const m = BpfMap.fromId(id);
      try {
        return m.name === name;
      } finally {
        m.close();
      }
    });
    if (ids.length === 1) return this.mapById(ids[0] as number);
    if (ids.length > 1) throw new UsageError(`${ids.length} maps are named '${name}' (ids ${ids.join(', ')}): give 'id ID'`, 'map');
    throw new NotFoundError(`no map named '${name}' in this process${hint(this)}`, { op: 'find map' });
  }

  /** The program a reference names (`['3']`, `['id', '3']`, `['name', 'count_event']`), opened and held. */
  findProgram(tokens: readonly string[]): { program: Program; used: number } {
    const [first, second] = tokens;
    if (first === undefined) throw new UsageError('expected a program: ID, id ID or name NAME', 'prog');
    if (first === 'id' || first === 'name') {
      if (second === undefined) throw new UsageError(`expected a value after '${first}'`, 'prog');
      return { program: first === 'id' ? this.programById(parseId(second)) : this.programByName(second), used: 2 };
    }
    return { program: /^\d+$/.test(first) ? this.programById(parseId(first)) : this.programByName(first), used: 1 };
  }

  /** The loaded programs of the --obj objects (they carry the object's line info). */
  private objectPrograms(): Program[] {
    return this.objects.flatMap((obj) => obj.programs.filter((spec) => spec.autoload).map((spec) => obj.program(spec.name)));
  }

  private programById(id: number): Program {
    const own = this.objectPrograms().find((p) => p.id === id);
    if (own) return own;
    try {
      return this.hold(Program.fromId(id));
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`no program with id ${id} in this process${hint(this)}`, { op: 'find program' });
      throw e;
    }
  }

  private programByName(name: string): Program {
    const own = this.objectPrograms().filter((p) => p.name === name);
    if (own.length === 1) return own[0] as Program;
    const matches = [...Program.ids()].map((id) => this.hold(Program.fromId(id))).filter((p) => p.name === name);
    if (matches.length === 1) return matches[0] as Program;
    if (matches.length > 1) throw new UsageError(`${matches.length} programs are named '${name}': give 'id ID'`, 'prog');
    throw new NotFoundError(`no program named '${name}' in this process${hint(this)}`, { op: 'find program' });
  }

  /** Closes links, maps, programs and objects (newest first), then unloads the extensions. */
  close(): void {
    for (const r of this.#closables.splice(0).reverse()) {
      try {
        r.close();
      } catch {
        // Best effort at exit: the process ends anyway.
      }
    }
    for (const ext of this.extensions.splice(0).reverse()) {
      try {
        ext.unload();
      } catch {
        try {
          ext.unload({ force: true });
        } catch {
          // As above.
        }
      }
    }
  }
}

/** An id: an integer in [1, 2^32-1]. */
export function parseId(text: string): number {
  return parseUint(text, 'an id', { min: 1 });
}

function hint(s: Session): string {
  if (s.objects.length > 0) return ` (loaded: ${s.objects.map((o) => basename(o.name)).join(', ')})`;
  return ' (the core is in-process: load an object first with --obj OBJ.o, and its extensions with --ext MODULE)';
}
