/**
 * Entry point of a shard worker thread: an actor system whose rooms live under a dynamic supervisor,
 * fed by the edge->shard ring and answering on the shard->edge ring. If the rooms' supervisor gives
 * up (its restart intensity), the thread fails, and the pool's supervisor decides what comes next.
 */
import { parentPort, workerData } from 'node:worker_threads';
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
import { DynamicSupervisor, onStopRequested, signalReady } from '../../supervision/index.js';
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

const data = workerData as ShardWorkerData;
const channel = ThreadChannel.open(data.pair, 'shard', { lingerMs: data.lingerMs });
const system = new ActorSystem({ node: data.node, thread: data.shard + 1 });
const rooms = new DynamicSupervisor({
  name: `shard-${data.shard}-rooms`,
  maxChildren: data.maxRooms,
});
const output = new RingRoomOutput(channel);
const streams =
  data.storage === null
    ? null
    : new RoomStreams({
        config: data.storage,
        log: (line) => parentPort?.postMessage({ type: 'storage:log', line }),
      });
const directory = new RoomDirectory({
  system,
  supervisor: rooms,
  output,
  idleMs: data.roomIdleMs,
  ...(streams !== null
    ? {
        durable: {
          storeOf: (roomKey: string) => streams.storeOf(roomKey),
          history: { maxMessages: streams.durable.maxMessages, maxBytes: streams.durable.maxBytes },
          maxAgeMs: streams.durable.maxAgeSec * 1000,
        },
      }
    : {}),
  // Half a ring record leaves room for the answer's framing around the payloads.
  historyReplyMaxBytes: Math.min(HISTORY_REPLY_MAX_BYTES, Math.floor(channel.maxRecordBytes / 2)),
  onRoomDown: (roomKey, reason) => sendEvent({ type: 'room-down', roomKey, reason }),
});

// on_publish runs here, in the room's shard (its hooks in a runner thread of this shard's own).
const policies = new ShardPolicyGate({
  shard: data.shard,
  limits: data.policyLimits,
  report: (report) => parentPort?.postMessage(report),
  log: (line) => parentPort?.postMessage({ type: 'policy:log', line }),
});
parentPort?.on('message', (message: unknown) => {
  if (!isPolicyDeployment(message)) return;
  void policies.deploy(message).then((deployed) => parentPort?.postMessage(deployed));
});

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

function sendEvent(event: ShardEvent, corr = 0): void {
  channel.send(
    { kind: EnvelopeKind.Control, flags: 0, connId: 0, roomId: 0, correlationId: corr, value: 0 },
    new Uint8Array(0),
    encodeControl(event),
  );
}

function tellRoom(roomKey: string, corr: number, message: RoomMessage, create: boolean): void {
  const ref = create ? directory.obtain(roomKey) : directory.find(roomKey);
  if (ref === null) {
    if (corr !== 0) output.replyError(corr, 'not_joined', 'not a member of this room');
    return;
  }
  try {
    system.tell(ref, message);
  } catch (err) {
    // A full mailbox or a room that just stopped: a sender that asked for an answer learns it is
    // overloaded. A fire-and-forget message (a publish without ref, a quiet leave) has nobody to
    // tell, and must not take the whole shard down: it is dropped, as the client accepted.
    if (corr !== 0) output.replyError(corr, 'overloaded', 'room is overloaded, retry later');
    else if (!(err instanceof ActorError)) throw err;
  }
}

function handle(record: RingRecord): void {
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
      if (!policies.guards(tenant, roomKey)) {
        tellRoom(roomKey, corr, message, true);
        return;
      }
      let input: PublishInput | null = null;
      try {
        input = publishInput(roomKey, message.payload);
      } catch {
        // A payload this shard cannot read cannot be checked: it is not let through.
        if (corr !== 0) output.replyDenied(corr, 'the message could not be checked', false);
        return;
      }
      policies.submit(roomKey, input, (decision) => {
        if (!decision.allow) {
          if (corr !== 0) output.replyDenied(corr, decision.reason, decision.disconnect);
          return;
        }
        tellRoom(
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
      tellRoom(
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
      tellRoom(decodeKey(record.key), corr, { type: 'leave', connId: record.connId, corr }, false);
      return;
    case EnvelopeKind.Control:
      return control(decodeControl<ShardRequest>(record.payload), corr);
    default:
      throw new ShardError(
        'ARQ_ERR_SHARD_PROTOCOL',
        `unexpected envelope kind ${record.kind} on a shard`,
      );
  }
}

function control(request: ShardRequest, corr: number): void {
  switch (request.type) {
    case 'stats':
      sendEvent({ type: 'stats', rooms: directory.size, actors: system.stats().actors }, corr);
      return;
    case 'export': {
      const ref = directory.find(request.roomKey);
      if (ref === null) {
        sendEvent({ type: 'exported', state: null }, corr);
        return;
      }
      try {
        system.tell(ref, { type: 'export', corr });
      } catch {
        // A full mailbox: the room cannot answer in order; the node moves it without its state.
        sendEvent({ type: 'exported', state: null }, corr);
      }
      return;
    }
    case 'history':
      // A durable room that is not running starts, reading its stream, as for a join.
      tellRoom(request.roomKey, corr, { type: 'history', corr, query: request.query }, true);
      return;
    case 'import':
      directory.replace(request.roomKey, request.state);
      sendEvent({ type: 'imported' }, corr);
      return;
    case 'crash':
      // Chaos and tests: die of an uncaught error, as a bug would.
      setImmediate(() => {
        throw new ShardError('ARQ_ERR_SHARD_PROTOCOL', `crash requested: ${request.reason}`);
      });
      return;
  }
}

async function main(): Promise<void> {
  await rooms.start();
  void rooms.exited.then((reason) => {
    if (reason.type === 'error') {
      // The rooms' supervisor exceeded its intensity: fail the thread, like an OTP supervisor would.
      setImmediate(() => {
        throw new ShardError('ARQ_ERR_SHARD_DOWN', 'room supervisor gave up', {
          cause: reason.error,
        });
      });
    }
  });
  onStopRequested(async () => {
    await policies.close();
    await rooms.stop();
    await streams?.close();
    channel.close();
    await system.shutdown();
  });
  // A shard that restarts holds the policies in force before it handles a publish.
  if (data.policies !== null) await policies.deploy(data.policies);
  const receiving = channel.receive(handle);
  signalReady();
  await receiving;
}

void main();
