/**
 * Entry point of a shard worker thread: an actor system whose rooms live under a dynamic supervisor,
 * fed by the edge->shard ring and answering on the shard->edge ring. If the rooms' supervisor gives
 * up (its restart intensity), the thread fails, and the pool's supervisor decides what comes next.
 */
import { workerData } from 'node:worker_threads';
import { ActorError, ActorSystem, type RoomMessage } from '../../actors/index.js';
import { DynamicSupervisor, onStopRequested, signalReady } from '../../supervision/index.js';
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
const directory = new RoomDirectory({
  system,
  supervisor: rooms,
  output,
  idleMs: data.roomIdleMs,
  onRoomDown: (roomKey, reason) => sendEvent({ type: 'room-down', roomKey, reason }),
});

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
      tellRoom(
        roomKey,
        corr,
        {
          type: 'publish',
          connId: record.connId,
          corr,
          echo: (record.flags & FLAG_ECHO) !== 0,
          ingressTs: record.value,
          // The record is a view into the ring: keep a copy. Buffer.from carves small copies out
          // of Node's pooled slab; slice() would malloc a backing store per publish.
          payload: Buffer.from(record.payload),
        },
        true,
      );
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
    await rooms.stop();
    channel.close();
    await system.shutdown();
  });
  const receiving = channel.receive(handle);
  signalReady();
  await receiving;
}

void main();
