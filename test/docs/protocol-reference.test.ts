/**
 * Keeps docs/protocol.md true: its tables are compared with the code's closed sets in both
 * directions (a name documented but not in the code fails, and so does one in the code but not
 * documented), and the features it lists as not implemented yet must indeed be absent.
 */
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { ClientFrameSchema, ServerFrameSchema } from '../../proto/index.js';
import * as protocol from '../../proto/wire/index.js';
import {
  WIRE_ERROR_CODES as SDK_WIRE_ERROR_CODES,
  shouldReconnect,
} from '../../src/client/index.js';
import {
  CONFIG_FIELDS,
  CONFIG_FILE_FLAG,
  envName,
  OPTION_TABLE,
  type OptionName,
  resolveConfig,
} from '../../src/config/index.js';
import { httpRoutes } from '../../src/edge/http-api.js';
import { HTTP_STATUS_OF } from '../../src/edge/http-response.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestNode } from '../helpers/test-node.js';
import { TestClient } from '../helpers/ws-client.js';

/** From dist/test/docs/ up to the repository root. */
const DOC = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The document's lines with fenced code blocks blanked (a `# comment` there is no heading). */
const LINES = (() => {
  let fenced = false;
  return DOC.split('\n').map((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
})();

/** The lines under `heading` (a whole line, e.g. `### Client ops`) up to the next heading as high. */
function section(heading: string): string[] {
  const start = LINES.indexOf(heading);
  if (start < 0) throw new Error(`docs/protocol.md has no heading ${JSON.stringify(heading)}`);
  const level = heading.indexOf(' ');
  const end = LINES.findIndex(
    (line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level,
  );
  return LINES.slice(start + 1, end < 0 ? undefined : end);
}

/** The body rows of the first table under `heading`, as trimmed cells. */
function table(heading: string): string[][] {
  const lines = section(heading);
  const first = lines.findIndex((line) => line.startsWith('|'));
  if (first < 0) throw new Error(`docs/protocol.md has no table under ${heading}`);
  const rows: string[][] = [];
  for (let i = first; i < lines.length && lines[i]?.startsWith('|'); i++) {
    rows.push(
      (lines[i] as string)
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
  }
  return rows.slice(2);
}

/** A cell that is one code span, `like_this`, without the backticks. */
function code(cell: string | undefined): string {
  const match = /^`([^`]+)`$/.exec(cell ?? '');
  if (!match?.[1]) throw new Error(`expected a cell of one code span, got ${JSON.stringify(cell)}`);
  return match[1];
}

/** Both directions at once, so that a failure names every difference. */
function sameSet<T extends string | number>(
  t: Test,
  documented: readonly T[],
  inCode: readonly T[],
  what: string,
): void {
  const doc = new Set(documented);
  const impl = new Set(inCode);
  t.same(
    {
      documentedButNotInCode: [...doc].filter((x) => !impl.has(x)),
      inCodeButNotDocumented: [...impl].filter((x) => !doc.has(x)),
      documentedTwice: documented.filter((x, i) => documented.indexOf(x) !== i),
    },
    { documentedButNotInCode: [], inCodeButNotDocumented: [], documentedTwice: [] },
    `${what}: docs/protocol.md and the code agree`,
  );
}

const NOT_IMPLEMENTED = section('## Not implemented yet').join('\n');

/** Planned (v1.1) names that docs/protocol.md says are not implemented yet. */
const PLANNED = {
  ops: ['kv_put', 'kv_get', 'kv_delete', 'kv_watch'],
  paths: ['/dashboard', '/v1/admin/webhooks', '/v1/admin/schedules', '/v1/kv/:bucket/:key'],
  options: ['otlp-endpoint', 'otlp-protocol', 'trace-sample'],
  commands: ['doctor', 'logs'],
};

function listedAsNotImplemented(t: Test, names: readonly string[]): void {
  for (const name of names) {
    t.ok(NOT_IMPLEMENTED.includes(name), `"Not implemented yet" names ${name}`);
  }
}

function httpStatus(code: protocol.WireErrorCode): string {
  return HTTP_STATUS_OF[code].split(' ')[0] as string;
}

t.test('protocol reference - the error codes table is the closed set of wire codes', async (t) => {
  const rows = table('### Error codes');
  const codes = rows.map((row) => code(row[0])) as protocol.WireErrorCode[];
  sameSet(t, codes, protocol.WIRE_ERROR_CODES, 'error codes');
  t.same([...SDK_WIRE_ERROR_CODES], [...protocol.WIRE_ERROR_CODES], "the SDK's copy is the same");
  for (const row of rows) {
    const wire = code(row[0]) as protocol.WireErrorCode;
    if (!protocol.isWireErrorCode(wire)) continue;
    t.equal(row[1], httpStatus(wire), `${wire} answers HTTP ${httpStatus(wire)}`);
  }
  // The refused upgrades of "Connecting" use wire codes with their HTTP status too.
  for (const row of table('## Connecting')) {
    const wire = code(row[1]) as protocol.WireErrorCode;
    t.ok(protocol.isWireErrorCode(wire), `refused upgrade code ${wire} is a wire code`);
    if (protocol.isWireErrorCode(wire)) t.equal(row[0], httpStatus(wire), `upgrade ${wire}`);
  }
});

t.test('protocol reference - the client ops table is every op the decoders accept', async (t) => {
  const documented = table('### Client ops').map((row) => code(row[0]));
  sameSet(t, documented, protocol.CLIENT_OPS, 'client ops');
  const protobufOps = ClientFrameSchema.oneofs[0]?.fields.map((field) => field.name) ?? [];
  const binaryOps = protocol.CLIENT_OPS.filter((op) => !protocol.JSON_ONLY_OPS.includes(op));
  sameSet(t, protobufOps, binaryOps, 'client ops of proto ClientFrame (all but the JSON-only)');
  for (const op of protocol.JSON_ONLY_OPS) {
    const row = table('### Client ops').find((r) => code(r[0]) === op);
    t.match(row?.[1] ?? '', /JSON frames only/, `${op} is documented as JSON frames only`);
  }
  for (const op of documented) {
    const decoded = protocol.decodeTextFrame(JSON.stringify({ op }));
    t.not(decoded.ok ? 'ok' : decoded.error.code, 'unknown_op', `${op} is an op of the decoder`);
  }
  for (const op of PLANNED.ops) {
    const decoded = protocol.decodeTextFrame(JSON.stringify({ op, room: 'r', bucket: 'b' }));
    t.match(decoded, { ok: false, error: { code: 'unknown_op' } }, `${op} is not implemented`);
  }
  listedAsNotImplemented(t, PLANNED.ops);
});

t.test('protocol reference - the server ops table is every op the server sends', async (t) => {
  const documented = table('### Server ops').map((row) => code(row[0]));
  sameSet(t, documented, protocol.SERVER_OPS, 'server ops');
  const protobufOps = ServerFrameSchema.oneofs[0]?.fields.map((field) => field.name) ?? [];
  sameSet(t, protobufOps, protocol.SERVER_OPS, 'server ops of proto ServerFrame');
});

/** What the close-code table's "SDK reconnects" column may say, as shouldReconnect(code, fn?). */
const RECONNECTS: Record<string, [withFixedToken: boolean, withTokenFunction: boolean]> = {
  yes: [true, true],
  no: [false, false],
  'only with a token function': [false, true],
};
/** RFC 6455: never sent in a close frame; a client reports it when the connection was cut. */
const ABNORMAL_CLOSURE = 1006;

t.test('protocol reference - the close codes table is every close code of the node', async (t) => {
  const rows = table('## WebSocket close codes');
  const closeCodes = Object.entries(protocol)
    .filter(([name, value]) => name.startsWith('CLOSE_') && typeof value === 'number')
    .map(([, value]) => value as number);
  t.ok(closeCodes.length > 0, 'the protocol module exports CLOSE_* codes');
  const byNode = rows.filter((row) => row[1] === 'node').map((row) => Number(row[0]));
  sameSet(t, byNode, closeCodes, 'close codes sent by the node');
  const others = rows.filter((row) => row[1] !== 'node').map((row) => Number(row[0]));
  t.same(others, [ABNORMAL_CLOSURE], 'besides those, only 1006 (no close frame)');
  for (const row of rows) {
    const expected = RECONNECTS[row[3] ?? ''];
    if (expected === undefined) {
      t.fail(`close code ${row[0]}: "SDK reconnects" says ${JSON.stringify(row[3])}`);
      continue;
    }
    const closeCode = Number(row[0]);
    t.same(
      [shouldReconnect(closeCode, false), shouldReconnect(closeCode, true)],
      expected,
      `after ${closeCode} the SDK reconnects: ${row[3]}`,
    );
  }
});

type RouteTable = Parameters<ReturnType<typeof httpRoutes>>[0];

/** The routes httpRoutes registers, as `METHOD /pattern`, read off a recording stand-in app. */
function registeredRoutes(): string[] {
  const routes: string[] = [];
  const app: object = new Proxy(
    {},
    {
      get: (_target, method) => (pattern: string) => {
        const name = String(method) === 'del' ? 'DELETE' : String(method).toUpperCase();
        routes.push(`${name} ${pattern}`);
        return app;
      },
    },
  );
  // Only the handlers read the options; registering the routes reads none but `edge`.
  httpRoutes({ edge: {} } as never)(app as RouteTable);
  return routes;
}

t.test('protocol reference - the HTTP API table is every route the edge serves', async (t) => {
  const routes = registeredRoutes();
  t.ok(routes.length > 0, 'the stand-in app saw routes');
  const documented = table('## HTTP API').map((row) => code(row[0]));
  sameSet(t, documented, routes, 'HTTP routes');
  for (const path of PLANNED.paths) {
    const served = routes.filter((route) => route.split(' ')[1]?.startsWith(path));
    t.same(served, [], `${path} is not implemented`);
  }
  listedAsNotImplemented(t, PLANNED.paths);
});

/** `int 0..65535`, `int ≥ 256`, `int`, `string`, `bool`, `list`. */
function parseType(cell: string): { kind: string; min?: number; max?: number } {
  const match = /^(int|string|bool|list)(?: (\d+)\.\.(\d+)| ≥ (\d+))?$/.exec(cell);
  if (!match?.[1]) return { kind: `unreadable type ${JSON.stringify(cell)}` };
  const [, kind, low, high, atLeast] = match;
  return {
    kind,
    ...(low !== undefined ? { min: Number(low) } : {}),
    ...(high !== undefined ? { max: Number(high) } : {}),
    ...(atLeast !== undefined ? { min: Number(atLeast) } : {}),
  };
}

/** Options whose default is computed when the node starts; the table describes it in words. */
const COMPUTED_DEFAULTS: ReadonlySet<string> = new Set(['node-id', 'workers']);
const NONE = '—';

function documentedDefault(cell: string): unknown {
  if (cell === NONE) return null;
  const literal = code(cell);
  if (/^\d+$/.test(literal)) return Number(literal);
  if (literal === 'true' || literal === 'false') return literal === 'true';
  return literal;
}

t.test('protocol reference - the arq start options table is the option table', async (t) => {
  const rows = table('### `arq start` options');
  const documented = rows.map((row) => code(row[0]));
  sameSet(
    t,
    documented,
    [CONFIG_FILE_FLAG, ...OPTION_TABLE.map((row) => row.name)],
    'arq start options',
  );
  const { config } = resolveConfig({});
  for (const row of rows) {
    const name = code(row[0]);
    const option = OPTION_TABLE.find((o) => o.name === name);
    if (option === undefined) continue;
    t.equal(row[1], `\`${envName(name)}\``, `${name}: environment variable`);
    const { kind, min, max } = option as { kind: string; min?: number; max?: number };
    t.same(
      parseType(row[2] ?? ''),
      { kind, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
      `${name}: type and bounds`,
    );
    const actual = config[CONFIG_FIELDS[name as OptionName]];
    if (COMPUTED_DEFAULTS.has(name)) {
      t.ok(row[3] !== NONE && !row[3]?.startsWith('`'), `${name}: a computed default, in words`);
      continue;
    }
    const value = documentedDefault(row[3] ?? '');
    t.same(value, Array.isArray(actual) ? actual.join(',') : actual, `${name}: default ${row[3]}`);
  }
  const names: ReadonlySet<string> = new Set(OPTION_TABLE.map((row) => row.name));
  for (const option of PLANNED.options) t.notOk(names.has(option), `${option} is not implemented`);
  listedAsNotImplemented(t, PLANNED.options);
});

t.test('protocol reference - the commands table is what arq help lists', async (t) => {
  const help = await runCli(['help']);
  t.equal(help.code, 0, help.stderr);
  const listed = help.stdout
    .split('\n')
    .filter((line) => line.startsWith('  arq '))
    .map((line) => {
      const words = line.trim().split(/\s+/);
      const end = words.findIndex((word) => word.startsWith('-') || word.startsWith('['));
      return words.slice(0, end < 0 ? undefined : end).join(' ');
    });
  const documented = table('### Commands').map((row) => code(row[0]));
  sameSet(t, documented, listed, 'arq commands');
  for (const command of PLANNED.commands) {
    const run = await runCli([command]);
    t.equal(run.code, 2, `arq ${command} is a usage error`);
    t.match(run.stderr, `unknown command ${command}`, `arq ${command} is not implemented`);
  }
  listedAsNotImplemented(
    t,
    PLANNED.commands.map((command) => `arq ${command}`),
  );
});

t.test('protocol reference - frames over twice hard-max-frame-bytes close with 1006', async (t) => {
  // What "Frame size limits" says: over the hard limit 1009 from the node, over twice it uWS cuts
  // the connection without a close frame.
  const hardMax = 4096;
  const server = await startTestNode({
    'max-frame-bytes': '1024',
    'hard-max-frame-bytes': String(hardMax),
  });
  t.teardown(() => server.close());
  const closeAfter = async (bytes: number): Promise<number> => {
    const { client } = await TestClient.connect(server.url, await server.token());
    const frame = JSON.stringify({ op: 'publish', room: 'lobby', data: '' });
    const data = 'x'.repeat(bytes - frame.length);
    client.send(JSON.stringify({ op: 'publish', room: 'lobby', data }));
    return (await client.closed).code;
  };
  t.equal(await closeAfter(hardMax + 1), 1009, 'just over hard-max-frame-bytes: 1009');
  t.equal(await closeAfter(2 * hardMax), 1009, 'at twice hard-max-frame-bytes: 1009');
  t.equal(await closeAfter(2 * hardMax + 1), ABNORMAL_CLOSURE, 'over twice: 1006');
  const rows = table('## Frame size limits');
  t.match(rows.at(-1)?.[1], /1006/, 'the table says so');
});
