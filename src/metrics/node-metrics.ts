import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The node's Prometheus metrics, one registry per node (so several nodes in one test process do not
 * share counters). Hot paths call the typed methods; label sets are closed.
 */
export class NodeMetrics {
  readonly #registry = new Registry();
  readonly #connections: Gauge;
  readonly #messagesIn: Counter;
  readonly #messagesOut: Counter;
  readonly #deliveries: Counter;
  readonly #fanoutLatency: Histogram;
  readonly #rejected: Counter<'code'>;
  readonly #shardRestarts: Counter;
  readonly #closes: Counter<'code'>;
  readonly #policyDenials: Counter<'policy' | 'scope'>;
  readonly #policyFailures: Counter<'policy' | 'scope' | 'kind'>;
  #roomsSource: () => Promise<number> = () => Promise.resolve(0);

  constructor(nodeId: string, options: { readonly processMetrics?: boolean } = {}) {
    this.#registry.setDefaultLabels({ node: nodeId });
    const registers = [this.#registry];
    this.#connections = new Gauge({
      name: 'arq_connections',
      help: 'open WebSocket connections',
      registers,
    });
    const rooms = (): Promise<number> => this.#roomsSource();
    new Gauge({
      name: 'arq_rooms',
      help: 'live rooms on this node (asked of the shards at scrape time)',
      registers,
      async collect() {
        this.set(await rooms());
      },
    });
    this.#messagesIn = new Counter({
      name: 'arq_messages_in_total',
      help: 'client frames received',
      registers,
    });
    this.#messagesOut = new Counter({
      name: 'arq_messages_out_total',
      help: 'frames sent to clients',
      registers,
    });
    this.#deliveries = new Counter({
      name: 'arq_deliveries_total',
      help: 'room messages handed to members (one per member socket)',
      registers,
    });
    this.#fanoutLatency = new Histogram({
      name: 'arq_fanout_latency_seconds',
      help: 'time from a publish entering the node to its fan-out to local members',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.#rejected = new Counter({
      name: 'arq_rejected_frames_total',
      help: 'client frames answered with an error, by wire error code',
      labelNames: ['code'],
      registers,
    });
    this.#shardRestarts = new Counter({
      name: 'arq_shard_restarts_total',
      help: 'shard worker restarts',
      registers,
    });
    this.#closes = new Counter({
      name: 'arq_closes_total',
      help: 'connections closed by the server, by close code',
      labelNames: ['code'],
      registers,
    });
    this.#policyDenials = new Counter({
      name: 'arq_policy_denials_total',
      help: 'connects, joins and publishes denied by a safety policy (failures included), by policy',
      labelNames: ['policy', 'scope'],
      registers,
    });
    this.#policyFailures = new Counter({
      name: 'arq_policy_failures_total',
      help: 'hook calls that failed (trap, timeout, memory, bad_verdict) and so denied, by policy',
      labelNames: ['policy', 'scope', 'kind'],
      registers,
    });
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.#registry, prefix: 'arq_' });
  }

  get contentType(): string {
    return this.#registry.contentType;
  }

  render(): Promise<string> {
    return this.#registry.metrics();
  }

  setConnections(n: number): void {
    this.#connections.set(n);
  }
  /** Where the rooms gauge reads its value when scraped (the shards own the rooms). */
  setRoomsSource(source: () => Promise<number>): void {
    this.#roomsSource = source;
  }
  messageIn(): void {
    this.#messagesIn.inc();
  }
  messagesOut(n: number): void {
    this.#messagesOut.inc(n);
  }
  deliveries(n: number): void {
    this.#deliveries.inc(n);
  }
  fanoutLatency(seconds: number): void {
    this.#fanoutLatency.observe(seconds);
  }
  rejected(code: string): void {
    this.#rejected.inc({ code });
  }
  shardRestarted(): void {
    this.#shardRestarts.inc();
  }
  closed(code: number): void {
    this.#closes.inc({ code: String(code) });
  }
  /** `scope`: `global` or the tenant id. */
  policyDenied(policy: string, tenant: string | null): void {
    this.#policyDenials.inc({ policy, scope: tenant ?? 'global' });
  }
  policyFailed(policy: string, tenant: string | null, kind: string): void {
    this.#policyFailures.inc({ policy, scope: tenant ?? 'global', kind });
  }
}
