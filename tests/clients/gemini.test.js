// @google/genai 2.x, unmodified, against gcpsim's Gemini stub: text, streaming, JSON
// schema output, function calls, countTokens, embeddings, scripted errors, bad input.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { GoogleGenAI, Type, ApiError } = require('@google/genai');
const { startGcpsim } = require('./lib/gcpsim');

const MODEL = 'gemini-2.5-flash';
let sim;
let ai;
let stackDir;

before(async () => {
  stackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-gemini-'));
  fs.writeFileSync(path.join(stackDir, 'gcpsim.yaml'), [
    'gemini:',
    '  rules:',
    '    - match: {model: gemini-2.5-flash, prompt: "(?i)summar"}',
    '      reply: {json: {summary: Short, subtasks: [a, b], category: work}}',
    '',
  ].join('\n'));
  sim = await startGcpsim(['--stack', path.join(stackDir, 'gcpsim.yaml')]);
  ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: sim.url } });
});
after(async () => {
  await sim.stop();
  fs.rmSync(stackDir, { recursive: true, force: true });
});

async function rawCall(verb, body, { key = 'test-key', query = '', model = MODEL } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (key) headers['x-goog-api-key'] = key;
  const res = await fetch(`${sim.url}/v1beta/models/${model}:${verb}${query}`, {
    method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

test('generateContent answers text with usage, finish reason and safety ratings', async () => {
  const res = await ai.models.generateContent({ model: MODEL, contents: 'Write a haiku about the sea' });
  assert.match(res.text, /^Here is a response about "Write a haiku about the sea"\./);
  const c = res.candidates[0];
  assert.equal(c.finishReason, 'STOP');
  assert.equal(c.content.role, 'model');
  assert.equal(c.safetyRatings.length, 4);
  assert.ok(res.usageMetadata.promptTokenCount >= 6);
  assert.equal(res.usageMetadata.totalTokenCount, res.usageMetadata.promptTokenCount + res.usageMetadata.candidatesTokenCount);
  assert.equal(res.modelVersion, MODEL);
  assert.ok(res.responseId.length > 10);
});

test('the same request gives byte-identical responses', async () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'Tell me about lighthouses' }] }] };
  const a = await rawCall('generateContent', body);
  const b = await rawCall('generateContent', body);
  assert.equal(a.status, 200);
  assert.equal(a.text, b.text);
  const other = await rawCall('generateContent', { contents: [{ parts: [{ text: 'Tell me about harbours' }] }] });
  assert.notEqual(JSON.parse(other.text).candidates[0].content.parts[0].text, JSON.parse(a.text).candidates[0].content.parts[0].text);
});

test('streaming over SSE yields chunks whose text adds up to the whole answer', async () => {
  const prompt = 'Tell me a long story about a lighthouse keeper and the storm';
  const whole = await ai.models.generateContent({ model: MODEL, contents: prompt });
  const chunks = [];
  for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: prompt })) chunks.push(chunk);
  assert.ok(chunks.length > 1);
  assert.equal(chunks.map((c) => c.text).join(''), whole.text);
  assert.equal(chunks.at(-1).candidates[0].finishReason, 'STOP');
  assert.equal(chunks.at(-1).usageMetadata.candidatesTokenCount, whole.usageMetadata.candidatesTokenCount);
});

test('streamGenerateContent without alt=sse answers one JSON array', async () => {
  const res = await rawCall('streamGenerateContent', { contents: [{ parts: [{ text: 'Tell me a long story about a lighthouse keeper' }] }] });
  assert.equal(res.status, 200);
  const list = JSON.parse(res.text);
  assert.ok(Array.isArray(list) && list.length > 1);
  const sse = await rawCall('streamGenerateContent', { contents: [{ parts: [{ text: 'hi' }] }] }, { query: '?alt=sse' });
  assert.match(sse.type, /text\/event-stream/);
  assert.match(sse.text, /^data: \{.*\}\r\n\r\n$/s);
});

test('JSON mode returns an instance of responseSchema', async () => {
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: 'Plan my week',
    config: {
      responseMimeType: 'application/json',
      responseSchema: {
        type: Type.OBJECT,
        properties: {
          title: { type: Type.STRING },
          priority: { type: Type.STRING, enum: ['low', 'medium', 'high'] },
          hours: { type: Type.NUMBER, minimum: 1, maximum: 8 },
          tasks: { type: Type.ARRAY, minItems: 2, items: { type: Type.OBJECT, properties: { name: { type: Type.STRING }, done: { type: Type.BOOLEAN } }, required: ['name', 'done'] } },
        },
        required: ['title', 'priority', 'tasks'],
        propertyOrdering: ['title', 'priority', 'hours', 'tasks'],
      },
    },
  });
  const v = JSON.parse(res.text);
  assert.deepEqual(Object.keys(v), ['title', 'priority', 'hours', 'tasks']);
  assert.equal(typeof v.title, 'string');
  assert.ok(['low', 'medium', 'high'].includes(v.priority));
  assert.ok(v.hours >= 1 && v.hours <= 8);
  assert.ok(v.tasks.length >= 2);
  for (const t of v.tasks) assert.equal(typeof t.done, 'boolean');
});

test('responseJsonSchema (JSON Schema) is honoured too', async () => {
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: 'Extract the contact',
    config: {
      responseMimeType: 'application/json',
      responseJsonSchema: {
        type: 'object',
        properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 18, maximum: 99 }, tags: { type: 'array', items: { type: 'string' } } },
        required: ['email', 'age', 'tags'],
        additionalProperties: false,
      },
    },
  });
  const v = JSON.parse(res.text);
  assert.match(v.email, /^[a-z]+@example\.com$/);
  assert.ok(Number.isInteger(v.age) && v.age >= 18 && v.age <= 99);
  assert.ok(Array.isArray(v.tags));
});

test('stack-file rules script the answer', async () => {
  const res = await ai.models.generateContent({ model: MODEL, contents: 'Please summarize: buy milk, call mum' });
  assert.deepEqual(JSON.parse(res.text), { summary: 'Short', subtasks: ['a', 'b'], category: 'work' });
});

test('function calling: mode ANY calls a declared function with valid arguments', async () => {
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: 'What is the weather in Paris?',
    config: {
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather for a city', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] } }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    },
  });
  assert.equal(res.functionCalls.length, 1);
  assert.equal(res.functionCalls[0].name, 'get_weather');
  assert.equal(typeof res.functionCalls[0].args.city, 'string');
});

test('a scripted 429 reaches the app as the real ApiError, then the next call succeeds', async () => {
  const added = await sim.control('POST', 'gemini/rules', {
    match: { prompt: 'quota test' }, reply: { error: 'RESOURCE_EXHAUSTED', retryDelay: '12s' }, count: 1,
  });
  assert.equal(added.status, 200);
  await assert.rejects(ai.models.generateContent({ model: MODEL, contents: 'quota test' }), (err) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 429);
    const body = JSON.parse(err.message);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    assert.match(body.error.message, /You exceeded your current quota/);
    assert.equal(body.error.details.find((d) => d['@type'].endsWith('RetryInfo')).retryDelay, '12s');
    return true;
  });
  const ok = await ai.models.generateContent({ model: MODEL, contents: 'quota test' });
  assert.ok(ok.text.length > 0);
});

test('scripted function calls, safety blocks and 503s', async () => {
  await sim.control('POST', 'gemini/rules', { match: { prompt: 'book a table' }, reply: { functionCall: { name: 'book', args: { people: 2 } } } });
  await sim.control('POST', 'gemini/rules', { match: { prompt: 'forbidden' }, reply: { block: 'SAFETY' } });
  await sim.control('POST', 'gemini/rules', { match: { prompt: 'busy' }, reply: { error: 'UNAVAILABLE' } });
  const call = await ai.models.generateContent({ model: MODEL, contents: 'book a table for two' });
  assert.deepEqual(call.functionCalls[0], { name: 'book', args: { people: 2 } });
  const blocked = await ai.models.generateContent({ model: MODEL, contents: 'something forbidden' });
  assert.equal(blocked.candidates[0].finishReason, 'SAFETY');
  assert.equal(blocked.text, undefined);
  await assert.rejects(ai.models.generateContent({ model: MODEL, contents: 'busy?' }), (err) => err.status === 503);
});

test('every call is an event carrying its prompt', async () => {
  await ai.models.generateContent({ model: MODEL, contents: 'event marker 7' });
  const res = await sim.control('GET', 'events?kind=api.call&service=gemini');
  const e = res.body.events.find((x) => x.attrs.prompt === 'event marker 7');
  assert.ok(e, 'event with the prompt');
  assert.equal(e.attrs.method, 'gemini.generateContent');
  assert.equal(e.attrs.model, MODEL);
  assert.equal(e.attrs.code, 'OK');
});

test('countTokens counts roughly one token per word', async () => {
  const res = await ai.models.countTokens({ model: MODEL, contents: 'one two three four five' });
  assert.equal(res.totalTokens, 5);
});

test('embeddings: deterministic unit vectors, 768 dimensions or outputDimensionality', async () => {
  const one = await ai.models.embedContent({ model: 'text-embedding-004', contents: 'the cat sat on the mat' });
  const v = one.embeddings[0].values;
  assert.equal(v.length, 768);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-4);
  const again = await ai.models.embedContent({ model: 'text-embedding-004', contents: 'the cat sat on the mat' });
  assert.deepEqual(again.embeddings[0].values, v);
  const many = await ai.models.embedContent({ model: 'text-embedding-004', contents: ['a', 'b', 'c'], config: { outputDimensionality: 16 } });
  assert.equal(many.embeddings.length, 3);
  assert.equal(many.embeddings[2].values.length, 16);
});

test('an inline image is accepted and counted', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
  const res = await ai.models.generateContent({
    model: MODEL,
    contents: [{ role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: png } }] }],
  });
  assert.ok(res.text.length > 0);
  assert.deepEqual(res.usageMetadata.promptTokensDetails.map((d) => d.modality), ['TEXT', 'IMAGE']);
});

test('models list and get', async () => {
  const names = [];
  for await (const m of await ai.models.list()) names.push(m.name);
  assert.ok(names.includes('models/gemini-2.5-flash'));
  assert.ok(names.includes('models/text-embedding-004'));
  const m = await ai.models.get({ model: MODEL });
  assert.equal(m.name, 'models/gemini-2.5-flash');
  assert.equal(m.inputTokenLimit, 1048576);
});

test('an unknown model is 404 in the API\'s words', async () => {
  await assert.rejects(ai.models.generateContent({ model: 'gemini-9-ultra', contents: 'hi' }), (err) => {
    assert.equal(err.status, 404);
    assert.match(JSON.parse(err.message).error.message, /^models\/gemini-9-ultra is not found for API version v1beta/);
    return true;
  });
});

test('malformed contents and invalid JSON are 400 with Google\'s message shape', async () => {
  const empty = await rawCall('generateContent', { contents: [{ role: 'user', parts: [] }] });
  assert.equal(empty.status, 400);
  const body = JSON.parse(empty.text);
  assert.equal(body.error.status, 'INVALID_ARGUMENT');
  assert.equal(body.error.message, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.\n');
  const unknown = JSON.parse((await rawCall('generateContent', { contents: [{ parts: [{ text: 'x' }] }], temprature: 1 })).text);
  assert.equal(unknown.error.message, 'Invalid JSON payload received. Unknown name "temprature": Cannot find field.');
  assert.equal(unknown.error.details[0]['@type'], 'type.googleapis.com/google.rpc.BadRequest');
  const broken = await rawCall('generateContent', '{"contents": [');
  assert.equal(broken.status, 400);
  assert.match(JSON.parse(broken.text).error.message, /^Invalid JSON payload received\./);
});

test('a missing API key is 403 PERMISSION_DENIED', async () => {
  const res = await rawCall('generateContent', { contents: [{ parts: [{ text: 'hi' }] }] }, { key: '' });
  assert.equal(res.status, 403);
  const body = JSON.parse(res.text);
  assert.equal(body.error.status, 'PERMISSION_DENIED');
  assert.match(body.error.message, /^Method doesn't allow unregistered callers/);
  const withQueryKey = await rawCall('generateContent', { contents: [{ parts: [{ text: 'hi' }] }] }, { key: '', query: '?key=abc' });
  assert.equal(withQueryKey.status, 200);
});

test('the Vertex AI publisher path reaches the same handlers', async () => {
  const res = await fetch(`${sim.url}/v1/projects/demo-project/locations/us-central1/publishers/google/models/${MODEL}:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer token' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Tell me about lighthouses' }] }] }),
  });
  assert.equal(res.status, 200);
  const direct = await rawCall('generateContent', { contents: [{ role: 'user', parts: [{ text: 'Tell me about lighthouses' }] }] });
  assert.equal(await res.text(), direct.text);
  const anonymous = await fetch(`${sim.url}/v1/projects/p/locations/l/publishers/google/models/${MODEL}:generateContent`, { method: 'POST', body: '{}' });
  assert.equal(anonymous.status, 401);
});

test('a scripted delay waits on the virtual clock; another process with the same seed answers the same bytes', async () => {
  const v = await startGcpsim(['--clock', 'virtual']);
  try {
    await v.control('POST', 'gemini/rules', { match: { prompt: 'slow' }, reply: { text: 'finally', delay: '30s' } });
    const before = (await v.control('GET', 'clock')).body.pendingTimers;
    let answered = false;
    const pending = fetch(`${v.url}/v1beta/models/${MODEL}:generateContent?key=k`, {
      method: 'POST', body: JSON.stringify({ contents: [{ parts: [{ text: 'slow please' }] }] }),
    }).then((r) => { answered = true; return r.json(); });
    while ((await v.control('GET', 'clock')).body.pendingTimers === before);
    assert.equal(answered, false);
    await v.control('POST', 'clock', { advance: '30s' });
    assert.equal((await pending).candidates[0].content.parts[0].text, 'finally');

    const body = JSON.stringify({ contents: [{ parts: [{ text: 'Describe a quiet harbour at dawn' }] }] });
    const here = await rawCall('generateContent', body);
    const there = await fetch(`${v.url}/v1beta/models/${MODEL}:generateContent?key=k`, { method: 'POST', body });
    assert.equal(await there.text(), here.text);
  } finally {
    await v.stop();
  }
});
