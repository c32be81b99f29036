// The official `openai` package, unmodified, against gcpsim's built-in OpenAI-compatible stub
// (a `kind: openai` stub on its own port): chat with and without streaming, tools, JSON
// schema output, embeddings, OpenAI-shaped errors and the client's retries, api.call
// events, and byte-identical answers from another process with the same seed.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const OpenAI = require('openai').default;
const { startGcpsim, freePort } = require('./lib/gcpsim');

async function stackFile(port) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-openai-'));
  const file = path.join(dir, 'gcpsim.yaml');
  fs.writeFileSync(file, `seed: 11
stubs:
  openai:
    kind: openai
    port: ${port}
    api_key: sk-test-123456789
    rules:
      - match: {model: gpt-4o-mini, prompt: "(?i)^say hello"}
        reply: {text: "Hello from the stub"}
      - match: {model: gpt-4o-mini, prompt: "(?i)^speak slowly"}
        reply: {text: "One word at a time", every: 2s}
`);
  return file;
}

let sim, port, client;

before(async () => {
  port = await freePort();
  sim = await startGcpsim(['--clock', 'virtual', '--stack', await stackFile(port)]);
  client = new OpenAI({ apiKey: 'sk-test-123456789', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});
after(async () => { await sim.stop(); });

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    },
  },
};

test('chat completion: scripted rule, deterministic default, n choices and usage', async () => {
  const hello = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
  assert.equal(hello.choices[0].message.content, 'Hello from the stub');
  assert.equal(hello.object, 'chat.completion');
  assert.match(hello.id, /^chatcmpl-/);

  const req = { model: 'gpt-4o', n: 2, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Plan a team offsite' }] };
  const a = await client.chat.completions.create(req);
  const b = await client.chat.completions.create(req);
  assert.deepEqual(a, b);
  assert.equal(a.choices.length, 2);
  assert.equal(a.choices[0].finish_reason, 'stop');
  assert.match(a.choices[0].message.content, /team offsite/);
  assert.equal(a.usage.total_tokens, a.usage.prompt_tokens + a.usage.completion_tokens);

  const cut = await client.chat.completions.create({ ...req, n: 1, max_completion_tokens: 3 });
  assert.equal(cut.choices[0].finish_reason, 'length');
  assert.ok(cut.usage.completion_tokens <= 3);
});

test('streaming chat: SSE chunks through the client, the same text as without streaming, and usage', async () => {
  const req = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Write a haiku about queues' }] };
  const whole = await client.chat.completions.create(req);
  const stream = await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
  let text = '', chunks = 0, finish = null, usage = null;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      text += c.delta.content || '';
      finish = c.finish_reason || finish;
    }
  }
  assert.ok(chunks > 3);
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(finish, 'stop');
  assert.deepEqual(usage, whole.usage);

  // The client's own accumulator sees a streamed tool call whole.
  const runner = client.chat.completions.stream({ model: 'gpt-4o', tool_choice: 'required', tools: [weatherTool],
    messages: [{ role: 'user', content: 'Anything' }] });
  const final = await runner.finalChatCompletion();
  const call = final.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.equal(typeof JSON.parse(call.function.arguments).city, 'string');
});

test('tools: schema-valid arguments, tool_choice, and a text answer after the tool result', async () => {
  const messages = [{ role: 'user', content: 'What is the weather in Lyon today?' }];
  const r = await client.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool] });
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  const call = r.choices[0].message.tool_calls[0];
  assert.equal(call.type, 'function');
  const args = JSON.parse(call.function.arguments);
  assert.deepEqual(Object.keys(args).sort(), ['city', 'days', 'unit']);
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit));
  assert.ok(Number.isInteger(args.days) && args.days >= 1 && args.days <= 7);

  const none = await client.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool], tool_choice: 'none' });
  assert.equal(none.choices[0].message.tool_calls, undefined);
  const after = await client.chat.completions.create({ model: 'gpt-4o', tools: [weatherTool], messages: [
    ...messages, r.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temp": 21}' }] });
  assert.equal(after.choices[0].finish_reason, 'stop');
  assert.equal(typeof after.choices[0].message.content, 'string');
});

test('response_format: json_schema gives a valid instance, json_object a JSON object', async () => {
  const schema = {
    type: 'object',
    properties: {
      title: { type: 'string' },
      priority: { type: 'string', enum: ['low', 'high'] },
      tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      estimate: { type: 'number', minimum: 0, maximum: 10 },
    },
    required: ['title', 'priority', 'tags', 'estimate'],
    additionalProperties: false,
  };
  const r = await client.chat.completions.create({
    model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Extract the task' }],
    response_format: { type: 'json_schema', json_schema: { name: 'task', strict: true, schema } },
  });
  const task = JSON.parse(r.choices[0].message.content);
  assert.deepEqual(Object.keys(task).sort(), ['estimate', 'priority', 'tags', 'title']);
  assert.ok(['low', 'high'].includes(task.priority));
  assert.ok(task.tags.length >= 1 && task.estimate >= 0 && task.estimate <= 10);

  const o = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'json please' }],
    response_format: { type: 'json_object' } });
  assert.equal(typeof JSON.parse(o.choices[0].message.content), 'object');
});

test('embeddings: model dimensions, base64 decoding by the client, shared words stay close', async () => {
  const cos = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
  const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['red apple pie', 'red apple tart', 'corporate tax law'] });
  assert.equal(r.data.length, 3);
  assert.equal(r.data[0].embedding.length, 1536);
  assert.ok(cos(r.data[0].embedding, r.data[1].embedding) > cos(r.data[0].embedding, r.data[2].embedding));
  const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'red apple pie', encoding_format: 'float' });
  assert.ok(floats.data[0].embedding.every((x, i) => Math.abs(x - r.data[0].embedding[i]) < 1e-6));
  const small = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'x', dimensions: 64 });
  assert.equal(small.data[0].embedding.length, 64);
});

test('models and the Responses API', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.ok(ids.includes('gpt-4o-mini') && ids.includes('text-embedding-3-small'));
  const m = await client.models.retrieve('gpt-4o');
  assert.equal(m.id, 'gpt-4o');
  const resp = await client.responses.create({ model: 'gpt-4o-mini', input: 'Say hello to the team' });
  assert.equal(resp.status, 'completed');
  assert.equal(resp.output_text, 'Hello from the stub');
});

test('errors in OpenAI shape: invalid key, unknown model, context length, rate limit with retries, 5xx', async () => {
  const bad = new OpenAI({ apiKey: 'sk-wrong-key-000000', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'invalid_api_key');
  await assert.rejects(client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(client.chat.completions.create({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'word '.repeat(17000) }] }),
    (e) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded' && e.param === 'messages');

  // Two 429s (retry-after-ms 10) then success: the client's own retries get through.
  const rule = { match: { prompt: 'rate me' }, reply: { error: 'RESOURCE_EXHAUSTED', retryDelay: '0.01s' }, count: 2 };
  assert.equal((await sim.control('POST', 'stubs/openai/rules', rule)).status, 200);
  const retrying = new OpenAI({ apiKey: 'sk-test-123456789', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 2 });
  const ok = await retrying.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'rate me' }] });
  assert.equal(ok.choices[0].finish_reason, 'stop');
  await sim.control('POST', 'stubs/openai/rules', { ...rule, count: 1 });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'rate me' }] }),
    (e) => e instanceof OpenAI.RateLimitError && e.code === 'rate_limit_exceeded' && e.headers.get('retry-after') === '1');

  await sim.control('POST', 'stubs/openai/rules', { match: { prompt: 'overload' }, reply: { error: 'UNAVAILABLE' }, count: 1 });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'overload' }] }),
    (e) => e instanceof OpenAI.InternalServerError && e.status === 503);
  await sim.control('POST', 'stubs/openai/rules', { match: { prompt: 'crash' }, reply: { error: 'INTERNAL' }, count: 1 });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'crash' }] }),
    (e) => e instanceof OpenAI.InternalServerError && e.status === 500 && e.type === 'server_error');

  const calls = (await sim.control('GET', 'events?kind=api.call&service=openai')).body.events;
  const limited = calls.filter((e) => e.attrs.prompt === 'rate me');
  assert.deepEqual(limited.map((e) => e.attrs.status), [429, 429, 200, 429]);
  assert.equal(limited[0].attrs.model, 'gpt-4o');
  assert.equal(limited[0].attrs.method, 'openai.chat.completions');
  // Every request is a stub.request event too, its key masked.
  const seen = (await sim.control('GET', 'events?kind=stub.request&service=openai')).body.events;
  assert.ok(seen.length >= calls.length);
  assert.equal(JSON.parse(seen[0].attrs.headers).authorization, 'Bearer ***');
});

test('the edge serves the same API by Host: openai.stub.localhost', async () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
  const res = await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: sim.port, method: 'POST', path: '/v1/chat/completions',
      headers: { Host: `openai.stub.localhost:${sim.port}`, authorization: 'Bearer sk-test-123456789', 'content-type': 'application/json' } },
    (r) => { let d = ''; r.on('data', (c) => { d += c; }); r.on('end', () => resolve({ status: r.statusCode, body: d })); });
    req.on('error', reject);
    req.end(body);
  });
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.body).choices[0].message.content, 'Hello from the stub');
  // /v1/models on the bare edge is still Gemini's.
  const gemini = await fetch(`${sim.url}/v1/models?key=k`);
  assert.ok('models' in await gemini.json());
});

test('another process with the same seed answers byte for byte the same', async () => {
  const req = { model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'Describe the release plan' }], tools: [weatherTool] };
  const text = async (p) => {
    const r = await fetch(`http://127.0.0.1:${p}/v1/chat/completions`, { method: 'POST',
      headers: { authorization: 'Bearer sk-test-123456789', 'content-type': 'application/json' }, body: JSON.stringify(req) });
    return r.text();
  };
  const first = await text(port);
  const port2 = await freePort();
  const other = await startGcpsim(['--clock', 'virtual', '--stack', await stackFile(port2)]);
  try {
    assert.equal(await text(port2), first);
    const e1 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'same seed' });
    const c2 = new OpenAI({ apiKey: 'sk-test-123456789', baseURL: `http://127.0.0.1:${port2}/v1` });
    assert.deepEqual((await c2.embeddings.create({ model: 'text-embedding-3-small', input: 'same seed' })).data, e1.data);
  } finally {
    await other.stop();
  }
});

// Last: it moves the virtual clock, which the answers above carry (`created`).
test('a rule\'s every paces a streamed reply on the virtual clock: each later chunk waits for the clock', async () => {
  const ctl = (body) => fetch(`${sim.url}/_gcpsim/clock`, body && { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Speak slowly' }] });
  const it = stream[Symbol.asyncIterator]();
  const start = Date.parse((await ctl()).now);
  let text = '', advances = 0, next = await it.next();
  while (!next.done) {
    for (const c of next.value.choices) text += c.delta.content || '';
    // The next chunk is a timer 2 s ahead on gcpsim's clock; only moving the clock sends it.
    const clock = await ctl();
    if (clock.pendingTimers === 0) {
      next = await it.next();
      assert.ok(next.done, 'a chunk came with no timer pending');
      break;
    }
    await ctl({ advance: '2s' });
    advances++;
    next = await it.next();
  }
  assert.equal(text, 'One word at a time');
  assert.ok(advances >= 4, `only ${advances} clock moves for the chunks`);
  assert.equal(Date.parse((await ctl()).now) - start, advances * 2000);
});

// After the test above, for the same reason.
test('a paced stream whose client hangs up stops at the next chunk due, recorded as stub.hangup', async () => {
  const ctl = (body) => fetch(`${sim.url}/_gcpsim/clock`, body && { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Speak slowly' }] });
  const it = stream[Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.done, false);
  // The client goes after the first chunk: its socket is closed when abort() returns.
  stream.controller.abort();
  // The chunk due next finds the client gone: nothing more is generated.
  await ctl({ advance: '2s' });
  const hangups = () => fetch(`${sim.url}/_gcpsim/events?kind=stub.hangup`).then((r) => r.json()).then((j) => j.events);
  const events = await hangups();
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].service, 'openai');
  assert.equal(events[0].attrs.sent, 1);
  assert.ok(events[0].attrs.chunks > 2);
  await ctl({ advance: '1m' });
  assert.equal((await hangups()).length, 1);
});
