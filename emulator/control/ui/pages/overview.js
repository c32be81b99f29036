// Overview: project, seed, clock, services, backing servers and resource counts.
import { registerPage } from '../registry.js';
import { api, tryApi, listAll, h, kv, section, table, a } from '../lib.js';
import { log } from '../events.js';

async function counts(project, region) {
  const safe = (p) => p.catch(() => null);
  const [topics, subs, buckets, secrets, queues, run, faults] = await Promise.all([
    safe(listAll(`/v1/projects/${project}/topics`, 'topics')),
    safe(listAll(`/v1/projects/${project}/subscriptions`, 'subscriptions')),
    safe(listAll(`/storage/v1/b?project=${project}`, 'items')),
    safe(listAll(`/v1/projects/${project}/secrets`, 'secrets')),
    safe(listAll(`/v2/projects/${project}/locations/${region}/queues`, 'queues')),
    safe(tryApi('/_gcpsim/run')),
    safe(api('/_gcpsim/faults')),
  ]);
  const n = (x) => (x === null ? '—' : x.length);
  return [
    ['Pub/Sub topics', n(topics), 'pubsub'], ['Pub/Sub subscriptions', n(subs), 'pubsub'],
    ['Storage buckets', n(buckets), 'storage'], ['Secrets', n(secrets), 'secrets'],
    ['Task queues', n(queues), 'tasks'], ['Run services and functions', run ? run.services.length : '—', 'run'],
    ['Fault rules', faults ? faults.faults.length : '—', 'faults'], ['Events (kept in the console)', log.events.length, 'events'],
  ];
}

registerPage({
  id: 'overview',
  title: 'Overview',
  async render(el) {
    const refresh = async () => {
      const health = await api('/_gcpsim/health');
      const backing = await tryApi('/_gcpsim/backing');
      const c = health.clock;
      const rows = await counts(health.project, health.region);
      const servers = Object.entries(backing?.servers || {});
      el.replaceChildren(
        h('h1', {}, 'Overview'),
        kv([['Project', health.project], ['Region', health.region], ['Seed', health.seed ?? '—'],
          ['Status', health.status], ['Clock', `${c.mode}, now ${c.now}`], ['Pending timers', String(c.pendingTimers)]]),
        section('Counts', table(['Resource', 'Count'], rows.map(([k, v, page]) => [a(k, page), String(v)]), { label: 'Counts' })),
        section('Services', h('ul', { class: 'chips' }, health.services.map((s) => h('li', {}, s, ' ', h('span', { class: 'ok' }, 'serving'))))),
        section('Backing servers', table(['Server', 'State', 'Port', 'Restarts'],
          servers.map(([name, s]) => [a(name, 'backing', name), s.state, String(s.port ?? ''), String(s.restarts ?? 0)]),
          { label: 'Backing servers', empty: 'No backing servers in this stack.' })));
    };
    await refresh();
    return { refresh };
  },
});
