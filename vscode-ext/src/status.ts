// Status bar text from `marathon.status` (shared/INTERFACE.md "Jobs in marathon.status").

export type JobState = 'queued' | 'running' | 'verifying' | 'succeeded' | 'failed' | 'cancelled';
export interface Job {
  id: string; kind: string; uri?: string; name?: string; state: JobState;
  attempts?: number; message?: string;
}
export interface MarathonStatus {
  jobs: Job[];
  lean?: string;
  llm?: { provider?: string; model?: string; requests?: number; tokensIn?: number; tokensOut?: number };
}

export const ACTIVE_STATES: ReadonlySet<string> = new Set(['queued', 'running', 'verifying']);

export function isActive(j: Job): boolean {
  return ACTIVE_STATES.has(j.state);
}

export interface StatusBarView { text: string; tooltip: string; active: number }

/** What the status bar shows: undefined status = no proxy answering. */
export function statusBarView(st: MarathonStatus | undefined): StatusBarView {
  if (!st || !Array.isArray(st.jobs))
    return { text: '$(circle-slash) marathon', tooltip: 'lsp-proxy is not answering (is the lake shim enabled?)', active: 0 };
  const count = (s: string) => st.jobs.filter((j) => j.state === s).length;
  const running = count('running') + count('verifying');
  const queued = count('queued');
  const failed = count('failed');
  const succeeded = count('succeeded');
  const parts: string[] = [];
  if (running) parts.push(`${running} running`);
  if (queued) parts.push(`${queued} queued`);
  const active = running + queued;
  let text = active ? `$(sync~spin) marathon: ${parts.join(', ')}` : '$(check) marathon';
  if (st.lean && st.lean !== 'running') text += ` (lean ${st.lean})`;
  const lines = [
    `Lean: ${st.lean ?? 'unknown'}`,
    `LLM: ${st.llm?.provider ?? 'none'}${st.llm?.model ? ' ' + st.llm.model : ''}` +
      (st.llm?.requests !== undefined ? `, ${st.llm.requests} requests, ${st.llm.tokensIn ?? 0} tokens in, ${st.llm.tokensOut ?? 0} out` : ''),
    `Jobs: ${active} active, ${succeeded} succeeded, ${failed} failed`,
  ];
  return { text, tooltip: lines.join('\n'), active };
}

/** One picker line for a job. */
export function describeJob(j: Job): { label: string; description: string; detail: string } {
  return {
    label: `${j.kind} ${j.name ?? ''}`.trim(),
    description: `${j.state}${j.attempts !== undefined ? ` · ${j.attempts} attempts` : ''} · ${j.id}`,
    detail: j.message ?? '',
  };
}
