// Fault rules: the table with hit counters (seen, fired), a form that validates a rule
// before adding it (the server validates again and its message is shown), and removal.
import { registerPage } from '../registry.js';
import { api, h, table, section, act, toast } from '../lib.js';

const CODES = ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'INTERNAL', 'PERMISSION_DENIED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'FAILED_PRECONDITION', 'ABORTED', 'INVALID_ARGUMENT', 'UNAUTHENTICATED', 'CANCELLED', 'UNKNOWN'];
const KINDS = ['error', 'delay', 'drop', 'timeout', 'crash', 'outage'];
const BOUNDARIES = ['', 'api', 'push', 'router', 'process', 'proxy'];
const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;

function field(label, input) {
  return h('label', {}, h('span', {}, label), input);
}

// The rule the form describes, or an Error naming the field that is wrong.
function ruleFrom(f) {
  const v = (n) => f.elements[n].value.trim();
  const match = {};
  for (const k of ['service', 'method', 'target', 'boundary']) if (v(k)) match[k] = v(k);
  const action = { kind: v('kind') };
  if (action.kind === 'error') action.error = v('error');
  if (v('httpStatus')) {
    if (!/^\d{3}$/.test(v('httpStatus'))) throw new Error('HTTP status must be a three-digit number');
    action.httpStatus = Number(v('httpStatus'));
  }
  if (v('message')) action.message = v('message');
  for (const k of ['delay', 'retryDelay']) {
    if (!v(k)) continue;
    if (!DURATION.test(v(k))) throw new Error(`${k} must be a duration such as 2s or 150ms`);
    action[k] = v(k);
  }
  if (action.kind === 'delay' && !action.delay) throw new Error('a delay rule needs a delay');
  const rule = { match, action };
  if (v('probability')) {
    const p = Number(v('probability'));
    if (!(p >= 0 && p <= 1)) throw new Error('probability must be between 0 and 1');
    rule.probability = p;
  }
  for (const k of ['count', 'after']) {
    if (!v(k)) continue;
    const n = Number(v(k));
    if (!Number.isInteger(n) || n < (k === 'count' ? 1 : 0)) throw new Error(`${k} must be a ${k === 'count' ? 'positive' : 'non-negative'} integer`);
    rule[k] = n;
  }
  if (!Object.keys(match).length) throw new Error('match at least a service, method, target or boundary');
  return rule;
}

function addForm() {
  const select = (name, values) => h('select', { name }, values.map((x) => h('option', { value: x }, x || '(any)')));
  const input = (name, placeholder) => h('input', { name, placeholder });
  const form = h('form', { class: 'grid', 'aria-label': 'Add a fault rule', novalidate: true },
    field('Service', input('service', 'pubsub')), field('Method', input('method', 'pubsub.Publish')),
    field('Target', input('target', 'projects/*/topics/orders')), field('Boundary', select('boundary', BOUNDARIES)),
    field('Action', select('kind', KINDS)), field('Error code', select('error', CODES)),
    field('HTTP status', input('httpStatus', '503')), field('Message', input('message', '')),
    field('Delay', input('delay', '2s')), field('Retry delay', input('retryDelay', '30s')),
    field('Probability', input('probability', '1')), field('Count', input('count', 'unlimited')),
    field('After', input('after', '0')),
    h('p', { class: 'error', 'aria-live': 'assertive', id: 'fault-error' }),
    h('button', { type: 'submit' }, 'Add rule'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = form.querySelector('#fault-error');
    let rule;
    try { rule = ruleFrom(form); } catch (e) { err.textContent = e.message; return; }
    err.textContent = '';
    try {
      const added = await api('/_gcpsim/faults', { method: 'POST', body: rule });
      toast(`Added rule ${added.id}`);
      window.dispatchEvent(new Event('gcpsim:changed'));
    } catch (e) {
      err.textContent = e.message;
    }
  });
  return form;
}

const describe = (o) => Object.entries(o || {}).map(([k, v]) => `${k}=${v}`).join(' ');

registerPage({
  id: 'faults',
  title: 'Faults',
  render(el) {
    const data = h('div');
    el.append(h('h1', {}, 'Faults'), data, section('Add a rule', addForm()));
    const refresh = async () => {
      const { faults } = await api('/_gcpsim/faults');
      data.replaceChildren(table(['Id', 'Match', 'Action', 'Probability', 'Seen', 'Fired', 'Limits', ''], faults.map((r) =>
        [r.id, describe(r.match), describe(r.action), String(r.probability), String(r.seen), String(r.fired),
          describe({ count: r.count, after: r.after || undefined, from: r.from, until: r.until }),
          h('button', { type: 'button', 'aria-label': `Remove rule ${r.id}`, onclick: () => act(() => api(`/_gcpsim/faults/${encodeURIComponent(r.id)}`, { method: 'DELETE' }), `Removed ${r.id}`) }, 'Remove')]),
      { label: 'Fault rules', empty: 'No fault rules.' }),
      faults.length ? h('button', { type: 'button', class: 'danger', onclick: () => act(() => api('/_gcpsim/faults', { method: 'DELETE' }), 'Cleared') }, 'Remove all') : '');
    };
    return refresh().then(() => ({ refresh }));
  },
});
