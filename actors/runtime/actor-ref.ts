/** Where an actor system lives: one per thread of one node. */
export interface ThreadAddress {
  readonly node: string;
  readonly thread: number;
}

/** Where an actor lives. Plain data: it crosses threads and nodes unchanged. */
export interface ActorAddress extends ThreadAddress {
  readonly id: number;
}

/** A handle on an actor: its address plus, when spawned with one, its registered name. */
export interface ActorRef extends ActorAddress {
  readonly name?: string;
}

/** Actor ids start at 1; id 0 addresses the actor system itself (replies to asks land there). */
export const SYSTEM_ACTOR_ID = 0;

export function actorRef(node: string, thread: number, id: number, name: string | null): ActorRef {
  return Object.freeze(name === null ? { node, thread, id } : { node, thread, id, name });
}

export function threadKey(at: ThreadAddress): string {
  return `${at.node}/${at.thread}`;
}

export function addressKey(at: ActorAddress): string {
  return `${at.node}/${at.thread}/${at.id}`;
}

export function sameThread(a: ThreadAddress, b: ThreadAddress): boolean {
  return a.thread === b.thread && a.node === b.node;
}

export function sameActor(a: ActorAddress, b: ActorAddress): boolean {
  return a.id === b.id && sameThread(a, b);
}
