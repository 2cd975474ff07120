import { TokenBucket } from '../../actors/limits/index.js';

/** The per-tenant publish rate over every connection of the tenant on this node. */
export class TenantPublishLimits {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(rate: number, burst: number) {
    this.#rate = rate;
    this.#burst = burst;
  }

  mayPublish(tenant: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(tenant);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#rate, this.#burst, nowMs);
      this.#buckets.set(tenant, bucket);
    }
    return bucket.tryTake(nowMs);
  }
}
