// The event timeline on the virtual clock: filter by kind, service and text, follow the
// live tail, open an event for its attributes and its related events (same trace,
// message, task, target).
import { registerPage } from '../registry.js';
import { h, a, pre, section } from '../lib.js';
import { log, onEvents, related } from '../events.js';
import { VirtualList } from '../vlist.js';

const text = (e) => (e._text ??= `${e.kind} ${e.service} ${JSON.stringify(e.attrs)}`.toLowerCase());

function matcher(kind, service, query) {
  const k = kind.trim();
  const prefix = k.endsWith('*') ? k.slice(0, -1) : null;
  const q = query.trim().toLowerCase();
  return (e) => (!k || (prefix !== null ? e.kind.startsWith(prefix) : e.kind === k)) &&
    (!service || e.service === service) && (!q || text(e).includes(q));
}

function row(e) {
  const summary = Object.entries(e.attrs || {}).slice(0, 6).map(([k, v]) => `${k}=${v}`).join(' ');
  return h('div', {}, h('span', { class: 'seq' }, String(e.seq)), h('span', { class: 'time' }, e.time),
    h('span', { class: 'kind' }, e.kind), h('span', { class: 'svc' }, e.service), h('span', { class: 'attrs' }, summary));
}

registerPage({
  id: 'events',
  title: 'Events',
  render(el, [seq]) {
    const kind = h('input', { name: 'kind', list: 'event-kinds', placeholder: 'kind, e.g. pubsub.*', 'aria-label': 'Filter by kind' });
    const kinds = h('datalist', { id: 'event-kinds' });
    const service = h('select', { name: 'service', 'aria-label': 'Filter by service' }, h('option', { value: '' }, 'all services'));
    const query = h('input', { name: 'q', type: 'search', placeholder: 'text', 'aria-label': 'Filter by text' });
    const tail = h('input', { type: 'checkbox', name: 'tail', checked: true });
    const count = h('span', { class: 'muted', 'aria-live': 'polite' });
    const detail = h('div', { class: 'detail' }, h('p', { class: 'muted' }, 'Click an event, or select it with the arrow keys and press Enter, for its attributes and related events.'));
    const list = new VirtualList({ label: 'Events', renderRow: row, onOpen: (e) => { location.hash = `#/events/${e.seq}`; } });
    const seen = { kinds: new Set(), services: new Set() };
    let filtered = [];
    let match = () => true;

    const learn = (events) => {
      for (const e of events) {
        if (!seen.kinds.has(e.kind)) { seen.kinds.add(e.kind); kinds.append(h('option', { value: e.kind })); }
        if (!seen.services.has(e.service)) { seen.services.add(e.service); service.append(h('option', { value: e.service }, e.service)); }
      }
    };
    const show = () => {
      count.textContent = `${filtered.length} of ${log.events.length} events`;
      list.setItems(filtered, { stickToBottom: tail.checked });
    };
    const refilter = () => {
      match = matcher(kind.value, service.value, query.value);
      filtered = log.events.filter(match);
      show();
    };
    const open = (n) => {
      const e = log.events.find((x) => x.seq === n);
      if (!e) return detail.replaceChildren(h('p', { class: 'muted' }, `Event ${n} is not in the console's log (yet).`));
      const rel = related(e);
      const i = filtered.indexOf(e);
      if (i >= 0) list.select(i);
      detail.replaceChildren(section(`Event ${e.seq}: ${e.kind}`, pre(e),
        h('h3', {}, 'Related events'), rel.length ? h('ul', { class: 'related' }, rel.map((r) =>
          h('li', {}, a(`${r.seq} ${r.time} ${r.kind} ${r.service}`, 'events', String(r.seq))))) : h('p', { class: 'muted' }, 'None with the same trace, message, task or target.')));
    };

    for (const input of [kind, query]) input.addEventListener('input', refilter);
    service.addEventListener('change', refilter);
    tail.addEventListener('change', () => { if (tail.checked) list.el.scrollTop = list.el.scrollHeight; });
    el.append(h('h1', {}, 'Events'),
      h('form', { class: 'row filters', role: 'search', onsubmit: (ev) => ev.preventDefault() },
        kind, kinds, service, query, h('label', {}, tail, ' live tail'), count),
      h('div', { class: 'split' }, list.el, detail));
    learn(log.events);
    refilter();
    if (tail.checked) list.el.scrollTop = list.el.scrollHeight;
    if (seq) open(Number(seq));

    const off = onEvents((batch) => {
      learn(batch);
      if (filtered.length && log.events.length && filtered[0].seq < log.events[0].seq) {
        refilter();  // old events fell off the end of the log
      } else {
        for (const e of batch) if (match(e)) filtered.push(e);
        show();
      }
      if (seq && !detail.firstChild?.matches?.('section')) open(Number(seq));
    });
    return { dispose: off };
  },
});
