import { encodeRoomName, encodeToken } from '../cluster/wire/index.js';

/**
 * One stream holds every durable room of every tenant; each room is one subject in it:
 *
 *   arq.store.t.<tenant>.r.<room...>
 *
 * The tenant is the 4th token, as in every other room subject (src/cluster/wire/subjects.ts), so the
 * permission `arq.*.t.acme.>` of deploy/nats/nats.conf also fences a tenant's stored rooms; tokens
 * are encoded the same way. One stream rather than one per room or tenant: JetStream's per-subject
 * limit (`max_msgs_per_subject`) bounds each room, and rooms start lazily without creating streams.
 */
export const ROOM_STREAM = 'ARQ_ROOMS';
export const ROOM_STREAM_SUBJECTS = 'arq.store.t.*.r.>';

export function roomStoreSubject(tenant: string, room: string): string {
  return `arq.store.t.${encodeToken(tenant)}.r.${encodeRoomName(room)}`;
}

/** Headers each stored message carries: the room's own position, read back when it starts. */
export const EPOCH_HEADER = 'Arq-Epoch';
export const OFFSET_HEADER = 'Arq-Offset';
export const TS_HEADER = 'Arq-Ts';
/** On a batch (several room messages in one stored message, see stored-batch.ts): how many. */
export const COUNT_HEADER = 'Arq-Count';
