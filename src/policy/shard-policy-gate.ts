import type { PolicyLimits } from './policy-limits.js';
import type { PolicyReport } from './policy-report.js';
import { PolicyRunner } from './policy-runner.js';
import type { PolicyOutcome, RunnerPolicy } from './runner-messages.js';

/** The edge tells a shard which policies are in force; the shard answers once it holds them. */
export interface PolicyDeployment {
  readonly type: 'policy:deploy';
  readonly seq: number;
  readonly policies: readonly RunnerPolicy[];
}

export interface PolicyDeployed {
  readonly type: 'policy:deployed';
  readonly seq: number;
}

export function isPolicyDeployment(message: unknown): message is PolicyDeployment {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'policy:deploy'
  );
}

export function isShardPolicyMessage(message: unknown): message is PolicyDeployed | PolicyReport {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'policy:deployed' || type === 'policy:report';
}

/** An on_publish input, from the publish payload the edge built. */
export interface PublishInput {
  readonly tenant: string;
  readonly sub: string;
  readonly room: string;
  /** JSON text (or a JSON string of base64 when `base64`). */
  readonly data: string;
  readonly base64: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

export type PublishDecision =
  | {
      readonly allow: true;
      /** null: unchanged. */
      readonly data: string | null;
      readonly headers: Readonly<Record<string, string>> | null;
    }
  | { readonly allow: false; readonly reason: string; readonly disconnect: boolean };

interface Queued {
  decision: PublishDecision | null;
  readonly done: (decision: PublishDecision) => void;
}

const ALLOW_UNCHANGED: PublishDecision = Object.freeze({ allow: true, data: null, headers: null });

/**
 * on_publish in the room's shard: a runner thread of this shard's own runs the chain, so that a
 * policy that loops or crashes costs this shard's policy calls, never the shard's rooms, the edge
 * or another shard. A room's publishes are decided in the order they arrived: one that needs no
 * policy waits behind the room's earlier ones that are being checked, so a room's order holds.
 */
export class ShardPolicyGate {
  readonly #runner: PolicyRunner;
  readonly #where: string;
  readonly #report: (report: PolicyReport) => void;
  readonly #rooms = new Map<string, Queued[]>();
  #tenants = new Set<string | null>();

  constructor(options: {
    readonly shard: number;
    readonly limits: PolicyLimits;
    readonly report: (report: PolicyReport) => void;
    readonly log: (line: string) => void;
  }) {
    this.#where = `shard ${options.shard}`;
    this.#report = options.report;
    this.#runner = new PolicyRunner({
      name: this.#where,
      maxMemoryPages: options.limits.maxMemoryPages,
      hostBytesPerCall: options.limits.hostBytesPerCall,
      maxOutputBytes: options.limits.maxOutputBytes,
      onRestart: options.log,
    });
  }

  async deploy(deployment: PolicyDeployment): Promise<PolicyDeployed> {
    await this.#runner.install(deployment.policies);
    this.#tenants = new Set(
      deployment.policies.filter((p) => p.hooks.includes('on_publish')).map((p) => p.tenant),
    );
    return { type: 'policy:deployed', seq: deployment.seq };
  }

  /** True when a publish to `roomKey` of `tenant` must go through submit (else straight on). */
  guards(tenant: string, roomKey: string): boolean {
    return this.#tenants.has(null) || this.#tenants.has(tenant) || this.#rooms.has(roomKey);
  }

  /** Decides a publish; `done` runs in the room's order. `input` null: no policy applies. */
  submit(roomKey: string, input: PublishInput | null, done: (d: PublishDecision) => void): void {
    const entry: Queued = { decision: null, done };
    const queue = this.#rooms.get(roomKey);
    if (queue === undefined) this.#rooms.set(roomKey, [entry]);
    else queue.push(entry);
    if (input === null || !(this.#tenants.has(null) || this.#tenants.has(input.tenant))) {
      entry.decision = ALLOW_UNCHANGED;
      this.#flush(roomKey);
      return;
    }
    const prefix = `{"tenant":${JSON.stringify(input.tenant)},"sub":${JSON.stringify(input.sub)},"room":${JSON.stringify(input.room)}`;
    this.#runner.evaluate(
      {
        hook: 'on_publish',
        tenant: input.tenant,
        prefix,
        data: input.data,
        base64: input.base64,
        headers: input.headers,
      },
      (outcome) => {
        entry.decision = decisionOf(outcome);
        if (!outcome.allow) this.#report({ type: 'policy:report', where: this.#where, outcome });
        this.#flush(roomKey);
      },
    );
  }

  close(): Promise<void> {
    return this.#runner.close();
  }

  #flush(roomKey: string): void {
    const queue = this.#rooms.get(roomKey);
    if (queue === undefined) return;
    while (queue.length > 0 && (queue[0] as Queued).decision !== null) {
      const entry = queue.shift() as Queued;
      entry.done(entry.decision as PublishDecision);
    }
    if (queue.length === 0) this.#rooms.delete(roomKey);
  }
}

function decisionOf(outcome: PolicyOutcome): PublishDecision {
  if (!outcome.allow)
    return { allow: false, reason: outcome.reason, disconnect: outcome.disconnect };
  if (outcome.data === null && outcome.headers === null) return ALLOW_UNCHANGED;
  return { allow: true, data: outcome.data, headers: outcome.headers };
}
