// Pub/Sub: topics, subscriptions with their counts and dead-letter settings, publish,
// peek (nothing is leased or acked), seek to a time or snapshot, purge and detach.
import { registerPage } from '../registry.js';
import { api, listAll, h, a, kv, section, table, short, utf8b64, b64text, act, toast } from '../lib.js';

const stats = async () => (await api('/_gcpsim/pubsub/subscriptions')).subscriptions;

function counts(s) {
  const c = s.counts || {};
  return `${c.ready ?? 0} ready · ${c.leased ?? 0} unacked · ${c.backoff ?? 0} backoff`;
}

// key=value per line → attributes object; a line without '=' is an error.
function parseAttributes(text) {
  const attrs = {};
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`attribute line ${i + 1} must be key=value`);
    attrs[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return attrs;
}

function publishForm(topics, chosen) {
  const topic = h('select', { name: 'topic', 'aria-label': 'Topic', required: true },
    topics.map((t) => h('option', { value: t.name, selected: t.name === chosen }, short(t.name))));
  const data = h('textarea', { name: 'data', rows: 3, 'aria-label': 'Message data', placeholder: 'message data' });
  const attrs = h('textarea', { name: 'attributes', rows: 2, 'aria-label': 'Attributes, key=value per line', placeholder: 'key=value per line' });
  const key = h('input', { name: 'orderingKey', 'aria-label': 'Ordering key', placeholder: 'ordering key (optional)' });
  const form = h('form', { class: 'stack', 'aria-label': 'Publish a message' },
    h('label', {}, 'Topic ', topic), data, attrs, key, h('button', { type: 'submit' }, 'Publish'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let attributes;
    try { attributes = parseAttributes(attrs.value); } catch (e) { return toast(e.message, 'error'); }
    const message = { data: utf8b64(data.value), attributes };
    if (key.value) message.orderingKey = key.value;
    const r = await act(() => api(`/v1/${topic.value}:publish`, { method: 'POST', body: { messages: [message] } }), 'Published');
    if (r) { toast(`Published message ${r.messageIds[0]}`); data.value = ''; }
  });
  return form;
}

function peekTable(messages) {
  return table(['Id', 'Published', 'State', 'Attempts', 'Ordering key', 'Attributes', 'Data'],
    (messages || []).map((m) => [m.messageId, m.publishTime, m.state, String(m.deliveryAttempts), m.orderingKey,
      Object.entries(m.attributes).map(([k, v]) => `${k}=${v}`).join(', '), h('code', {}, b64text(m.data))]),
    { label: 'Messages', empty: 'No unacknowledged messages.' });
}

async function listPage(el, project) {
  const data = h('div');
  const form = h('div');
  el.append(h('h1', {}, 'Pub/Sub'), form, data);
  let formTopics = '';
  const refresh = async () => {
    const [topics, subs] = await Promise.all([listAll(`/v1/projects/${project}/topics`, 'topics'), stats()]);
    const names = topics.map((t) => t.name).join();
    if (names !== formTopics) {  // keep what is being typed unless the topics changed
      formTopics = names;
      form.replaceChildren(section('Publish', topics.length ? publishForm(topics) : h('p', { class: 'muted' }, 'No topics.')));
    }
    data.replaceChildren(
      section('Topics', table(['Topic', 'Subscriptions', 'Retention'], topics.map((t) =>
        [a(short(t.name), 'pubsub', 'topic', t.name), String(subs.filter((s) => s.topic === t.name).length), t.messageRetentionDuration || '']),
      { label: 'Topics' })),
      section('Subscriptions', table(['Subscription', 'Topic', 'Backlog', 'Unacked', 'Dead letter'], subs.map((s) =>
        [a(short(s.name), 'pubsub', 'sub', s.name), s.topic ? a(short(s.topic), 'pubsub', 'topic', s.topic) : 'deleted topic',
          String((s.counts?.ready ?? 0) + (s.counts?.backoff ?? 0)), String(s.counts?.leased ?? 0),
          s.deadLetter ? h('span', {}, a(short(s.deadLetter.topic), 'pubsub', 'topic', s.deadLetter.topic), ` after ${s.deadLetter.maxDeliveryAttempts}`) : '']),
      { label: 'Subscriptions' })));
  };
  await refresh();
  return { refresh };
}

// A topic: its subscriptions and what each holds (for a dead-letter topic: its contents).
async function topicPage(el, name) {
  const topics = [{ name }];
  const data = h('div');
  el.append(h('h1', {}, 'Topic ', short(name)), h('p', { class: 'muted' }, name), section('Publish', publishForm(topics, name)), data);
  const refresh = async () => {
    const subs = (await stats()).filter((s) => s.topic === name);
    const deadLetterFor = (await stats()).filter((s) => s.deadLetter?.topic === name);
    const peeks = await Promise.all(subs.map((s) => api(`/_gcpsim/pubsub/peek/${s.name}?limit=100`)));
    data.replaceChildren(
      deadLetterFor.length ? h('p', {}, 'Dead-letter topic of ', deadLetterFor.map((s) => a(short(s.name), 'pubsub', 'sub', s.name))) : '',
      subs.length ? '' : h('p', { class: 'muted' }, 'No subscription: a message published here is kept nowhere.'),
      subs.map((s, i) => section(`Messages in ${short(s.name)}`, h('p', {}, a('open subscription', 'pubsub', 'sub', s.name), ` · ${counts(s)}`), peekTable(peeks[i].messages))));
  };
  await refresh();
  return { refresh };
}

function seekForm(name, project) {
  const time = h('input', { name: 'time', 'aria-label': 'Seek to time (RFC 3339)', placeholder: '2026-01-01T00:00:00Z', size: 24 });
  const snap = h('select', { name: 'snapshot', 'aria-label': 'Snapshot' }, h('option', { value: '' }, '(snapshot)'));
  listAll(`/v1/projects/${project}/snapshots`, 'snapshots').then((snaps) =>
    snap.append(...snaps.map((s) => h('option', { value: s.name }, short(s.name))))).catch(() => {});
  const seek = (body, label) => act(() => api(`/v1/${name}:seek`, { method: 'POST', body }), label);
  return h('div', { class: 'row' },
    time, h('button', { type: 'button', onclick: () => seek({ time: time.value.trim() }, `Sought to ${time.value}`) }, 'Seek to time'),
    snap, h('button', { type: 'button', onclick: () => snap.value ? seek({ snapshot: snap.value }, 'Sought to snapshot') : toast('Pick a snapshot', 'error') }, 'Seek to snapshot'),
    h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm(`Purge ${short(name)}? Every message published until now is marked acknowledged.`)) return;
      const { clock } = await api('/_gcpsim/health');
      seek({ time: clock.now }, 'Purged');
    } }, 'Purge'),
    h('button', { type: 'button', class: 'danger', onclick: () => {
      if (confirm(`Detach ${short(name)} from its topic? It stops receiving messages.`))
        act(() => api(`/v1/${name}:detach`, { method: 'POST', body: {} }), 'Detached');
    } }, 'Detach'));
}

async function subPage(el, name, project) {
  const data = h('div');
  const limit = h('input', { type: 'number', min: 1, max: 1000, value: 100, 'aria-label': 'How many messages to peek', size: 5 });
  const peeked = h('div');
  const peek = async () => {
    const r = await api(`/_gcpsim/pubsub/peek/${name}?limit=${limit.value}`);
    peeked.replaceChildren(peekTable(r.messages));
  };
  el.append(h('h1', {}, 'Subscription ', short(name)), h('p', { class: 'muted' }, name), data,
    section('Actions', seekForm(name, project)),
    section('Peek', h('p', { class: 'muted' }, 'Shows the messages as they are: nothing is leased or acknowledged.'),
      h('div', { class: 'row' }, limit, h('button', { type: 'button', onclick: () => peek().catch((e) => toast(e.message, 'error')) }, 'Peek')), peeked));
  const refresh = async () => {
    const s = (await stats()).find((x) => x.name === name);
    if (!s) return data.replaceChildren(h('p', { class: 'error' }, 'This subscription no longer exists.'));
    data.replaceChildren(kv([
      ['Topic', s.topic ? a(s.topic, 'pubsub', 'topic', s.topic) : '(topic deleted)'], ['Detached', String(s.detached)],
      ['Counts', counts(s)], ['Acked, retained', String(s.counts?.acked ?? 0)], ['Ack deadline', s.ackDeadline],
      ['Ordering', String(s.ordering)], ['Exactly once', String(s.exactlyOnce)], ['Filter', s.filter],
      ['Push endpoint', s.pushEndpoint],
      ['Dead letter', s.deadLetter ? h('span', {}, a(s.deadLetter.topic, 'pubsub', 'topic', s.deadLetter.topic), ` after ${s.deadLetter.maxDeliveryAttempts} attempts`) : 'none']]));
    await peek();
  };
  await refresh();
  return { refresh };
}

registerPage({
  id: 'pubsub',
  title: 'Pub/Sub',
  async render(el, [kind, name]) {
    const { project } = await api('/_gcpsim/health');
    if (kind === 'topic' && name) return topicPage(el, name);
    if (kind === 'sub' && name) return subPage(el, name, project);
    return listPage(el, project);
  },
});
