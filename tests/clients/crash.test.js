// kill -9 under load with --data-dir (bench/crash.js with a few cycles): everything gcpsim
// acknowledged is there after each restart, acked messages stay acked, nothing half-written.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { run } = require('../../bench/crash');

test('SIGKILL at seeded moments under load loses nothing acknowledged', async () => {
  const res = await run({ cycles: 6, seed: 25, workers: 4, maxOps: 60 });
  assert.ok(res.operations > 6 * 5, `only ${res.operations} operations`);
  console.log(JSON.stringify(res));
  assert.deepEqual(res.losses, { pubsub: 0, storage: 0, resumable: 0, secrets: 0, tasks: 0 }, res.notes.join('\n'));
});
