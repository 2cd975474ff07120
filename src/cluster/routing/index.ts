// src/cluster/routing: ClusterRooms, the cluster's RoomGateway: sends each room operation to its
// owner, or holds it for a hand-off.
export { ClusterRooms } from './cluster-rooms.js';
export {
  RoomRouter,
  type RoomRouterOptions,
  type RouteHandlers,
  unexpected,
} from './room-router.js';
