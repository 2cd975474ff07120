import type { ActorRef } from './actor-ref.js';
import type { ActorSystem } from './actor-system.js';
import type { Behavior } from './behavior.js';
import type { Child } from './child-contract.js';
import { resolveSpawnOptions, type SpawnOptions } from './spawn-options.js';

/** A supervised actor: the supervision Child contract plus the actor's ref. */
export interface ActorChild extends Child {
  readonly ref: ActorRef;
}

function ignore(): void {}

/**
 * The `start` function of a supervision ChildSpec for an actor of `system`. Each start spawns a fresh
 * behavior from `factory` and resolves once its `started` callback has completed (OTP's init), or
 * rejects with ARQ_ERR_START_FAILED. `exited` settles with the actor's exit reason; `stop()` stops it
 * gracefully with `shutdown` (its `stopped` runs); `kill()` ends it at once with `killed`.
 */
export function actorChild<M>(
  system: ActorSystem,
  factory: () => Behavior<M>,
  options?: SpawnOptions,
): () => Promise<ActorChild> {
  resolveSpawnOptions(options); // fail at construction, not at the first (re)start
  return async () => {
    const handle = system.spawnHandle(factory(), options);
    await handle.started;
    return {
      ref: handle.ref,
      exited: handle.exited,
      stop: () => {
        system.stop(handle.ref).then(ignore, ignore);
      },
      kill: () => system.kill(handle.ref),
    };
  };
}
