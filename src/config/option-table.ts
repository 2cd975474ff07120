/**
 * The node's options, one row each. A row is the single source for the flag name, the
 * `ARQ_<FLAG>` environment variable, the config-file key, the default and the help text.
 */
export type OptionKind = 'int' | 'string' | 'bool' | 'list';

export interface OptionRow {
  readonly name: string;
  readonly kind: OptionKind;
  readonly help: string;
  /** Inclusive bounds for `int` options. */
  readonly min?: number;
  readonly max?: number;
}

export const OPTION_TABLE = [
  { name: 'host', kind: 'string', help: 'address to listen on' },
  {
    name: 'port',
    kind: 'int',
    min: 0,
    max: 65535,
    help: 'HTTP/WebSocket port (0 picks a free one)',
  },
  { name: 'nats', kind: 'string', help: 'NATS URL; without it the node runs alone' },
  { name: 'nats-user', kind: 'string', help: 'NATS user (with nats-password)' },
  {
    name: 'durable-rooms',
    kind: 'list',
    help: 'room patterns (as in rooms claims) whose messages are stored in JetStream; needs nats',
  },
  {
    name: 'history-max-messages',
    kind: 'int',
    min: 1,
    help: 'messages a durable room keeps',
  },
  {
    name: 'history-max-age',
    kind: 'int',
    min: 1,
    help: 'seconds a durable room keeps a message',
  },
  {
    name: 'history-max-bytes',
    kind: 'int',
    min: 1,
    max: 4294967295,
    help: 'payload bytes a durable room keeps',
  },
  { name: 'nats-password', kind: 'string', help: 'NATS password' },
  { name: 'node-id', kind: 'string', help: 'node id (default: a random one)' },
  {
    name: 'workers',
    kind: 'int',
    min: 0,
    max: 256,
    help: 'shard worker threads (default cores-1, at least 1); 0 runs the rooms in the edge thread',
  },
  {
    name: 'dev',
    kind: 'bool',
    help: 'throwaway signing secret; print a ready token and a wscat line',
  },
  { name: 'jwt-secret', kind: 'string', help: 'HS256 shared secret' },
  {
    name: 'jwt-public-key',
    kind: 'string',
    help: 'path to a PEM public key (RS256, ES256 or EdDSA)',
  },
  { name: 'jwt-alg', kind: 'string', help: 'algorithm of --jwt-public-key: RS256, ES256 or EdDSA' },
  { name: 'jwks-file', kind: 'string', help: 'path to a JWKS file of accepted public keys' },
  { name: 'jwks-algs', kind: 'list', help: 'algorithms accepted from the JWKS file' },
  { name: 'clock-skew-sec', kind: 'int', min: 0, max: 300, help: 'tolerance for exp/nbf' },
  {
    name: 'heartbeat-ms',
    kind: 'int',
    min: 1000,
    max: 600000,
    help: 'idle time before the server pings',
  },
  { name: 'max-frame-bytes', kind: 'int', min: 256, help: 'frames above this get too_large' },
  {
    name: 'hard-max-frame-bytes',
    kind: 'int',
    min: 256,
    help: 'frames above this close the socket with 1009',
  },
  {
    name: 'bad-frame-budget',
    kind: 'int',
    min: 1,
    help: 'bad frames tolerated per minute before closing with 1008',
  },
  {
    name: 'max-connections-per-tenant',
    kind: 'int',
    min: 1,
    help: 'live connections per tenant on this node',
  },
  { name: 'max-rooms-per-connection', kind: 'int', min: 1, help: 'rooms one connection may join' },
  {
    name: 'publish-rate',
    kind: 'int',
    min: 1,
    help: 'publishes per second per connection (token bucket rate)',
  },
  { name: 'publish-burst', kind: 'int', min: 1, help: 'token bucket size per connection' },
  {
    name: 'history-rate',
    kind: 'int',
    min: 1,
    help: '`history` requests per second per connection (token bucket rate)',
  },
  {
    name: 'history-burst',
    kind: 'int',
    min: 1,
    help: '`history` token bucket size per connection',
  },
  { name: 'tenant-publish-rate', kind: 'int', min: 1, help: 'publishes per second per tenant' },
  { name: 'tenant-publish-burst', kind: 'int', min: 1, help: 'token bucket size per tenant' },
  {
    name: 'max-send-buffer-bytes',
    kind: 'int',
    min: 1024,
    help: 'unsent bytes before a slow consumer is closed with 4008',
  },
  {
    name: 'room-idle-ms',
    kind: 'int',
    min: 0,
    help: 'how long an empty room lives before it stops',
  },
  {
    name: 'ring-linger-ms',
    kind: 'int',
    min: 0,
    max: 1000,
    help: 'when busy, a shard worker polls its ring every N ms instead of being woken per burst (less CPU, up to N ms more latency; 0: woken at once)',
  },
  {
    name: 'drain-timeout-ms',
    kind: 'int',
    min: 0,
    help: 'on SIGTERM: sockets get 4009, then HTTP keeps answering (readyz 503) this long before exit',
  },
  { name: 'chaos', kind: 'bool', help: 'enable POST /v1/admin/chaos/kill-worker' },
  { name: 'public-metrics', kind: 'bool', help: 'serve /metrics without a token' },
  {
    name: 'idle-gc',
    kind: 'bool',
    help: 'when idle after the heap grew 16 MiB, collect garbage once (gives back set-up garbage)',
  },
  { name: 'down-after-ms', kind: 'int', min: 100, help: 'a peer silent this long is down' },
  {
    name: 'fanout-linger-ms',
    kind: 'int',
    min: 0,
    max: 100,
    help: "cluster: while other nodes' room messages arrive at 2+ per N ms, hold them up to N ms to write each socket once per batch (0: at once)",
  },
  {
    name: 'presence-broadcast-ms',
    kind: 'int',
    min: 10,
    help: 'period of presence delta broadcasts',
  },
  {
    name: 'presence-coalesce-ms',
    kind: 'int',
    min: 0,
    max: 1000,
    help: "a room's presence changes within N ms after one went out are sent as one presence_diff (0: each at once)",
  },
  { name: 'tls-cert', kind: 'string', help: 'PEM certificate file (with --tls-key)' },
  { name: 'tls-key', kind: 'string', help: 'PEM private key file (with --tls-cert)' },
  { name: 'log-level', kind: 'string', help: 'error, warn, info or debug' },
  {
    name: 'policy-memory-mb',
    kind: 'int',
    min: 1,
    max: 4096,
    help: 'Wasm memory limit of one policy instance, in MiB',
  },
  {
    name: 'policy-compile',
    kind: 'string',
    help: 'where pushed policies compile: pool (a piscina thread) or inline (the edge thread; for comparison)',
  },
] as const satisfies readonly OptionRow[];

export type OptionName = (typeof OPTION_TABLE)[number]['name'];

/** `node-id` -> `ARQ_NODE_ID`. */
export function envName(option: string): string {
  return `ARQ_${option.toUpperCase().replaceAll('-', '_')}`;
}
