import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

export interface FlagSpec {
  readonly name: string;
  readonly boolean?: boolean;
}

export type ParsedFlags = Record<string, string | boolean | undefined>;

/** Strict flag parsing: unknown flags and missing values are usage errors that name the flag. */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const spec of specs) options[spec.name] = { type: spec.boolean ? 'boolean' : 'string' };
  try {
    const { values } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: false,
    });
    return values as ParsedFlags;
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}
