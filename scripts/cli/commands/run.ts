import { inProgress, type RunState, type RunSummaryAnswer } from '../../../lib/api/schemas';
import type { RunRequest } from '../api-client';
import { type CommandContext, type ExitCode, printJson } from '../context';
import { ApiError, ApiUnreachableError, RunTimeoutError } from '../errors';
import { parseRunFlags, type RunFlags } from '../flags';
import { runProgress } from '../progress';
import { renderRunSummary } from '../render';

/** The exit code of a finished run: 0 complete, 2 partial (some checks unknown), 3 failed or skipped. */
export const RUN_EXIT_CODES: Record<RunSummaryAnswer['status'], ExitCode> = { complete: 0, partial: 2, failed: 3, skipped: 3 };

/** How often the run is asked for. */
export const POLL_INTERVAL_MS = 1000;

/** Failed polls in a row tolerated (a cold start's 502, a dropped connection) before giving up. */
export const MAX_POLL_FAILURES = 5;

/** Time, injectable so tests need not wait. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * `recon run`: starts a run, follows it until it finishes (a progress bar on a terminal), prints
 * its summary and exits with {@link RUN_EXIT_CODES}. An API that still runs synchronously (200
 * with the summary) is followed just the same: there is nothing to wait for.
 * @throws {UsageError} before any call; {@link RunTimeoutError} when `--wait` runs out; {@link ApiError}, {@link ApiUnreachableError}.
 */
export async function runCommand(context: CommandContext, flags: RunFlags, clock: Clock = realClock): Promise<ExitCode> {
  const { request, waitSeconds } = parseRunFlags(flags);
  const summary = await waitForRun(context, request, waitSeconds, clock);
  if (context.json) printJson(context.out, summary);
  else context.out.write(`${renderRunSummary(summary)}\n`);
  return RUN_EXIT_CODES[summary.status];
}

async function waitForRun(context: CommandContext, request: RunRequest, waitSeconds: number, clock: Clock): Promise<RunSummaryAnswer> {
  const deadline = clock.now() + waitSeconds * 1000;
  const progress = runProgress(context.err, { json: context.json });
  try {
    // A synchronous API answers only when the run is done: the call may take the whole wait.
    let state: RunState = await context.api.startRun(request, { timeoutMs: waitSeconds * 1000 });
    let failures = 0;
    while (inProgress(state)) {
      progress.update(state);
      if (clock.now() >= deadline) throw new RunTimeoutError(state.runId, waitSeconds, state.status);
      await clock.sleep(POLL_INTERVAL_MS);
      try {
        state = await context.api.getRun(state.runId);
        failures = 0;
      } catch (error) {
        if (!transient(error) || ++failures >= MAX_POLL_FAILURES) throw error;
      }
    }
    return state;
  } finally {
    progress.stop();
  }
}

/** A failure that asking again a second later may not repeat. */
function transient(error: unknown): boolean {
  return error instanceof ApiUnreachableError || (error instanceof ApiError && error.transient);
}
