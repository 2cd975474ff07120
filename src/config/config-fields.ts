import type { NodeConfig } from './node-config.js';
import type { OptionName } from './option-table.js';

/**
 * The NodeConfig field each option fills. Components report a bad field (`jwtSecret`), users know
 * the option (`jwt-secret`): this is the way back. `satisfies` makes the compiler check it is total.
 */
export const CONFIG_FIELDS = {
  host: 'host',
  port: 'port',
  nats: 'nats',
  'nats-user': 'natsUser',
  'nats-password': 'natsPassword',
  'durable-rooms': 'durableRooms',
  'history-max-messages': 'historyMaxMessages',
  'history-max-age': 'historyMaxAgeSec',
  'history-max-bytes': 'historyMaxBytes',
  'node-id': 'nodeId',
  workers: 'workers',
  dev: 'dev',
  'jwt-secret': 'jwtSecret',
  'jwt-public-key': 'jwtPublicKeyFile',
  'jwt-alg': 'jwtAlg',
  'jwks-file': 'jwksFile',
  'jwks-algs': 'jwksAlgs',
  'clock-skew-sec': 'clockSkewSec',
  'heartbeat-ms': 'heartbeatMs',
  'max-frame-bytes': 'maxFrameBytes',
  'hard-max-frame-bytes': 'hardMaxFrameBytes',
  'bad-frame-budget': 'badFrameBudget',
  'max-connections-per-tenant': 'maxConnectionsPerTenant',
  'max-rooms-per-connection': 'maxRoomsPerConnection',
  'publish-rate': 'publishRate',
  'publish-burst': 'publishBurst',
  'history-rate': 'historyRate',
  'history-burst': 'historyBurst',
  'tenant-publish-rate': 'tenantPublishRate',
  'tenant-publish-burst': 'tenantPublishBurst',
  'max-send-buffer-bytes': 'maxSendBufferBytes',
  'room-idle-ms': 'roomIdleMs',
  'ring-linger-ms': 'ringLingerMs',
  'drain-timeout-ms': 'drainTimeoutMs',
  chaos: 'chaos',
  'public-metrics': 'publicMetrics',
  'idle-gc': 'idleGc',
  'down-after-ms': 'downAfterMs',
  'fanout-linger-ms': 'fanoutLingerMs',
  'presence-broadcast-ms': 'presenceBroadcastMs',
  'presence-coalesce-ms': 'presenceCoalesceMs',
  'tls-cert': 'tlsCert',
  'tls-key': 'tlsKey',
  'log-level': 'logLevel',
  'policy-memory-mb': 'policyMemoryMb',
  'policy-compile': 'policyCompile',
} as const satisfies Record<OptionName, keyof NodeConfig>;

/** Every NodeConfig field comes from an option: a field missing above fails to compile here. */
type UnmappedField = Exclude<keyof NodeConfig, (typeof CONFIG_FIELDS)[OptionName]>;
const EVERY_FIELD_MAPPED: UnmappedField extends never ? true : UnmappedField = true;
void EVERY_FIELD_MAPPED;

const OPTION_OF = new Map<keyof NodeConfig, OptionName>(
  Object.entries(CONFIG_FIELDS).map(([option, field]) => [field, option as OptionName]),
);

/** The option that fills `field`. */
export function optionOfField(field: keyof NodeConfig): OptionName {
  return OPTION_OF.get(field) as OptionName;
}
