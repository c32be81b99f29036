// Small helpers every page uses: DOM building without innerHTML, the JSON fetch wrapper
// (Google's error envelope turned into an Error), hash links, formatting.

// h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child, [children]) → element.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// fetch + JSON. body: an object (sent as JSON), or {raw, type} for bytes.
export async function api(path, { method = 'GET', body, raw, type } = {}) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers['content-type'] = 'application/json';
    opts.body = JSON.stringify(body);
  } else if (raw !== undefined) {
    opts.headers['content-type'] = type || 'application/octet-stream';
    opts.body = raw;
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : {}; } catch { json = null; }
  if (!res.ok) throw new ApiError(res.status, json?.error?.message || text || res.statusText);
  return json ?? text;
}

// GET that answers null on 404 (an API a stack may not serve, a resource gone meanwhile).
export async function tryApi(path) {
  try { return await api(path); } catch (e) { if (e.status === 404) return null; throw e; }
}

// Every page of a Google list API, concatenated under `key`.
export async function listAll(path, key) {
  const out = [];
  let token = '';
  for (let i = 0; i < 50; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(path + (token ? `${sep}pageToken=${encodeURIComponent(token)}` : ''));
    out.push(...(page[key] || []));
    token = page.nextPageToken;
    if (!token) break;
  }
  return out;
}

// '#/page/seg/seg' with each segment encoded (resource names keep their slashes inside).
export function link(...segments) {
  return '#/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

export function a(text, ...segments) {
  return h('a', { href: link(...segments) }, text);
}

export function short(name) {
  return String(name || '').split('/').pop();
}

export function b64encode(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function utf8b64(text) {
  return b64encode(new TextEncoder().encode(text));
}

// Text when the bytes are UTF-8, otherwise base64 marked as such.
export function b64text(b64) {
  if (!b64) return '';
  const bin = atob(b64);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { return `base64:${b64}`; }
}

export function bytes(n) {
  n = Number(n || 0);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function table(headers, rows, { label, empty = 'None.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('table', { 'aria-label': label },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

export function section(title, ...children) {
  return h('section', {}, h('h2', {}, title), ...children);
}

export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function pre(obj) {
  return h('pre', { class: 'json' }, typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2));
}

let toastTimer;
export function toast(message, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = ''; }, 4000);
}

// Runs an action from a button or form: errors become a toast, success refreshes the page.
export async function act(fn, done = 'Done') {
  try {
    const r = await fn();
    toast(done);
    window.dispatchEvent(new Event('gcpsim:changed'));
    return r;
  } catch (e) {
    toast(e.message, 'error');
    return undefined;
  }
}
