/**
 * A room inside the node is `tenant|room`: tenant ids and room names never contain `|` (both are
 * validated by auth), so two tenants' `lobby` are different keys, topics and NATS subjects.
 */
const SEPARATOR = '|';

export function roomKeyOf(tenant: string, room: string): string {
  return tenant + SEPARATOR + room;
}

export function roomOfKey(roomKey: string): string {
  return roomKey.slice(roomKey.indexOf(SEPARATOR) + 1);
}

export function tenantOfKey(roomKey: string): string {
  return roomKey.slice(0, roomKey.indexOf(SEPARATOR));
}

/** uWS topics: room messages and presence, per frame encoding, so each frame is encoded once. */
export type TopicKind = 'm' | 'p';
export type TopicEncoding = 'j' | 'b';

export function topicOf(kind: TopicKind, encoding: TopicEncoding, roomKey: string): string {
  return `${kind}:${encoding}:${roomKey}`;
}
