// The web console (/_gcpsim/ui/) in headless Chromium (Debian's, driven by playwright-core):
// resources made by the official clients show on its pages, and what is done on its pages
// (publish, upload, fault rules, clock) is what the clients then see. Every page is
// screenshotted, must log no console error, and the console may talk to gcpsim only.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { chromium } = require('playwright-core');
const { PubSub, v1 } = require('@google-cloud/pubsub');
const { Storage } = require('@google-cloud/storage');
const { SecretManagerServiceClient } = require('@google-cloud/secret-manager');
const { CloudTasksClient } = require('@google-cloud/tasks');
const { grpc } = require('google-gax');
const { startGcpsim } = require('./lib/gcpsim');

const PROJECT = 'demo-project';
const LOCATION = `projects/${PROJECT}/locations/us-central1`;
const CHROMIUM = process.env.GCPSIM_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.GCPSIM_ARTIFACTS || path.join(os.tmpdir(), 'gcpsim-console-artifacts');

let sim, browser, page, profile;
let pubsub, subscriber, storage, secrets, tasks, worker;
const consoleErrors = [];
const foreignRequests = [];
const requests = [];

before(async () => {
  sim = await startGcpsim(['--clock', 'virtual', '--start-time', '2026-05-01T00:00:00Z', '--seed', '7']);
  process.env.PUBSUB_EMULATOR_HOST = sim.host;
  pubsub = new PubSub({ projectId: PROJECT });
  subscriber = new v1.SubscriberClient({ apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() });
  storage = new Storage({ apiEndpoint: sim.url, projectId: PROJECT });
  const grpcOpts = { apiEndpoint: '127.0.0.1', port: sim.port, sslCreds: grpc.credentials.createInsecure() };
  secrets = new SecretManagerServiceClient(grpcOpts);
  tasks = new CloudTasksClient(grpcOpts);
  worker = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  await new Promise((r) => worker.listen(0, '127.0.0.1', r));

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = browser.pages()[0] || await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  page.on('request', (r) => {
    requests.push(r.url());
    if (!r.url().startsWith(`${sim.url}/`) && !/^(data|blob):/.test(r.url())) foreignRequests.push(r.url());
  });
});

after(async () => {
  await browser?.close();
  fs.rmSync(profile, { recursive: true, force: true });
  await Promise.all([pubsub.close(), subscriber.close(), secrets.close(), tasks.close()]);
  await new Promise((r) => worker.close(r));
  await sim.stop();
});

// Opens a console route and waits for its heading; screenshots it under `shot`.
async function open(route, heading, shot) {
  await page.goto(`${sim.url}/_gcpsim/ui/#/${route}`);
  await page.locator('main h1', { hasText: heading }).first().waitFor();
  if (shot) await page.screenshot({ path: path.join(ARTIFACTS, `${shot}.png`), fullPage: true });
}

const text = (sel = 'main') => page.locator(sel).innerText();
const waitText = (t, sel = 'main') => page.locator(sel, { hasText: t }).first().waitFor();

async function pull(sub, n = 1) {
  const [res] = await subscriber.pull({ subscription: `projects/${PROJECT}/subscriptions/${sub}`, maxMessages: n });
  return res.receivedMessages;
}

test('resources made by the clients are on the pages, every page loads without console errors', async () => {
  const [topic] = await pubsub.createTopic('orders');
  await topic.createSubscription('orders-worker');
  await pubsub.createTopic('orders-dead');
  await topic.createSubscription('orders-audit', {
    deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/orders-dead`, maxDeliveryAttempts: 5 },
  });
  await storage.createBucket('console-bucket');
  await storage.bucket('console-bucket').file('reports/2026/may.csv').save('a,b\n1,2\n');
  const [secret] = await secrets.createSecret({ parent: `projects/${PROJECT}`, secretId: 'api-key', secret: { replication: { automatic: {} } } });
  await secrets.addSecretVersion({ parent: secret.name, payload: { data: Buffer.from('s3cr3t-value') } });
  await tasks.createQueue({ parent: LOCATION, queue: { name: `${LOCATION}/queues/emails` } });

  await open('', 'Overview', 'overview');
  await waitText('demo-project');
  assert.match(await text(), /Seed\s+7/);
  await open('pubsub', 'Pub/Sub', 'pubsub');
  await waitText('orders-audit');
  const pubsubText = await text();
  for (const name of ['orders', 'orders-worker', 'orders-dead']) assert.ok(pubsubText.includes(name), name);
  assert.match(pubsubText, /orders-dead after 5/);
  await open('storage', 'Storage', 'storage');
  await waitText('console-bucket');
  await open('storage/console-bucket/reports%2F2026%2F', 'Bucket', 'storage-prefix');
  await waitText('may.csv');
  await open('storage/console-bucket/o/reports%2F2026%2Fmay.csv', 'Object', 'storage-object');
  await waitText('Generations');
  await open('secrets', 'Secret Manager', 'secrets');
  await waitText('api-key');
  await open('tasks', 'Cloud Tasks', 'tasks');
  await waitText('emails');
  for (const [route, heading] of [['run', 'Cloud Run'], ['backing', 'Backing servers'], ['faults', 'Faults'], ['events', 'Events'], ['scenarios', 'Scenarios']])
    await open(route, heading, route);
  assert.deepEqual(consoleErrors, []);
});

test('a message published from the console is pulled by the client with its attributes and ordering key', async () => {
  await open(`pubsub/topic/${encodeURIComponent(`projects/${PROJECT}/topics/orders`)}`, 'Topic');
  const form = page.getByRole('form', { name: 'Publish a message' });
  await form.getByLabel('Message data').fill('from the console');
  await form.getByLabel('Attributes, key=value per line').fill('source=console\nkind=test');
  await form.getByLabel('Ordering key').fill('customer-1');
  await form.getByRole('button', { name: 'Publish' }).click();
  await waitText('Published message', '#toast');
  const [m] = await pull('orders-worker');
  assert.equal(m.message.data.toString(), 'from the console');
  assert.deepEqual({ ...m.message.attributes }, { source: 'console', kind: 'test' });
  assert.equal(m.message.orderingKey, 'customer-1');
  await subscriber.acknowledge({ subscription: `projects/${PROJECT}/subscriptions/orders-worker`, ackIds: [m.ackId] });
});

test('peeking shows a message without consuming it: a later pull still gets it', async () => {
  await pubsub.topic('orders').publishMessage({ data: Buffer.from('peek at me'), attributes: { n: '1' } });
  await open(`pubsub/sub/${encodeURIComponent(`projects/${PROJECT}/subscriptions/orders-worker`)}`, 'Subscription', 'pubsub-peek');
  await waitText('peek at me');
  assert.match(await text(), /1 ready · 0 unacked/);
  await page.getByRole('button', { name: 'Peek', exact: true }).click();
  await waitText('peek at me');
  const got = await pull('orders-worker');
  assert.equal(got.length, 1);
  assert.equal(got[0].message.data.toString(), 'peek at me');
  assert.equal(got[0].deliveryAttempt, 0);
});

test('a file uploaded from the console downloads through the client', async () => {
  await open('storage/console-bucket', 'Bucket');
  const body = Buffer.from('uploaded through the console\n');
  await page.getByLabel('File to upload').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: body });
  await page.getByRole('form', { name: 'Upload an object' }).getByRole('button', { name: 'Upload', exact: true }).click();
  await waitText('note.txt', 'table[aria-label="Objects"]');
  const [downloaded] = await storage.bucket('console-bucket').file('note.txt').download();
  assert.deepEqual(downloaded, body);
  const [meta] = await storage.bucket('console-bucket').file('note.txt').getMetadata();
  assert.equal(meta.contentType, 'text/plain');
});

test('a secret payload is fetched and shown only on an explicit click, and never logged', async () => {
  const before = requests.length;
  await open(`secrets/${encodeURIComponent(`projects/${PROJECT}/secrets/api-key`)}`, 'Secret', 'secret');
  await waitText('ENABLED');
  assert.ok(!(await page.content()).includes('s3cr3t-value'));
  assert.ok(!requests.slice(before).some((u) => u.includes(':access')), 'no access call before the click');
  await page.getByRole('button', { name: 'Reveal version 1' }).click();
  await waitText('s3cr3t-value');
  assert.ok(requests.slice(before).some((u) => u.includes('/versions/1:access')));
  const log = await fetch(`${sim.url}/_gcpsim/events`).then((r) => r.text());
  assert.ok(log.includes('AccessSecretVersion'), 'the access is logged');
  assert.ok(!log.includes('s3cr3t-value') && !log.includes(Buffer.from('s3cr3t-value').toString('base64')), 'its payload is not');
});

test('advancing the clock from the console dispatches a scheduled task, seen live in the timeline', async () => {
  const { body: clock } = await sim.control('GET', 'clock');
  const due = Math.floor(Date.parse(clock.now) / 1000) + 600;
  await tasks.createTask({
    parent: `${LOCATION}/queues/emails`,
    task: { name: `${LOCATION}/queues/emails/tasks/welcome`, scheduleTime: { seconds: due },
      httpRequest: { url: `http://127.0.0.1:${worker.address().port}/send`, httpMethod: 'POST' } },
  });
  await open('events', 'Events');
  await page.evaluate(() => { window.notReloaded = true; });
  await page.getByLabel('Filter by kind').fill('tasks.dispatch');
  assert.equal(await page.locator('.vlist .vrow').count(), 0);
  await page.getByLabel('Duration to advance').fill('15m');
  await page.getByRole('button', { name: 'Advance' }).click();
  await waitText('welcome', '.vlist');
  await page.screenshot({ path: path.join(ARTIFACTS, 'events-dispatch.png') });
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await waitText('00:15:00', '#clock-now');
});

test('events arrive live without a reload, and an event opens with its related events', async () => {
  await open('events', 'Events');
  await page.evaluate(() => { window.notReloaded = true; });
  await page.getByLabel('Filter by kind').fill('pubsub.*');
  const id = await pubsub.topic('orders').publishMessage({ data: Buffer.from('live') });
  await waitText('pubsub.published', '.vlist');
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  await page.locator('.vlist .vrow', { hasText: 'pubsub.published' }).last().click();
  await waitText('Related events', '.detail');
  assert.match(page.url(), /#\/events\/\d+$/);
  assert.ok((await text('.detail')).includes(`"message_id": "${id}"`));
  // Keyboard: the list takes focus and arrows move the selection.
  await page.locator('.vlist').focus();
  await page.keyboard.press('Home');
  assert.equal(await page.locator('.vrow.selected').count(), 1);
});

test('a fault added from the form makes a client call fail; removing it from the table heals it', async () => {
  await open('faults', 'Faults');
  const form = page.getByRole('form', { name: 'Add a fault rule' });
  await form.getByLabel('Probability').fill('2');
  await form.getByLabel('Method').fill('pubsub.GetTopic');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await waitText('probability must be between 0 and 1', 'form');
  await form.getByLabel('Probability').fill('1');
  await form.getByLabel('Error code').selectOption('PERMISSION_DENIED');
  await form.getByRole('button', { name: 'Add rule' }).click();
  await waitText('pubsub.GetTopic', 'table[aria-label="Fault rules"]');
  await assert.rejects(pubsub.topic('orders').getMetadata(), (e) => e.code === 7);
  await page.screenshot({ path: path.join(ARTIFACTS, 'faults.png'), fullPage: true });
  // The table's Seen and Fired counters move without a reload.
  await page.waitForFunction(() => {
    const cells = [...document.querySelectorAll('table[aria-label="Fault rules"] tbody tr td')].map((td) => td.textContent);
    return cells[4] === '1' && cells[5] === '1';
  });
  await page.getByRole('button', { name: /^Remove rule / }).click();
  await waitText('No fault rules.');
  const [meta] = await pubsub.topic('orders').getMetadata();
  assert.equal(meta.name, `projects/${PROJECT}/topics/orders`);
});

test('the console made no request to any host but gcpsim, and logged no console error', () => {
  assert.ok(requests.length > 20);
  assert.deepEqual(foreignRequests, []);
  assert.deepEqual(consoleErrors, []);
});
