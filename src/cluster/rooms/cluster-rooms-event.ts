/**
 * What ClusterRooms tells the node. `owner-changed`: the rooms for which `moved` is true changed
 * owner (a member joined, died or left the ring), or their owner restarted (a new incarnation has
 * none of their members). The node re-joins its local members of those rooms with `restore`
 * through the gateway, which sends them to the new owner; `rooms` lists them (for logs).
 */
export type ClusterRoomsEvent = {
  readonly type: 'owner-changed';
  readonly reason: 'membership' | 'owner-restarted';
  readonly rooms: readonly string[];
  readonly moved: (roomKey: string) => boolean;
};

export type ClusterRoomsListener = (event: ClusterRoomsEvent) => void;

export interface ClusterRoomsStats {
  /** Requests sent to remote owners (each retry counts). */
  readonly requestsSent: number;
  /** Requests this node served as a room's owner. */
  readonly requestsServed: number;
  /** Requests this node answered with ARQ_ERR_NOT_OWNER (its ring places the room elsewhere). */
  readonly notOwner: number;
  /** Requests retried after a NOT_OWNER answer. */
  readonly retries: number;
  /** Requests that failed on the way: no responders, timeout, connection closed. */
  readonly routeFailures: number;
  /** Fan-out messages published (as owner) and received (as a node with members). */
  readonly fanSent: number;
  readonly fanReceived: number;
  /** This node's own fan-out coming back to it (it delivered those locally already): dropped. */
  readonly fanOwnEchoes: number;
  /** Replays sent to a remote joiner's node, and received for local joiners. */
  readonly directSent: number;
  readonly directReceived: number;
  /** Messages from NATS that did not parse or did not match their subject: dropped. */
  readonly malformed: number;
  /** Graceful moves, old owner's side: rooms handed over (acked), and given up (no ack in time). */
  readonly handoffsSent: number;
  readonly handoffsFailed: number;
  /** New owner's side: hand-offs received, used (imported), and refused as too late. */
  readonly handoffsReceived: number;
  readonly handoffsImported: number;
  readonly handoffsLate: number;
  /** Moved rooms that waited handoffTimeoutMs for a hand-off in vain and started afresh. */
  readonly handoffTimeouts: number;
  /** Gaps in a remote room's offsets (a fan-out lost on the way) that were fetched from its owner. */
  readonly gapsFound: number;
  /** Messages brought by those fetches; gaps given up (owner gone, messages gone, new epoch). */
  readonly gapFilled: number;
  readonly gapsUnfilled: number;
  /** Messages at or below the room's last offset here (an old owner's late fan-out): dropped. */
  readonly gapDuplicates: number;
  /** Rooms whose messages wait for a fill right now. */
  readonly gapFilling: number;
  /** Rooms waiting for their hand-off right now. */
  readonly awaitingHandoff: number;
  /** Rooms with local members (or joins in flight) through this gateway. */
  readonly rooms: number;
  /** Of those, rooms with a fan-out subscription (the room's owner is another node). */
  readonly fanSubscriptions: number;
  /** Remote connections that are members of rooms this node owns. */
  readonly proxies: number;
  readonly pendingRequests: number;
}

/** The counters behind `ClusterRoomsStats`, shared by the parts of ClusterRooms. */
export interface RoomRouteCounters {
  requestsSent: number;
  requestsServed: number;
  notOwner: number;
  retries: number;
  routeFailures: number;
  fanSent: number;
  fanReceived: number;
  fanOwnEchoes: number;
  directSent: number;
  directReceived: number;
  malformed: number;
  handoffsSent: number;
  handoffsFailed: number;
  handoffsReceived: number;
  handoffsImported: number;
  handoffsLate: number;
  handoffTimeouts: number;
  gapsFound: number;
  gapFilled: number;
  gapsUnfilled: number;
  gapDuplicates: number;
}

export function newRoomRouteCounters(): RoomRouteCounters {
  return {
    requestsSent: 0,
    requestsServed: 0,
    notOwner: 0,
    retries: 0,
    routeFailures: 0,
    fanSent: 0,
    fanReceived: 0,
    fanOwnEchoes: 0,
    directSent: 0,
    directReceived: 0,
    malformed: 0,
    handoffsSent: 0,
    handoffsFailed: 0,
    handoffsReceived: 0,
    handoffsImported: 0,
    handoffsLate: 0,
    handoffTimeouts: 0,
    gapsFound: 0,
    gapFilled: 0,
    gapsUnfilled: 0,
    gapDuplicates: 0,
  };
}
