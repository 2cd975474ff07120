import {
  type HistoryAnswer,
  type HistoryQuery,
  type JoinAnswer,
  type PublishAnswer,
  type ResumeFrom,
  roomOfKey,
  tenantOfKey,
} from '../../../actors/index.js';
import type { LocalRooms, RoomFanIn, RoomInterest } from '../rooms/index.js';
import type { MemberId } from '../wire/index.js';
import { type RoomRouter, unexpected } from './room-router.js';

export interface RoomCallsOptions {
  readonly self: MemberId;
  readonly local: LocalRooms;
  readonly router: RoomRouter;
  readonly interest: RoomInterest;
  readonly fanIn: RoomFanIn;
}

/**
 * The gateway calls of this node's connections (join, leave, publish, history): each is a request
 * routed to the room's owner (RoomRouter), and its callback runs after what the room ordered
 * before it has reached the edge (RoomFanIn), as on one node.
 */
export class RoomCalls {
  readonly #o: RoomCallsOptions;

  constructor(options: RoomCallsOptions) {
    this.#o = options;
  }

  join(
    roomKey: string,
    connId: number,
    since: ResumeFrom | null,
    restore: boolean,
    done: (error: Error | null, reply: JoinAnswer | null) => void,
  ): void {
    this.#o.interest.beginJoin(roomKey);
    const replayed = restore && since !== null && 'epoch' in since;
    const finish =
      (remote: boolean) =>
      (error: Error | null, reply: JoinAnswer | null): void => {
        if (error !== null || reply === null) {
          this.#o.fanIn.after(roomKey, () => {
            this.#o.interest.end(roomKey, null);
            done(error, reply);
          });
          return;
        }
        // Messages the room ordered before this join reach the edge before the joiner subscribes,
        // and so does what this node missed of them (the answer may show the room further on).
        const at = {
          epoch: reply.epoch,
          offset: reply.offset,
          replayed,
          members: this.#o.interest.memberCount(roomKey),
        };
        this.#o.fanIn.joined(roomKey, at, remote, () => {
          this.#o.interest.end(roomKey, connId);
          done(null, reply);
        });
      };
    const request = { ...this.#origin(roomKey, connId), type: 'join', since, restore } as const;
    const remote = finish(true);
    this.#o.router.route(roomKey, request, {
      local: () => this.#o.local.join(roomKey, connId, since, restore, finish(false)),
      reply: (reply) => {
        if (reply.type !== 'joined') return remote(unexpected(reply), null);
        const answer: JoinAnswer = reply.recovered
          ? { epoch: reply.epoch, offset: reply.offset }
          : { epoch: reply.epoch, offset: reply.offset, recovered: false };
        remote(null, answer);
      },
      fail: (error) => remote(error, null),
    });
  }

  leave(
    roomKey: string,
    connId: number,
    done: ((error: Error | null, reply: unknown) => void) | null,
  ): void {
    // A disconnect (no callback) is gone at once; a leave keeps the room until its answer, so
    // what the room ordered before it still arrives.
    if (done === null) this.#o.interest.remove(roomKey, connId);
    else this.#o.interest.beginLeave(roomKey, connId);
    const finish = (error: Error | null, reply: unknown): void => {
      if (done === null) return;
      // Messages the room ordered before this leave still reach the leaver.
      this.#o.fanIn.after(roomKey, () => {
        this.#o.interest.end(roomKey, null);
        done(error, reply);
      });
    };
    const request = { ...this.#origin(roomKey, connId), type: 'leave' } as const;
    this.#o.router.route(roomKey, request, {
      local: () => this.#o.local.leave(roomKey, connId, done === null ? null : finish),
      reply: (reply) =>
        reply.type === 'left' ? finish(null, {}) : finish(unexpected(reply), null),
      fail: (error) => finish(error, null),
    });
  }

  publish(
    roomKey: string,
    connId: number,
    payload: Uint8Array,
    echo: boolean,
    ingressTs: number,
    done: ((error: Error | null, reply: PublishAnswer | null) => void) | null,
  ): void {
    const request = {
      ...this.#origin(roomKey, connId),
      type: 'publish',
      payload,
      echo,
      ingressTs,
    } as const;
    this.#o.router.route(roomKey, request, {
      local: () =>
        this.#o.local.publish(
          roomKey,
          connId,
          payload,
          echo,
          ingressTs,
          done === null
            ? null
            : (error, reply) => this.#o.fanIn.after(roomKey, () => done(error, reply)),
        ),
      // A remote owner answers every publish (its NOT_OWNER answer drives the retry); a
      // fire-and-forget publish just ignores the answer.
      reply: (reply) => {
        if (done === null) return;
        // The publisher's own message first, as without batching (or a gap fill).
        this.#o.fanIn.after(roomKey, () => {
          if (reply.type === 'published') done(null, { id: reply.id, offset: reply.offset });
          else done(unexpected(reply), null);
        });
      },
      fail: (error) => done?.(error, null),
    });
  }

  /** A history read, served by the room's owner (its window holds what the room keeps). */
  history(
    roomKey: string,
    query: HistoryQuery,
    done: (error: Error | null, reply: HistoryAnswer | null) => void,
  ): void {
    // No connection stands behind a read: the owner does not make it a member of anything.
    const request = { ...this.#origin(roomKey, 0), type: 'history', query } as const;
    this.#o.router.route(roomKey, request, {
      local: () => this.#o.local.history(roomKey, query, done),
      reply: (reply) =>
        reply.type === 'history' ? done(null, reply.answer) : done(unexpected(reply), null),
      fail: (error) => done(error, null),
    });
  }

  #origin(roomKey: string, conn: number) {
    return {
      tenant: tenantOfKey(roomKey),
      room: roomOfKey(roomKey),
      node: this.#o.self.node,
      incarnation: this.#o.self.incarnation,
      conn,
    };
  }
}
