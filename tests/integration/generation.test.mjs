// GET /api/v1/generation reports what a request cost exactly, whatever strings the provider put in
// the answer: its total_cost is the micro-dollar charge written as a JSON number, never a text
// substitution that a provider's own string could capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useJsonUpstream } from '../lib/setup.mjs';
import {
  chatJson, eventually, fixtureJson, getJson, nonce, usdToMicros, userMessage,
} from '../lib/gateway.mjs';

// A recorded OpenAI answer whose finish_reason carries the placeholder text an earlier version of
// the route replaced (the first match anywhere in the body).
const ANSWER = { ...fixtureJson('chat-nonstream-text-after-tool-results.json') };
ANSWER.choices = ANSWER.choices.map((c) => ({ ...c, finish_reason: '__COST__' }));

const ctx = useJsonUpstream(ANSWER);

test('generation: total_cost is the charge even when the answer carries "__COST__" text', async () => {
  const { tp } = ctx;
  const { key } = await tp.account({ credits: '5' });
  const r = await chatJson(tp, key, userMessage(`hi ${nonce()}`, { model: 'fakeco/duo' }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const id = r.headers.get('x-request-id');
  // The request log is written in batches: the row appears within a moment.
  const g = await eventually(async () => {
    const got = await getJson(tp, `/api/v1/generation?id=${id}`, key);
    return got.status === 200 && got;
  }, { what: `generation ${id} logged` });
  assert.equal(g.body.data.finish_reason, '__COST__', 'the provider\'s string is reported as it came');
  assert.equal(typeof g.body.data.total_cost, 'number');
  assert.equal(usdToMicros(g.body.data.total_cost), usdToMicros(r.body.usage.cost));
});
