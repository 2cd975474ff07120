import { ClusterError, quote } from './cluster-error.js';

/** Option checks shared by the cluster modules; each message names the option. */
export function optionError(message: string): ClusterError {
  return new ClusterError('ARQ_ERR_CLUSTER_OPTIONS', message);
}

export function optionsRecord(options: unknown, what: string): Record<string, unknown> {
  if (typeof options !== 'object' || options === null) {
    throw optionError(`${what} options must be an object, got ${quote(options)}`);
  }
  return options as Record<string, unknown>;
}

export function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw optionError(`options.${name} must be a positive integer, got ${quote(value)}`);
  }
  return value;
}

export function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw optionError(`options.${name} must be a non-empty string, got ${quote(value)}`);
  }
  return value;
}

export function callback<T extends (...args: never[]) => unknown>(
  value: unknown,
  name: string,
  fallback?: T,
): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'function') {
    throw optionError(`options.${name} must be a function, got ${quote(typeof value)}`);
  }
  return value as T;
}

/** The NATS connection shape the cluster uses; a full check would need a live server. */
export function natsConnection<T>(value: unknown, name: string): T {
  const nc = value as Record<string, unknown> | null;
  if (
    typeof nc !== 'object' ||
    nc === null ||
    typeof nc.publish !== 'function' ||
    typeof nc.subscribe !== 'function' ||
    typeof nc.request !== 'function' ||
    typeof nc.status !== 'function'
  ) {
    throw optionError(
      `options.${name} must be a NATS connection (from connect()), got ${quote(typeof value)}`,
    );
  }
  return value as T;
}
