import type { ChildProcess } from 'node:child_process';

/**
 * Asks a child process to stop (SIGINT: `npm start` and `sls offline` stop their own children on it) and resolves
 * once it exited; one that is still running after `killAfterMs` is killed, so stopping never hangs.
 */
export function stopChild(child: ChildProcess, killAfterMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), killAfterMs).unref();
  });
}
