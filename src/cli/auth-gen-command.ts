import { signToken } from '../auth/index.js';
import { CliError } from './cli-error.js';
import { parseFlags } from './parse-flags.js';

/** `arq auth gen`: prints a signed HS256 token. */
export async function authGenCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, [
    { name: 'tenant' },
    { name: 'sub' },
    { name: 'rooms' },
    { name: 'caps' },
    { name: 'ttl' },
    { name: 'secret' },
  ]);
  const tenant = flags.tenant;
  const sub = flags.sub;
  if (typeof tenant !== 'string') throw new CliError('--tenant is required');
  if (typeof sub !== 'string') throw new CliError('--sub is required');
  const secret = typeof flags.secret === 'string' ? flags.secret : process.env.ARQ_JWT_SECRET;
  if (!secret) throw new CliError('--secret (or ARQ_JWT_SECRET) is required');
  const list = (value: unknown): string[] | undefined =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const rooms = list(flags.rooms);
  const caps = list(flags.caps);
  const token = await signToken({
    secret,
    tenant,
    sub,
    ...(rooms ? { rooms } : {}),
    ...(caps ? { caps } : {}),
    ...(typeof flags.ttl === 'string' ? { ttl: flags.ttl } : {}),
  });
  console.log(token);
  return 0;
}
