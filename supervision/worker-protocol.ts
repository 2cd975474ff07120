/**
 * Control messages between a supervised worker thread and its parent. They share the port with the
 * application's own messages, so their types are namespaced ('arqon:') and everything else is left
 * to the application.
 */

/** Worker -> parent: initialised; the child's start() resolves only on this. */
export interface ReadyMessage {
  readonly type: 'arqon:ready';
}

/** Parent -> worker: clean up and end (exit code 0), which the parent reports as 'shutdown'. */
export interface StopMessage {
  readonly type: 'arqon:stop';
}

export type WorkerControlMessage = ReadyMessage | StopMessage;

export const READY_MESSAGE: ReadyMessage = Object.freeze({ type: 'arqon:ready' });
export const STOP_MESSAGE: StopMessage = Object.freeze({ type: 'arqon:stop' });

export function isControlMessage<T extends WorkerControlMessage['type']>(
  message: unknown,
  type: T,
): message is Extract<WorkerControlMessage, { type: T }> {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { readonly type?: unknown }).type === type
  );
}
