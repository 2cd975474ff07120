import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';
import * as D from './defaults.js';
import { envName, OPTION_TABLE, type OptionName, type OptionRow } from './option-table.js';

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
  /** See FanInBatcher (src/cluster). */
  readonly fanoutLingerMs: number;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly logLevel: LogLevel;
}

type RawValue = string | boolean | number | readonly string[];
type Source = 'flag' | 'environment' | 'config file';
type Raw = Partial<Record<OptionName, { value: RawValue; source: Source }>>;

export interface ConfigSources {
  /** Parsed flags, keyed by flag name (`node-id`). */
  readonly flags?: Readonly<Record<string, RawValue | undefined>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON or YAML file whose keys are flag names. */
  readonly configFile?: string | null;
}

/**
 * Resolves the configuration in the order flag, environment, file, default, and validates it once.
 * Throws ConfigError naming the option and the source of the bad value.
 */
export function resolveNodeConfig(sources: ConfigSources): NodeConfig {
  const raw: Raw = {};
  const fileValues = sources.configFile ? readConfigFile(sources.configFile) : {};
  for (const row of OPTION_TABLE) {
    const flag = sources.flags?.[row.name];
    const env = sources.env?.[envName(row.name)];
    const file = fileValues[row.name];
    if (flag !== undefined) raw[row.name] = { value: flag, source: 'flag' };
    else if (env !== undefined && env !== '') raw[row.name] = { value: env, source: 'environment' };
    else if (file !== undefined) raw[row.name] = { value: file, source: 'config file' };
  }
  const r = new Reader(raw);
  const jwtAlg = r.string('jwt-alg');
  if (jwtAlg !== null && !(PUBLIC_KEY_ALGS as readonly string[]).includes(jwtAlg)) {
    throw r.invalid('jwt-alg', `must be one of ${PUBLIC_KEY_ALGS.join(', ')}`);
  }
  const logLevel = r.string('log-level') ?? D.DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw r.invalid('log-level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const config: NodeConfig = {
    host: r.string('host') ?? D.DEFAULT_HOST,
    port: r.int('port') ?? D.DEFAULT_PORT,
    nats: r.string('nats'),
    natsUser: r.string('nats-user'),
    natsPassword: r.string('nats-password'),
    nodeId: r.string('node-id') ?? `node-${randomBytes(4).toString('hex')}`,
    workers: r.int('workers') ?? D.defaultWorkers(),
    dev: r.bool('dev') ?? false,
    jwtSecret: r.string('jwt-secret'),
    jwtPublicKeyFile: r.string('jwt-public-key'),
    jwtAlg: jwtAlg as PublicKeyAlg | null,
    jwksFile: r.string('jwks-file'),
    jwksAlgs: r.list('jwks-algs') ?? D.DEFAULT_JWKS_ALGS,
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
    fanoutLingerMs: r.int('fanout-linger-ms') ?? D.DEFAULT_FANOUT_LINGER_MS,
    tlsCert: r.string('tls-cert'),
    tlsKey: r.string('tls-key'),
    logLevel: logLevel as LogLevel,
  };
  if (config.hardMaxFrameBytes < config.maxFrameBytes) {
    throw r.invalid(
      'hard-max-frame-bytes',
      `must be at least max-frame-bytes (${config.maxFrameBytes})`,
    );
  }
  if ((config.tlsCert === null) !== (config.tlsKey === null)) {
    throw r.invalid(
      config.tlsCert === null ? 'tls-cert' : 'tls-key',
      'tls-cert and tls-key go together',
    );
  }
  if ((config.jwtPublicKeyFile === null) !== (config.jwtAlg === null)) {
    throw r.invalid(
      config.jwtAlg === null ? 'jwt-alg' : 'jwt-public-key',
      'jwt-public-key and jwt-alg go together',
    );
  }
  return Object.freeze(config);
}

function readConfigFile(path: string): Record<string, RawValue> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('ARQ_ERR_CONFIG_FILE', `cannot read config file ${path}`, { cause: err });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(
      'ARQ_ERR_CONFIG_FILE',
      `config file ${path} must hold a mapping of option names`,
    );
  }
  const known = new Set<string>(OPTION_TABLE.map((row) => row.name));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new ConfigError(
        'ARQ_ERR_CONFIG_UNKNOWN',
        `config file ${path}: unknown option "${key}"`,
      );
    }
  }
  return parsed as Record<string, RawValue>;
}

/** Typed access to the raw values, with errors that name the option and its source. */
class Reader {
  readonly #raw: Raw;
  constructor(raw: Raw) {
    this.#raw = raw;
  }

  invalid(name: OptionName, why: string): ConfigError {
    const entry = this.#raw[name];
    const where = entry
      ? ` (from ${entry.source === 'environment' ? envName(name) : entry.source})`
      : '';
    return new ConfigError('ARQ_ERR_CONFIG_INVALID', `option ${name}${where} ${why}`);
  }

  string(name: OptionName): string | null {
    const entry = this.#raw[name];
    if (!entry) return null;
    if (typeof entry.value === 'number') return String(entry.value);
    if (typeof entry.value !== 'string') throw this.invalid(name, 'must be a string');
    return entry.value;
  }

  int(name: OptionName): number | null {
    const entry = this.#raw[name];
    if (!entry) return null;
    const value = typeof entry.value === 'string' ? Number(entry.value.trim()) : entry.value;
    const row = OPTION_TABLE.find((r) => r.name === name) as OptionRow;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw this.invalid(name, `must be an integer, got ${JSON.stringify(entry.value)}`);
    }
    if (row.min !== undefined && value < row.min)
      throw this.invalid(name, `must be >= ${row.min}, got ${value}`);
    if (row.max !== undefined && value > row.max)
      throw this.invalid(name, `must be <= ${row.max}, got ${value}`);
    return value;
  }

  bool(name: OptionName): boolean | null {
    const entry = this.#raw[name];
    if (!entry) return null;
    if (typeof entry.value === 'boolean') return entry.value;
    if (entry.value === 'true' || entry.value === '1') return true;
    if (entry.value === 'false' || entry.value === '0') return false;
    throw this.invalid(name, `must be true or false, got ${JSON.stringify(entry.value)}`);
  }

  list(name: OptionName): readonly string[] | null {
    const entry = this.#raw[name];
    if (!entry) return null;
    if (typeof entry.value === 'string') {
      return entry.value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    }
    if (Array.isArray(entry.value) && entry.value.every((v) => typeof v === 'string'))
      return entry.value;
    throw this.invalid(name, 'must be a comma-separated list');
  }
}
