import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { describeJob, isActive, statusBarView } from '../src/status';

test('status bar: no proxy answering', () => {
  const v = statusBarView(undefined);
  assert.match(v.text, /circle-slash/);
  assert.match(v.tooltip, /not answering/);
  assert.equal(v.active, 0);
});

test('status bar: counts running (with verifying) and queued jobs, lean state when not running', () => {
  const v = statusBarView({
    jobs: [
      { id: '1', kind: 'prove', state: 'running' }, { id: '2', kind: 'prove', state: 'verifying' },
      { id: '3', kind: 'repair', state: 'queued' }, { id: '4', kind: 'review', state: 'failed', message: 'x' },
      { id: '5', kind: 'tactics', state: 'succeeded' },
    ],
    lean: 'restarting', llm: { provider: 'openai', model: 'm', requests: 7, tokensIn: 100, tokensOut: 20 },
  });
  assert.equal(v.text, '$(sync~spin) marathon: 2 running, 1 queued (lean restarting)');
  assert.equal(v.active, 3);
  assert.match(v.tooltip, /LLM: openai m, 7 requests, 100 tokens in, 20 out/);
  assert.match(v.tooltip, /Jobs: 3 active, 1 succeeded, 1 failed/);
});

test('status bar: idle', () => {
  const v = statusBarView({ jobs: [{ id: '1', kind: 'prove', state: 'cancelled' }], lean: 'running' });
  assert.equal(v.text, '$(check) marathon');
  assert.equal(v.active, 0);
  assert.match(v.tooltip, /LLM: none/);
});

test('isActive and describeJob', () => {
  assert.equal(isActive({ id: 'a', kind: 'prove', state: 'queued' }), true);
  assert.equal(isActive({ id: 'a', kind: 'prove', state: 'succeeded' }), false);
  const d = describeJob({ id: 'j7', kind: 'prove', name: 'foo', state: 'failed', attempts: 4, message: 'attempts exhausted' });
  assert.equal(d.label, 'prove foo');
  assert.equal(d.description, 'failed · 4 attempts · j7');
  assert.equal(d.detail, 'attempts exhausted');
});
