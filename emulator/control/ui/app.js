// The console shell: menu from the page registry, hash routing (#/page/segments…), the
// clock bar on every page, and the live event stream that keeps the current page fresh.
import './pages/index.js';
import { allPages, findPage } from './registry.js';
import { api, act, h, toast } from './lib.js';
import { start as startEvents, onEvents } from './events.js';

const main = document.getElementById('main');
let current = null;  // { page, handle, key }

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter((s) => s !== '').map(decodeURIComponent);
  return { id: parts[0] || 'overview', params: parts.slice(1) };
}

function drawNav(active) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(h('ul', {}, allPages().filter((p) => !p.hidden).map((p) =>
    h('li', {}, h('a', { href: `#/${p.id}`, 'aria-current': p.id === active ? 'page' : false }, p.title)))));
}

async function show() {
  const { id, params } = route();
  const page = findPage(id) || findPage('overview');
  const key = location.hash;
  if (current?.key === key) return;
  current?.handle?.dispose?.();
  drawNav(page.id);
  const el = h('div', { class: `page page-${page.id}` });
  main.replaceChildren(el);
  document.title = `${page.title} · gcpsim console`;
  const entry = { page, handle: null, key };
  current = entry;
  try {
    entry.handle = (await page.render(el, params)) || null;
  } catch (e) {
    el.append(h('p', { class: 'error' }, `Could not load this page: ${e.message}`));
  }
}

// A burst of events or a clock move refreshes the page once, not once per event.
let refreshTimer = null;
function refreshSoon() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    await refreshClock();
    try { await current?.handle?.refresh?.(); } catch (e) { console.warn('refresh failed', e); }
  }, 250);
}

async function refreshClock() {
  try {
    const health = await api('/_gcpsim/health');
    document.getElementById('project').textContent = health.project;
    const c = health.clock;
    document.getElementById('clock-now').textContent = `${c.mode} ${c.now} · ${c.pendingTimers} timers`;
  } catch (e) {
    document.getElementById('clock-now').textContent = `gcpsim unreachable: ${e.message}`;
  }
}

function wireClock() {
  const post = (body, label) => act(() => api('/_gcpsim/clock', { method: 'POST', body }), label);
  document.getElementById('clock').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const by = document.getElementById('clock-by').value.trim();
    post({ advance: by }, `Clock advanced by ${by}`);
  });
  document.getElementById('clock-idle').addEventListener('click', () => {
    const by = document.getElementById('clock-by').value.trim() || '1h';
    post({ runUntilIdle: by }, `Ran timers up to ${by} ahead`);
  });
  document.getElementById('clock-set-btn').addEventListener('click', () => {
    const t = document.getElementById('clock-set').value.trim();
    if (!t) return toast('Type a time such as 2026-01-01T00:00:00Z', 'error');
    post({ set: t }, `Clock set to ${t}`);
  });
}

// The console's own reads are API calls too: refreshing on them would never stop.
function changes(e) {
  if (e.kind !== 'api.call' || e.attrs?.fault || e.attrs?.code !== 'OK') return true;
  const verb = String(e.attrs?.method || '').split('.').pop().toLowerCase();
  return !/^(get|list|access|testiampermissions)/.test(verb);
}

window.addEventListener('hashchange', show);
window.addEventListener('gcpsim:changed', refreshSoon);
onEvents((batch) => { if (batch.some(changes)) refreshSoon(); });
wireClock();
refreshClock();
show();
startEvents((up) => {
  const live = document.getElementById('live');
  live.textContent = up ? '● live' : '○ reconnecting';
  live.className = `live ${up ? 'up' : 'down'}`;
});
