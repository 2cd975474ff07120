/** Which siblings go down and come back with a child that is restarted. */
export type RestartStrategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

export const RESTART_STRATEGIES: readonly RestartStrategy[] = [
  'one_for_one',
  'one_for_all',
  'rest_for_one',
];

/**
 * The children a restart of `dead` touches, in start order: they are stopped in reverse order (those
 * still running) and started again in this order. one_for_one: only `dead`; one_for_all: every
 * child; rest_for_one: `dead` and every child started after it.
 */
export function affectedChildren<T>(
  strategy: RestartStrategy,
  children: readonly T[],
  dead: T,
): readonly T[] {
  switch (strategy) {
    case 'one_for_one':
      return [dead];
    case 'one_for_all':
      return [...children];
    case 'rest_for_one': {
      const index = children.indexOf(dead);
      return index < 0 ? [dead] : children.slice(index);
    }
  }
}
