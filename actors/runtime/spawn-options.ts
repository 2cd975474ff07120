import { bound, flag, invalidOption, nonEmptyString } from './option-checks.js';

/** Mailboxes are unbounded unless a spawn asks for a bound. */
export const DEFAULT_MAILBOX_CAPACITY = Number.POSITIVE_INFINITY;

export interface SpawnOptions {
  /** Registered name, unique in the actor system while the actor lives (`whereis`). */
  readonly name?: string;
  /** Most tell/ask messages waiting in the mailbox; past it senders get ARQ_ERR_MAILBOX_FULL. */
  readonly mailboxCapacity?: number;
  /** Receive linked actors' exits as `{type:'exit'}` messages instead of dying with them. */
  readonly trapExits?: boolean;
}

/** Options of `ctx.spawn`: `link` links the child to its parent before the child starts. */
export interface ChildSpawnOptions extends SpawnOptions {
  readonly link?: boolean;
}

export interface ResolvedSpawnOptions {
  readonly name: string | null;
  readonly mailboxCapacity: number;
  readonly trapExits: boolean;
  readonly link: boolean;
}

export function resolveSpawnOptions(options: ChildSpawnOptions = {}): ResolvedSpawnOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'must be an object', options);
  }
  const name = options.name === undefined ? null : nonEmptyString('options.name', options.name, '');
  return {
    name,
    mailboxCapacity: bound(
      'options.mailboxCapacity',
      options.mailboxCapacity,
      DEFAULT_MAILBOX_CAPACITY,
    ),
    trapExits: flag('options.trapExits', options.trapExits, false),
    link: flag('options.link', options.link, false),
  };
}
