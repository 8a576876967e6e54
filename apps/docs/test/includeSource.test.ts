// Unit tests of the include plugin (src/remark/includeSource.ts): meta parsing, C symbols, regions,
// line ranges, twoslash context, and the errors that fail the docs build.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import includeSource, { findCSymbol, findDefinition, parseMeta, resolveInclude } from '../src/remark/includeSource';

const C_FILE = `/* A file comment. */
#include <stdint.h>

struct point {
	int x;
	int y;
};

/*
 * Adds two numbers.
 * (a block comment directly above)
 */
static int
add(int a, int b)
{
	return a + b;
}

int add(int a, int b);

// A line comment above.
// Two lines of it.
int sub(int a, int b)
{
	/* a comment at depth 1 */
	if (a) {
		return a - b;
	}
	return -b;
}

static const struct point origins[] = {
	{ 0, 0 },
	{ 1, 1 },
};

static const int answer = 42;

/* A BTF map. */
struct {
	__uint(type, 1);
} counters SEC(".maps"), others SEC(".maps");

SEC("sample/count")
int count_event(void *ctx)
{
	return 0;
}

enum color { RED, GREEN };

/* The version of struct point this header describes. */
#define POINT_VERSION 1
#define POINT_HEADER                \\
	{ POINT_VERSION, sizeof(struct point) }

/* Called for each point; returns 0 or a negative errno. */
typedef int (*point_visit_t)(const struct point *p,
			     void *ctx);
typedef uint64_t point_state_t[4];
typedef struct point point_t;
`;

const TS_FILE = `import { u32 } from 'x';

const setup = 1;
// #region shown
  const a: number = setup;
  // #region inner
  const b = a + 1;
  // #endregion inner
// #endregion shown
console.log(b);
`;

let root: string;

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'include-source-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/sample.c'), C_FILE);
  writeFileSync(path.join(root, 'src/example.ts'), TS_FILE);
});
after(() => rmSync(root, { recursive: true, force: true }));

const lines = C_FILE.split('\n');
const symbol = (name: string): string | undefined => {
  const span = findCSymbol(lines, name);
  return span && lines.slice(span.start, span.end).join('\n');
};

const definition = (name: string): string | undefined => {
  const span = findDefinition(lines, name);
  return span && lines.slice(span.start, span.end).join('\n');
};

describe('macros, typedefs and lists of symbols', () => {
  it('finds a #define with its comment and continuation lines', () => {
    assert.equal(definition('POINT_VERSION'), '/* The version of struct point this header describes. */\n#define POINT_VERSION 1');
    assert.equal(definition('POINT_HEADER'), '#define POINT_HEADER                \\\n\t{ POINT_VERSION, sizeof(struct point) }');
  });

  it('finds function-pointer, array and plain typedefs', () => {
    assert.equal(
      definition('point_visit_t'),
      '/* Called for each point; returns 0 or a negative errno. */\ntypedef int (*point_visit_t)(const struct point *p,\n\t\t\t     void *ctx);',
    );
    assert.equal(definition('point_state_t'), 'typedef uint64_t point_state_t[4];');
    assert.equal(definition('point_t'), 'typedef struct point point_t;');
    assert.equal(definition('POINT'), undefined, 'a prefix of a name is not the name');
  });

  it('shows several symbols from the first to the last, in file order only', () => {
    const r = resolveInclude(root, 'p.md', 'c', 'file=src/sample.c symbol=POINT_VERSION,POINT_HEADER', '')!;
    assert.match(r.code, /^\/\* The version[\s\S]*#define POINT_VERSION 1\n#define POINT_HEADER[\s\S]*sizeof\(struct point\) }$/);
    assert.throws(() => resolveInclude(root, 'p.md', 'c', 'file=src/sample.c symbol=POINT_HEADER,POINT_VERSION', ''), /in the order the file defines them/);
    assert.throws(() => resolveInclude(root, 'p.md', 'c', 'file=src/sample.c symbol=POINT_VERSION,NOPE', ''), /symbol 'NOPE' not found/);
  });
});

describe('parseMeta', () => {
  it('splits keys, quoted values and bare words', () => {
    assert.deepEqual(
      parseMeta('file=a/b.c symbol=f twoslash title="A title \\"x\\"" {1,3}').map((t) => [t.key, t.value]),
      [
        ['file', 'a/b.c'],
        ['symbol', 'f'],
        [undefined, 'twoslash'],
        ['title', 'A title "x"'],
        [undefined, '{1,3}'],
      ],
    );
  });
});

describe('findCSymbol', () => {
  it('takes a function with its block comment and its return type line', () => {
    assert.equal(symbol('add'), lines.slice(8, 17).join('\n'));
    assert.match(symbol('add')!, /^\/\*\n \* Adds two numbers\./);
    assert.match(symbol('add')!, /\n}$/);
  });
  it('takes line comments above and stops at the closing brace at column 0', () => {
    const s = symbol('sub')!;
    assert.match(s, /^\/\/ A line comment above\.\n\/\/ Two lines of it\.\nint sub/);
    assert.match(s, /return -b;\n}$/);
  });
  it('takes structs, enums and static tables', () => {
    assert.equal(symbol('point'), 'struct point {\n\tint x;\n\tint y;\n};');
    assert.equal(symbol('color'), 'enum color { RED, GREEN };');
    assert.match(symbol('origins')!, /^static const struct point origins\[\] = {\n[\s\S]*\n};$/);
    assert.equal(symbol('answer'), 'static const int answer = 42;');
  });
  it('takes a BTF map definition and a program with its SEC line', () => {
    assert.equal(symbol('counters'), '/* A BTF map. */\nstruct {\n\t__uint(type, 1);\n} counters SEC(".maps"), others SEC(".maps");');
    assert.match(symbol('count_event')!, /^SEC\("sample\/count"\)\nint count_event\(void \*ctx\)\n{/);
  });
  it('does not take a prototype, a call or a missing name', () => {
    assert.equal(symbol('missing'), undefined);
    assert.equal(symbol('stdint'), undefined);
  });
});

describe('resolveInclude', () => {
  it('ignores blocks without file=', () => {
    assert.equal(resolveInclude(root, 'p.md', 'c', 'title="x"', ''), undefined);
  });
  it('includes a whole file, keeping other meta and adding the title', () => {
    const r = resolveInclude(root, 'p.md', 'ts', 'file=src/example.ts showLineNumbers', '')!;
    assert.equal(r.meta, 'showLineNumbers title="src/example.ts"');
    assert.ok(r.code.startsWith("import { u32 } from 'x';"));
    assert.ok(!r.code.includes('#region'), 'marker lines are dropped');
  });
  it('includes a symbol with the symbol in the title', () => {
    const r = resolveInclude(root, 'p.md', 'c', 'file=src/sample.c symbol=sub', '')!;
    assert.equal(r.meta, 'title="src/sample.c (sub)"');
    assert.match(r.code, /^\/\/ A line comment above\./);
  });
  it('includes a region, dedented, without any marker line', () => {
    const r = resolveInclude(root, 'p.md', 'ts', 'file=src/example.ts region=shown title="Custom"', '')!;
    assert.equal(r.code, 'const a: number = setup;\nconst b = a + 1;');
    assert.equal(r.meta, 'title="Custom"');
  });
  it('keeps the rest of the file as hidden twoslash context', () => {
    const r = resolveInclude(root, 'p.md', 'ts', 'twoslash file=src/example.ts region=shown', '')!;
    assert.equal(
      r.code,
      "import { u32 } from 'x';\n\nconst setup = 1;\n// ---cut---\nconst a: number = setup;\nconst b = a + 1;\n// ---cut-after---\nconsole.log(b);",
    );
    assert.equal(r.meta, 'twoslash title="src/example.ts"');
  });
  it('includes a line range', () => {
    const r = resolveInclude(root, 'p.md', 'c', 'file=src/sample.c lines=4-7', '')!;
    assert.equal(r.code, 'struct point {\n\tint x;\n\tint y;\n};');
  });
  it('fails naming the page and the reference', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['file=src/nope.c', '', /includeSource: docs\/p\.md:3: file=src\/nope\.c: file not found/],
      ['file=src/sample.c symbol=nope', '', /docs\/p\.md:3: file=src\/sample\.c symbol=nope: symbol 'nope' not found/],
      ['file=src/example.ts region=nope', '', /region=nope: region 'nope' not found/],
      ['file=src/sample.c lines=10-999', '', /bad line range \(the file has \d+ lines\)/],
      ['file=src/sample.c', 'int x;', /the code block must be empty/],
      ['file=../outside.c', '', /outside the repository/],
      ['file=src/sample.c symbol=add lines=1-2', '', /at most one of/],
    ];
    for (const [meta, body, re] of cases) assert.throws(() => resolveInclude(root, 'docs/p.md:3', 'c', meta, body), re, meta);
  });
});

describe('the remark plugin', () => {
  it('rewrites code nodes and names the page on error', () => {
    const tree = {
      type: 'root',
      children: [
        { type: 'code', lang: 'c', meta: 'file=src/sample.c symbol=point', value: '' },
        { type: 'code', lang: 'c', meta: null, value: 'untouched' },
      ],
    };
    includeSource({ rootDir: root })(tree, { path: path.join(root, 'docs/page.md') });
    assert.equal(tree.children[0]!.value, 'struct point {\n\tint x;\n\tint y;\n};');
    assert.equal(tree.children[0]!.meta, 'title="src/sample.c (point)"');
    assert.equal(tree.children[1]!.value, 'untouched');

    const bad = { type: 'root', children: [{ type: 'code', lang: 'c', meta: 'file=src/x.c', value: '', position: { start: { line: 7 } } }] };
    assert.throws(() => includeSource({ rootDir: root })(bad, { path: path.join(root, 'docs/page.md') }), /docs\/page\.md:7: file=src\/x\.c: file not found/);
  });
  it('finds symbols in the real sample extension sources', () => {
    const repo = path.resolve(__dirname, '../../../..');
    const r = resolveInclude(repo, 'p.md', 'c', 'file=packages/sample-ext/bpf/sample_maps.bpf.c symbol=counters', '')!;
    assert.match(r.code, /^struct {\n[\s\S]*} counters SEC\("\.maps"\)/);
  });
});

describe('the pages', () => {
  it('anchor every include by symbol or region, never by line numbers (an edit would shift them silently)', () => {
    const docs = path.join(__dirname, '..', '..', 'docs');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'api') walk(p);
        } else if (/\.mdx?$/.test(e.name)) {
          readFileSync(p, 'utf8').split('\n').forEach((line, i) => {
            if (/^\s*```.*\bfile=\S+.*\blines=/.test(line)) offenders.push(`${path.relative(docs, p)}:${i + 1}`);
          });
        }
      }
    };
    walk(docs);
    assert.deepEqual(offenders, []);
  });
});
