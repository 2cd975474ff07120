import type { ActorContext } from '../runtime/index.js';
import type { RoomMessage } from './room-message.js';

/**
 * A store's answer, queued for the room's next turn. As a timer tick it is not refused by a full
 * mailbox (a lost answer would leave the room waiting for its write forever); a room that ended
 * meanwhile has nothing to do with it.
 */
export function tellSelf(ctx: ActorContext<RoomMessage>, message: RoomMessage): void {
  try {
    ctx.setTimeout(0, message);
  } catch {
    // The room stopped: the answer has nobody to go to.
  }
}
