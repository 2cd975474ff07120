#!/usr/bin/env node
import { authGenCommand } from './auth-gen-command.js';
import { CliError } from './cli-error.js';
import { devUpCommand } from './dev-up-command.js';
import { policyCommand } from './policy-commands.js';
import { pubCommand, subCommand } from './room-commands.js';
import { startCommand } from './start-command.js';

const USAGE = `usage:
  arq start [--port N] [--nats URL] [--node-id ID] [--workers N] [--config FILE] [--dev] [--chaos] ...
  arq auth gen --tenant T --sub S [--rooms P,...] [--caps C,...] [--ttl 1h] [--secret S]
  arq dev up [--nodes N] [--base-port P] [--workers W]  a local nats-server and N clustered nodes
  arq pub --room R --data JSON [--url ws://HOST:PORT/ws] [--token T]
  arq sub --room R [--url ...] [--token T]            print the room's messages as JSON lines
  arq tail --room R [--lines N | --since 10m] [--url ...] [--token T]
                         the last N messages, or those since 30s/10m/2h/1d/seconds/ISO, then follow
  arq policy push [--tenant T] [--timeout-ms N] [--url ...] [--token T] NAME FILE.wasm
  arq policy ls [--url ...] [--token T]               the policies in force, with their sha256
  arq policy rm [--tenant T] [--url ...] [--token T] NAME
--url defaults to ARQ_URL or ws://127.0.0.1:7070/ws, --token to ARQ_TOKEN (admin cap for policy).
Every option of start also reads ARQ_<OPTION> (e.g. ARQ_PORT) and a config-file key; see README.md.`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand(rest);
    case 'auth':
      if (rest[0] === 'gen') return authGenCommand(rest.slice(1));
      throw new CliError(`unknown auth command ${rest[0] ?? '(none)'}`);
    case 'dev':
      if (rest[0] === 'up') return devUpCommand(rest.slice(1));
      throw new CliError(`unknown dev command ${rest[0] ?? '(none)'}`);
    case 'pub':
      return pubCommand(rest);
    case 'sub':
      return subCommand(rest, false);
    case 'tail':
      return subCommand(rest, true);
    case 'policy':
      return policyCommand(rest);
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      throw new CliError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliError && err.code === 'ARQ_ERR_CLI_REQUEST') {
      console.error(`arq: ${err.message}`);
      process.exit(1);
    }
    if (err instanceof CliError) {
      console.error(`arq: ${err.message}\n${USAGE}`);
      process.exit(2);
    }
    const code = (err as { code?: unknown }).code;
    console.error(
      `arq: ${err instanceof Error ? err.message : String(err)}${typeof code === 'string' ? ` (${code})` : ''}`,
    );
    process.exit(1);
  },
);
