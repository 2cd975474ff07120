import type { MessageDelivery } from '../../proto/wire/index.js';
import { decodePublishPayload } from './publish-payload.js';

/**
 * A stored room message as the `message` frame shows it: the one place where a delivery's facts
 * (room, epoch, offset, ts) and its publish payload (from, headers, data) become a MessageDelivery,
 * for live fan-out, replays and `history` pages alike.
 */
export function messageDeliveryOf(
  room: string,
  epoch: string,
  offset: number,
  ts: number,
  payload: Uint8Array,
): MessageDelivery {
  const p = decodePublishPayload(payload);
  return {
    room,
    id: `${epoch}:${offset}`,
    offset,
    ts,
    from: p.from,
    data: p.data,
    dataFormat: p.dataFormat,
    headers: p.headers,
  };
}
