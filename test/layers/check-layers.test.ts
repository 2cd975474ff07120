/**
 * The layer check (.ci/check-layers.mjs) itself: it passes on the repository, and on fixture trees
 * it fails with one clear line per forbidden import (file:line, the import, the rule broken), so a
 * check that silently passed everything would be caught here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';

/** From dist/test/layers/ up to the repository root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHECKER = join(ROOT, '.ci', 'check-layers.mjs');
const MATRIX = join(ROOT, '.ci', 'layers.json');

interface Run {
  readonly status: number | null;
  readonly lines: string[];
}

function check(...args: string[]): Run {
  const run = spawnSync(process.execPath, [CHECKER, ...args], { encoding: 'utf8' });
  return { status: run.status, lines: `${run.stdout}${run.stderr}`.trim().split('\n') };
}

/** A fixture tree in a temporary directory: path -> content. */
function tree(t: Test, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'arq-layers-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

// A small matrix of its own: low may import nothing, high may import low.
const SMALL_MATRIX = JSON.stringify({
  areas: {
    low: { owns: 'the bottom', mayImport: [] },
    high: { owns: 'the top', mayImport: ['low'] },
    test: { owns: 'tests', internals: true, index: false, mayImport: ['*'] },
  },
});

t.test('layers - the repository obeys its matrix', async (t) => {
  const run = check('--root', ROOT);
  t.equal(run.status, 0, run.lines.join('\n'));
  t.match(run.lines.at(-1), /^layers: \d+ files, \d+ project imports checked .*: 0 violations$/);
});

t.test('layers - a forbidden import fails with file, line, import and rule', async (t) => {
  const root = tree(t, {
    '.ci/layers.json': SMALL_MATRIX,
    'low/index.ts': "export { a } from './a.js';\n",
    'low/a.ts': "// a comment\n\nimport { b } from '../high/index.js';\nexport const a = b;\n",
    'high/index.ts': "export { b } from './b.js';\n",
    'high/b.ts': 'export const b = 1;\n',
  });
  const run = check('--root', root);
  t.equal(run.status, 1);
  t.same(run.lines, [
    "low/a.ts:3: import '../high/index.js' (high): low may not import high; it may import nothing of the project",
    'layers: 4 files, 3 project imports checked against .ci/layers.json: 1 violation',
  ]);
});

t.test('layers - folders import each other only through index.ts', async (t) => {
  const root = tree(t, {
    '.ci/layers.json': SMALL_MATRIX,
    'low/index.ts': "export { a } from './a.js';\n",
    'low/a.ts': 'export const a = 1;\n',
    'high/index.ts': "export type { A } from '../low/a.js';\n",
    // Tests may reach into modules to unit-test them.
    'test/a.test.ts': "import { a } from '../low/a.js';\nexport const x = a;\n",
  });
  const run = check('--root', root);
  t.equal(run.status, 1);
  t.equal(
    run.lines[0],
    "high/index.ts:1: import '../low/a.js' (low/a.ts): reaches into low; import low/index.ts instead",
  );
  t.equal(run.lines.length, 2);
});

t.test('layers - every form of import is seen; quoted ones are not imports', async (t) => {
  const root = tree(t, {
    '.ci/layers.json': SMALL_MATRIX,
    'high/index.ts': 'export {};\n',
    'low/index.ts': [
      "import type { T } from '../high/index.js';",
      "import '../high/index.js';",
      "export * from '../high/index.js';",
      'export {',
      '  T,',
      "} from '../high/index.js';",
      "export const lazy = () => import('../high/index.js');",
      "export type L = typeof import('../high/index.js');",
      "const quoted = \"import x from '../high/index.js'\"; // import '../high/index.js'",
      "/* export * from '../high/index.js' */ const re = /from '..\\/high'/;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's source text, not a template
      "const tpl = `${quoted} from '../high/index.js' ${re}`;",
      'export { tpl };',
    ].join('\n'),
  });
  const run = check('--root', root);
  t.equal(run.status, 1);
  const lines = run.lines
    .slice(0, -1)
    .map((line) => Number(/^low\/index\.ts:(\d+):/.exec(line)?.[1]));
  t.same(lines, [1, 2, 3, 6, 7, 8]);
});

t.test('layers - a folder the matrix does not know fails', async (t) => {
  const root = tree(t, {
    '.ci/layers.json': SMALL_MATRIX,
    'low/index.ts': 'export {};\n',
    'high/index.ts': 'export {};\n',
    'high/b.ts': 'export {};\n',
    'low/sub/x.ts': 'export {};\n',
  });
  // low/sub is inside low: the same area. An undeclared top-level folder is not read at all, but a
  // declared area without its index.ts is reported.
  writeFileSync(join(root, '.ci/layers.json'), SMALL_MATRIX.replace('"high"', '"high/deep"'));
  mkdirSync(join(root, 'high', 'deep'));
  writeFileSync(join(root, 'high', 'deep', 'c.ts'), 'export {};\n');
  const run = check('--root', root);
  t.equal(run.status, 1);
  t.same(run.lines.slice(0, -1), [
    'high/deep/: area has no index.ts (its public face)',
    'high/b.ts: in no area of the layer matrix; declare its folder in .ci/layers.json',
    'high/index.ts: in no area of the layer matrix; declare its folder in .ci/layers.json',
  ]);
});

t.test('layers - the real matrix forbids actors/ importing src/', async (t) => {
  const root = tree(t, {
    'actors/index.ts': "export * from './connection/index.js';\n",
    'actors/connection/index.ts': "export * from './connection-actor.js';\n",
    'actors/connection/connection-actor.ts':
      "import type { Principal } from '../../src/auth/index.js';\nexport type P = Principal;\n",
    'src/auth/index.ts': 'export interface Principal {}\n',
    'src/index.ts': 'export {};\n',
  });
  const run = check('--root', root, '--matrix', MATRIX);
  t.equal(run.status, 1);
  t.equal(
    run.lines[0],
    "actors/connection/connection-actor.ts:1: import '../../src/auth/index.js' (src/auth): " +
      'actors/connection may not import src/auth; it may import actors/limits, actors/presence, actors/room, proto/wire',
  );
});

t.test('layers - a matrix that allows a circle is refused', async (t) => {
  const root = tree(t, {
    '.ci/layers.json': JSON.stringify({
      areas: {
        a: { owns: 'a', mayImport: ['b'] },
        b: { owns: 'b', mayImport: ['a'] },
      },
    }),
  });
  const run = check('--root', root);
  t.equal(run.status, 2);
  t.match(run.lines[0], /the matrix allows a circle: a -> b -> a$/);
});
