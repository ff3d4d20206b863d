import { Dag } from '../src/dag';

const r = (sl: number, sc: number, el: number, ec: number) =>
  ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

/** A DAG shaped like `lsp-proxy dag --format json` output. */
export function sampleDag(uri = 'file:///proj/Main.lean'): Dag {
  return {
    uri, version: 3,
    nodes: [
      { name: 'one_mod_four', label: 'def:one-mod-four', kind: 'definition', status: 'definition', leaf: false, deps: [], range: r(2, 0, 5, 10) },
      { name: 'base_lemma', label: 'lem:base', kind: 'lemma', status: 'proved', leaf: false, deps: [], range: r(7, 0, 12, 7) },
      { name: 'leaf_lemma', label: 'lem:leaf', kind: 'lemma', status: 'sorry', leaf: true, deps: ['base_lemma'], range: r(14, 0, 20, 20) },
      { name: 'broken', label: 'lem:broken', kind: 'lemma', status: 'error', leaf: false, deps: [], range: r(22, 0, 26, 5) },
      { name: 'main_thm', label: 'thm:main', kind: 'theorem', status: 'sorry', leaf: false, deps: ['leaf_lemma', 'broken'], range: r(28, 0, 34, 12) },
    ],
    summary: { nodes: 5, proved: 1, sorry: 2, error: 1, leaves: 1 },
  };
}
