// The CLI page (docs/user-guide/cli.md) shows real sessions: every ```console block is run with bash
// (each `$ ` line a command, heredocs included, stderr merged into stdout) from the directory with the
// guide's objects, with the workspace's `bpfhost` on PATH, and must print what the block shows.
// Durations are the only thing that may differ.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { codeBlocks, plainEnv, repoRoot, siteDir, workDir } from './fixtures';

const page = 'docs/user-guide/cli.md';
const sessions = codeBlocks(readFileSync(path.join(siteDir, page), 'utf8')).filter((b) => b.lang === 'console');

/** A console block as a script and the output it shows. */
function parse(body: string[]): { script: string; expected: string[] } {
  const commands: string[] = [];
  const expected: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i]!;
    if (!line.startsWith('$ ')) {
      expected.push(line);
      continue;
    }
    const cmd = [line.slice(2)];
    const heredoc = /<<'?(\w+)'?\s*$/.exec(line);
    if (heredoc) {
      while (++i < body.length) {
        cmd.push(body[i]!);
        if (body[i] === heredoc[1]) break;
      }
    }
    commands.push(cmd.join('\n'));
  }
  return { script: commands.join('\n'), expected };
}

const normalize = (lines: string[]): string[] =>
  lines.map((l) => l.trimEnd().replace(/duration: \d+ns/, 'duration: Nns').replace(/"duration_ns":\d+/, '"duration_ns":N'));

describe(`${page}: the sessions it shows are real`, () => {
  it('has sessions', () => assert.ok(sessions.length >= 5, `${sessions.length} console blocks`));

  for (const s of sessions) {
    const { script, expected } = parse(s.body);
    it(`line ${s.line}: ${script.split('\n')[0]}`, () => {
      const r = spawnSync('bash', ['-c', `exec 2>&1\n${script}`], {
        cwd: workDir(),
        encoding: 'utf8',
        timeout: 60_000,
        env: plainEnv({ PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH ?? ''}` }),
      });
      const got = r.stdout.replace(/\n$/, '').split('\n');
      assert.deepEqual(normalize(got), normalize(expected), `${page}:${s.line}: the output differs (actual first)`);
    });
  }
});
