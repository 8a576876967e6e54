/**
 * The CLI's help texts and its usage error (a command line that does not
 * parse; the API's own errors are {@link BpfError}s).
 *
 * @module
 */

/** A command line the CLI cannot run: printed with a hint to `--help`, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** The command whose help fits (`'map'`), if any. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

const GLOBAL = `Global options:
  -j, --json          JSON output (one document on stdout; a batch's is one array, an
                      element per command); errors as {"error": ...}
  -p, --pretty        indented JSON (implies --json)
  -e, --ext MODULE    load an extension module first (repeatable)
      --obj OBJ.o     open and load a BPF object first (repeatable; after --ext)
      --progress      progress lines on stderr for long dumps (default: when stderr is a terminal)
      --no-progress   no progress lines
  -v, --verbose       a program the verifier refuses: print its log too (the failing path)
  -h, --help          this help (bpfhost COMMAND --help: the command's)
  -V, --version       the version of @bpfhost/api`;

const IN_PROCESS = `The core is in-process: maps, programs, links and extensions live only as long as
this bpfhost process. 'prog list', 'map list' and 'ext list' show what THIS process
loaded, so give what to load first: bpfhost map list --ext sample_ext.so --obj sample_maps.bpf.o`;

/** Help of each command, by name; `''` is the overview. */
export const HELP: Readonly<Record<string, string>> = {
  '': `Usage: bpfhost [OPTIONS] COMMAND ...

Commands (after bpftool):
  run OBJ.o [--ext MODULE]... [--hook ATTACH_TYPE [--prog NAME]... --data HEX... --insn-budget N]
                          load extensions and the object, print its maps and programs;
                          with --hook, attach programs, fire the hook once per --data, dump the maps
  prog list               programs loaded in this process
  prog show ID|name NAME  one program
  prog dump xlated PROG [linum]
                          its instructions as loaded, disassembled (linum: with their C lines)
  prog test-run id ID|name NAME|OBJ.o PROG [--data HEX|--data-in FILE] [--ctx HEX|--ctx-in FILE]
               [--data-out FILE] [--ctx-out FILE] [--repeat N] [--insn-budget N]
                          run a loaded program (or one of an object) once (BPF_PROG_TEST_RUN)
  map list                maps created in this process
  map dump MAP            every entry of a map (MAP: ID, NAME, id ID, name NAME, pinned PATH)
  map lookup MAP key BYTES...
  map update MAP key BYTES... value BYTES... [any|noexist|exist]
  map delete MAP key BYTES...
  map push MAP value BYTES... | map pop MAP | map peek MAP      (queues and stacks)
  map consume MAP [count N]   the records a ring buffer holds now
  map create PATH type TYPE key N value N entries N [name NAME] [flags N]
                          create a map and pin it at PATH (in this process)
  map pin MAP PATH | prog pin PROG PATH
  btf dump file OBJ.o     the object's BTF types (bpftool's raw format)
  feature [probe]         the program and map types and helpers this build (and the --ext modules) provide
  asm FILE [-o OUT]       assemble conformance-syntax text into raw instructions
  disasm FILE             disassemble raw instructions (8 bytes each)
  ext load PATH           load an extension module (and report it)
  ext list                extensions loaded in this process
  sdk [--cmake-prefix|--cflags|--libs|--pkg-config-path]
                          where the installed @bpfhost/sdk is (C headers, libbpfhost, CMake package)
  gen skeleton OBJ.o [-o FILE.ts] [--type NAME]... [--check]
                          the object's typed TypeScript skeleton (interfaces and codecs from BTF,
                          a class with typed maps, programs and variables); --check: fail when
                          FILE.ts no longer matches the object
  batch FILE              run the commands in FILE (one per line, without 'bpfhost') in one
                          process, so what one loads or stores the next sees

Keys and values are bpftool byte lists (key 0x01 0x00 0x00 0x00, or key hex 01 00 00 00),
or typed literals when the map has BTF (key 7, value ada, value '{"a": 1, "b": 2}').
Exit code 0 on success, 1 on any error.

${GLOBAL}

${IN_PROCESS}`,
  run: `Usage: bpfhost run OBJ.o [--ext MODULE]... [--hook ATTACH_TYPE] [--prog NAME]... [--data HEX]... [--insn-budget N]

Loads the extension modules, opens and loads OBJ.o, and prints its maps and programs.
With --hook, attaches programs to the hook ATTACH_TYPE (a number; the sample extension's
hook is 4097): the --prog ones in the order given, else every program whose section
implies that attach type. Then fires the hook once per --data (hex bytes, e.g.
--data 01000000000000000000000000000000; once with no data if none is given), prints
each event's result and dumps the object's maps. --insn-budget N (1 to 4294967295)
bounds each run of the attached programs to N instructions (default: the core's,
16777216); a run past it stops with ELOOP.

${GLOBAL}`,
  prog: `Usage: bpfhost prog list
       bpfhost prog show ID | id ID | name NAME
       bpfhost prog pin PROG PATH
       bpfhost prog dump xlated PROG [linum]
       bpfhost prog test-run PROG [--data HEX | --data-in FILE] [--ctx HEX | --ctx-in FILE]
                         [--data-out FILE] [--ctx-out FILE] [--repeat N] [--insn-budget N]

list and show report the programs loaded in this process (from --obj OBJ.o; load the
extensions their types need with --ext). test-run runs PROG: 'id ID' or 'name NAME' of a
program loaded in this process (so a batch can update maps, then test-run the program
that reads them), or 'OBJ.o NAME' (opens and loads OBJ.o, then runs its function NAME).
The data and context are hex bytes (--data, --ctx) or files of raw bytes (--data-in,
--ctx-in; '-' reads stdin), e.g. a real frame. It prints the return value, the mean
duration and the data and context after the run, as hex, or into the files --data-out
and --ctx-out name. --repeat N (1 to 4294967295) runs it N times; --insn-budget N
(1 to 4294967295) stops a run after N instructions with ELOOP (default: the core's
budget, 16777216). pin pins a loaded program at PATH (in this process's namespace).
dump xlated prints its instructions as the core holds them after load (map references
resolved), one per line after its index; with linum, each run of instructions from one
C line follows that line as bpftool shows it ('; TEXT [file:FILE line_num:N line_col:C]'),
from the line info of an --obj object compiled with clang -g.

${GLOBAL}

${IN_PROCESS}`,
  map: `Usage: bpfhost map list
       bpfhost map dump MAP
       bpfhost map lookup MAP key BYTES...
       bpfhost map update MAP key BYTES... value BYTES... [any|noexist|exist]
       bpfhost map delete MAP key BYTES...
       bpfhost map push MAP value BYTES...   (queue, stack)
       bpfhost map pop MAP | bpfhost map peek MAP
       bpfhost map consume MAP [count N]     (ring buffer)
       bpfhost map create PATH type TYPE key KEY_SIZE value VALUE_SIZE entries N [name NAME] [flags N]
       bpfhost map pin MAP PATH

MAP is ID | NAME | id ID | name NAME | pinned PATH. Maps of --obj objects are typed from
their BTF: keys and values print as numbers, strings and structs, and may be given as
typed literals (key 7, value '{"a": 1}'); bytes always work: key 0x07 0x00 0x00 0x00,
or key hex 07 00 00 00 (also key hex 07000000). Per-CPU values take one value per CPU.
A ring buffer has no entries to dump: 'map consume' prints the records it holds (after
the programs that submit them ran, in the same batch or 'run --hook'), oldest first.
'map create' takes a type name (hash, array, ringbuf, ...) or number, sizes in bytes,
and pins the new map at PATH; pins (also 'map pin', 'prog pin') live in this process.

${GLOBAL}

${IN_PROCESS}`,
  asm: `Usage: bpfhost asm FILE [-o OUT]

Assembles FILE (bpf_conformance text, one instruction per line; '-' reads stdin).
With -o/--out OUT, writes the raw instructions (8 bytes each) to OUT; without it, prints
them as hex, one instruction per line.

${GLOBAL}`,
  disasm: `Usage: bpfhost disasm FILE

Disassembles FILE, raw instructions (8 bytes each, as 'bpfhost asm -o' writes; '-'
reads stdin), one instruction per line.

${GLOBAL}`,
  gen: `Usage: bpfhost gen skeleton OBJ.o [-o FILE.ts] [--type NAME]... [--check]

Generates the typed TypeScript skeleton of OBJ.o from its BTF (compile with clang -g):
interfaces for the structs, unions and enums its maps and global variables use (and the
--type NAMEs: 'struct event', 'event', 'enum verdict'), their codecs, and a class whose
open() starts the open phase (skel.rodata.x = 1; skel.configureMap(...)), load() loads,
and maps.NAME / programs.NAME are typed. Members keep their C names. Without -o the
module is printed. --check compares with the checked-in FILE.ts instead of writing it and
exits 1 when it no longer matches the object (for CI).

${GLOBAL}`,
  batch: `Usage: bpfhost batch FILE

Runs the commands in FILE ('-': stdin), one per line without the leading 'bpfhost', in
this one process: maps, objects and extensions loaded by one line (or by --ext/--obj) stay
for the next. Words split at spaces; '...' and "..." quote; # starts a comment. Stops at
the first failing line (exit 1, the line number in the error).

${GLOBAL}

${IN_PROCESS}`,
  btf: `Usage: bpfhost btf dump file OBJ.o

Prints the BTF type table of OBJ.o (opened, not loaded: no extension is needed), one type
a line as bpftool's raw format ([1] INT 'int' size=4 bits_offset=0 nr_bits=32
encoding=SIGNED), members, enumerators, parameters and variables on tab-indented lines.
With --json: {"types": [...]}.

${GLOBAL}`,
  feature: `Usage: bpfhost feature [probe]

Probes what this build of the core supports, as bpftool's feature probe: loads a minimal
program of each program type (Linux's 1 to 32) and creates a small map of each map type
(1 to 33), and lists those that work, then for each program type the helpers its
programs may call, by name, as bpftool does. With --ext MODULE, extension types (4096 to
4159) are probed too (with their modules' own helpers), and the modules are listed.

${GLOBAL}

${IN_PROCESS}`,
  ext: `Usage: bpfhost ext load PATH
       bpfhost ext list
       bpfhost ext new NAME [--map hash|array] [--program-type] [--helper]
       bpfhost ext check MODULE.so --map-type N [--key-size N] [--value-size N]
                         [--max-entries N] [--prog-type N] [--value HEX] [--no-faults] [--verbose]

load loads an extension module (a shared object exporting the bpfhost entry point)
and reports it; list shows the extensions this process loaded (--ext and ext load).
They are unloaded when bpfhost exits.
new writes the project NAME/: a one-file module with one custom map type, its
CMakeLists (the SDK's find_package(bpfhost) + bpfhost_add_extension), a BPF program
using the map and a node:test test (npm test builds, loads, drives and test-runs);
--program-type adds a program type, --helper a helper of it (and the type).
check runs the SDK's conformance kit on the provider of map type N (needs @bpfhost/sdk):
the call matrix, undo path, batches, helper paths, map-in-map, concurrency, fault
injection, forced unload; exit 1 and a report when an invariant breaks.

${GLOBAL}

${IN_PROCESS}`,
  sdk: `Usage: bpfhost sdk [--cmake-prefix] [--cflags] [--libs] [--pkg-config-path]

Prints where the installed @bpfhost/sdk package is (npm install --save-dev @bpfhost/sdk):
extension.h and the C host headers, libbpfhost (static and shared), the CMake package
and the pkg-config files. With options, prints only those, one a line:
  --cmake-prefix     the install prefix:  cmake -DCMAKE_PREFIX_PATH=$(npx bpfhost sdk --cmake-prefix)
                     then find_package(bpfhost CONFIG REQUIRED) and bpfhost_add_extension(...)
  --cflags           -I of the headers
  --libs             link flags for a C host on the shared libbpfhost (with its RUNPATH)
  --pkg-config-path  the folder of bpfhost.pc and bpfhost-extension.pc (PKG_CONFIG_PATH)
The package is looked up from the current folder first, then beside @bpfhost/api.

${GLOBAL}`,
};
