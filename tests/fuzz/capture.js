// Captures fuzz seeds from the official clients: they talk to a gcpsim through a recording
// TCP proxy, and each HTTP/1.1 connection's client bytes become an http_edge seed (signed
// URLs also a storage_signed_url seed). gRPC seeds are requests encoded by the client
// libraries' own protobuf classes, framed as gRPC sends them.
//   GCPSIM_BIN=build/emulator/gcpsim node tests/fuzz/capture.js
// Run from the repository root after the clients' `npm ci` (tests/clients).
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const crypto = require('node:crypto');

const clients = path.join(__dirname, '..', 'clients');
const need = (m) => require(require.resolve(m, { paths: [clients] }));
const { startGcpsim } = require(path.join(clients, 'lib', 'gcpsim'));
const CORPUS = path.join(__dirname, 'corpus');
const PROJECT = 'demo-project';

function save(target, name, bytes) {
  const dir = path.join(CORPUS, target);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `capture-${name}`), bytes);
}

// A proxy that keeps each HTTP/1.1 connection's client → server bytes.
function recorder(upstreamPort) {
  const conns = [];
  const server = net.createServer((c) => {
    const rec = [];
    conns.push(rec);
    const up = net.connect({ host: '127.0.0.1', port: upstreamPort });
    c.on('data', (d) => { rec.push(d); up.write(d); });
    up.on('data', (d) => c.write(d));
    c.on('end', () => up.end());
    up.on('end', () => c.end());
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    take: () => conns.splice(0).map((r) => Buffer.concat(r)).filter((b) => b.length),
    close: () => server.close(),
  })));
}

// Splits a recorded connection into requests of at most `max` bytes each (long uploads
// would otherwise make seeds libFuzzer truncates anyway).
function seedsOf(conn, max = 16384) {
  return conn.length <= max ? [conn] : [conn.subarray(0, max)];
}

async function storage(url, sim) {
  const { Storage } = need('@google-cloud/storage');
  const gcs = new Storage({ apiEndpoint: url, projectId: PROJECT });
  const [bucket] = await gcs.createBucket('capture');
  await bucket.file('small.txt').save('hello', { resumable: false, contentType: 'text/plain', metadata: { metadata: { k: 'v' } } });
  await bucket.file('big.bin').save(crypto.randomBytes(300 * 1024), { resumable: true, chunkSize: 256 * 1024 });
  await bucket.file('small.txt').download({ start: 1, end: 3 });
  await bucket.getFiles({ prefix: '', delimiter: '/' });
  await bucket.file('small.txt').setMetadata({ contentType: 'text/markdown' });
  await bucket.file('small.txt').copy(bucket.file('copy.txt'));
  await bucket.combine(['small.txt', 'copy.txt'], 'both.txt');
  const key = await (await fetch(`${sim.url}/_gcpsim/service-account.json`)).json();
  const signer = new Storage({ apiEndpoint: url, projectId: PROJECT, credentials: { client_email: key.client_email, private_key: key.private_key } });
  const f = signer.bucket('capture').file('docs/report 1.txt');
  const signed = [];
  for (const [version, action] of [['v4', 'write'], ['v4', 'read'], ['v2', 'read']]) {
    const [u] = await f.getSignedUrl({ version, action, expires: Date.now() + 600000, contentType: action === 'write' ? 'text/plain' : undefined });
    signed.push({ u: u.replace(/^http:\/\/[^/]+/, ''), action });
  }
  const [policy] = await f.generateSignedPostPolicyV4({ expires: Date.now() + 600000, fields: { 'x-goog-meta-a': 'b' } });
  const form = new FormData();
  for (const [k, v] of Object.entries(policy.fields)) form.append(k, v);
  form.append('file', new Blob(['posted']), 'a.txt');
  await fetch(`${url}/capture`, { method: 'POST', body: form });
  return signed;
}

async function restServices(url) {
  const json = { 'content-type': 'application/json' };
  const P = `projects/${PROJECT}`;
  await fetch(`${url}/v1/${P}/topics/cap`, { method: 'PUT', headers: json, body: '{}' });
  await fetch(`${url}/v1/${P}/topics/cap:publish`, { method: 'POST', headers: json, body: JSON.stringify({ messages: [{ data: 'aGk=', attributes: { a: 'b' } }] }) });
  await fetch(`${url}/v1/${P}/secrets?secretId=cap`, { method: 'POST', headers: json, body: JSON.stringify({ replication: { automatic: {} } }) });
  const { GoogleGenAI, Type } = need('@google/genai');
  const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: url } });
  await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Say hi',
    config: { responseMimeType: 'application/json', responseSchema: { type: Type.OBJECT, properties: { hi: { type: Type.STRING } } } } });
  await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'count' });
  await ai.models.embedContent({ model: 'gemini-embedding-001', contents: ['a', 'b'] });
  const stream = await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'stream' });
  for await (const _ of stream) { /* drain */ }
}

async function calendar(url) {
  const { google } = need('googleapis');
  const auth = new google.auth.OAuth2({ clientId: 'cap.apps.googleusercontent.com', clientSecret: 's', redirectUri: 'http://127.0.0.1:3000/cb',
    endpoints: { oauth2AuthBaseUrl: `${url}/o/oauth2/v2/auth`, oauth2TokenUrl: `${url}/token` } });
  const authUrl = auth.generateAuthUrl({ scope: ['https://www.googleapis.com/auth/calendar', 'openid', 'email'], access_type: 'offline' });
  const res = await fetch(authUrl, { redirect: 'manual' });
  const code = new URL(res.headers.get('location')).searchParams.get('code');
  const { tokens } = await auth.getToken(code);
  auth.setCredentials(tokens);
  const cal = google.calendar({ version: 'v3', auth, rootUrl: `${url}/` });
  await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Standup',
    start: { dateTime: '2026-01-05T09:00:00+01:00', timeZone: 'Europe/Paris' }, end: { dateTime: '2026-01-05T09:15:00+01:00' },
    recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10', 'EXDATE:20260107T080000Z'] } });
  await cal.events.list({ calendarId: 'primary', timeMin: '2026-01-01T00:00:00Z', timeMax: '2026-02-01T00:00:00Z', singleEvents: true, orderBy: 'startTime' });
  await cal.events.quickAdd({ calendarId: 'primary', text: 'Lunch with Ana tomorrow at noon' });
  await fetch(`${url}/tokeninfo?access_token=${tokens.access_token}`);
  await fetch(`${url}/revoke?token=${tokens.refresh_token}`, { method: 'POST' });
}

// gRPC request messages as the client libraries encode them, in gRPC frames.
function grpcSeeds() {
  const frame = (bytes) => {
    const h = Buffer.alloc(5);
    h.writeUInt32BE(bytes.length, 1);
    return Buffer.concat([h, Buffer.from(bytes)]);
  };
  const ps = need('@google-cloud/pubsub').protos.google.pubsub.v1;
  const sm = need('@google-cloud/secret-manager').protos.google.cloud.secretmanager.v1;
  const tk = need('@google-cloud/tasks').protos.google.cloud.tasks.v2;
  const P = `projects/${PROJECT}`;
  const seeds = [
    ['/google.pubsub.v1.Publisher/CreateTopic', ps.Topic, { name: `${P}/topics/t`, labels: { a: 'b' }, messageRetentionDuration: { seconds: 600 } }],
    ['/google.pubsub.v1.Publisher/Publish', ps.PublishRequest, { topic: `${P}/topics/t`, messages: [{ data: Buffer.from('hi'), attributes: { k: 'v' }, orderingKey: 'o' }] }],
    ['/google.pubsub.v1.Subscriber/CreateSubscription', ps.Subscription, { name: `${P}/subscriptions/s`, topic: `${P}/topics/t`, ackDeadlineSeconds: 10, filter: 'attributes:k', enableMessageOrdering: true, deadLetterPolicy: { deadLetterTopic: `${P}/topics/dl`, maxDeliveryAttempts: 5 } }],
    ['/google.pubsub.v1.Subscriber/Pull', ps.PullRequest, { subscription: `${P}/subscriptions/s`, maxMessages: 10 }],
    ['/google.pubsub.v1.Subscriber/Acknowledge', ps.AcknowledgeRequest, { subscription: `${P}/subscriptions/s`, ackIds: ['1-1'] }],
    ['/google.pubsub.v1.Subscriber/ModifyAckDeadline', ps.ModifyAckDeadlineRequest, { subscription: `${P}/subscriptions/s`, ackIds: ['1-1'], ackDeadlineSeconds: 0 }],
    ['/google.pubsub.v1.Subscriber/Seek', ps.SeekRequest, { subscription: `${P}/subscriptions/s`, time: { seconds: 1767600000 } }],
    ['/google.pubsub.v1.SchemaService/CreateSchema', ps.CreateSchemaRequest, { parent: P, schemaId: 'avro', schema: { type: 'AVRO', definition: '{"type":"record","name":"R","fields":[{"name":"a","type":"string"}]}' } }],
    ['/google.pubsub.v1.SchemaService/ValidateMessage', ps.ValidateMessageRequest, { parent: P, name: `${P}/schemas/avro`, message: Buffer.from('{"a":"x"}'), encoding: 'JSON' }],
    ['/google.cloud.secretmanager.v1.SecretManagerService/CreateSecret', sm.CreateSecretRequest, { parent: P, secretId: 's', secret: { replication: { automatic: {} }, labels: { a: 'b' } } }],
    ['/google.cloud.secretmanager.v1.SecretManagerService/AddSecretVersion', sm.AddSecretVersionRequest, { parent: `${P}/secrets/s`, payload: { data: Buffer.from('pw'), dataCrc32c: 1 } }],
    ['/google.cloud.secretmanager.v1.SecretManagerService/AccessSecretVersion', sm.AccessSecretVersionRequest, { name: `${P}/secrets/s/versions/latest` }],
    ['/google.cloud.tasks.v2.CloudTasks/CreateQueue', tk.CreateQueueRequest, { parent: `${P}/locations/us-central1`, queue: { name: `${P}/locations/us-central1/queues/q`, rateLimits: { maxDispatchesPerSecond: 5 } } }],
    ['/google.cloud.tasks.v2.CloudTasks/CreateTask', tk.CreateTaskRequest, { parent: `${P}/locations/us-central1/queues/q`, task: { httpRequest: { url: 'http://127.0.0.1:9/t', httpMethod: 'POST', body: Buffer.from('{}'), oidcToken: { serviceAccountEmail: 'sa@x' } }, scheduleTime: { seconds: 1767610800 } } }],
  ];
  for (const [p, type, obj] of seeds) {
    const bytes = type.encode(type.fromObject(obj)).finish();
    save('grpc_frames', p.split('/').pop(), Buffer.concat([Buffer.from(`${p}\n`), frame(bytes)]));
  }
}

async function main() {
  const sim = await startGcpsim();
  const proxy = await recorder(sim.port);
  const url = `http://127.0.0.1:${proxy.port}`;
  try {
    const steps = [['storage', () => storage(url, sim)], ['rest', () => restServices(url)], ['calendar', () => calendar(url)]];
    for (const [name, step] of steps) {
      const out = await step();
      await new Promise((r) => setTimeout(r, 200));  // let the last bytes through the proxy
      proxy.take().forEach((conn, i) => seedsOf(conn).forEach((s, j) => save('http_edge', `${name}-${i}-${j}`, s)));
      if (name === 'storage') {
        out.forEach(({ u, action }, i) => save('storage_signed_url', `${i}-${action}`,
          `${action === 'write' ? 'PUT' : 'GET'} ${u}\nHost: 127.0.0.1:${proxy.port}\n${action === 'write' ? 'Content-Type: text/plain\n' : ''}\n`));
      }
    }
    grpcSeeds();
  } finally {
    proxy.close();
    await sim.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
