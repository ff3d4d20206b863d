// A stand-in for the `vscode` module: just the API extension.ts uses, with every call
// recorded and every user answer scripted, so tests drive the real command handlers.
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface Call { api: string; args: any[] }
export const calls: Call[] = [];
type Answer = string | undefined | ((message: string, items: any[]) => any);
/** Scripted answers for showXMessage/showQuickPick/showOpenDialog, consumed in order. */
export const answers: { message: Answer[]; quickPick: Answer[]; openDialog: any[] } = { message: [], quickPick: [], openDialog: [] };

const commandRegistry = new Map<string, (...a: any[]) => any>();
/** Stand-ins for the commands other extensions register (vscode-lean4's client). */
export const externalCommands = new Map<string, (...a: any[]) => any>();
const configStore = new Map<string, { workspaceValue?: any; defaultValue?: any }>();

export function reset(): void {
  calls.length = 0;
  answers.message = []; answers.quickPick = []; answers.openDialog = [];
  externalCommands.clear();
  configStore.clear();
  window.activeTextEditor = undefined;
  window.visibleTextEditors = [];
  webviewPanels.length = 0;
  for (const e of Object.values(events)) e.clear();
  workspace.workspaceFolders = [{ uri: Uri.file('/proj'), name: 'proj', index: 0 }];
}

export class Disposable { constructor(private f: () => void = () => {}) {} dispose(): void { this.f(); } }

export class Uri {
  constructor(public scheme: string, public fsPath: string, private text: string) {}
  get path(): string { return this.fsPath; }
  static file(p: string): Uri { return new Uri('file', p, 'file://' + encodeURI(p)); }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    const p = [base.fsPath.replace(/\/+$/, ''), ...parts].join('/');
    return base.scheme === 'file' ? Uri.file(p) : new Uri(base.scheme, p, `${base.scheme}://${p}`);
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(?:\/\/)?(.*)$/i.exec(s);
    return m && m[1] === 'file' ? Uri.file(decodeURI(m[2])) : new Uri(m ? m[1] : 'file', s, s);
  }
  toString(): string { return this.text; }
}

export class Position {
  constructor(public line: number, public character: number) {}
}
export class Range {
  start: Position; end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    if (typeof a === 'number') { this.start = new Position(a, b as number); this.end = new Position(c!, d!); }
    else { this.start = a; this.end = b as Position; }
  }
}
export class Selection extends Range {
  anchor: Position; active: Position;
  constructor(anchor: Position, active: Position) { super(anchor, active); this.anchor = anchor; this.active = active; }
}

export enum StatusBarAlignment { Left = 1, Right = 2 }
export enum ConfigurationTarget { Global = 1, Workspace = 2, WorkspaceFolder = 3 }
export enum ViewColumn { Active = -1, Beside = -2, One = 1, Two = 2, Three = 3 }
export enum TextEditorRevealType { Default = 0, InCenter = 1, InCenterIfOutsideViewport = 2, AtTop = 3 }

/** A tiny vscode.EventEmitter: `event(listener)` subscribes, `fire(e)` calls the listeners. */
export class EventEmitter<T> {
  private listeners = new Set<(e: T) => void>();
  event = (f: (e: T) => void): Disposable => {
    this.listeners.add(f);
    return new Disposable(() => this.listeners.delete(f));
  };
  fire(e: T): void { for (const f of [...this.listeners]) f(e); }
  get size(): number { return this.listeners.size; }
  clear(): void { this.listeners.clear(); }
  dispose(): void { this.clear(); }
}

/** The editor's events, fired by tests. */
export const events = {
  changeTextDocument: new EventEmitter<{ document: FakeDocument }>(),
  saveTextDocument: new EventEmitter<FakeDocument>(),
  changeDiagnostics: new EventEmitter<{ uris: Uri[] }>(),
  changeActiveTextEditor: new EventEmitter<any>(),
  changeTextEditorSelection: new EventEmitter<{ textEditor: any; selections: Selection[] }>(),
};

export interface FakeDocument { uri: Uri; languageId: string; isDirty: boolean }
export function fakeEditor(path: string, line: number, character: number, languageId = 'lean4'): any {
  const pos = new Position(line, character);
  const ed: any = {
    document: { uri: Uri.file(path), languageId, isDirty: false } as FakeDocument,
    selection: new Selection(pos, pos),
    viewColumn: ViewColumn.One,
    revealRange: (r: Range, t: TextEditorRevealType) => calls.push({ api: 'revealRange', args: [r, t] }),
  };
  return ed;
}

/** A webview panel: the html set, the messages posted to the page, and `receive(m)` playing
 * the page posting m to the extension. */
export class FakeWebviewPanel {
  disposed = false;
  revealed: any[] = [];
  readonly posted: any[] = [];
  private readonly received = new EventEmitter<any>();
  private readonly disposeEmitter = new EventEmitter<void>();
  readonly webview = {
    html: '',
    cspSource: 'https://fake.vscode-cdn.net',
    options: {} as any,
    asWebviewUri: (u: Uri) => new Uri('https', u.fsPath, 'https://fake.vscode-cdn.net' + u.fsPath),
    postMessage: async (m: any) => { this.posted.push(m); calls.push({ api: 'webview.postMessage', args: [m] }); return true; },
    onDidReceiveMessage: this.received.event,
  };
  constructor(public viewType: string, public title: string, public showOptions: any, public options: any) {
    this.webview.options = options;
  }
  onDidDispose = this.disposeEmitter.event;
  reveal(column?: any, preserveFocus?: boolean): void { this.revealed.push([column, preserveFocus]); }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
  /** The page posts a message; resolves once the handlers' promises have settled. */
  async receive(m: any): Promise<void> {
    this.received.fire(m);
    await new Promise((r) => setImmediate(r));
  }
}
export const webviewPanels: FakeWebviewPanel[] = [];

export const commands = {
  registerCommand(id: string, f: (...a: any[]) => any): Disposable {
    if (commandRegistry.has(id)) throw new Error(`command '${id}' already exists`);
    commandRegistry.set(id, f);
    return new Disposable(() => commandRegistry.delete(id));
  },
  async executeCommand(id: string, ...args: any[]): Promise<any> {
    calls.push({ api: 'executeCommand', args: [id, ...args] });
    const f = commandRegistry.get(id) ?? externalCommands.get(id);
    if (!f) throw new Error(`command '${id}' not found`);
    return f(...args);
  },
  registered(): string[] { return [...commandRegistry.keys()]; },
};

function nextAnswer(queue: Answer[], message: string, items: any[]): any {
  const a = queue.shift();
  return typeof a === 'function' ? a(message, items) : a;
}

function messageFn(kind: string) {
  return async (message: string, ...rest: any[]): Promise<any> => {
    const items = rest.filter((x) => typeof x === 'string');
    const options = rest.find((x) => x && typeof x === 'object');
    calls.push({ api: kind, args: [message, ...rest] });
    const a = nextAnswer(answers.message, message, items);
    if (a !== undefined && !items.includes(a)) throw new Error(`scripted answer ${a} is not among ${items} (${message})`);
    void options;
    return a;
  };
}

export const window = {
  activeTextEditor: undefined as any,
  visibleTextEditors: [] as any[],
  onDidChangeActiveTextEditor: events.changeActiveTextEditor.event,
  onDidChangeTextEditorSelection: events.changeTextEditorSelection.event,
  createWebviewPanel(viewType: string, title: string, showOptions: any, options?: any): FakeWebviewPanel {
    calls.push({ api: 'createWebviewPanel', args: [viewType, title, showOptions, options] });
    const p = new FakeWebviewPanel(viewType, title, showOptions, options);
    webviewPanels.push(p);
    return p;
  },
  async showTextDocument(doc: any, options?: any): Promise<any> {
    calls.push({ api: 'showTextDocument', args: [doc, options] });
    const ed = window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString()) ??
      Object.assign(fakeEditor(doc.uri.fsPath, 0, 0, doc.languageId), { document: doc });
    window.activeTextEditor = ed;
    return ed;
  },
  showInformationMessage: messageFn('showInformationMessage'),
  showWarningMessage: messageFn('showWarningMessage'),
  showErrorMessage: messageFn('showErrorMessage'),
  async showQuickPick(items: any[], options?: any): Promise<any> {
    calls.push({ api: 'showQuickPick', args: [items, options] });
    return nextAnswer(answers.quickPick, options?.placeHolder ?? '', items);
  },
  async showOpenDialog(options: any): Promise<any> {
    calls.push({ api: 'showOpenDialog', args: [options] });
    return answers.openDialog.shift();
  },
  createOutputChannel(name: string): any {
    return { name, lines: [] as string[], appendLine(l: string) { this.lines.push(l); }, dispose() {} };
  },
  createStatusBarItem(alignment?: StatusBarAlignment, priority?: number): any {
    const item = { alignment, priority, text: '', tooltip: '', command: '', shown: false, show() { item.shown = true; }, dispose() {} };
    statusBarItems.push(item);
    return item;
  },
};
export const statusBarItems: any[] = [];

export function setConfig(section: string, key: string, v: { workspaceValue?: any; defaultValue?: any }): void {
  configStore.set(`${section}.${key}`, v);
}
export function configValue(section: string, key: string): any {
  return configStore.get(`${section}.${key}`);
}

export const languages = {
  onDidChangeDiagnostics: events.changeDiagnostics.event,
};

export const workspace = {
  workspaceFolders: undefined as any,
  onDidChangeTextDocument: events.changeTextDocument.event,
  onDidSaveTextDocument: events.saveTextDocument.event,
  getConfiguration(section: string): any {
    return {
      get<T>(key: string, dflt?: T): T | undefined {
        const e = configStore.get(`${section}.${key}`);
        return e?.workspaceValue ?? e?.defaultValue ?? dflt;
      },
      inspect<T>(key: string): any {
        const e = configStore.get(`${section}.${key}`);
        return { key: `${section}.${key}`, workspaceValue: e?.workspaceValue as T | undefined, defaultValue: e?.defaultValue };
      },
      async update(key: string, value: any, target: ConfigurationTarget): Promise<void> {
        calls.push({ api: 'configuration.update', args: [`${section}.${key}`, value, target] });
        const e = configStore.get(`${section}.${key}`) ?? {};
        configStore.set(`${section}.${key}`, { ...e, workspaceValue: value });
      },
    };
  },
};

export function makeContext(): any {
  return { subscriptions: [] as Disposable[], extensionUri: Uri.file('/ext') };
}

reset();
