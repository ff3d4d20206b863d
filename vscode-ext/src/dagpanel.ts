// The DAG view: one webview panel beside the editor showing the blueprint DAG of the active
// Lean file (webview/page.ts draws it). It follows the active Lean editor and redraws,
// debounced, when that document changes, is saved, or gets new diagnostics (the proxy's DAG
// statuses come from Lean's diagnostics). The page's clicks come back as messages: `jump`
// reveals the node's range in the editor, `prove` runs the server's marathon.prove.
import * as vscode from 'vscode';
import { Dag, nodeAtPosition } from './dag';
import { isPageMessage, HostMessage, PageMessage } from './dagview';
import { makeNonce, webviewHtml } from './webviewHtml';

export type DagResult = { dag: Dag; note?: string } | { error: string };

export interface DagPanelDeps {
  /** The DAG of a document, without telling the user anything (the page shows errors). */
  loadDag(doc: vscode.TextDocument): Promise<DagResult>;
  /** Runs marathon.prove {uri, name} and tells the user how it went. */
  prove(uri: string, name: string): Promise<void>;
  log(msg: string): void;
}

export const VIEW_TYPE = 'marathon.dagView';

export class DagPanel implements vscode.Disposable {
  static current: DagPanel | undefined;
  /** Redraw delay after a change (ms); tests lower it. */
  static debounceMs = 500;

  private readonly subs: vscode.Disposable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last: Dag | undefined;
  private ready = false;
  private pending: HostMessage | undefined;
  private loading = 0;

  /** Opens the view for the document (or retargets and reveals the open one). */
  static show(extensionUri: vscode.Uri, doc: vscode.TextDocument, deps: DagPanelDeps): DagPanel {
    if (DagPanel.current) {
      DagPanel.current.retarget(doc);
      DagPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return DagPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, DagPanel.titleOf(doc),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
      });
    DagPanel.current = new DagPanel(panel, extensionUri, doc, deps);
    return DagPanel.current;
  }

  static titleOf(doc: vscode.TextDocument): string {
    const p = doc.uri.path ?? doc.uri.fsPath ?? '';
    return `DAG: ${p.slice(p.lastIndexOf('/') + 1)}`;
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri,
                      private doc: vscode.TextDocument, private readonly deps: DagPanelDeps) {
    const webview = panel.webview;
    webview.html = webviewHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      title: DagPanel.titleOf(doc),
    });
    this.subs.push(
      webview.onDidReceiveMessage((m: unknown) => { void this.onMessage(m); }),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => { if (this.isMine(e.document)) this.schedule(); }),
      vscode.workspace.onDidSaveTextDocument((d) => { if (this.isMine(d)) this.schedule(); }),
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.toString() === this.uri)) this.schedule();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.isMine(e.textEditor.document)) this.cursorMoved(e.selections[0]?.active);
      }),
      vscode.window.onDidChangeActiveTextEditor((ed) => {
        if (ed && ed.document.languageId === 'lean4' && !this.isMine(ed.document)) this.retarget(ed.document);
      }),
    );
    void this.refresh();
  }

  get uri(): string {
    return this.doc.uri.toString();
  }

  /** The DAG last shown (for tests and the jump). */
  get dag(): Dag | undefined {
    return this.last;
  }

  private isMine(d: vscode.TextDocument): boolean {
    return d.uri.toString() === this.uri;
  }

  retarget(doc: vscode.TextDocument): void {
    if (!this.isMine(doc)) {
      this.doc = doc;
      this.last = undefined;
      this.panel.title = DagPanel.titleOf(doc);
    }
    void this.refresh();
  }

  /** A redraw after the debounce delay; a burst of changes gives one. */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = undefined; void this.refresh(); }, DagPanel.debounceMs);
  }

  /** Fetches the DAG now and sends it to the page (an older fetch finishing later is dropped). */
  async refresh(): Promise<void> {
    const seq = ++this.loading;
    const doc = this.doc;
    let res: DagResult;
    try {
      res = await this.deps.loadDag(doc);
    } catch (e) {
      res = { error: e instanceof Error ? e.message : String(e) };
    }
    if (seq !== this.loading || doc !== this.doc || DagPanel.current !== this) return;
    if ('dag' in res) {
      this.last = res.dag;
      this.send({ type: 'dag', dag: res.dag, note: res.note });
    } else {
      this.send({ type: 'error', message: res.error });
    }
  }

  private cursorNode: string | undefined;

  /** Selects the node at the editor's cursor in the view (once per node entered). */
  private cursorMoved(pos: vscode.Position | undefined): void {
    if (!pos || !this.last || !this.ready) return;
    const n = nodeAtPosition(this.last, { line: pos.line, character: pos.character });
    if (!n || n.name === this.cursorNode) return;
    this.cursorNode = n.name;
    this.send({ type: 'select', name: n.name });
  }

  private send(m: HostMessage): void {
    // Until the page says it is ready, keep only the newest message: the page asks for it.
    if (!this.ready) { this.pending = m; return; }
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (!isPageMessage(raw)) {
      this.deps.log(`DAG view: ignored message ${JSON.stringify(raw)}`);
      return;
    }
    const m: PageMessage = raw;
    switch (m.type) {
      case 'ready':
        // The first load, or the page loaded again (VS Code may reload a webview): it has nothing.
        this.ready = true;
        if (this.pending) { const p = this.pending; this.pending = undefined; this.send(p); }
        else if (this.last) await this.refresh();
        return;
      case 'refresh':
        return this.refresh();
      case 'jump':
        return this.jump(m.name);
      case 'prove':
        return this.deps.prove(this.uri, m.name);
    }
  }

  /** Shows the document in its editor column and selects the start of the node's range. */
  async jump(name: string): Promise<void> {
    const node = this.last?.nodes.find((n) => n.name === name);
    this.cursorNode = name; // the cursor lands in it: no select back
    if (!node) {
      void vscode.window.showWarningMessage(`No node \`${name}\` in the DAG of this file any more.`);
      return;
    }
    const shown = vscode.window.visibleTextEditors.find((e) => this.isMine(e.document));
    const ed = await vscode.window.showTextDocument(this.doc, {
      viewColumn: shown?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false,
    });
    const r = node.range;
    const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    ed.selection = new vscode.Selection(range.start, range.start);
    ed.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private disposed = false;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (DagPanel.current === this) DagPanel.current = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const subs = this.subs.splice(0);
    for (const s of subs) s.dispose();
    this.panel.dispose();
  }
}
