/** The hooks a policy module may export (PROTOCOL section 6), in the order they are listed. */
export const HOOK_NAMES = ['on_connect', 'on_join', 'on_publish'] as const;

export type HookName = (typeof HOOK_NAMES)[number];

export function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}

/**
 * An optional export beside `on_publish`: the same hook over several messages in one call (a JSON
 * array of on_publish inputs in, an array of verdicts out), which saves the per-call overhead.
 * Not a hook of its own: a module that exports only this has no on_publish.
 */
export const PUBLISH_BATCH_HOOK = 'on_publish_batch';

export type BatchHookName = typeof PUBLISH_BATCH_HOOK;
