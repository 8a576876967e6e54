/**
 * `bpfhost asm|disasm` (the core's assembler for the bpf_conformance text
 * syntax) and `bpfhost ext load|list`.
 *
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';

import { assemble, disassemble } from '../index.js';

import type { Output } from './output.js';
import type { Session } from './session.js';
import { UsageError } from './usage.js';
import { hexBytes } from './values.js';

const INSN_SIZE = 8;

function readInput(path: string): Buffer {
  return readFileSync(path === '-' ? 0 : path);
}

function one(args: readonly string[], cmd: string): string {
  if (args.length !== 1) throw new UsageError(`${cmd}: expected one FILE${args.length > 1 ? `, got '${args.join(' ')}'` : ''}`, cmd);
  return args[0] as string;
}

export function asmCommand(out: Output, args: readonly string[], outPath: string | undefined): void {
  const path = one(args, 'asm');
  const insns = assemble(readInput(path).toString('utf8'));
  const n = insns.length / INSN_SIZE;
  if (outPath !== undefined) {
    writeFileSync(outPath, insns);
    out.document({ insns: n, bytes: insns.length, out: outPath });
    out.line(`wrote ${n} instruction${n === 1 ? '' : 's'} (${insns.length} bytes) to ${outPath}`);
    return;
  }
  const lines: string[] = [];
  for (let i = 0; i < insns.length; i += INSN_SIZE) lines.push(hexBytes(insns.subarray(i, i + INSN_SIZE)));
  out.document({ insns: n, bytes: insns.length, hex: lines });
  for (const l of lines) out.line(l);
}

export function disasmCommand(out: Output, args: readonly string[]): void {
  const path = one(args, 'disasm');
  const insns = readInput(path);
  if (insns.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
    throw new UsageError(`disasm: ${path} is an ELF object; disasm takes raw instructions (8 bytes each, as 'bpfhost asm -o' writes)`, 'disasm');
  }
  if (insns.length % INSN_SIZE !== 0) {
    throw new UsageError(`disasm: ${path} has ${insns.length} bytes, not a whole number of 8-byte instructions`, 'disasm');
  }
  const text = disassemble(insns);
  const lines = text.split('\n').filter((l) => l.length > 0);
  out.document({ insns: insns.length / INSN_SIZE, lines });
  for (const l of lines) out.line(l);
}

export function extCommand(session: Session, out: Output, args: readonly string[]): void {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'load': {
      const path = one(rest, 'ext');
      const ext = session.loadExtension(path);
      out.document({ handle: ext.handle, path: ext.path });
      out.line(`loaded ${ext.path} (module ${ext.handle})`);
      return;
    }
    case 'list':
    case 'show':
      if (rest.length > 0) throw new UsageError(`ext list: unexpected '${rest.join(' ')}'`, 'ext');
      out.document(session.extensions.map((e) => ({ handle: e.handle, path: e.path })));
      for (const e of session.extensions) out.line(`${e.handle}: ${e.path}`);
      return;
    default:
      throw new UsageError(sub === undefined ? 'ext: expected a subcommand (load, list)' : `ext: unknown subcommand '${sub}'`, 'ext');
  }
}
