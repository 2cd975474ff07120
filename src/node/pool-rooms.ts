import type { JoinAnswer, ResumeFrom } from '../../actors/index.js';
import type { LocalRooms } from '../cluster/index.js';
import type { ShardPool } from '../shard/index.js';
import { NodeError } from './node-error.js';

/** This node's own rooms: whichever pool instance `current` returns at the time of each call. */
export function poolRooms(current: () => ShardPool | null): LocalRooms {
  const pool = (): ShardPool => {
    const instance = current();
    if (instance === null)
      throw new NodeError('ARQ_ERR_NODE_STATE', 'the shard pool is restarting');
    return instance;
  };
  // The gateway never throws: a pool restarting or stopped, or a full ring, answers through
  // `done` (or is dropped for a fire-and-forget leave). Callers run inside uWS callbacks, where a
  // throw would end the process, and in loops over many connections (restores).
  const guard = (call: () => void, done: ((e: Error, r: null) => void) | null): void => {
    try {
      call();
    } catch (err) {
      done?.(err instanceof Error ? err : new NodeError('ARQ_ERR_NODE_STATE', String(err)), null);
    }
  };
  return {
    join: (roomKey: string, connId: number, since: ResumeFrom | null, restore: boolean, done) =>
      guard(
        () =>
          pool().join(
            roomKey,
            connId,
            since,
            restore,
            done as (e: Error | null, r: JoinAnswer | null) => void,
          ),
        done,
      ),
    leave: (roomKey, connId, done) => guard(() => pool().leave(roomKey, connId, done), done),
    exportRoom: (roomKey, done) => guard(() => pool().exportRoom(roomKey, done), done),
    importRoom: (roomKey, state, done) =>
      guard(() => pool().importRoom(roomKey, state, done), done),
    history: (roomKey, query, done) => guard(() => pool().history(roomKey, query, done), done),
    // The hot path: the same guard, written out so that a publish allocates no closure.
    publish: (roomKey, connId, payload, echo, ingressTs, done) => {
      try {
        pool().publish(roomKey, connId, payload, echo, ingressTs, done);
      } catch (err) {
        done?.(err instanceof Error ? err : new NodeError('ARQ_ERR_NODE_STATE', String(err)), null);
      }
    },
  };
}
