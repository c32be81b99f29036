// Cloud Run services and Functions (each function is a Run service): revisions,
// instances with state, PID and cold-start time, the request log (status, virtual
// latency, trace id) and each instance's log lines.
import { registerPage } from '../registry.js';
import { api, tryApi, h, a, kv, section, table, act } from '../lib.js';

const recent = async (kind, service, limit = 200) =>
  (await api(`/_gcpsim/events?kind=${encodeURIComponent(kind)}&service=${encodeURIComponent(service)}&limit=${limit}`)).events;

async function listPage(el) {
  const data = h('div');
  el.append(h('h1', {}, 'Cloud Run and Functions'), data);
  const refresh = async () => {
    const run = await tryApi('/_gcpsim/run');
    data.replaceChildren(table(['Service', 'Revision', 'URL', 'Instances', 'Queued', 'Concurrency', 'Min–max'], (run?.services || []).map((s) =>
      [a(s.name, 'run', s.name), s.revision, s.url, String(s.instances.length), String(s.queued), String(s.concurrency),
        `${s.minInstances}–${s.maxInstances}`]), { label: 'Services', empty: 'No Run services or functions in this stack.' }));
  };
  await refresh();
  return { refresh };
}

async function servicePage(el, name, instance) {
  const data = h('div');
  el.append(h('h1', {}, 'Service ', name), data);
  const refresh = async () => {
    const run = await tryApi('/_gcpsim/run');
    const s = (run?.services || []).find((x) => x.name === name);
    if (!s) return data.replaceChildren(h('p', { class: 'error' }, `No Run service ${name}.`));
    const [requests, logs] = await Promise.all([recent('run.request', name), recent('log', name, 500)]);
    const lines = instance ? logs.filter((e) => String(e.attrs.instance) === instance) : logs;
    data.replaceChildren(
      kv([['Revision', s.revision], ['URL', h('a', { href: s.url }, s.url)], ['Timeout', s.timeout], ['Queued requests', String(s.queued)]]),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: () => act(() => api(`/_gcpsim/run/${name}:restart`, { method: 'POST' }), 'Restarted') }, 'Restart instances'),
        h('button', { type: 'button', class: 'danger', onclick: () => act(() => api(`/_gcpsim/run/${name}:kill`, { method: 'POST' }), 'Killed') }, 'Kill instances')),
      section('Instances', table(['Instance', 'State', 'PID', 'Port', 'Cold start', 'In flight', 'Served'], s.instances.map((i) =>
        [a(String(i.id), 'run', name, String(i.id)), i.state, String(i.pid ?? ''), String(i.port), i.coldStartMs !== undefined ? `${i.coldStartMs} ms` : '',
          String(i.inFlight), String(i.served)]), { label: 'Instances' })),
      section('Requests', table(['Time', 'Method', 'Path', 'Status', 'Latency', 'Instance', 'Trace'], requests.slice().reverse().map((e) =>
        [a(e.time, 'events', String(e.seq)), e.attrs.method, e.attrs.path, String(e.attrs.status), `${e.attrs.latencyMs} ms${e.attrs.coldStart ? ' (cold)' : ''}`,
          String(e.attrs.instance ?? ''), e.attrs.trace || '']), { label: 'Requests', empty: 'No requests yet.' })),
      section(instance ? `Logs of instance ${instance}` : 'Logs', instance ? h('p', {}, a('all instances', 'run', name)) : '',
        h('pre', { class: 'logs', tabindex: 0 }, lines.map((e) => `${e.time} [${e.attrs.instance ?? ''}] ${e.attrs.severity || ''} ${e.attrs.message ?? e.attrs.text ?? JSON.stringify(e.attrs)}\n`))));
  };
  await refresh();
  return { refresh };
}

registerPage({
  id: 'run',
  title: 'Cloud Run & Functions',
  render(el, [name, instance]) {
    return name ? servicePage(el, name, instance) : listPage(el);
  },
});
