/**
 * A shard: an actor system whose rooms live under a dynamic supervisor, fed by the edge->shard ring
 * and answering on the shard->edge ring. It runs in a worker thread of its own (shard-worker.ts) or,
 * with `workers: 0`, in the edge's thread (inline-shard.ts); its host carries what is not on the
 * rings (policy deployments in, logs and reports out) and hears of a fatal fault: the rooms'
 * supervisor giving up (its restart intensity), or a crash asked for by chaos.
 */
import {
  ActorError,
  ActorSystem,
  decodePublishPayload,
  encodePublishPayload,
  encodeSender,
  HISTORY_REPLY_MAX_BYTES,
  type RoomMessage,
  roomOfKey,
  tenantOfKey,
} from '../../actors/index.js';
import { DynamicSupervisor } from '../../supervision/index.js';
import {
  isPolicyDeployment,
  type PublishDecision,
  type PublishInput,
  ShardPolicyGate,
} from '../policy/index.js';
import { RoomStreams } from '../storage/index.js';
import { EnvelopeKind, type RingRecord, ThreadChannel } from '../transport/index.js';
import { RingRoomOutput } from './ring-room-output.js';
import { RoomDirectory } from './room-directory.js';
import { ShardError } from './shard-error.js';
import {
  decodeControl,
  decodeJson,
  decodeKey,
  encodeControl,
  FLAG_ECHO,
  FLAG_RESTORE,
  type JoinBody,
  type ShardEvent,
  type ShardRequest,
} from './shard-wire.js';
import type { ShardWorkerData } from './shard-worker-data.js';

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/** The on_publish input of a publish payload (its data is JSON text already, or raw bytes). */
function publishInput(roomKey: string, payload: Uint8Array): PublishInput {
  const p = decodePublishPayload(payload);
  const raw = p.dataFormat !== 'json';
  return {
    tenant: tenantOfKey(roomKey),
    sub: p.from,
    room: roomOfKey(roomKey),
    data: raw ? JSON.stringify(Buffer.from(p.data).toString('base64')) : textDecoder.decode(p.data),
    base64: raw,
    headers: p.headers,
  };
}

/** The payload as a policy rewrote it (new data is JSON; headers replace the old ones). */
function rewritten(payload: Uint8Array, decision: PublishDecision): Uint8Array {
  if (!decision.allow || (decision.data === null && decision.headers === null)) return payload;
  const p = decodePublishPayload(payload);
  return encodePublishPayload(
    encodeSender(p.from),
    decision.headers ?? p.headers,
    decision.data !== null ? 'json' : p.dataFormat,
    decision.data !== null ? textEncoder.encode(decision.data) : p.data,
  );
}

/** What a shard's host carries besides the rings. */
export interface ShardHost {
  /** To the pool: policy reports and acknowledgements, log lines. */
  post(message: unknown): void;
  /** The shard cannot go on (its rooms' supervisor gave up, or chaos asked it to crash). */
  fail(error: Error): void;
}

export class ShardRuntime {
  readonly #data: ShardWorkerData;
  readonly #host: ShardHost;
  readonly #channel: ThreadChannel;
  readonly #system: ActorSystem;
  readonly #rooms: DynamicSupervisor;
  readonly #output: RingRoomOutput;
  readonly #streams: RoomStreams | null;
  readonly #directory: RoomDirectory;
  readonly #policies: ShardPolicyGate;

  constructor(data: ShardWorkerData, host: ShardHost) {
    this.#data = data;
    this.#host = host;
    const channel = ThreadChannel.open(data.pair, 'shard', { lingerMs: data.lingerMs });
    this.#channel = channel;
    this.#system = new ActorSystem({ node: data.node, thread: data.shard + 1 });
    this.#rooms = new DynamicSupervisor({
      name: `shard-${data.shard}-rooms`,
      maxChildren: data.maxRooms,
    });
    this.#output = new RingRoomOutput(channel);
    const streams =
      data.storage === null
        ? null
        : new RoomStreams({
            config: data.storage,
            log: (line) => host.post({ type: 'storage:log', line }),
          });
    this.#streams = streams;
    this.#directory = new RoomDirectory({
      system: this.#system,
      supervisor: this.#rooms,
      output: this.#output,
      idleMs: data.roomIdleMs,
      ...(streams !== null
        ? {
            durable: {
              storeOf: (roomKey: string) => streams.storeOf(roomKey),
              history: {
                maxMessages: streams.durable.maxMessages,
                maxBytes: streams.durable.maxBytes,
              },
              maxAgeMs: streams.durable.maxAgeSec * 1000,
            },
          }
        : {}),
      // Half a ring record leaves room for the answer's framing around the payloads.
      historyReplyMaxBytes: Math.min(
        HISTORY_REPLY_MAX_BYTES,
        Math.floor(channel.maxRecordBytes / 2),
      ),
      onRoomDown: (roomKey, reason) => this.#sendEvent({ type: 'room-down', roomKey, reason }),
    });
    // on_publish runs here, in the room's shard (its hooks in a runner thread of this shard's own).
    this.#policies = new ShardPolicyGate({
      shard: data.shard,
      limits: data.policyLimits,
      report: (report) => host.post(report),
      log: (line) => host.post({ type: 'policy:log', line }),
    });
  }

  /** A message from the pool (not on the rings): a policy deployment. */
  message(message: unknown): void {
    if (!isPolicyDeployment(message)) return;
    void this.#policies.deploy(message).then((deployed) => this.#host.post(deployed));
  }

  /**
   * Starts the rooms, takes the policies in force, then reads the ring: `ready` is called once the
   * shard takes records; resolves when the ring is closed (stop), rejects if handling failed.
   */
  async run(ready: () => void): Promise<void> {
    await this.#rooms.start();
    void this.#rooms.exited.then((reason) => {
      // The rooms' supervisor exceeded its intensity: fail the shard, as an OTP supervisor would.
      if (reason.type === 'error')
        this.#host.fail(
          new ShardError('ARQ_ERR_SHARD_DOWN', 'room supervisor gave up', { cause: reason.error }),
        );
    });
    // A shard that restarts holds the policies in force before it handles a publish.
    if (this.#data.policies !== null) await this.#policies.deploy(this.#data.policies);
    const receiving = this.#channel.receive((record) => this.#handle(record));
    ready();
    await receiving;
  }

  /**
   * Ends the shard now, as terminating its thread would: nothing it holds reads or writes the rings
   * after this (a send then fails inside whatever actor made it), so the pool may reset them.
   */
  abort(): void {
    this.#channel.abandon();
    this.#rooms.kill();
    void this.#policies.close();
    void this.#streams?.close();
    void this.#system.shutdown();
  }

  async stop(): Promise<void> {
    await this.#policies.close();
    await this.#rooms.stop();
    await this.#streams?.close();
    this.#channel.close();
    await this.#system.shutdown();
  }

  #sendEvent(event: ShardEvent, corr = 0): void {
    this.#channel.send(
      { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, correlationId: corr, value: 0 },
      new Uint8Array(0),
      encodeControl(event),
    );
  }

  #tellRoom(roomKey: string, corr: number, message: RoomMessage, create: boolean): void {
    const ref = create ? this.#directory.obtain(roomKey) : this.#directory.find(roomKey);
    if (ref === null) {
      if (corr !== 0) this.#output.replyError(corr, 'not_joined', 'not a member of this room');
      return;
    }
    try {
      this.#system.tell(ref, message);
    } catch (err) {
      // A full mailbox or a room that just stopped: a sender that asked for an answer learns it is
      // overloaded. A fire-and-forget message (a publish without ref, a quiet leave) has nobody to
      // tell, and must not take the whole shard down: it is dropped, as the client accepted.
      if (corr !== 0)
        this.#output.replyError(corr, 'overloaded', 'room is overloaded, retry later');
      else if (!(err instanceof ActorError)) throw err;
    }
  }

  #handle(record: RingRecord): void {
    const corr = record.correlationId;
    switch (record.kind) {
      case EnvelopeKind.Publish: {
        const roomKey = decodeKey(record.key);
        const message: Extract<RoomMessage, { type: 'publish' }> = {
          type: 'publish',
          connId: record.connId,
          corr,
          echo: (record.flags & FLAG_ECHO) !== 0,
          ingressTs: record.value,
          // The record is a view into the ring: keep a copy. Buffer.from carves small copies out
          // of Node's pooled slab; slice() would malloc a backing store per publish.
          payload: Buffer.from(record.payload),
        };
        const tenant = tenantOfKey(roomKey);
        if (!this.#policies.guards(tenant, roomKey)) {
          this.#tellRoom(roomKey, corr, message, true);
          return;
        }
        let input: PublishInput | null = null;
        try {
          input = publishInput(roomKey, message.payload);
        } catch {
          // A payload this shard cannot read cannot be checked: it is not let through.
          if (corr !== 0) this.#output.replyDenied(corr, 'the message could not be checked', false);
          return;
        }
        this.#policies.submit(roomKey, input, (decision) => {
          if (!decision.allow) {
            if (corr !== 0) this.#output.replyDenied(corr, decision.reason, decision.disconnect);
            return;
          }
          this.#tellRoom(
            roomKey,
            corr,
            { ...message, payload: rewritten(message.payload, decision) },
            true,
          );
        });
        return;
      }
      case EnvelopeKind.Join: {
        const body = decodeJson(record.payload) as JoinBody;
        this.#tellRoom(
          decodeKey(record.key),
          corr,
          {
            type: 'join',
            connId: record.connId,
            corr,
            since: body.since,
            restore: (record.flags & FLAG_RESTORE) !== 0,
          },
          true,
        );
        return;
      }
      case EnvelopeKind.Leave:
        this.#tellRoom(
          decodeKey(record.key),
          corr,
          { type: 'leave', connId: record.connId, corr },
          false,
        );
        return;
      case EnvelopeKind.Control:
        return this.#control(decodeControl<ShardRequest>(record.payload), corr);
      default:
        throw new ShardError(
          'ARQ_ERR_SHARD_PROTOCOL',
          `unexpected envelope kind ${record.kind} on a shard`,
        );
    }
  }

  #control(request: ShardRequest, corr: number): void {
    switch (request.type) {
      case 'stats':
        this.#sendEvent(
          { type: 'stats', rooms: this.#directory.size, actors: this.#system.stats().actors },
          corr,
        );
        return;
      case 'export': {
        const ref = this.#directory.find(request.roomKey);
        if (ref === null) {
          this.#sendEvent({ type: 'exported', state: null }, corr);
          return;
        }
        try {
          this.#system.tell(ref, { type: 'export', corr });
        } catch {
          // A full mailbox: the room cannot answer in order; the node moves it without its state.
          this.#sendEvent({ type: 'exported', state: null }, corr);
        }
        return;
      }
      case 'history':
        // A durable room that is not running starts, reading its stream, as for a join.
        this.#tellRoom(
          request.roomKey,
          corr,
          { type: 'history', corr, query: request.query },
          true,
        );
        return;
      case 'import':
        this.#directory.replace(request.roomKey, request.state);
        this.#sendEvent({ type: 'imported' }, corr);
        return;
      case 'crash':
        // Chaos and tests: die as a bug would (a worker of an uncaught error).
        setImmediate(() =>
          this.#host.fail(
            new ShardError('ARQ_ERR_SHARD_PROTOCOL', `crash requested: ${request.reason}`),
          ),
        );
        return;
    }
  }
}
