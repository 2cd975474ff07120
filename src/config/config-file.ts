import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';
import type { RawValue } from './option-reader.js';
import { OPTION_TABLE } from './option-table.js';

/** The flag whose value names the config file; it has no environment variable or file key. */
export const CONFIG_FILE_FLAG = 'config';

/**
 * The options a YAML or JSON config file sets, keyed by flag name. A file that cannot be read, is
 * no mapping, or has a key that is no option stops the node: a typo must not be ignored.
 */
export function readConfigFile(path: string): Readonly<Record<string, RawValue>> {
  const where = `config file ${path} (from flag --${CONFIG_FILE_FLAG})`;
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
    throw new ConfigError('ARQ_ERR_CONFIG_FILE', `${where}: cannot be read: ${why}`, {
      cause: err,
    });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      'ARQ_ERR_CONFIG_FILE',
      `${where}: must hold a mapping of option names to values`,
    );
  }
  const known = new Set<string>(OPTION_TABLE.map((row) => row.name));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new ConfigError('ARQ_ERR_CONFIG_UNKNOWN', `${where}: unknown option "${key}"`);
    }
  }
  return parsed as Record<string, RawValue>;
}
