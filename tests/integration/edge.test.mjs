// The server's edge (issue 13's "The edge"): what it creates on disk is its owner's alone, and the
// control API refuses bodies far larger than any it takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServer } from '../lib/setup.mjs';

const ctx = useServer();

test('the database, its WAL and the generated session secret are mode 0600', async () => {
  const { dataDir, databaseUrl } = ctx.tp;
  // On PostgreSQL (TURNPIKE_TEST_DATABASE) the data directory holds only the secret.
  const files = databaseUrl.startsWith('sqlite') ? ['turnpike.db', 'turnpike.db-wal', 'jwt_secret'] : ['jwt_secret'];
  for (const name of files) {
    const file = path.join(dataDir, name);
    if (!fs.existsSync(file) && name.endsWith('-wal')) continue;  // checkpointed away
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600', name);
  }
});

test('the control API answers 413 to a body over 64 KiB, and still takes a normal one', async () => {
  const big = JSON.stringify({ email: 'x@example.test', password: 'p'.repeat(70 * 1024) });
  const r = await fetch(`${ctx.tp.controlUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: big,
  });
  assert.equal(r.status, 413);
  const small = await fetch(`${ctx.tp.controlUrl}/api/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong-password-1' }),
  });
  assert.equal(small.status, 401);
});
