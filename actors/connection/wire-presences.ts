import type { Presences as WirePresences } from '../../proto/wire/index.js';
import type { Presences } from '../presence/index.js';

/**
 * The tracker's read-only view as the codec's frame type: the same JSON shape (metas are JSON
 * objects), typed readonly on one side and JsonObject on the other; nothing is copied.
 */
export function toWirePresences(presences: Presences): WirePresences {
  return presences as unknown as WirePresences;
}
