import type { Child, ChildSpec, RestartType, Shutdown } from './child.js';
import { resolveChildSpec } from './resolve-child-spec.js';

/** What a parent may set on a nested supervisor's spec. */
export interface SupervisorChildSpecExtra {
  /** Default 'permanent'. */
  readonly restart?: RestartType;
  /** Default 'infinity': a supervisor bounds its own children's shutdowns. */
  readonly shutdown?: Shutdown;
}

export const DEFAULT_SUPERVISOR_SHUTDOWN: Shutdown = 'infinity';

/** A validated ChildSpec (type 'supervisor') whose start() creates and starts a fresh supervisor. */
export function supervisorChildSpec(
  id: string,
  extra: SupervisorChildSpecExtra,
  start: () => Promise<Child>,
): ChildSpec {
  return resolveChildSpec(
    {
      id,
      start,
      restart: extra.restart ?? 'permanent',
      shutdown: extra.shutdown ?? DEFAULT_SUPERVISOR_SHUTDOWN,
      type: 'supervisor',
    },
    'childSpec',
  );
}
