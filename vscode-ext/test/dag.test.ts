import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { actionProblem, candidates, describeNode, nodeAtPosition, parseDag, summaryText } from '../src/dag';
import { sampleDag } from '../testlib/fixtures';

test('nodeAtPosition: inside, on both ends, between nodes', () => {
  const d = sampleDag();
  assert.equal(nodeAtPosition(d, { line: 16, character: 3 })?.name, 'leaf_lemma');
  assert.equal(nodeAtPosition(d, { line: 14, character: 0 })?.name, 'leaf_lemma');
  assert.equal(nodeAtPosition(d, { line: 20, character: 20 })?.name, 'leaf_lemma');
  assert.equal(nodeAtPosition(d, { line: 20, character: 21 }), undefined);
  assert.equal(nodeAtPosition(d, { line: 13, character: 0 }), undefined);
  assert.equal(nodeAtPosition(d, { line: 0, character: 0 }), undefined);
  assert.equal(nodeAtPosition(d, { line: 33, character: 99 })?.name, 'main_thm');
});

test('nodeAtPosition: the innermost of nested ranges', () => {
  const d = sampleDag();
  d.nodes.push({ name: 'helper', kind: 'lemma', status: 'sorry', leaf: true, deps: [],
    range: { start: { line: 30, character: 2 }, end: { line: 31, character: 0 } } });
  assert.equal(nodeAtPosition(d, { line: 30, character: 5 })?.name, 'helper');
  assert.equal(nodeAtPosition(d, { line: 29, character: 5 })?.name, 'main_thm');
});

test('actionProblem and candidates', () => {
  const d = sampleDag();
  const by = (n: string) => d.nodes.find((x) => x.name === n)!;
  assert.match(actionProblem(by('one_mod_four'), 'prove')!, /definition/);
  assert.match(actionProblem(by('base_lemma'), 'prove')!, /already proved/);
  assert.equal(actionProblem(by('leaf_lemma'), 'prove'), undefined);
  assert.equal(actionProblem(by('broken'), 'repair'), undefined);
  assert.match(actionProblem(by('leaf_lemma'), 'repair')!, /no Lean error/);
  assert.deepEqual(candidates(d, 'prove').map((n) => n.name), ['leaf_lemma', 'broken', 'main_thm']);
  assert.deepEqual(candidates(d, 'repair').map((n) => n.name), ['broken']);
});

test('parseDag accepts the JSON text and rejects what is not a DAG', () => {
  const d = parseDag(JSON.stringify(sampleDag()));
  assert.equal(d.nodes.length, 5);
  assert.throws(() => parseDag('{"nodes": 3}'), /no "nodes" array/);
  assert.throws(() => parseDag({ nodes: [{ name: 'x' }] }), /node x has no range/);
  assert.throws(() => parseDag({ nodes: [{ range: {} }] }), /node 0 has no name/);
  assert.throws(() => parseDag('not json'));
  assert.deepEqual(parseDag({ nodes: [{ name: 'y', range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } } }] }).nodes[0].deps, []);
});

test('describeNode and summaryText', () => {
  const d = sampleDag();
  const leaf = describeNode(d.nodes[2]);
  assert.match(leaf.label, /leaf_lemma/);
  assert.match(leaf.description, /lemma · sorry · leaf · lem:leaf/);
  assert.equal(leaf.detail, 'uses base_lemma');
  assert.equal(summaryText(d), '5 nodes: 1 proved, 2 sorry, 1 error, 1 leaves');
  assert.equal(summaryText({ uri: '', nodes: d.nodes }), '5 nodes');
});
