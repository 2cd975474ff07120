#!/usr/bin/env node
/*
 * The layer check: every relative import in the sources obeys the matrix in .ci/layers.json.
 *
 *   node .ci/check-layers.mjs [--root DIR] [--matrix FILE] [--map]
 *
 * Each source file belongs to one area: the deepest folder the matrix declares that holds it. An
 * import that stays in its area is free. One that leaves it must (1) go to an area the importer's
 * `mayImport` lists and (2) name that area's index.ts, unless the importer has `internals: true`
 * (tests and benches, which reach into modules to measure them). A source file in no declared area
 * and a declared area folder without an index.ts are violations too, so a new folder has to be
 * given its room before it lands. Each violation is one line, `file:line: import 'spec' (area):
 * why`, and the exit code is 1 if there is any.
 *
 * It lives in .ci/ and not in the sources because it is CI's tool and not the product's: the fixed
 * top-level layout keeps src/, actors/ and the rest for code that ships or tests what ships. It is
 * plain JavaScript with no dependencies so that it runs before `npm install` and the build. It reads
 * imports with its own small lexer rather than the compiler: TypeScript 7's npm package offers only
 * an "unstable" API, and imports need no type information, only the tokens (comments, strings,
 * template literals and regular expressions skipped, so a quoted "from '../x'" is not an import).
 *
 * --map prints each area with what it owns and may import, as Markdown, for ARCHITECTURE.md.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SOURCE = /\.(?:[cm]?ts|[cm]?js|tsx|jsx)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.tap', 'coverage']);

/** A problem with the matrix itself, as opposed to a violation by the code. */
export class LayerMatrixError extends Error {
  code = 'ARQ_ERR_LAYER_MATRIX';
  constructor(message) {
    super(message);
    this.name = 'LayerMatrixError';
  }
}

/**
 * The module specifiers of one file with their 1-based lines: static imports and re-exports
 * (`import ... from`, `import type`, `export ... from`, `import 'x'`) and `import('x')` in
 * expressions and types.
 */
export function findImports(text) {
  const tokens = tokenize(text);
  const found = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'string') continue;
    const prev = tokens[i - 1];
    const prev2 = tokens[i - 2];
    if (prev === undefined) continue;
    // `from 'x'` is only grammatical at the end of an import or export declaration.
    const fromClause = prev.kind === 'word' && prev.value === 'from';
    // `import 'x'`: a side-effect import (not `.import 'x'`, which is no statement).
    const bare =
      prev.kind === 'word' &&
      prev.value === 'import' &&
      !(prev2 !== undefined && prev2.kind === 'punct' && prev2.value === '.');
    // `import('x')`, also as a type: `typeof import('x')`.
    const dynamic =
      prev.kind === 'punct' &&
      prev.value === '(' &&
      prev2 !== undefined &&
      prev2.kind === 'word' &&
      prev2.value === 'import';
    if (fromClause || bare || dynamic) found.push({ spec: t.value, line: t.line });
  }
  return found;
}

// Words after which a `/` starts a regular expression rather than dividing.
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

/** Words, punctuation and string literals (with their text); comments, templates and regexps skipped. */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  let line = 1;
  // Template literals nest through `${`; each entry counts the braces open inside one substitution.
  const templateDepths = [];
  const n = text.length;
  const regexAllowed = () => {
    const last = tokens[tokens.length - 1];
    if (last === undefined) return true;
    if (last.kind === 'string' || last.kind === 'template') return false;
    if (last.kind === 'word') return KEYWORDS_BEFORE_EXPRESSION.has(last.value);
    return !(last.value === ')' || last.value === ']' || last.value === '}');
  };
  const skipTemplate = () => {
    // At the character after a backtick or after the `}` closing a substitution.
    while (i < n) {
      const c = text[i];
      if (c === '\\') {
        if (text[i + 1] === '\n') line++;
        i += 2;
      } else if (c === '`') {
        i++;
        tokens.push({ kind: 'template', value: '`', line });
        return;
      } else if (c === '$' && text[i + 1] === '{') {
        i += 2;
        templateDepths.push(0);
        tokens.push({ kind: 'punct', value: '${', line });
        return;
      } else {
        if (c === '\n') line++;
        i++;
      }
    }
  };
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      i = stop;
    } else if (c === "'" || c === '"') {
      const startLine = line;
      let value = '';
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') {
        if (text[i] === '\\') {
          value += text[i + 1] ?? '';
          if (text[i + 1] === '\n') line++;
          i += 2;
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', value, line: startLine });
    } else if (c === '`') {
      i++;
      skipTemplate();
    } else if (c === '/' && regexAllowed()) {
      // A regular expression literal: up to the unescaped `/` outside a character class, then flags.
      let inClass = false;
      i++;
      while (i < n && text[i] !== '\n') {
        const r = text[i];
        if (r === '\\') i += 2;
        else {
          i++;
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
        }
      }
      while (i < n && /[a-z]/i.test(text[i])) i++;
      tokens.push({ kind: 'regexp', value: '/', line });
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$\u0080-\uffff]/.test(text[j])) j++;
      tokens.push({ kind: 'word', value: text.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(text[j])) j++;
      tokens.push({ kind: 'word', value: text.slice(i, j), line });
      i = j;
    } else {
      if (templateDepths.length > 0) {
        if (c === '{') templateDepths[templateDepths.length - 1]++;
        else if (c === '}') {
          if (templateDepths[templateDepths.length - 1] === 0) {
            templateDepths.pop();
            i++;
            skipTemplate();
            continue;
          }
          templateDepths[templateDepths.length - 1]--;
        }
      }
      tokens.push({ kind: 'punct', value: c, line });
      i++;
    }
  }
  return tokens;
}

/** Reads and checks the matrix: areas with `owns` and `mayImport`, patterns that match something. */
export function loadMatrix(file) {
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new LayerMatrixError(`${file}: cannot read the layer matrix: ${cause.message}`);
  }
  if (raw === null || typeof raw !== 'object' || typeof raw.areas !== 'object')
    throw new LayerMatrixError(`${file}: expected {"areas": {...}}`);
  const areas = new Map();
  for (const [name, spec] of Object.entries(raw.areas)) {
    if (!/^[a-z0-9._-]+(?:\/[a-z0-9._-]+)*$/.test(name))
      throw new LayerMatrixError(
        `${file}: area "${name}": expected a folder path like "src/cluster"`,
      );
    if (typeof spec.owns !== 'string' || spec.owns.length === 0)
      throw new LayerMatrixError(`${file}: area "${name}": "owns" must say what it owns`);
    if (!Array.isArray(spec.mayImport) || spec.mayImport.some((p) => typeof p !== 'string'))
      throw new LayerMatrixError(`${file}: area "${name}": "mayImport" must be a list of areas`);
    areas.set(name, {
      name,
      owns: spec.owns,
      mayImport: spec.mayImport,
      internals: spec.internals === true,
      index: spec.index !== false,
      planned: spec.planned === true,
    });
  }
  for (const area of areas.values())
    for (const pattern of area.mayImport)
      if (![...areas.keys()].some((name) => matches(pattern, name)))
        throw new LayerMatrixError(
          `${file}: area "${area.name}" may import "${pattern}", which names no declared area`,
        );
  const cycle = findCycle(areas);
  if (cycle !== null)
    throw new LayerMatrixError(`${file}: the matrix allows a circle: ${cycle.join(' -> ')}`);
  return areas;
}

/** `*` is every area; `a/**` is a and every area under it; anything else names one area. */
function matches(pattern, name) {
  if (pattern === '*') return true;
  if (pattern.endsWith('/**')) {
    const base = pattern.slice(0, -3);
    return name === base || name.startsWith(`${base}/`);
  }
  return pattern === name;
}

function mayImport(from, to) {
  return from.mayImport.some((pattern) => matches(pattern, to.name));
}

function findCycle(areas) {
  const state = new Map();
  const path = [];
  const visit = (area) => {
    state.set(area.name, 'open');
    path.push(area.name);
    for (const other of areas.values()) {
      if (other === area || !mayImport(area, other)) continue;
      const s = state.get(other.name);
      if (s === 'open') return [...path.slice(path.indexOf(other.name)), other.name];
      if (s === undefined) {
        const found = visit(other);
        if (found !== null) return found;
      }
    }
    path.pop();
    state.set(area.name, 'done');
    return null;
  };
  for (const area of areas.values())
    if (!state.has(area.name)) {
      const found = visit(area);
      if (found !== null) return found;
    }
  return null;
}

/** The deepest declared area holding a repository-relative path (posix), or undefined. */
function areaOf(areas, path) {
  let best;
  for (const area of areas.values())
    if (
      path.startsWith(`${area.name}/`) &&
      (best === undefined || area.name.length > best.name.length)
    )
      best = area;
  return best;
}

/** The file a relative specifier names, as TypeScript's nodenext resolution would find it. */
function resolveSpecifier(root, fromFile, spec) {
  const base = posix.normalize(posix.join(posix.dirname(fromFile), spec));
  const candidates = [base];
  const swap = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };
  for (const [ext, replacements] of Object.entries(swap))
    if (base.endsWith(ext))
      for (const r of replacements) candidates.unshift(base.slice(0, -ext.length) + r);
  candidates.push(`${base}.ts`, `${base}/index.ts`);
  for (const c of candidates)
    if (existsSync(join(root, c)) && statSync(join(root, c)).isFile()) return c;
  return base;
}

function isIndex(path, area) {
  return /^index\.(?:[cm]?ts|[cm]?js)$/.test(path.slice(area.name.length + 1));
}

function listSources(root, dir, out) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) listSources(root, path, out);
    } else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

/**
 * Checks every source under the matrix's top-level folders. Returns the violations (each with
 * `file`, `line`, `spec` and `message`) and how many files and project imports were read.
 */
export function checkLayers(root, areas) {
  const violations = [];
  const tops = [...new Set([...areas.keys()].map((name) => name.split('/')[0]))].sort();
  const files = tops.flatMap((top) => listSources(root, top, [])).sort();
  let imports = 0;
  for (const area of areas.values()) {
    const folder = join(root, area.name);
    if (!area.index || !existsSync(folder)) continue;
    const hasIndex = readdirSync(folder).some((f) => /^index\.(?:[cm]?ts|[cm]?js)$/.test(f));
    if (!hasIndex)
      violations.push({
        file: `${area.name}/`,
        line: 0,
        spec: '',
        message: `${area.name}/: area has no index.ts (its public face)`,
      });
  }
  for (const file of files) {
    const from = areaOf(areas, file);
    if (from === undefined) {
      violations.push({
        file,
        line: 0,
        spec: '',
        message: `${file}: in no area of the layer matrix; declare its folder in .ci/layers.json`,
      });
      continue;
    }
    for (const { spec, line } of findImports(readFileSync(join(root, file), 'utf8'))) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
      imports++;
      const target = resolveSpecifier(root, file, spec);
      const to = areaOf(areas, target);
      const where = `${file}:${line}: import '${spec}'`;
      if (to === undefined) {
        violations.push({
          file,
          line,
          spec,
          message: `${where} (${target}): outside every area of the layer matrix`,
        });
        continue;
      }
      if (to === from) continue;
      if (!mayImport(from, to)) {
        const allowed =
          from.mayImport.length === 0 ? 'nothing of the project' : from.mayImport.join(', ');
        violations.push({
          file,
          line,
          spec,
          message: `${where} (${to.name}): ${from.name} may not import ${to.name}; it may import ${allowed}`,
        });
        continue;
      }
      if (!from.internals && !isIndex(target, to))
        violations.push({
          file,
          line,
          spec,
          message: `${where} (${target}): reaches into ${to.name}; import ${to.name}/index.ts instead`,
        });
    }
  }
  return { violations, files: files.length, imports };
}

/** The matrix as a Markdown table. */
export function matrixMap(areas) {
  const rows = ['| folder | owns | may import |', '| --- | --- | --- |'];
  for (const area of areas.values()) {
    const may = area.mayImport.length === 0 ? 'nothing of the project' : area.mayImport.join(', ');
    const note = area.planned ? ' *(planned)*' : '';
    rows.push(`| \`${area.name}/\`${note} | ${area.owns} | ${may} |`);
  }
  return rows.join('\n');
}

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: resolve(here, '..') },
      matrix: { type: 'string' },
      map: { type: 'boolean', default: false },
    },
  });
  const root = resolve(values.root);
  const matrixFile = resolve(values.matrix ?? join(root, '.ci', 'layers.json'));
  let areas;
  try {
    areas = loadMatrix(matrixFile);
  } catch (error) {
    if (!(error instanceof LayerMatrixError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  if (values.map) {
    console.log(matrixMap(areas));
    return;
  }
  const { violations, files, imports } = checkLayers(root, areas);
  for (const v of violations) console.log(v.message);
  const inRoot = relative(root, matrixFile);
  const shown = inRoot.startsWith('..') ? matrixFile : inRoot.split(sep).join('/');
  console.log(
    `layers: ${files} files, ${imports} project imports checked against ${shown}: ` +
      `${violations.length} violation${violations.length === 1 ? '' : 's'}`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main();
