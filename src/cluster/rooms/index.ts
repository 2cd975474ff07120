// src/cluster/rooms: both ends of a room operation between nodes: the owner serving its rooms to
// remote connections (proxies), requests to other owners, fan-in of their output.
export {
  type ClusterRoomsEvent,
  type ClusterRoomsListener,
  type ClusterRoomsStats,
  newRoomRouteCounters,
  type RoomRouteCounters,
} from './cluster-rooms-event.js';
export {
  type ClusterRoomsOptions,
  DEFAULT_FAN_IN_LINGER_MS,
  DEFAULT_HANDOFF_TIMEOUT_MS,
  DEFAULT_NOT_OWNER_RETRY_MS,
  DEFAULT_ROOM_REQUEST_TIMEOUT_MS,
  type LocalRooms,
  MAX_FAN_IN_LINGER_MS,
  type ResolvedClusterRoomsOptions,
  resolveClusterRoomsOptions,
} from './cluster-rooms-options.js';
export { FanInBatcher } from './fan-in-batcher.js';
export { isProxyId, PROXY_ID_BASE, ProxyTable, type RoomProxy } from './proxy-table.js';
export { RoomFanIn, type RoomFanInOptions } from './room-fan-in.js';
export {
  type HistoryFetch,
  type JoinedAt,
  RoomGapFill,
  type RoomGapFillOptions,
} from './room-gap-fill.js';
export { RoomInterest } from './room-interest.js';
export { type LaneJob, RoomLanes, type RoomLanesOptions } from './room-lanes.js';
export { RoomOwner, type RoomOwnerOptions } from './room-owner.js';
export { RoomRequester, type RouteCallback } from './room-requester.js';
