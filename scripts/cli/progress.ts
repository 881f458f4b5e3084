import { SingleBar } from 'cli-progress';
import type { RunInProgress } from '../../lib/api/schemas';
import { formatProgress } from './render';

/** Where `run` shows how far the run is while it waits. */
export interface RunProgress {
  update(state: RunInProgress): void;
  /** Removes the bar; safe to call more than once. */
  stop(): void;
}

/** A stream that may be a terminal (`process.stderr`). */
export type MaybeTty = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * A cli-progress bar on a terminal; on anything else (a file, a CI log) one line per change of
 * status; nothing at all with `--json`, whose reader wants one document and no noise.
 */
export function runProgress(stream: MaybeTty, options: { json: boolean }): RunProgress {
  if (options.json) return { update: () => undefined, stop: () => undefined };
  if (stream.isTTY !== true) return statusLines(stream);
  return progressBar(stream);
}

function statusLines(stream: NodeJS.WritableStream): RunProgress {
  let last = '';
  return {
    update(state) {
      if (state.status === last) return;
      last = state.status;
      stream.write(`run ${state.runId} ${state.status}…\n`);
    },
    stop: () => undefined,
  };
}

function progressBar(stream: NodeJS.WritableStream): RunProgress {
  const started = Date.now();
  let latest: RunInProgress | undefined;
  const bar = new SingleBar({
    stream,
    hideCursor: true,
    clearOnComplete: true,
    linewrap: false,
    fps: 10,
    format: () => {
      const elapsed = Date.now() - started;
      return latest ? formatProgress(latest, elapsed, Math.floor(elapsed / 100)) : '';
    },
  });
  let running = false;
  return {
    update(state) {
      latest = state;
      const total = state.progress?.totalUsers ?? 0;
      if (!running) {
        bar.start(Math.max(total, 1), state.progress?.users ?? 0);
        running = true;
      }
      if (total > 0) bar.setTotal(total);
      bar.update(state.progress?.users ?? 0);
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
