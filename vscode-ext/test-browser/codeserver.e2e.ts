// The extension in a real VS Code: code-server (VS Code for the browser, run offline) with the
// .vsix installed, driven through headless Chromium. It opens examples/number_theory.lean,
// runs "Marathon: Show the blueprint DAG of this file" from the command palette and checks the
// webview inside VS Code: every node of `lsp-proxy dag` drawn (no Lean server here, so the
// view uses the CLI fallback and says so), a click on a node moves the editor's cursor to the
// node, the Prove button reaches the extension (which reports that no Lean server runs).
// vscode-lean4 is replaced by a stub extension with the same id (the lean4 language only).
//   CODE_SERVER_BIN  code-server's launcher (required; unset: skip). See README "Develop".
//   CHROMIUM_BIN, LSP_PROXY_BIN as in dagview.test.ts.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Browser, Frame, Page } from 'playwright-core';

const root = path.resolve(__dirname, '..', '..');
const repo = path.resolve(root, '..');
const codeServer = process.env.CODE_SERVER_BIN;
const chromium = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const proxyBin = process.env.LSP_PROXY_BIN ? path.resolve(process.env.LSP_PROXY_BIN) : path.join(repo, 'build', 'release', 'lsp-proxy');
const artifacts = path.join(root, 'test-artifacts');

function skipReason(): string | undefined {
  const missing = !codeServer ? 'CODE_SERVER_BIN is not set'
    : !fs.existsSync(codeServer) ? `no code-server at ${codeServer}`
      : !fs.existsSync(chromium) ? `no Chromium at ${chromium}`
        : !fs.existsSync(proxyBin) ? `no lsp-proxy at ${proxyBin}` : undefined;
  if (missing && process.env.REQUIRE_CODE_SERVER === '1') throw new Error(`REQUIRE_CODE_SERVER=1 but ${missing}`);
  return missing;
}
const reason = skipReason();
if (reason) console.log(`# SKIP code-server test: ${reason}`);

describe('the extension in code-server', { skip: reason ?? false, timeout: 120000 }, () => {
  let tmp: string;
  let server: ChildProcess | undefined;
  let browser: Browser;
  let page: Page;
  let url: string;
  let ws: string;
  const file = 'number_theory.lean';
  let dag: { nodes: Array<{ name: string; leaf: boolean; kind: string; range: { start: { line: number } } }> };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-code-server-'));
    const dirs = { user: path.join(tmp, 'user'), ext: path.join(tmp, 'ext'), ws: path.join(tmp, 'ws'), stub: path.join(tmp, 'stub') };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    ws = dirs.ws;
    fs.copyFileSync(path.join(repo, 'examples', file), path.join(dirs.ws, file));
    dag = JSON.parse(execFileSync(proxyBin, ['dag', '--format', 'json', path.join(dirs.ws, file)], { encoding: 'utf8' }));
    fs.mkdirSync(path.join(dirs.user, 'User'));
    fs.writeFileSync(path.join(dirs.user, 'User', 'settings.json'), JSON.stringify({
      'marathon.proxyPath': proxyBin, 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
    }));
    // The .vsix of this tree and a stand-in for vscode-lean4 (our extensionDependency).
    const vsce = path.join(root, 'node_modules', '.bin', 'vsce');
    const vsix = path.join(tmp, 'marathon.vsix');
    execFileSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: root, stdio: 'pipe' });
    fs.writeFileSync(path.join(dirs.stub, 'package.json'), JSON.stringify({
      name: 'lean4', publisher: 'leanprover', version: '0.0.1', displayName: 'Lean 4 (test stub)', description: 'the lean4 language id only',
      engines: { vscode: '^1.75.0' }, contributes: { languages: [{ id: 'lean4', aliases: ['Lean 4'], extensions: ['.lean'] }] },
    }));
    fs.writeFileSync(path.join(dirs.stub, 'README.md'), 'test stub\n');
    const stub = path.join(tmp, 'lean4-stub.vsix');
    execFileSync(vsce, ['package', '--allow-missing-repository', '--skip-license', '-o', stub], { cwd: dirs.stub, stdio: 'pipe' });
    const common = ['--config', path.join(tmp, 'config.yaml'), '--user-data-dir', dirs.user, '--extensions-dir', dirs.ext];
    fs.writeFileSync(path.join(tmp, 'config.yaml'), '');
    // code-server also writes logs, a heartbeat and a device id under HOME and XDG dirs: keep them in tmp.
    const home = path.join(tmp, 'home');
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), XDG_CACHE_HOME: path.join(home, '.cache') };
    fs.mkdirSync(home);
    for (const v of [stub, vsix]) execFileSync(codeServer!, [...common, '--install-extension', v], { stdio: 'pipe', timeout: 60000, env });

    server = spawn(codeServer!, [...common, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry',
      '--disable-update-check', '--disable-workspace-trust', dirs.ws], { stdio: ['ignore', 'pipe', 'pipe'], env });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`code-server did not start:\n${out}`)), 30000);
      const on = (b: Buffer) => {
        out += b.toString();
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
        if (m) { clearTimeout(t); resolve(m[1]); }
      };
      server!.stdout!.on('data', on);
      server!.stderr!.on('data', on);
      server!.on('exit', (c) => reject(new Error(`code-server exited ${c}:\n${out}`)));
    });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { chromium: pw } = require('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    fs.mkdirSync(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => { server!.once('exit', r); setTimeout(r, 5000); });
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function dagFrame(): Promise<Frame | undefined> {
    for (const f of page.frames()) {
      try {
        if ((await f.$$('#graph g.node')).length > 0) return f;
      } catch { /* a frame going away */ }
    }
    return undefined;
  }
  async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 30000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v) return v;
      if (Date.now() > end) {
        await page.screenshot({ path: path.join(artifacts, 'code-server-failure.png') });
        throw new Error(`timed out waiting for ${what}`);
      }
      await page.waitForTimeout(250);
    }
  }
  // Runs a command from the palette once its own row is the one Enter would run: on a loaded
  // machine the extension may not have registered it yet, and Enter would run whatever else
  // matches best (once it was "Toggle Tab Key Moves Focus").
  async function palette(text: string): Promise<void> {
    const end = Date.now() + 30000;
    for (;;) {
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
      await page.fill('.quick-input-widget input', '>' + text);
      await page.waitForTimeout(400);
      const first = await page.textContent('.quick-input-widget .monaco-list-row.focused .label-name').catch(() => null);
      if ((first ?? '').replace(/\s+/g, ' ').includes(text)) {
        await page.keyboard.press('Enter');
        return;
      }
      await page.keyboard.press('Escape');
      if (Date.now() > end) {
        await page.screenshot({ path: path.join(artifacts, 'code-server-failure.png') });
        throw new Error(`the palette never offered "${text}" (first row: ${first})`);
      }
      await page.waitForTimeout(500);
    }
  }
  const cursorLine = async () => {
    const t = await page.textContent('.statusbar [id="status.editor.selection"]').catch(() => null);
    const m = /Ln (\d+)/.exec(t ?? '');
    return m ? Number(m[1]) : undefined;
  };

  test('Show the blueprint DAG draws every node in a webview beside the editor; a click moves the cursor; Prove reaches the extension', async () => {
    await page.goto(`${url}/?folder=${encodeURIComponent(ws)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    // Open the file from the explorer once the folder is listed.
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file });
    await row.waitFor({ timeout: 30000 });
    await row.click();
    await page.locator('.tabs-container .tab', { hasText: file }).waitFor({ timeout: 20000 });
    await page.locator('.monaco-editor .view-lines').first().click();
    // The extension activates on the lean4 language (from the stub); the command is then there.
    await palette('Marathon: Show the blueprint DAG of this file');
    const frame = await waitFor('the DAG view', dagFrame);
    await page.locator('.tabs-container .tab', { hasText: 'DAG: number_theory.lean' }).waitFor();
    const names = await frame.$$eval('#graph g.node', (gs) => gs.map((g) => g.getAttribute('data-name')));
    assert.deepEqual([...names].sort(), dag.nodes.map((n) => n.name).sort());
    assert.match((await frame.textContent('#note')) ?? '', /No Lean server with lsp-proxy/);
    await page.screenshot({ path: path.join(artifacts, 'code-server-dag-view.png') });

    // A click on a node: the editor's cursor goes to the start of its range (1-based Ln).
    const target = dag.nodes.filter((n) => n.kind !== 'definition').at(-1)!;
    await frame.click(`#graph g.node[data-name="${target.name}"] rect.frame`, { position: { x: 6, y: 6 } });
    await waitFor(`the cursor on line ${target.range.start.line + 1}`, async () => (await cursorLine()) === target.range.start.line + 1);

    // Prove on a leaf: without a Lean server the extension says so in a notification.
    const leaf = dag.nodes.find((n) => n.leaf)!;
    const f2 = await waitFor('the DAG view again', dagFrame);
    await f2.click(`#graph g.node[data-name="${leaf.name}"] g.prove`);
    await waitFor('the no-server notification', async () =>
      (await page.$$eval('.notification-list-item-message', (ms) => ms.map((m) => m.textContent ?? ''))).find((t) =>
        t.includes(`Prove ${leaf.name}: no Lean server with lsp-proxy is running`)));
    await page.screenshot({ path: path.join(artifacts, 'code-server-prove.png') });
  });
});
