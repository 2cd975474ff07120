/**
 * One life of one node (the same shape as presence's `ReplicaId`). In the wire area because nodes
 * name each other by it in heartbeats, room requests and presence state requests; membership,
 * rooms and presence all read it from here.
 */
export interface MemberId {
  readonly node: string;
  readonly incarnation: string;
}
