/** The hooks a policy module may export (PROTOCOL section 6), in the order they are listed. */
export const HOOK_NAMES = ['on_connect', 'on_join', 'on_publish'] as const;

export type HookName = (typeof HOOK_NAMES)[number];

export function isHookName(name: string): name is HookName {
  return (HOOK_NAMES as readonly string[]).includes(name);
}
