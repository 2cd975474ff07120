import type { PresenceTracker } from '../presence/index.js';
import type { HistoryAnswer, HistoryQuery, ResumeFrom } from '../room/index.js';
import type { ConnectionPrincipal } from './connection-principal.js';
import type { PresenceStateFrames } from './presence-state-frames.js';

export interface JoinAnswer {
  readonly epoch: string;
  readonly offset: number;
  readonly recovered?: false;
}

export interface PublishAnswer {
  readonly id: string;
  readonly offset: number;
}

/**
 * Where rooms live, as seen by a connection: the node's shard pool (and, in a cluster, the room's
 * owner node). Callbacks run synchronously as answers arrive, in the order the room sent them.
 * Implementations never throw: every failure reaches `done` (a leave without `done` is dropped).
 */
export interface RoomGateway {
  join(
    roomKey: string,
    connId: number,
    since: ResumeFrom | null,
    restore: boolean,
    done: (error: Error | null, reply: JoinAnswer | null) => void,
  ): void;
  leave(
    roomKey: string,
    connId: number,
    done: ((error: Error | null, reply: unknown) => void) | null,
  ): void;
  publish(
    roomKey: string,
    connId: number,
    payload: Uint8Array,
    echo: boolean,
    ingressTs: number,
    /** null: fire and forget (no `ref`), so the room sends no answer back at all. */
    done: ((error: Error | null, reply: PublishAnswer | null) => void) | null,
  ): void;
  /** Reads the room's kept messages (no membership: the caller checked the right to join). */
  history(
    roomKey: string,
    query: HistoryQuery,
    done: (error: Error | null, reply: HistoryAnswer | null) => void,
  ): void;
}

export interface ConnectionLimits {
  readonly heartbeatMs: number;
  readonly maxFrameBytes: number;
  readonly maxRoomsPerConnection: number;
  readonly publishRate: number;
  readonly publishBurst: number;
  /** `history` requests per second per connection, and the bucket's size. */
  readonly historyRate: number;
  readonly historyBurst: number;
  /** Bad frames tolerated per minute before the socket is closed with 1008. */
  readonly badFrameBudget: number;
  readonly maxSendBufferBytes: number;
}

/** What a metrics sink records for connections (NodeMetrics implements it). */
export interface ConnectionMetrics {
  messageIn(): void;
  messagesOut(n: number): void;
  rejected(code: string): void;
  closed(code: number): void;
}

/** A safety policy's deny, as a connection acts on it. */
export interface PolicyDenial {
  readonly reason: string;
  /** Close the socket with 4003 after answering. */
  readonly disconnect: boolean;
}

/**
 * The node's safety policies as connections see them (src/policy implements it; on_connect runs
 * before a connection exists, on_publish in the room's shard).
 */
export interface PolicyGate {
  /** True when some on_join or on_publish policy applies to the tenant. */
  guards(hook: 'on_join' | 'on_publish', tenant: string): boolean;
  /** Runs on_join; `done` gets null (allowed) or the denial. */
  checkJoin(
    tenant: string,
    sub: string,
    room: string,
    meta: unknown,
    done: (denial: PolicyDenial | null) => void,
  ): void;
  /** True for a room's answer to a publish that denies it and asks to close the sender's socket. */
  disconnects(error: Error): boolean;
}

/** The node's services a connection uses; one host serves every connection of the node. */
export interface ConnectionHost {
  readonly nodeId: string;
  readonly limits: ConnectionLimits;
  readonly rooms: RoomGateway;
  readonly presence: PresenceTracker;
  /** Built once per room and presence change, shared by joiners (one per host, over `presence`). */
  readonly presenceStates: PresenceStateFrames;
  readonly metrics: ConnectionMetrics;
  readonly policy: PolicyGate;
  verify(token: string): Promise<ConnectionPrincipal>;
  /** Takes one publish from the tenant's budget; false when it is spent. */
  tenantMayPublish(tenant: string, nowMs: number): boolean;
  /** The connection has closed: forget it. */
  released(connId: number, tenant: string): void;
}
