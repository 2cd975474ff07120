import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:7070';

interface PolicyFlags {
  readonly positionals: string[];
  readonly values: Record<string, string | undefined>;
}

function parse(args: readonly string[], names: readonly string[]): PolicyFlags {
  const options: Record<string, { type: 'string' }> = {};
  for (const name of names) options[name] = { type: 'string' };
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: true,
    });
    return { positionals, values: values as Record<string, string | undefined> };
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/**
 * The node's HTTP base from --url / ARQ_URL: an http(s) URL as it is, or the ws(s)://HOST:PORT/ws
 * that `arq pub` uses (so one ARQ_URL serves every command).
 */
export function adminBase(url: string | undefined): string {
  const raw = url ?? process.env.ARQ_URL ?? DEFAULT_ADMIN_URL;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch (cause) {
    throw new CliError(`--url: ${JSON.stringify(raw)} is not a URL`, { cause });
  }
  if (parsed.protocol === 'ws:') parsed.protocol = 'http:';
  else if (parsed.protocol === 'wss:') parsed.protocol = 'https:';
  else if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new CliError(`--url: must be http(s):// or ws(s)://, got ${JSON.stringify(raw)}`);
  return `${parsed.protocol}//${parsed.host}`;
}

function tokenOf(flags: PolicyFlags): string {
  const token = flags.values.token ?? process.env.ARQ_TOKEN;
  if (!token) throw new CliError('--token (or ARQ_TOKEN) is required: a token with the admin cap');
  return token;
}

/** Sends one admin request; a refusal becomes an error that carries the server's code. */
async function request(
  method: string,
  url: string,
  token: string,
  body?: Uint8Array,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/wasm' }),
      },
      ...(body === undefined ? {} : { body }),
    });
  } catch (cause) {
    throw new CliError(`cannot reach ${url}: ${String(cause)}`, {
      cause,
      code: 'ARQ_ERR_CLI_REQUEST',
    });
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported below with the status
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new CliError(
      `${method} ${url}: ${res.status} ${error?.code ?? ''} ${error?.message ?? text}`.trim(),
      { code: 'ARQ_ERR_CLI_REQUEST' },
    );
  }
  return json;
}

function scopeQuery(
  tenant: string | undefined,
  extra: Record<string, string | undefined> = {},
): string {
  const query = new URLSearchParams();
  if (tenant !== undefined) query.set('tenant', tenant);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) query.set(k, v);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** `arq policy push NAME FILE.wasm [--tenant T] [--timeout-ms N]`: prints the policy in force. */
async function push(args: readonly string[]): Promise<number> {
  const flags = parse(args, ['url', 'token', 'tenant', 'timeout-ms']);
  const [name, file, ...extra] = flags.positionals;
  if (name === undefined || file === undefined || extra.length > 0)
    throw new CliError('policy push needs NAME and FILE.wasm');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new CliError(`cannot read ${JSON.stringify(file)}: ${String(cause)}`, { cause });
  }
  const query = scopeQuery(flags.values.tenant, { timeout_ms: flags.values['timeout-ms'] });
  const url = `${adminBase(flags.values.url)}/v1/admin/policies/${encodeURIComponent(name)}${query}`;
  console.log(JSON.stringify(await request('PUT', url, tokenOf(flags), bytes)));
  return 0;
}

interface ListedPolicy {
  readonly name: string;
  readonly tenant: string | null;
  readonly version: number;
  readonly sha256: string;
  readonly hooks: readonly string[];
  readonly timeout_ms?: number;
}

/** `arq policy ls`: one line per policy in force, in the order they run. */
async function list(args: readonly string[]): Promise<number> {
  const flags = parse(args, ['url', 'token']);
  if (flags.positionals.length > 0) throw new CliError('policy ls takes no arguments');
  const url = `${adminBase(flags.values.url)}/v1/admin/policies`;
  const body = (await request('GET', url, tokenOf(flags))) as { policies: ListedPolicy[] };
  console.log('NAME\tSCOPE\tVERSION\tHOOKS\tTIMEOUT_MS\tSHA256');
  for (const p of body.policies) {
    const scope = p.tenant === null ? 'global' : `tenant:${p.tenant}`;
    console.log(
      `${p.name}\t${scope}\t${p.version}\t${p.hooks.join(',')}\t${p.timeout_ms ?? ''}\t${p.sha256}`,
    );
  }
  return 0;
}

/** `arq policy rm NAME [--tenant T]`. */
async function remove(args: readonly string[]): Promise<number> {
  const flags = parse(args, ['url', 'token', 'tenant']);
  const [name, ...extra] = flags.positionals;
  if (name === undefined || extra.length > 0) throw new CliError('policy rm needs NAME');
  const url = `${adminBase(flags.values.url)}/v1/admin/policies/${encodeURIComponent(name)}${scopeQuery(flags.values.tenant)}`;
  console.log(JSON.stringify(await request('DELETE', url, tokenOf(flags))));
  return 0;
}

export function policyCommand(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'push':
      return push(rest);
    case 'ls':
      return list(rest);
    case 'rm':
      return remove(rest);
    default:
      throw new CliError(`unknown policy command ${sub ?? '(none)'}`);
  }
}
