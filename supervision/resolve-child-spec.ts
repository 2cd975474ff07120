import {
  CHILD_TYPES,
  type ChildSpec,
  type ChildType,
  DEFAULT_CHILD_TYPE,
  DEFAULT_RESTART_TYPE,
  DEFAULT_SHUTDOWN_MS,
  RESTART_TYPES,
  type RestartType,
  type Shutdown,
} from './child.js';
import { describeValue } from './describe-value.js';
import { SupervisorError } from './errors.js';

/** A ChildSpec with every default filled in: code past validation never sees `undefined`. */
export interface ResolvedChildSpec {
  readonly id: string;
  readonly start: ChildSpec['start'];
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  readonly type: ChildType;
}

/**
 * Validates a child spec and fills its defaults. `label` is how the spec is named in messages
 * (e.g. "options.children[2]"), so an error points at the exact option.
 */
export function resolveChildSpec(spec: ChildSpec, label: string): ResolvedChildSpec {
  if (typeof spec !== 'object' || spec === null)
    throw optionsError(`${label} must be a child spec object, got ${describeValue(spec)}`);
  if (typeof spec.id !== 'string' || spec.id.length === 0)
    throw optionsError(`${label}.id must be a non-empty string, got ${describeValue(spec.id)}`);
  if (typeof spec.start !== 'function')
    throw optionsError(`${label}.start must be a function, got ${describeValue(spec.start)}`);
  const restart = spec.restart ?? DEFAULT_RESTART_TYPE;
  if (!RESTART_TYPES.includes(restart))
    throw optionsError(
      `${label}.restart must be one of ${RESTART_TYPES.join(', ')}, got ${describeValue(restart)}`,
    );
  const shutdown = spec.shutdown ?? DEFAULT_SHUTDOWN_MS;
  if (!isShutdown(shutdown))
    throw optionsError(
      `${label}.shutdown must be a non-negative number of ms, 'brutal_kill' or 'infinity', got ${describeValue(shutdown)}`,
    );
  const type = spec.type ?? DEFAULT_CHILD_TYPE;
  if (!CHILD_TYPES.includes(type))
    throw optionsError(
      `${label}.type must be one of ${CHILD_TYPES.join(', ')}, got ${describeValue(type)}`,
    );
  return Object.freeze({ id: spec.id, start: spec.start, restart, shutdown, type });
}

function isShutdown(value: unknown): value is Shutdown {
  if (value === 'brutal_kill' || value === 'infinity') return true;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function optionsError(message: string): SupervisorError {
  return new SupervisorError('ARQ_ERR_SUPERVISOR_OPTIONS', message);
}
