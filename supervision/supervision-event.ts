import { channel } from 'node:diagnostics_channel';
import type { ExitReason } from './child.js';

/** The diagnostics_channel every supervisor publishes its events on. */
export const SUPERVISION_CHANNEL = 'arqon:supervision';

/**
 * What a supervisor reports. child_started: started by start(), startChild() or restartChild();
 * child_restarted: started again by the restart strategy after an exit.
 */
export type SupervisionEvent =
  | { readonly type: 'child_started'; readonly supervisor: string; readonly id: string }
  | { readonly type: 'child_restarted'; readonly supervisor: string; readonly id: string }
  | {
      readonly type: 'child_exited';
      readonly supervisor: string;
      readonly id: string;
      readonly reason: ExitReason;
    }
  | {
      readonly type: 'start_failed';
      readonly supervisor: string;
      readonly id: string;
      readonly error: unknown;
    }
  | {
      readonly type: 'intensity_exceeded';
      readonly supervisor: string;
      readonly maxRestarts: number;
      readonly periodMs: number;
    }
  | {
      readonly type: 'supervisor_stopped';
      readonly supervisor: string;
      readonly reason: ExitReason;
    };

export type SupervisionEventListener = (event: SupervisionEvent) => void;

const supervisionChannel = channel(SUPERVISION_CHANNEL);

/**
 * Hands an event to the supervisor's own listener and to the diagnostics channel (only when someone
 * listens, so an unobserved supervisor pays nothing). A throwing listener must not leave the
 * supervisor half-way through a restart, so its error is rethrown on its own, as an uncaught error.
 */
export function publishSupervisionEvent(
  listener: SupervisionEventListener | undefined,
  event: SupervisionEvent,
): void {
  if (listener !== undefined) {
    try {
      listener(event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  if (supervisionChannel.hasSubscribers) supervisionChannel.publish(event);
}
