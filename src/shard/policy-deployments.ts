import type { PolicyDeployment, RunnerPolicy } from '../policy/index.js';
import type { ShardSlot } from './shard-slot.js';

/**
 * The pool's bookkeeping of the policy set in force: the current deployment (which a shard that
 * starts gets in its workerData), which set each shard holds, and the deploys still waiting for
 * every running shard to hold them.
 */
export class PolicyDeployments {
  readonly #slots: readonly ShardSlot[];
  #deployment: PolicyDeployment | null = null;
  readonly #deployed = new Map<number, number>();
  #deployWaiters: { seq: number; resolve: () => void }[] = [];

  constructor(slots: readonly ShardSlot[]) {
    this.#slots = slots;
  }

  /** The set in force, or null before the first deploy. */
  get current(): PolicyDeployment | null {
    return this.#deployment;
  }

  /** Posts a new set to every running shard; resolves once each running shard holds it. */
  deploy(policies: readonly RunnerPolicy[]): Promise<void> {
    const seq = (this.#deployment?.seq ?? 0) + 1;
    const deployment: PolicyDeployment = { type: 'policy:deploy', seq, policies };
    this.#deployment = deployment;
    for (const slot of this.#slots) slot.worker?.postMessage(deployment);
    return new Promise((resolve) => {
      this.#deployWaiters.push({ seq, resolve });
      this.settle();
    });
  }

  /** A shard is starting with the current set (workerData), so it holds it once it is ready. */
  started(shard: number): void {
    this.#deployed.set(shard, this.#deployment?.seq ?? 0);
  }

  /** A shard reported that it holds the set `seq`. */
  deployed(shard: number, seq: number): void {
    this.#deployed.set(shard, seq);
    this.settle();
  }

  /** Resolves the deploys that every running shard holds (called again when a shard exits). */
  settle(): void {
    const running = this.#slots.filter((slot) => slot.worker !== null);
    this.#deployWaiters = this.#deployWaiters.filter((w) => {
      const done = running.every((slot) => (this.#deployed.get(slot.index) ?? 0) >= w.seq);
      if (done) w.resolve();
      return !done;
    });
  }
}
