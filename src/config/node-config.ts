import { randomBytes } from 'node:crypto';
import { durablePatternProblem } from '../storage/index.js';
import { hostProblem, natsServersProblem } from './address-checks.js';
import { readConfigFile } from './config-file.js';
import * as D from './defaults.js';
import { OptionOrigins } from './option-origins.js';
import { OptionReader, type RawValue } from './option-reader.js';
import type { OptionSource } from './option-source.js';
import { envName, OPTION_TABLE, type OptionName } from './option-table.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const PUBLIC_KEY_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type PublicKeyAlg = (typeof PUBLIC_KEY_ALGS)[number];

/** A node's whole configuration, after validation: every field defined. */
export interface NodeConfig {
  readonly host: string;
  readonly port: number;
  readonly nats: string | null;
  readonly natsUser: string | null;
  readonly natsPassword: string | null;
  /** Room patterns of the durable rooms (stored in JetStream); null: none. */
  readonly durableRooms: readonly string[] | null;
  readonly historyMaxMessages: number;
  readonly historyMaxAgeSec: number;
  readonly historyMaxBytes: number;
  readonly nodeId: string;
  readonly workers: number;
  readonly dev: boolean;
  readonly jwtSecret: string | null;
  readonly jwtPublicKeyFile: string | null;
  readonly jwtAlg: PublicKeyAlg | null;
  readonly jwksFile: string | null;
  readonly jwksAlgs: readonly string[];
  readonly clockSkewSec: number;
  readonly heartbeatMs: number;
  readonly maxFrameBytes: number;
  readonly hardMaxFrameBytes: number;
  readonly badFrameBudget: number;
  readonly maxConnectionsPerTenant: number;
  readonly maxRoomsPerConnection: number;
  readonly publishRate: number;
  readonly publishBurst: number;
  readonly historyRate: number;
  readonly historyBurst: number;
  readonly tenantPublishRate: number;
  readonly tenantPublishBurst: number;
  readonly maxSendBufferBytes: number;
  readonly roomIdleMs: number;
  readonly ringLingerMs: number;
  readonly drainTimeoutMs: number;
  readonly chaos: boolean;
  readonly publicMetrics: boolean;
  /** Collect garbage once the node is idle after its heap grew (see IdleCollector). */
  readonly idleGc: boolean;
  readonly downAfterMs: number;
  readonly presenceBroadcastMs: number;
  readonly presenceCoalesceMs: number;
  /** See FanInBatcher (src/cluster). */
  readonly fanoutLingerMs: number;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly logLevel: LogLevel;
  readonly policyMemoryMb: number;
  readonly policyCompile: PolicyCompile;
}

export const POLICY_COMPILE_MODES = ['pool', 'inline'] as const;
export type PolicyCompile = (typeof POLICY_COMPILE_MODES)[number];

export interface ConfigSources {
  /** Parsed flags, keyed by flag name (`node-id`). */
  readonly flags?: Readonly<Record<string, RawValue | undefined>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON or YAML file whose keys are flag names. */
  readonly configFile?: string | null;
}

/** A validated configuration and where each of its options came from. */
export interface ResolvedConfig {
  readonly config: NodeConfig;
  readonly origins: OptionOrigins;
}

/**
 * Resolves the configuration in the order flag, environment, file, default, and validates it once.
 * An empty environment variable or a null file value counts as not set. Throws ConfigError naming
 * the option and the source of the bad value.
 */
export function resolveConfig(sources: ConfigSources): ResolvedConfig {
  const raw = new Map<OptionName, RawValue>();
  const from = new Map<OptionName, OptionSource>();
  const configFile = sources.configFile ?? null;
  const fileValues = configFile !== null ? readConfigFile(configFile) : {};
  for (const row of OPTION_TABLE) {
    const flag = sources.flags?.[row.name];
    const variable = envName(row.name);
    const env = sources.env?.[variable];
    const file = fileValues[row.name];
    if (flag !== undefined) {
      raw.set(row.name, flag);
      from.set(row.name, { kind: 'flag' });
    } else if (env !== undefined && env !== '') {
      raw.set(row.name, env);
      from.set(row.name, { kind: 'environment', variable });
    } else if (file !== undefined && file !== null && configFile !== null) {
      raw.set(row.name, file);
      from.set(row.name, { kind: 'file', path: configFile });
    }
  }
  const origins = new OptionOrigins(from);
  const r = new OptionReader(raw, origins);
  const config: NodeConfig = {
    host: r.string('host') ?? D.DEFAULT_HOST,
    port: r.int('port') ?? D.DEFAULT_PORT,
    nats: r.string('nats'),
    natsUser: r.string('nats-user'),
    natsPassword: r.string('nats-password'),
    durableRooms: r.list('durable-rooms'),
    historyMaxMessages: r.int('history-max-messages') ?? D.DEFAULT_HISTORY_MAX_MESSAGES,
    historyMaxAgeSec: r.int('history-max-age') ?? D.DEFAULT_HISTORY_MAX_AGE_SEC,
    historyMaxBytes: r.int('history-max-bytes') ?? D.DEFAULT_HISTORY_MAX_BYTES,
    nodeId: r.string('node-id') ?? `node-${randomBytes(4).toString('hex')}`,
    workers: r.int('workers') ?? D.defaultWorkers(),
    dev: r.bool('dev') ?? false,
    jwtSecret: r.string('jwt-secret'),
    jwtPublicKeyFile: r.string('jwt-public-key'),
    jwtAlg: r.oneOf('jwt-alg', PUBLIC_KEY_ALGS),
    jwksFile: r.string('jwks-file'),
    jwksAlgs: r.listOf('jwks-algs', PUBLIC_KEY_ALGS) ?? D.DEFAULT_JWKS_ALGS,
    clockSkewSec: r.int('clock-skew-sec') ?? D.DEFAULT_CLOCK_SKEW_SEC,
    heartbeatMs: r.int('heartbeat-ms') ?? D.DEFAULT_HEARTBEAT_MS,
    maxFrameBytes: r.int('max-frame-bytes') ?? D.DEFAULT_MAX_FRAME_BYTES,
    hardMaxFrameBytes: r.int('hard-max-frame-bytes') ?? D.DEFAULT_HARD_MAX_FRAME_BYTES,
    badFrameBudget: r.int('bad-frame-budget') ?? D.DEFAULT_BAD_FRAME_BUDGET,
    maxConnectionsPerTenant:
      r.int('max-connections-per-tenant') ?? D.DEFAULT_MAX_CONNECTIONS_PER_TENANT,
    maxRoomsPerConnection: r.int('max-rooms-per-connection') ?? D.DEFAULT_MAX_ROOMS_PER_CONNECTION,
    publishRate: r.int('publish-rate') ?? D.DEFAULT_PUBLISH_RATE,
    publishBurst: r.int('publish-burst') ?? D.DEFAULT_PUBLISH_BURST,
    historyRate: r.int('history-rate') ?? D.DEFAULT_HISTORY_RATE,
    historyBurst: r.int('history-burst') ?? D.DEFAULT_HISTORY_BURST,
    tenantPublishRate: r.int('tenant-publish-rate') ?? D.DEFAULT_TENANT_PUBLISH_RATE,
    tenantPublishBurst: r.int('tenant-publish-burst') ?? D.DEFAULT_TENANT_PUBLISH_BURST,
    maxSendBufferBytes: r.int('max-send-buffer-bytes') ?? D.DEFAULT_MAX_SEND_BUFFER_BYTES,
    roomIdleMs: r.int('room-idle-ms') ?? D.DEFAULT_ROOM_IDLE_MS,
    ringLingerMs: r.int('ring-linger-ms') ?? D.DEFAULT_RING_LINGER_MS,
    drainTimeoutMs: r.int('drain-timeout-ms') ?? D.DEFAULT_DRAIN_TIMEOUT_MS,
    chaos: r.bool('chaos') ?? false,
    publicMetrics: r.bool('public-metrics') ?? true,
    idleGc: r.bool('idle-gc') ?? true,
    downAfterMs: r.int('down-after-ms') ?? D.DEFAULT_DOWN_AFTER_MS,
    presenceBroadcastMs: r.int('presence-broadcast-ms') ?? D.DEFAULT_PRESENCE_BROADCAST_MS,
    presenceCoalesceMs: r.int('presence-coalesce-ms') ?? D.DEFAULT_PRESENCE_COALESCE_MS,
    fanoutLingerMs: r.int('fanout-linger-ms') ?? D.DEFAULT_FANOUT_LINGER_MS,
    tlsCert: r.string('tls-cert'),
    tlsKey: r.string('tls-key'),
    logLevel: r.oneOf('log-level', LOG_LEVELS) ?? D.DEFAULT_LOG_LEVEL,
    policyMemoryMb: r.int('policy-memory-mb') ?? D.DEFAULT_POLICY_MEMORY_MB,
    policyCompile: r.oneOf('policy-compile', POLICY_COMPILE_MODES) ?? 'pool',
  };
  checkTogether(config, origins);
  return { config: Object.freeze(config), origins };
}

/** resolveConfig without the origins. */
export function resolveNodeConfig(sources: ConfigSources): NodeConfig {
  return resolveConfig(sources).config;
}

/** Checks of one value's form that the reader's kinds do not cover, and of options that pair up. */
function checkTogether(config: NodeConfig, origins: OptionOrigins): void {
  const hostWhy = hostProblem(config.host);
  if (hostWhy !== null) throw origins.invalid('host', hostWhy);
  const natsWhy = config.nats === null ? null : natsServersProblem(config.nats);
  if (natsWhy !== null) throw origins.invalid('nats', natsWhy);
  if (config.hardMaxFrameBytes < config.maxFrameBytes) {
    // Blame the one the user set: a max-frame-bytes above the default hard limit is the mistake.
    const [low, high] = origins.isSet('hard-max-frame-bytes')
      ? (['hard-max-frame-bytes', 'max-frame-bytes'] as const)
      : (['max-frame-bytes', 'hard-max-frame-bytes'] as const);
    const relation =
      low === 'hard-max-frame-bytes'
        ? `must be at least max-frame-bytes (${config.maxFrameBytes}, ${origins.describe(high)})`
        : `must be at most hard-max-frame-bytes (${config.hardMaxFrameBytes}, ${origins.describe(high)})`;
    throw origins.invalid(low, relation);
  }
  pair(origins, 'tls-cert', 'tls-key');
  pair(origins, 'jwt-public-key', 'jwt-alg');
  pair(origins, 'nats-user', 'nats-password');
  needs(origins, 'nats-user', 'nats');
  needs(origins, 'nats-password', 'nats');
  needs(origins, 'jwks-algs', 'jwks-file');
  const patternWhy =
    config.durableRooms === null ? null : durablePatternProblem(config.durableRooms);
  if (patternWhy !== null) throw origins.invalid('durable-rooms', patternWhy);
  if (config.durableRooms !== null && config.nats === null) {
    // Not a silent downgrade to in-memory rooms: the user asked for messages that survive.
    throw origins.invalid(
      'durable-rooms',
      'needs nats: durable rooms are stored in NATS JetStream, and nats is not set',
    );
  }
  for (const option of ['history-max-messages', 'history-max-age', 'history-max-bytes'] as const) {
    needs(origins, option, 'durable-rooms');
  }
}

/** Options that only work together: one set without the other stops the node. */
function pair(origins: OptionOrigins, a: OptionName, b: OptionName): void {
  if (origins.isSet(a) === origins.isSet(b)) return;
  const [set, missing] = origins.isSet(a) ? [a, b] : [b, a];
  throw origins.invalid(set, `needs ${missing} as well (${a} and ${b} go together)`);
}

/** An option that does nothing without another is a mistake, not something to ignore. */
function needs(origins: OptionOrigins, option: OptionName, other: OptionName): void {
  if (origins.isSet(option) && !origins.isSet(other)) {
    throw origins.invalid(option, `has no effect without ${other}, which is not set`);
  }
}
