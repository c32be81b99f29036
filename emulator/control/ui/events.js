// The event log as the console sees it: loaded once, then tailed live over SSE
// (/_gcpsim/events/stream). Keeps at most the newest 50,000, as the server does.
const MAX = 50000;
const listeners = new Set();
export const log = { events: [], lastSeq: 0, connected: false };

export function onEvents(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function add(batch) {
  // A reconnecting stream may repeat what was already seen.
  const fresh = batch.filter((e) => e.seq > log.lastSeq);
  if (!fresh.length) return;
  log.events.push(...fresh);
  log.lastSeq = fresh[fresh.length - 1].seq;
  if (log.events.length > MAX) log.events.splice(0, log.events.length - MAX);
  for (const fn of listeners) fn(fresh);
}

export function start(onState) {
  let pending = [];
  let scheduled = false;
  const source = new EventSource(`/_gcpsim/events/stream?since=${log.lastSeq}`);
  source.onopen = () => { log.connected = true; onState(true); };
  source.onerror = () => { log.connected = false; onState(false); };
  // Events arrive one frame each; hand them on in batches, once a frame.
  source.onmessage = (m) => {
    pending.push(JSON.parse(m.data));
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const batch = pending;
      pending = [];
      add(batch);
    });
  };
  return source;
}

// Events related to `e`: the same trace, message, task, target or instance.
export function related(e) {
  const keys = ['trace', 'messageId', 'message_id', 'task', 'target', 'subscription', 'object'];
  const wanted = keys.filter((k) => e.attrs?.[k] !== undefined).map((k) => [k, String(e.attrs[k])]);
  if (!wanted.length) return [];
  return log.events.filter((o) => o.seq !== e.seq && wanted.some(([k, v]) => String(o.attrs?.[k]) === v)).slice(-200);
}
