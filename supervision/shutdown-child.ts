import type { Child, ExitReason, Shutdown } from './child.js';

/**
 * Stops a child under its shutdown rule and resolves with how it actually exited: a number is how
 * many ms it gets after stop() before kill(); 'brutal_kill' kills at once; 'infinity' waits forever
 * (meant for supervisors, which bound their own children's shutdowns).
 */
export function shutdownChild(child: Child, shutdown: Shutdown): Promise<ExitReason> {
  if (shutdown === 'brutal_kill') {
    child.kill();
    return child.exited;
  }
  child.stop();
  if (shutdown === 'infinity') return child.exited;
  return new Promise<ExitReason>((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
    }, shutdown);
    void child.exited.then((reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
