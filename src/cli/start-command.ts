import { generateDevSecret, signToken } from '../auth/index.js';
import { CONFIG_FILE_FLAG, ConfigError, OPTION_TABLE, resolveConfig } from '../config/index.js';
import { checkEdgeTls } from '../edge/index.js';
import { ArqonNode } from '../node/index.js';
import { CliError } from './cli-error.js';
import { parseFlags } from './parse-flags.js';
import { type OptionErrorContext, toOptionError } from './to-option-error.js';

const DEV_TENANT = 'dev';
const DEV_SUB = 'dev-user';
const DEV_TOKEN_TTL = '24h';

/** `arq start`: runs a node until SIGTERM/SIGINT, then drains and exits 0. */
export async function startCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, [
    ...OPTION_TABLE.map((row) => ({ name: row.name, boolean: row.kind === 'bool' })),
    { name: CONFIG_FILE_FLAG },
  ]);
  const { [CONFIG_FILE_FLAG]: configFile, ...optionFlags } = flags;
  const { config, origins } = asUsage(() =>
    resolveConfig({
      flags: optionFlags,
      env: process.env,
      configFile: typeof configFile === 'string' ? configFile : null,
    }),
  );
  const devSecret = config.dev && config.jwtSecret === null ? generateDevSecret() : null;
  const context: OptionErrorContext = { config, origins, devSecret };
  const node = asUsage(() => {
    // EdgeServer hands the paths to uWS, which only says "App construction failed".
    if (config.tlsCert !== null && config.tlsKey !== null) {
      checkEdgeTls({ certFile: config.tlsCert, keyFile: config.tlsKey });
    }
    return new ArqonNode({ config, devSecret });
  }, context);
  let port: number;
  try {
    port = await node.start();
  } catch (err) {
    throw toOptionError(err, context) ?? err;
  }
  const where = `${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  console.log(
    `arq: node ${config.nodeId} listening on ${where} with ${config.workers} shard worker(s)`,
  );
  if (config.dev) {
    const secret = config.jwtSecret ?? devSecret;
    if (secret !== null) {
      const token = await signToken({
        secret,
        tenant: DEV_TENANT,
        sub: DEV_SUB,
        rooms: ['>'],
        caps: ['admin', 'server'],
        ttl: DEV_TOKEN_TTL,
      });
      console.log(
        `arq: dev token (tenant ${DEV_TENANT}, sub ${DEV_SUB}, all rooms, ${DEV_TOKEN_TTL}):`,
      );
      console.log(token);
      console.log('arq: try it:');
      console.log(`  npx wscat -c "ws://${where}/ws?token=${token}"`);
      console.log(`  > {"op":"join","room":"lobby","ref":"1"}`);
      console.log(`  > {"op":"publish","room":"lobby","data":{"hello":"world"},"ref":"2"}`);
    }
  }
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      console.log(`arq: ${signal}: draining`);
      node.drain().then(
        () => resolve(0),
        (err: unknown) => {
          console.error('arq: drain failed', err);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    void node.exited.then((reason) => {
      if (stopping) return;
      console.error(
        `arq: node failed: ${reason.type === 'error' ? String(reason.error) : reason.type}`,
      );
      resolve(1);
    });
  });
}

/**
 * A configuration that cannot run (a bad flag value, environment variable or config-file key, no
 * token keys) is a usage error like an unknown flag: exit code 2, the message naming the option
 * and where its value came from. A component's error about a value is traced back to the option.
 */
function asUsage<T>(build: () => T, context?: OptionErrorContext): T {
  try {
    return build();
  } catch (err) {
    const mapped = context === undefined ? null : toOptionError(err, context);
    const configError = mapped ?? (err instanceof ConfigError ? err : null);
    if (configError !== null) throw new CliError(configError.message, { cause: configError });
    throw err;
  }
}
