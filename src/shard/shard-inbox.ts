import { isShardPolicyMessage } from '../policy/index.js';
import { EnvelopeKind, type RingRecord } from '../transport/index.js';
import { describeError } from './describe-error.js';
import type { PolicyDeployments } from './policy-deployments.js';
import type { ShardDelivery, ShardPoolEvent } from './shard-delivery.js';
import type { ResolvedShardPoolOptions } from './shard-pool-options.js';
import type { ShardSlot } from './shard-slot.js';
import {
  decodeControl,
  decodeDelivery,
  decodeKey,
  FLAG_DIRECT,
  FLAG_ECHO,
  type ShardEvent,
} from './shard-wire.js';

export interface ShardInboxOptions {
  /** The pool's options: deliveries go to their onDelivery. */
  readonly options: ResolvedShardPoolOptions;
  /** The pool's event sink (it already guards against an observer that throws). */
  readonly emit: (event: ShardPoolEvent) => void;
  readonly deployments: PolicyDeployments;
}

/**
 * What the shards send the pool: the records on their outbound rings (deliveries to the edge,
 * replies to its requests, room events) and the messages of their threads (policy reports and
 * deploy acknowledgements, log lines).
 */
export class ShardInbox {
  readonly #options: ResolvedShardPoolOptions;
  readonly #emit: (event: ShardPoolEvent) => void;
  readonly #deployments: PolicyDeployments;

  constructor(init: ShardInboxOptions) {
    this.#options = init.options;
    this.#emit = init.emit;
    this.#deployments = init.deployments;
  }

  onRecord(slot: ShardSlot, record: RingRecord): void {
    switch (record.kind) {
      case EnvelopeKind.Delivery: {
        const prefix = decodeDelivery(record.payload);
        this.#deliver({
          roomKey: decodeKey(record.key),
          offset: record.value,
          epoch: prefix.epoch,
          ts: prefix.ts,
          ingressTs: prefix.ingressTs,
          connId: record.connId,
          echo: (record.flags & FLAG_ECHO) !== 0,
          direct: (record.flags & FLAG_DIRECT) !== 0,
          body: prefix.body,
        });
        return;
      }
      case EnvelopeKind.Reply:
        slot.settle(record, decodeControl);
        return;
      case EnvelopeKind.Control: {
        if (record.correlationId !== 0) {
          slot.settle(record, decodeControl);
          return;
        }
        const event = decodeControl<ShardEvent>(record.payload);
        if (event.type === 'room-down') {
          this.#emit({
            type: 'room-down',
            shard: slot.index,
            roomKey: event.roomKey,
            reason: event.reason,
          });
        }
        return;
      }
      default:
        this.#emit({
          type: 'pool-failed',
          reason: `unexpected envelope kind ${record.kind} from shard ${slot.index}`,
        });
    }
  }

  onMessage(slot: ShardSlot, message: unknown): void {
    if (!isShardPolicyMessage(message)) {
      const line = (message as { type?: unknown; line?: unknown } | null) ?? null;
      if (line?.type === 'policy:log' && typeof line.line === 'string')
        this.#emit({ type: 'policy-log', shard: slot.index, line: line.line });
      else if (line?.type === 'storage:log' && typeof line.line === 'string')
        this.#emit({ type: 'storage-log', shard: slot.index, line: line.line });
      return;
    }
    if (message.type === 'policy:deployed') {
      this.#deployments.deployed(slot.index, message.seq);
    } else {
      this.#emit({ type: 'policy-report', shard: slot.index, report: message });
    }
  }

  #deliver(delivery: ShardDelivery): void {
    try {
      this.#options.onDelivery(delivery);
    } catch (err) {
      // The edge's fan-out failing for one message must not stop the ring for every other room.
      this.#emit({ type: 'pool-failed', reason: `delivery handler threw: ${describeError(err)}` });
    }
  }
}
