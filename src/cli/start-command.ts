import { generateDevSecret, signToken } from '../auth/index.js';
import { ConfigError, type NodeConfig, OPTION_TABLE, resolveNodeConfig } from '../config/index.js';
import { ArqonNode, NodeError } from '../node/index.js';
import { CliError } from './cli-error.js';
import { parseFlags } from './parse-flags.js';

const DEV_TENANT = 'dev';
const DEV_SUB = 'dev-user';
const DEV_TOKEN_TTL = '24h';

/** `arq start`: runs a node until SIGTERM/SIGINT, then drains and exits 0. */
export async function startCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(args, [
    ...OPTION_TABLE.map((row) => ({ name: row.name, boolean: row.kind === 'bool' })),
    { name: 'config' },
  ]);
  const { config: configFile, ...optionFlags } = flags;
  const { config, node, devSecret } = asUsage(() => {
    const config: NodeConfig = resolveNodeConfig({
      flags: optionFlags,
      env: process.env,
      configFile: typeof configFile === 'string' ? configFile : null,
    });
    const devSecret = config.dev && config.jwtSecret === null ? generateDevSecret() : null;
    return { config, devSecret, node: new ArqonNode({ config, devSecret }) };
  });
  const port = await node.start();
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
 * token keys) is a usage error like an unknown flag: exit code 2, the message naming the option.
 */
function asUsage<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (
      err instanceof ConfigError ||
      (err instanceof NodeError && err.code === 'ARQ_ERR_NODE_CONFIG')
    )
      throw new CliError(err.message, { cause: err });
    throw err;
  }
}
