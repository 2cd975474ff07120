import type { SystemMessage } from '../runtime/index.js';
import type { RoomMessage } from './room-message.js';

/** What clients and the node ask of a room (held while it loads), as opposed to its own messages. */
export function isRequest(message: RoomMessage | SystemMessage): message is RoomMessage {
  return (
    message.type === 'join' ||
    message.type === 'leave' ||
    message.type === 'history' ||
    message.type === 'publish' ||
    message.type === 'export'
  );
}
