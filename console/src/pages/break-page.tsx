import { type ComponentChildren, Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { ChainVerdict, DiscrepancyAnswer, DiscrepancyDetail, LifecycleEventAnswer } from '../../../lib/api/schemas';
import type { DiscrepancyAction } from '../api-client';
import type { PageProps } from '../app';
import { formatAmount, formatTime } from '../format';
import { useLoad } from '../hooks';
import { messageOf } from './sign-in';

/** One break: its figures, evidence, history as a timeline with the chain's verdict, and the actions the role allows. */
export function BreakPage({ api, access, announce, id }: PageProps & { id: string }) {
  const [detail, reload] = useLoad(() => api.discrepancy(id), [id]);
  if (detail.state === 'loading')
    return (
      <>
        <h1>{id}</h1>
        <p class="figures-skeleton">Loading…</p>
      </>
    );
  if (detail.state === 'failed')
    return (
      <>
        <h1>{id}</h1>
        <p role="alert">{detail.error.message}</p>
      </>
    );
  const { discrepancy: item, history, chain } = detail.value;
  const acted = (message: string) => {
    announce(message);
    reload();
  };
  return (
    <>
      <h1>{item.id}</h1>
      <Figures item={item} />
      <section aria-label="Evidence" class="box">
        <h2>Evidence</h2>
        <Pairs entries={Object.entries(item.evidence)} empty="No evidence recorded." />
      </section>
      {access === 'act' && item.status !== 'resolved' && <Actions api={api} item={item} onActed={acted} />}
      {item.pendingResolution && !(access === 'act' && item.status !== 'resolved') && <Proposal item={item} />}
      <section aria-label="History" class="box">
        <h2>History</h2>
        <ChainStatus chain={chain} />
        <Timeline history={history} />
      </section>
    </>
  );
}

function Figures({ item }: { item: DiscrepancyAnswer }) {
  const rows: [string, string][] = [
    ['Expected', formatAmount(item.expected)],
    ['Actual', formatAmount(item.actual)],
    ['Difference', formatAmount(item.difference)],
    ...(item.differenceInRoot === undefined ? [] : [['Difference in root asset', formatAmount(item.differenceInRoot)] as [string, string]]),
    ['Largest difference', formatAmount(item.largestDifference)],
    ['Severity', item.severity],
    ['Status', item.status],
    ['Check', item.check],
    ['User', item.userId],
    ['Asset', item.asset],
    ['Field', item.field],
    ['First seen', `${formatTime(item.firstSeenAt)} (run ${item.firstRunId})`],
    ['Last seen', `${formatTime(item.lastSeenAt)} (run ${item.lastRunId})`],
    ['Runs seen', `${item.runsSeen} (${item.consecutiveRuns} in a row)`],
    ['Assigned to', item.assignedTo ? `${item.assignedTo} (by ${item.assignedBy ?? '?'}, ${formatTime(item.assignedAt)})` : 'nobody'],
  ];
  return <Pairs entries={rows} empty="" />;
}

function Pairs({ entries, empty }: { entries: [string, string][]; empty: string }) {
  if (entries.length === 0) return <p>{empty}</p>;
  return (
    <dl class="figures">
      {entries.map(([name, value]) => (
        <Fragment key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function ChainStatus({ chain }: { chain: ChainVerdict | undefined }) {
  if (!chain) return <p>History verification is not available.</p>;
  if (chain.verified) return <p class="verified">History verified ({chain.entries} entries)</p>;
  const where = chain.firstBroken?.seq === undefined ? '' : ` (entry ${chain.firstBroken.seq})`;
  return (
    <p class="unverified">
      History does not verify: {chain.firstBroken?.problem ?? 'unknown problem'}
      {where}
    </p>
  );
}

function Timeline({ history }: { history: DiscrepancyDetail['history'] }) {
  return (
    <ol aria-label="Timeline" class="timeline">
      {history.map((entry) => (
        <li key={`${entry.seq ?? ''}-${entry.at}-${entry.type}`}>
          <span class="type">{entry.type}</span> by {who(entry)} at <time dateTime={entry.at}>{formatTime(entry.at)}</time>
          {entry.assignee && <> — to {entry.assignee}</>}
          {entry.proposedBy && <> — proposed by {entry.proposedBy}</>}
          {entry.difference && <> — difference {formatAmount(entry.difference)}</>}
          {entry.note && <blockquote>{entry.note}</blockquote>}
        </li>
      ))}
    </ol>
  );
}

function who(entry: LifecycleEventAnswer): string {
  if (entry.by) return entry.by;
  return entry.runId ? `run ${entry.runId}` : 'the service';
}

/** High and critical breaks need a second person: resolving them only proposes (maker-checker). */
function needsApproval(item: DiscrepancyAnswer): boolean {
  return item.severity === 'high' || item.severity === 'critical';
}

interface ActionProps {
  api: PageProps['api'];
  item: DiscrepancyAnswer;
  onActed: (message: string) => void;
}

/** One action's call: the note required, the API's refusal kept to show in an alert. */
function useAction({ api, item, onActed }: ActionProps) {
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (action: DiscrepancyAction, note: string, assignee?: string) => {
    setProblem('');
    if (note.trim() === '') return setProblem('A note is required: it is the audit trail.');
    if (action === 'assign' && !assignee?.trim()) return setProblem('Name the person to assign it to.');
    setBusy(true);
    try {
      const after = await api.act(item.id, action, { note: note.trim(), ...(action === 'assign' && { assignee: assignee?.trim() }) });
      onActed(`${action}: ${after.id} is now ${after.status}`);
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return { problem, busy, run };
}

function Actions(props: ActionProps) {
  const { item } = props;
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState('');
  const { problem, busy, run } = useAction(props);
  return (
    <section aria-label="Actions" class="box actions">
      <h2>Actions</h2>
      <label>
        Note
        <textarea rows={3} value={note} required onInput={(event) => setNote(event.currentTarget.value)} />
      </label>
      <label>
        Assignee
        <input value={assignee} onInput={(event) => setAssignee(event.currentTarget.value)} />
      </label>
      <div class="buttons">
        {item.status === 'open' && (
          <button type="button" disabled={busy} onClick={() => run('acknowledge', note)}>
            Acknowledge
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => run('assign', note, assignee)}>
          Assign
        </button>
        {!item.pendingResolution && (
          <button type="button" disabled={busy} onClick={() => run('resolve', note)}>
            {needsApproval(item) ? 'Propose resolution' : 'Resolve'}
          </button>
        )}
      </div>
      <Proposal item={item}>
        <div class="buttons">
          <button type="button" disabled={busy} onClick={() => run('approve', note)}>
            Approve
          </button>
          <button type="button" disabled={busy} onClick={() => run('reject', note)}>
            Reject
          </button>
        </div>
      </Proposal>
      {problem && <p role="alert">{problem}</p>}
    </section>
  );
}

/** The waiting proposal, for those who cannot act on it (a viewer): who proposed what, and when. */
function Proposal({ item, children }: { item: DiscrepancyAnswer; children?: ComponentChildren }) {
  const proposal = item.pendingResolution;
  if (!proposal) return null;
  return (
    <section aria-label="Pending approval" class="box actions">
      <h2>Pending approval</h2>
      <p>
        {proposal.by} proposed resolving this break at {formatTime(proposal.at)}: “{proposal.note}”. A second person must approve it.
      </p>
      {children}
    </section>
  );
}
