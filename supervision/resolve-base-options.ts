import { describeValue } from './describe-value.js';
import { SupervisorError } from './errors.js';
import { DEFAULT_MAX_RESTARTS, DEFAULT_PERIOD_MS, RestartIntensity } from './restart-intensity.js';
import type { SupervisionEventListener } from './supervision-event.js';

/** Options every kind of supervisor takes. */
export interface BaseSupervisorOptions {
  /** Names the supervisor in events and error messages. */
  readonly name?: string;
  /** Restarts allowed within periodMs; one more and the supervisor gives up. Default DEFAULT_MAX_RESTARTS. */
  readonly maxRestarts?: number;
  /** The restart-intensity window, ms. Default DEFAULT_PERIOD_MS. */
  readonly periodMs?: number;
  readonly onEvent?: SupervisionEventListener;
}

export interface ResolvedBaseOptions {
  readonly name: string;
  readonly intensity: RestartIntensity;
  readonly onEvent: SupervisionEventListener | undefined;
}

export function resolveBaseOptions(
  options: BaseSupervisorOptions,
  defaultName: string,
): ResolvedBaseOptions {
  if (typeof options !== 'object' || options === null)
    throw new SupervisorError(
      'ARQ_ERR_SUPERVISOR_OPTIONS',
      `options must be an object, got ${describeValue(options)}`,
    );
  const name = options.name ?? defaultName;
  if (typeof name !== 'string' || name.length === 0)
    throw new SupervisorError(
      'ARQ_ERR_SUPERVISOR_OPTIONS',
      `options.name must be a non-empty string, got ${describeValue(name)}`,
    );
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    throw new SupervisorError(
      'ARQ_ERR_SUPERVISOR_OPTIONS',
      `options.onEvent must be a function, got ${describeValue(options.onEvent)}`,
    );
  const intensity = new RestartIntensity(
    options.maxRestarts ?? DEFAULT_MAX_RESTARTS,
    options.periodMs ?? DEFAULT_PERIOD_MS,
  );
  return { name, intensity, onEvent: options.onEvent };
}
