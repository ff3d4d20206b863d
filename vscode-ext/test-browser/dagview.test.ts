// The DAG view's page (dist/webview.js with the HTML of src/webviewHtml.ts) in headless
// Chromium, driven by playwright-core: DAG JSON made at test time by the real
// `lsp-proxy dag --format json examples/*.lean` is posted to the page as VS Code would, and
// the drawing, the colours, the shapes, the messages and the filters are checked. The page is
// served from a fake origin by request interception: any request elsewhere fails the test.
//   CHROMIUM_BIN   the browser (default /usr/bin/chromium); missing: skip, unless REQUIRE_BROWSER=1
//   LSP_PROXY_BIN  the proxy (default ../build/release/lsp-proxy from vscode-ext/)
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { webviewHtml } from '../src/webviewHtml';
import type { Dag, DagNode } from '../src/dag';
import { sampleDag } from '../testlib/fixtures';

const root = path.resolve(__dirname, '..', '..');
const repo = path.resolve(root, '..');
const chromium = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const required = process.env.REQUIRE_BROWSER === '1';
const proxyBin = process.env.LSP_PROXY_BIN ? path.resolve(process.env.LSP_PROXY_BIN) : path.join(repo, 'build', 'release', 'lsp-proxy');
const artifacts = path.join(root, 'test-artifacts');
const ORIGIN = 'https://webview.test';
const NONCE = 'testnonce0123456789';

// The palette, spelled out here as the brief and the proxy's DOT/SVG have it.
const FILL: Record<string, string> = {
  proved: '#2e7d32', sorry: '#f9a825', leaf: '#1565c0', error: '#c62828', pending: '#9e9e9e', definition: '#6a1b9a',
};
function expectedCategory(n: DagNode): string {
  if (n.status === 'sorry' && n.leaf) return 'leaf';
  return n.status;
}
function expectedText(n: DagNode): string {
  const c = expectedCategory(n);
  return c === 'sorry' || c === 'pending' ? '#000000' : '#ffffff';
}
/** The node and all that transitively use it, computed here independently of src/dagview.ts. */
function usersOf(dag: Dag, name: string): Set<string> {
  const seen = new Set([name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of dag.nodes)
      if (!seen.has(n.name) && n.deps.some((d) => seen.has(d))) { seen.add(n.name); grew = true; }
  }
  return seen;
}
function depsOf(dag: Dag, name: string): Set<string> {
  const seen = new Set([name]);
  const names = new Set(dag.nodes.map((n) => n.name));
  const todo = [name];
  while (todo.length) {
    const n = dag.nodes.find((x) => x.name === todo.pop());
    for (const d of n?.deps ?? []) if (names.has(d) && !seen.has(d)) { seen.add(d); todo.push(d); }
  }
  return seen;
}

function skipReason(): string | undefined {
  if (!fs.existsSync(chromium)) {
    const why = `no Chromium at ${chromium} (set CHROMIUM_BIN, or apt-get install chromium)`;
    if (required) throw new Error(`REQUIRE_BROWSER=1 but ${why}`);
    return why;
  }
  if (!fs.existsSync(path.join(root, 'dist', 'webview.js'))) throw new Error('dist/webview.js missing: npm run build');
  return undefined;
}

/** DAG JSON fixtures: the examples through the real proxy, plus a synthetic DAG with every status
 * and review mark the examples lack (error, pending, findings, dismissed). */
function fixtures(): Array<{ name: string; dag: Dag }> {
  const out: Array<{ name: string; dag: Dag }> = [];
  if (fs.existsSync(proxyBin)) {
    const dir = path.join(repo, 'examples');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.lean')).sort()) {
      const json = execFileSync(proxyBin, ['dag', '--format', 'json', path.join(dir, f)], { encoding: 'utf8', timeout: 20000 });
      out.push({ name: f.replace(/\.lean$/, ''), dag: JSON.parse(json) as Dag });
    }
    assert.ok(out.length >= 3, `${out.length} examples`);
  } else if (required) {
    throw new Error(`REQUIRE_BROWSER=1 but no lsp-proxy at ${proxyBin} (LSP_PROXY_BIN)`);
  } else {
    console.log(`# no lsp-proxy at ${proxyBin}: only the synthetic DAG`);
  }
  const s = sampleDag();
  s.nodes.push({ name: 'waiting', label: 'lem:waiting', kind: 'lemma', status: 'pending', leaf: false, deps: ['base_lemma'], range: s.nodes[1].range });
  s.nodes.find((n) => n.name === 'main_thm')!.review = 'findings';
  s.nodes.find((n) => n.name === 'base_lemma')!.review = 'dismissed';
  s.summary = { nodes: 6, proved: 1, sorry: 2, error: 1, leaves: 1 };
  out.push({ name: 'synthetic', dag: s });
  return out;
}

const reason = skipReason();
if (reason) console.log(`# SKIP browser test: ${reason}`);

describe('DAG view in headless Chromium', { skip: reason ?? false, timeout: 60000 }, () => {
  let browser: Browser;
  let page: Page;
  const offsite: string[] = [];
  const problems: string[] = [];
  const all = reason ? [] : fixtures();

  before(async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { chromium: pw } = require('playwright-core') as typeof import('playwright-core');
    browser = await pw.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const html = webviewHtml({ scriptUri: `${ORIGIN}/dist/webview.js`, cspSource: ORIGIN, nonce: NONCE, title: 'DAG test' });
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url === `${ORIGIN}/index.html`) return route.fulfill({ contentType: 'text/html', body: html });
      if (url === `${ORIGIN}/dist/webview.js`)
        return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(path.join(root, 'dist', 'webview.js')) });
      offsite.push(url);
      return route.abort();
    });
    page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // The webview's API, recording what the page posts.
    await page.addInitScript(() => {
      const w = window as unknown as { __posted: unknown[]; __state: unknown; acquireVsCodeApi: () => unknown };
      w.__posted = [];
      w.__state = undefined;
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => { w.__posted.push(m); },
        getState: () => w.__state,
        setState: (s: unknown) => { w.__state = s; },
      });
    });
    fs.mkdirSync(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  const posted = () => page.evaluate(() => (window as unknown as { __posted: Array<{ type: string; name?: string }> }).__posted);
  async function clearPosted(): Promise<void> {
    await page.evaluate(() => { (window as unknown as { __posted: unknown[] }).__posted.length = 0; });
  }
  async function rendered(): Promise<string> {
    return (await page.evaluate(() => document.body.dataset.rendered)) ?? '';
  }
  /** Runs an action and waits for the page to finish the redraw it causes. */
  async function redraw(action: () => Promise<unknown>): Promise<void> {
    const before = await rendered();
    await action();
    await page.waitForFunction((b) => (document.body.dataset.rendered ?? '') !== b, before, { timeout: 10000 });
  }
  async function shownNames(): Promise<string[]> {
    return page.$$eval('#graph g.node', (gs) => gs.map((g) => g.getAttribute('data-name') ?? ''));
  }
  async function load(dag: Dag): Promise<void> {
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
    await redraw(() => page.evaluate((d) => window.postMessage({ type: 'dag', dag: d }, '*'), dag));
  }

  test('the page loads with its script under the CSP, nothing from the network, no errors', async () => {
    await load(all[0].dag);
    assert.deepEqual(offsite, []);
    assert.deepEqual(problems, []);
    const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content'));
    assert.match(csp!, /^default-src 'none'; script-src 'nonce-testnonce0123456789' https:\/\/webview\.test;/);
    assert.deepEqual((await posted()).filter((m) => m.type === 'ready').length, 1);
  });

  for (const { name, dag } of all) {
    test(`${name}: every node drawn with its palette colour, shape and border; edges to deps; counts`, async () => {
      await load(dag);
      const names = await shownNames();
      assert.equal(names.length, dag.nodes.length);
      assert.deepEqual([...names].sort(), dag.nodes.map((n) => n.name).sort());
      const drawn = await page.$$eval('#graph g.node', (gs) => gs.map((g) => {
        const frame = g.querySelector('rect.frame')!;
        const box = (g as SVGGElement).getBBox();
        const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(g.getAttribute('transform') ?? '')!;
        return {
          name: g.getAttribute('data-name')!, fill: frame.getAttribute('fill'), rx: Number(frame.getAttribute('rx')),
          text: g.querySelector('text.name')!.getAttribute('fill'), textContent: g.querySelector('text.name')!.textContent,
          inner: !!g.querySelector('rect.inner'), prove: !!g.querySelector('g.prove'),
          badge: g.querySelector('g.badge')?.getAttribute('class') ?? '',
          x: Number(m[1]), y: Number(m[2]), w: Number(frame.getAttribute('width')), h: Number(frame.getAttribute('height')), bw: box.width,
        };
      }));
      const at = new Map(drawn.map((d) => [d.name, d]));
      for (const n of dag.nodes) {
        const d = at.get(n.name)!;
        assert.equal(d.fill, FILL[expectedCategory(n)], `${n.name} (${n.status}${n.leaf ? ', leaf' : ''}) fill`);
        assert.equal(d.text, expectedText(n), `${n.name} text colour`);
        assert.equal(d.textContent, n.name);
        if (n.kind === 'definition') assert.equal(d.rx, 0, `${n.name}: a definition is a box`);
        else assert.ok(d.rx > 0, `${n.name}: rounded`);
        assert.equal(d.inner, n.kind === 'theorem', `${n.name}: double border iff theorem`);
        assert.equal(d.prove, n.leaf, `${n.name}: Prove button iff leaf`);
        if (n.review === 'findings') assert.match(d.badge, /review-findings/, n.name);
        else if (n.review === 'dismissed') assert.match(d.badge, /review-dismissed/, n.name);
        else assert.equal(d.badge, '', n.name);
      }
      // Laid out: no two nodes overlap; a node sits below what it uses (arrows point up).
      for (const a of drawn)
        for (const b of drawn)
          if (a !== b) assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `${a.name} overlaps ${b.name}`);
      const known = new Set(dag.nodes.map((n) => n.name));
      const want = dag.nodes.flatMap((n) => [...new Set(n.deps)].filter((d) => known.has(d) && d !== n.name).map((d) => `${n.name}>${d}`));
      const edges = await page.$$eval('#graph path.edge', (ps) => ps.map((p) => `${p.getAttribute('data-from')}>${p.getAttribute('data-to')}`));
      assert.deepEqual([...edges].sort(), [...want].sort());
      for (const e of want) {
        const [from, to] = e.split('>');
        assert.ok(at.get(from)!.y > at.get(to)!.y, `${from} is drawn below ${to}, which it uses`);
      }
      const summary = await page.textContent('#summary');
      const s = dag.summary!;
      assert.ok(summary!.startsWith(`${s.nodes} nodes: ${s.proved} proved, ${s.sorry} sorry (${s.leaves} dynamic leaves), ${s.error} error`), summary!);
      const legend = await page.$$eval('#legend [data-category] .swatch', (ss) => ss.map((s) => (s as HTMLElement).style.background));
      assert.equal(legend.length, 6);
      await page.screenshot({ path: path.join(artifacts, `dag-view-${name}.png`), fullPage: true });
      if (name === 'number_theory' || (name === 'synthetic' && !fs.existsSync(path.join(artifacts, 'dag-view.png'))))
        await page.screenshot({ path: path.join(artifacts, 'dag-view.png'), fullPage: true });
      assert.deepEqual(problems, []);
    });
  }

  test('a click on a node posts jump; the Prove button of a leaf posts prove (and no jump)', async () => {
    const { dag } = all[0];
    await load(dag);
    const target = dag.nodes.find((n) => !n.leaf)!;
    await clearPosted();
    await redraw(() => page.click(`#graph g.node[data-name="${target.name}"] rect.frame`, { position: { x: 6, y: 6 } }));
    assert.deepEqual(await posted(), [{ type: 'jump', name: target.name }]);
    assert.equal(await page.getAttribute(`#graph g.node[data-name="${target.name}"]`, 'class').then((c) => /\bselected\b/.test(c ?? '')), true);
    const leaf = dag.nodes.find((n) => n.leaf)!;
    await clearPosted();
    await page.click(`#graph g.node[data-name="${leaf.name}"] g.prove`);
    assert.deepEqual(await posted(), [{ type: 'prove', name: leaf.name }]);
    // The extension selects the node at the editor's cursor: highlighted, no jump posted back.
    await clearPosted();
    const other = dag.nodes.find((n) => n.name !== target.name && n.deps.length)!;
    await page.evaluate((name) => window.postMessage({ type: 'select', name }, '*'), other.name);
    await page.waitForSelector(`#graph g.node.selected[data-name="${other.name}"]`);
    assert.equal(await page.$$eval('#graph g.node.selected', (gs) => gs.length), 1);
    assert.ok(await page.$$eval('#graph path.edge.hl', (ps) => ps.length) >= other.deps.length);
    assert.match((await page.textContent('#selected'))!, new RegExp(other.name));
    assert.deepEqual(await posted(), []);
    // Keyboard: Enter on a focused node jumps too.
    await clearPosted();
    await page.focus(`#graph g.node[data-name="${leaf.name}"]`);
    await redraw(() => page.keyboard.press('Enter'));
    assert.deepEqual(await posted(), [{ type: 'jump', name: leaf.name }]);
  });

  test('filters: only unproved, ancestors and descendants of the selected node, together', async () => {
    const dag = all.find((f) => f.name === 'number_theory')?.dag ?? all[0].dag;
    await load(dag);
    await redraw(() => page.check('#f-unproved'));
    const unproved = dag.nodes.filter((n) => n.kind !== 'definition' && ['sorry', 'error', 'pending'].includes(n.status)).map((n) => n.name);
    assert.deepEqual((await shownNames()).sort(), [...unproved].sort());
    await redraw(() => page.uncheck('#f-unproved'));
    assert.equal((await shownNames()).length, dag.nodes.length);

    // The node with the most users: select it, then scope to its ancestors.
    const pick = [...dag.nodes].sort((a, b) => usersOf(dag, b.name).size - usersOf(dag, a.name).size)[0];
    const ups = usersOf(dag, pick.name);
    assert.ok(ups.size > 1 && ups.size < dag.nodes.length, `${pick.name} has users and the filter hides something`);
    await redraw(() => page.click(`#graph g.node[data-name="${pick.name}"] rect.frame`, { position: { x: 6, y: 6 } }));
    await redraw(() => page.selectOption('#f-scope', 'ancestors'));
    assert.deepEqual((await shownNames()).sort(), [...ups].sort());
    assert.match((await page.textContent('#selected'))!, new RegExp(pick.name));
    await redraw(() => page.check('#f-unproved'));
    assert.deepEqual((await shownNames()).sort(), [...ups].filter((x) => unproved.includes(x)).sort());
    await redraw(() => page.uncheck('#f-unproved'));

    // Descendants of the node with the most dependencies.
    const top = [...dag.nodes].sort((a, b) => depsOf(dag, b.name).size - depsOf(dag, a.name).size)[0];
    await redraw(() => page.selectOption('#f-scope', 'all'));
    await redraw(() => page.click(`#graph g.node[data-name="${top.name}"] rect.frame`, { position: { x: 6, y: 6 } }));
    await redraw(() => page.selectOption('#f-scope', 'descendants'));
    assert.deepEqual((await shownNames()).sort(), [...depsOf(dag, top.name)].sort());
    await page.screenshot({ path: path.join(artifacts, 'dag-view-descendants.png'), fullPage: true });

    // A new DAG keeps the filters (the state survives like a webview's setState).
    await redraw(() => page.evaluate((d) => window.postMessage({ type: 'dag', dag: d }, '*'), dag));
    assert.deepEqual((await shownNames()).sort(), [...depsOf(dag, top.name)].sort());
    assert.deepEqual(problems, []);
  });

  test('fit to width scales a wide graph down to the panel, not below 60 %; off draws it at full size', async () => {
    const { dag } = all.find((f) => f.name === 'number_theory') ?? all[0];
    await page.setViewportSize({ width: 700, height: 900 });
    try {
      await load(dag);
      const scaleOf = () => page.$eval('#graph svg', (s) => ({ scale: Number((s as SVGSVGElement).dataset.scale), w: Number(s.getAttribute('width')), vb: (s as SVGSVGElement).viewBox.baseVal.width }));
      const on = await scaleOf();
      assert.ok(on.scale >= 0.6 && on.scale <= 1, `scale ${on.scale}`);
      assert.equal(on.w, Math.ceil(on.vb * on.scale));
      await page.uncheck('#f-fit');
      const off = await scaleOf();
      assert.equal(off.scale, 1);
      assert.equal(off.w, Math.ceil(off.vb));
      await page.check('#f-fit');
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  test('the CSP is enforced: an inline script without the nonce does not run, fetch and remote images are refused', async () => {
    await load(all[0].dag);
    const before = problems.length;
    const r = await page.evaluate(async () => {
      const w = window as unknown as { __inline?: number };
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.appendChild(s);
      let fetched = 'no';
      try { await fetch('https://example.com/x'); fetched = 'yes'; } catch { fetched = 'refused'; }
      const img = new Image();
      const loaded = await new Promise<string>((res) => { img.onload = () => res('loaded'); img.onerror = () => res('refused'); img.src = 'https://example.com/x.png'; });
      return { inline: w.__inline, fetched, loaded };
    });
    assert.deepEqual(r, { inline: undefined, fetched: 'refused', loaded: 'refused' });
    // Chromium reports each refusal on the console; nothing reached the network either.
    const refusals = problems.splice(before);
    assert.ok(refusals.length >= 1 && refusals.every((m) => /Content Security Policy|Refused/i.test(m)), refusals.join('\n'));
    assert.deepEqual(offsite, []);
  });

  test('an error message from the extension is shown; a note; Refresh posts refresh; a DAG with no nodes says so', async () => {
    await load(all[0].dag);
    assert.equal(await page.isHidden('#note'), true);
    await redraw(() => page.evaluate((d) => window.postMessage({ type: 'dag', dag: d, note: 'from lsp-proxy dag' }, '*'), all[0].dag));
    assert.equal(await page.textContent('#note'), 'from lsp-proxy dag');
    await clearPosted();
    await page.click('#refresh');
    assert.deepEqual(await posted(), [{ type: 'refresh' }]);
    await page.evaluate(() => window.postMessage({ type: 'error', message: 'lsp-proxy dag failed: boom' }, '*'));
    await page.waitForSelector('#error:not([hidden])');
    assert.equal(await page.textContent('#error'), 'lsp-proxy dag failed: boom');
    await redraw(() => page.evaluate(() => window.postMessage({ type: 'dag', dag: { uri: 'file:///e.lean', nodes: [] } }, '*')));
    assert.equal(await page.isHidden('#error'), true);
    assert.equal(await page.textContent('#empty'), 'This file has no blueprint nodes.');
    assert.equal((await shownNames()).length, 0);
    assert.deepEqual(offsite, []);
  });
});
