// Cloud Tasks: queues (state, rates, retry), their tasks with attempts and next dispatch
// time; pause, resume and run-now through the Cloud Tasks REST API.
import { registerPage } from '../registry.js';
import { api, listAll, h, a, kv, section, table, short, act, pre } from '../lib.js';

async function listPage(el, project, region) {
  const data = h('div');
  el.append(h('h1', {}, 'Cloud Tasks'), data);
  const refresh = async () => {
    const queues = await listAll(`/v2/projects/${project}/locations/${region}/queues`, 'queues');
    data.replaceChildren(table(['Queue', 'State', 'Max/s', 'Burst', 'Concurrent', 'Max attempts'], queues.map((q) =>
      [a(short(q.name), 'tasks', q.name), q.state, String(q.rateLimits?.maxDispatchesPerSecond ?? ''), String(q.rateLimits?.maxBurstSize ?? ''),
        String(q.rateLimits?.maxConcurrentDispatches ?? ''), String(q.retryConfig?.maxAttempts ?? '')]), { label: 'Queues', empty: 'No queues.' }));
  };
  await refresh();
  return { refresh };
}

function attempt(at) {
  if (!at) return '';
  return `${at.dispatchTime || at.scheduleTime || ''}${at.responseStatus ? ` → ${at.responseStatus.code ?? 0} ${at.responseStatus.message || ''}` : ''}`;
}

async function queuePage(el, name, focus) {
  const data = h('div');
  el.append(h('h1', {}, 'Queue ', short(name)), h('p', { class: 'muted' }, name), data);
  const refresh = async () => {
    const [q, tasks] = await Promise.all([api(`/v2/${name}`), listAll(`/v2/${name}/tasks?responseView=FULL&pageSize=1000`, 'tasks')]);
    const paused = q.state === 'PAUSED';
    const chosen = focus && tasks.find((t) => t.name === focus);
    data.replaceChildren(
      kv([['State', q.state], ['Rate limits', JSON.stringify(q.rateLimits || {})], ['Retry', JSON.stringify(q.retryConfig || {})]]),
      h('div', { class: 'row' }, paused
        ? h('button', { type: 'button', onclick: () => act(() => api(`/v2/${name}:resume`, { method: 'POST', body: {} }), 'Resumed') }, 'Resume')
        : h('button', { type: 'button', onclick: () => act(() => api(`/v2/${name}:pause`, { method: 'POST', body: {} }), 'Paused') }, 'Pause')),
      section('Tasks', table(['Task', 'Next dispatch', 'Attempts', 'Responses', 'Last attempt', 'Target', ''], tasks.map((t) =>
        [a(short(t.name), 'tasks', name, t.name), t.scheduleTime, String(t.dispatchCount ?? 0), String(t.responseCount ?? 0), attempt(t.lastAttempt),
          t.httpRequest ? `${t.httpRequest.httpMethod || 'POST'} ${t.httpRequest.url}` : t.appEngineHttpRequest?.relativeUri || '',
          h('button', { type: 'button', 'aria-label': `Run ${short(t.name)} now`, onclick: () => act(() => api(`/v2/${t.name}:run`, { method: 'POST', body: { responseView: 'FULL' } }), `Ran ${short(t.name)}`) }, 'Run now')]),
      { label: 'Tasks', empty: 'No tasks in this queue.' })),
      chosen ? section(`Task ${short(chosen.name)}`, kv([['First attempt', attempt(chosen.firstAttempt)], ['Last attempt', attempt(chosen.lastAttempt)]]), pre(chosen)) : '');
  };
  await refresh();
  return { refresh };
}

registerPage({
  id: 'tasks',
  title: 'Cloud Tasks',
  async render(el, [queue, task]) {
    const { project, region } = await api('/_gcpsim/health');
    return queue ? queuePage(el, queue, task) : listPage(el, project, region);
  },
});
