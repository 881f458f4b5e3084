import type { AnsweredEndpoint, SourceName } from '../ports/upstream';

/**
 * Notes which endpoints answered, for source health kept per endpoint: a source is recovered only
 * once every endpoint that was failing has answered again, so a run that never read the failing one
 * cannot declare it recovered. Shared by a container's clients; drained into each run's (or shard's) health.
 */
export class EndpointLog {
  private readonly seen = new Map<string, AnsweredEndpoint>();

  /** `endpoint` of `source` answered (with a status the client accepts). */
  answered(source: SourceName, endpoint: string): void {
    this.seen.set(`${source} ${endpoint}`, { source, endpoint });
  }

  /** What answered since the last drain; forgotten after. */
  drain(): AnsweredEndpoint[] {
    const answered = [...this.seen.values()];
    this.seen.clear();
    return answered;
  }
}
