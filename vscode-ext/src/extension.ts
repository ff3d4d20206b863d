// Lean Marathon: palette and context-menu commands over lsp-proxy's `marathon.*` server
// commands (shared/INTERFACE.md). vscode-lean4's language client registers those server
// commands in VS Code, so this extension calls them with vscode.commands.executeCommand and
// has no connection of its own.
import * as vscode from 'vscode';
import { CursorAction, Dag, DagNode, actionProblem, candidates, describeNode, nodeAtPosition, parseDag, summaryText } from './dag';
import { runDagCli } from './fallback';
import { DagPanel, DagResult } from './dagpanel';
import { MarathonStatus, describeJob, isActive, statusBarView } from './status';
import { ShimUi, disableShim, enableShim, findShimDir } from './shim';

export const UI_COMMANDS = [
  'marathon.ui.proveAtCursor', 'marathon.ui.repairAtCursor', 'marathon.ui.proveLeaves',
  'marathon.ui.review', 'marathon.ui.cancel', 'marathon.ui.status', 'marathon.ui.showDag',
  'marathon.ui.goToNode',
  'marathon.ui.enableShim', 'marathon.ui.disableShim',
] as const;

export const STATUS_POLL_MS = 4000;
const ENABLE_SHIM = 'Enable lake shim';

let output: vscode.OutputChannel | undefined;
let statusItem: vscode.StatusBarItem | undefined;
let extensionUri: vscode.Uri | undefined;

function log(msg: string): void {
  output?.appendLine(`[${new Date().toISOString()}] ${msg}`);
}

/** VS Code's rejection for a command nobody registered: here, no Lean client (or no proxy). */
export function isCommandNotFound(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /command '[^']*' not found/i.test(m);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function proxyPath(): string {
  return vscode.workspace.getConfiguration('marathon').get<string>('proxyPath') || 'lsp-proxy';
}

async function noServer(what: string): Promise<void> {
  const a = await vscode.window.showErrorMessage(
    `${what}: no Lean server with lsp-proxy is running for this file. Open a Lean file with the lake shim enabled.`,
    ENABLE_SHIM);
  if (a === ENABLE_SHIM) await vscode.commands.executeCommand('marathon.ui.enableShim');
}

/** Calls a server command; undefined after telling the user when it failed. */
async function serverCommand<T>(command: string, args: object, what: string): Promise<T | undefined> {
  try {
    log(`${command} ${JSON.stringify(args)}`);
    return (await vscode.commands.executeCommand(command, args)) as T;
  } catch (e) {
    if (isCommandNotFound(e)) await noServer(what);
    else void vscode.window.showErrorMessage(`${what}: ${errorText(e)}`);
    log(`${command} failed: ${errorText(e)}`);
    return undefined;
  }
}

function leanEditor(): vscode.TextEditor | undefined {
  const ed = vscode.window.activeTextEditor;
  if (!ed || ed.document.languageId !== 'lean4') {
    void vscode.window.showWarningMessage('Open a Lean 4 file first.');
    return undefined;
  }
  return ed;
}

/** The DAG of a document, quietly: from the server (`marathon.dag`), else from `lsp-proxy dag`
 * on the saved file (with a note saying so). `noServer` marks "no Lean client at all". */
export async function loadDag(doc: vscode.TextDocument): Promise<DagResult & { noServer?: boolean; stale?: boolean }> {
  const uri = doc.uri.toString();
  try {
    return { dag: parseDag(await vscode.commands.executeCommand('marathon.dag', { uri })) };
  } catch (e) {
    if (!isCommandNotFound(e)) return { error: errorText(e) };
  }
  if (doc.uri.scheme !== 'file')
    return { error: 'no Lean server with lsp-proxy is running for this file', noServer: true };
  log(`no server: running ${proxyPath()} dag --format json ${doc.uri.fsPath}`);
  try {
    const dag = await runDagCli(proxyPath(), doc.uri.fsPath);
    return { dag, note: doc.isDirty ? `${CLI_NOTE} ${UNSAVED_NOTE}` : CLI_NOTE, stale: doc.isDirty };
  } catch (e) {
    return { error: errorText(e) };
  }
}

const CLI_NOTE = 'No Lean server with lsp-proxy: this is `lsp-proxy dag` of the saved file, statuses without Lean\'s diagnostics.';
const UNSAVED_NOTE = 'The file has unsaved changes.';
const NO_SERVER_NOTE = 'No Lean server is running: the DAG is of the file as saved.';

/** The DAG of a document for a command: loadDag, telling the user what went wrong. */
export async function getDag(doc: vscode.TextDocument): Promise<Dag | undefined> {
  const res = await loadDag(doc);
  if ('dag' in res) {
    if (res.stale) void vscode.window.showWarningMessage(NO_SERVER_NOTE);
    return res.dag;
  }
  if (res.noServer) await noServer('Blueprint DAG');
  else void vscode.window.showErrorMessage(`Blueprint DAG: ${res.error}`);
  return undefined;
}

async function pickNode(nodes: DagNode[], placeHolder: string): Promise<DagNode | undefined> {
  if (nodes.length === 0) return undefined;
  const items = nodes.map((n) => ({ ...describeNode(n), node: n }));
  const pick = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return pick?.node;
}

async function atCursor(action: CursorAction): Promise<void> {
  const ed = leanEditor();
  if (!ed) return;
  const dag = await getDag(ed.document);
  if (!dag) return;
  const p = ed.selection.active;
  let node = nodeAtPosition(dag, { line: p.line, character: p.character });
  const verb = action === 'prove' ? 'Prove' : 'Repair';
  if (!node) {
    const cs = candidates(dag, action);
    if (cs.length === 0) {
      void vscode.window.showInformationMessage(
        `No blueprint node at the cursor, and none to ${action} in this file.`);
      return;
    }
    node = await pickNode(cs, `No blueprint node at the cursor: ${action} which?`);
    if (!node) return;
  }
  const problem = actionProblem(node, action);
  if (problem) {
    if (node.kind === 'definition') {
      void vscode.window.showWarningMessage(problem);
      return;
    }
    const a = await vscode.window.showWarningMessage(`${problem}. ${verb} it anyway?`, `${verb} anyway`);
    if (a !== `${verb} anyway`) return;
  }
  const cmd = action === 'prove' ? 'marathon.prove' : 'marathon.repair';
  const res = await serverCommand<{ jobId?: string }>(cmd, { uri: ed.document.uri.toString(), name: node.name }, `${verb} ${node.name}`);
  if (!res) return;
  void vscode.window.showInformationMessage(`${verb} \`${node.name}\` with agent: job ${res.jobId ?? '?'} started.`);
  void refreshStatus();
}

async function proveLeaves(): Promise<void> {
  const ed = leanEditor();
  if (!ed) return;
  const res = await serverCommand<{ jobIds?: string[] }>('marathon.proveLeaves', { uri: ed.document.uri.toString() }, 'Prove all dynamic leaves');
  if (!res) return;
  const n = res.jobIds?.length ?? 0;
  void vscode.window.showInformationMessage(n === 0 ? 'No dynamic leaves to prove in this file.'
    : `Proving ${n} dynamic lea${n === 1 ? 'f' : 'ves'}: jobs ${res.jobIds!.join(', ')}.`);
  void refreshStatus();
}

async function review(): Promise<void> {
  const ed = leanEditor();
  if (!ed) return;
  const res = await serverCommand<{ jobId?: string }>('marathon.review', { uri: ed.document.uri.toString() }, 'Review');
  if (!res) return;
  void vscode.window.showInformationMessage(`Fidelity review started: job ${res.jobId ?? '?'}.`);
  void refreshStatus();
}

async function fetchStatus(): Promise<MarathonStatus | undefined> {
  try {
    return (await vscode.commands.executeCommand('marathon.status', {})) as MarathonStatus;
  } catch {
    return undefined;
  }
}

export async function refreshStatus(): Promise<MarathonStatus | undefined> {
  const st = await fetchStatus();
  if (statusItem) {
    const v = statusBarView(st);
    statusItem.text = v.text;
    statusItem.tooltip = v.tooltip;
  }
  return st;
}

async function showStatus(): Promise<void> {
  const st = await serverCommand<MarathonStatus>('marathon.status', {}, 'Agent status');
  if (!st) return;
  if (statusItem) {
    const v = statusBarView(st);
    statusItem.text = v.text;
    statusItem.tooltip = v.tooltip;
  }
  const jobs = [...(st.jobs ?? [])].reverse();
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(statusBarView(st).tooltip.replace(/\n/g, '; ') + '. No jobs yet.');
    return;
  }
  const pick = await vscode.window.showQuickPick(jobs.map((j) => ({ ...describeJob(j), job: j })),
    { placeHolder: statusBarView(st).tooltip.replace(/\n/g, ' · ') });
  if (pick?.job.message) void vscode.window.showInformationMessage(`${pick.label}: ${pick.job.message}`);
}

async function cancel(): Promise<void> {
  const st = await serverCommand<MarathonStatus>('marathon.status', {}, 'Cancel');
  if (!st) return;
  const active = (st.jobs ?? []).filter(isActive);
  if (active.length === 0) {
    void vscode.window.showInformationMessage('No agent job is running.');
    return;
  }
  const ALL = { label: `All ${active.length} jobs`, description: '', detail: '', jobId: undefined as string | undefined };
  const items = [ALL, ...active.map((j) => ({ ...describeJob(j), jobId: j.id as string | undefined }))];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Cancel which job?' });
  if (!pick) return;
  const res = await serverCommand<{ cancelled?: number }>('marathon.cancel', pick.jobId ? { jobId: pick.jobId } : {}, 'Cancel');
  if (!res) return;
  void vscode.window.showInformationMessage(`Cancelled ${res.cancelled ?? 0} job(s).`);
  void refreshStatus();
}

/** Runs marathon.prove for a node named in the DAG view. */
async function proveNode(uri: string, name: string): Promise<void> {
  const res = await serverCommand<{ jobId?: string }>('marathon.prove', { uri, name }, `Prove ${name}`);
  if (!res) return;
  void vscode.window.showInformationMessage(`Prove \`${name}\` with agent: job ${res.jobId ?? '?'} started.`);
  void refreshStatus();
}

/** Opens the DAG view (a webview beside the editor) for the active Lean file. */
async function showDag(): Promise<void> {
  const ed = leanEditor();
  if (!ed || !extensionUri) return;
  DagPanel.show(extensionUri, ed.document, { loadDag, prove: proveNode, log });
}

/** A picker of the file's nodes with status and deps; picking one jumps to it. */
async function goToNode(): Promise<void> {
  const ed = leanEditor();
  if (!ed) return;
  const dag = await getDag(ed.document);
  if (!dag) return;
  const node = await pickNode(dag.nodes, summaryText(dag));
  if (!node) return;
  const r = node.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  ed.selection = new vscode.Selection(range.start, range.start);
  ed.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

export function shimUi(): ShimUi {
  const lean = () => vscode.workspace.getConfiguration('lean4');
  return {
    getWorkspaceExtensions: () => lean().inspect<string[]>('envPathExtensions')?.workspaceValue,
    setWorkspaceExtensions: async (v) => {
      await lean().update('envPathExtensions', v, vscode.ConfigurationTarget.Workspace);
    },
    confirm: async (message, yes) =>
      (await vscode.window.showWarningMessage(message, { modal: true }, yes)) === yes,
    info: async (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
    error: (message) => { void vscode.window.showErrorMessage(message); },
    restartServer: async () => { await vscode.commands.executeCommand('lean4.restartServer'); },
    pickFolder: async () => {
      const r = await vscode.window.showOpenDialog({
        canSelectFolders: true, canSelectFiles: false, canSelectMany: false,
        openLabel: 'Use this lake shim folder',
      });
      return r?.[0]?.fsPath;
    },
  };
}

async function shim(enable: boolean): Promise<void> {
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage('Open a folder first: the lake shim is set for the workspace.');
    return;
  }
  const dir = findShimDir(proxyPath(), process.env);
  const outcome = enable ? await enableShim(shimUi(), dir) : await disableShim(shimUi(), dir);
  log(`${enable ? 'enable' : 'disable'} shim (${dir ?? 'no shim found'}): ${outcome}`);
}

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('Lean Marathon');
  extensionUri = context.extensionUri;
  // The shim finds the proxy through LSP_PROXY; vscode-lean4 starts the server with a copy of
  // this extension host's environment, so a configured absolute path reaches the shim.
  const pp = proxyPath();
  if (pp.includes('/') && !process.env.LSP_PROXY) process.env.LSP_PROXY = pp;

  const handlers: Record<(typeof UI_COMMANDS)[number], () => Promise<void>> = {
    'marathon.ui.proveAtCursor': () => atCursor('prove'),
    'marathon.ui.repairAtCursor': () => atCursor('repair'),
    'marathon.ui.proveLeaves': proveLeaves,
    'marathon.ui.review': review,
    'marathon.ui.cancel': cancel,
    'marathon.ui.status': showStatus,
    'marathon.ui.showDag': showDag,
    'marathon.ui.goToNode': goToNode,
    'marathon.ui.enableShim': () => shim(true),
    'marathon.ui.disableShim': () => shim(false),
  };
  for (const id of UI_COMMANDS)
    context.subscriptions.push(vscode.commands.registerCommand(id, handlers[id]));

  statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  statusItem.command = 'marathon.ui.status';
  statusItem.text = '$(circle-slash) marathon';
  statusItem.show();
  const timer = setInterval(() => {
    if (vscode.window.activeTextEditor?.document.languageId === 'lean4') void refreshStatus();
  }, STATUS_POLL_MS);
  timer.unref?.();
  context.subscriptions.push(output, statusItem, { dispose: () => clearInterval(timer) },
    { dispose: () => DagPanel.current?.dispose() });
}

export function deactivate(): void {
  DagPanel.current?.dispose();
  extensionUri = undefined;
  output = undefined;
  statusItem = undefined;
}
