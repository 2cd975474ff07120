import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CliError } from './cli-error.js';

/** Where Debian and manual installs put nats-server, tried after PATH (/usr/sbin is often not on it). */
const FALLBACK_PATHS = [
  '/usr/sbin/nats-server',
  '/usr/local/bin/nats-server',
  '/usr/bin/nats-server',
];

/** The nats-server binary: the first executable one on PATH, else a usual install location. */
export function natsServerBinary(): string {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d.length > 0);
  for (const candidate of [...dirs.map((d) => join(d, 'nats-server')), ...FALLBACK_PATHS]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there: try the next one
    }
  }
  throw new CliError(
    'nats-server not found on PATH nor in /usr/sbin, /usr/local/bin, /usr/bin (apt-get install nats-server)',
  );
}
