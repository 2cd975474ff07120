import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  ConfigError,
  type ConfigSources,
  envName,
  OPTION_TABLE,
  type OptionRow,
  resolveConfig,
} from '../../src/config/index.js';

type Source = 'flag' | 'environment' | 'file';

function configFile(t: Test, name: string, value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'arq-option-errors-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'arq.json');
  writeFileSync(path, JSON.stringify({ [name]: value }));
  return path;
}

function sourcesWith(t: Test, source: Source, name: string, value: string): ConfigSources {
  if (source === 'flag') return { flags: { [name]: value } };
  if (source === 'environment') return { env: { [envName(name)]: value } };
  return { configFile: configFile(t, name, value) };
}

function described(source: Source, name: string, sources: ConfigSources): string {
  if (source === 'flag') return `from flag --${name}`;
  if (source === 'environment') return `from environment ${envName(name)}`;
  return `from config file ${sources.configFile}, key ${name}`;
}

/** Bad values any option of a kind refuses at resolution; an empty variable counts as unset. */
function badValues(row: OptionRow, source: Source): string[] {
  switch (row.kind) {
    case 'int':
      return [
        'lots',
        ...(row.min !== undefined ? [String(row.min - 1)] : []),
        ...(row.max !== undefined ? [String(row.max + 1)] : []),
      ];
    case 'bool':
      return ['maybe'];
    case 'list':
      return [','];
    case 'string':
      return [source === 'environment' ? '  ' : ''];
  }
}

t.test('option errors - the message names the option and the source it came from', async (t) => {
  for (const source of ['flag', 'environment', 'file'] as const) {
    const sources = sourcesWith(t, source, 'port', 'eighty');
    const err = t.throws(() => resolveConfig(sources)) as ConfigError;
    t.ok(err instanceof ConfigError, source);
    t.equal(
      err.message,
      `option port (${described(source, 'port', sources)}): must be an integer, got "eighty"`,
    );
    t.equal(err.option, 'port');
    t.equal(err.source?.kind, source);
  }
});

t.test(
  'option errors - every option of the table refuses a bad value from every source',
  async (t) => {
    for (const row of OPTION_TABLE) {
      for (const source of ['flag', 'environment', 'file'] as const) {
        for (const value of badValues(row, source)) {
          const sources = sourcesWith(t, source, row.name, value);
          const what = `${row.name} = ${JSON.stringify(value)} from ${source}`;
          const err = t.throws(() => resolveConfig(sources), what) as ConfigError;
          t.equal(err?.code, 'ARQ_ERR_CONFIG_INVALID', what);
          t.ok(
            err?.message.startsWith(
              `option ${row.name} (${described(source, row.name, sources)}): `,
            ),
            `${what}: ${err?.message}`,
          );
        }
      }
    }
  },
);
