// Hostile traffic against the edge port over raw sockets: slow and idle connections,
// oversized and ambiguous HTTP/1.1 messages, HTTP/2 frame floods. Shared by the ctest suite
// (tests/clients/hostile.test.js, small counts) and bench/hostile.js (large counts).
// Loopback only; every loop is bounded in count, every wait in time.
'use strict';
const net = require('node:net');
const fs = require('node:fs');

function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

function cpuSeconds(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;  // utime + stime in clock ticks (USER_HZ 100)
}

function openFds(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

// Opens `count` connections (in batches, so the accept backlog is not overrun), writes
// `first` on each (may be empty) and keeps them open. Returns the sockets.
async function openIdle(port, count, first = '', batch = 500) {
  const socks = [];
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const opened = await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.on('error', () => {});
      s.setTimeout(60000, () => s.destroy());
      s.once('connect', () => {
        if (first) s.write(first);
        resolve(s);
      });
      s.once('close', () => resolve(s));
    })));
    socks.push(...opened);
  }
  return socks;
}

function closeAll(socks) {
  for (const s of socks) s.destroy();
}

// Sends `bytes` (a Buffer, string, or array of them written in order) and collects what the
// server answers until it closes the connection, `ms` pass, or (with `quiet`) nothing came
// for `quiet` ms after the last write. `closed`: the server ended it.
function exchange(port, bytes, ms = 5000, quiet = 0) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const chunks = [];
    let closed = false;
    let writeError = null;
    let written = false;
    let hush = null;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(hush);
      s.destroy();
      const data = Buffer.concat(chunks);
      resolve({ data, text: data.toString('latin1'), closed, writeError });
    };
    const timer = setTimeout(done, ms);
    const rearm = () => {
      if (!quiet || !written) return;
      clearTimeout(hush);
      hush = setTimeout(done, quiet);
    };
    s.on('data', (d) => { chunks.push(d); rearm(); });
    s.on('error', (e) => { writeError = e.code; });
    s.on('end', () => { closed = true; });
    s.on('close', () => { closed = true; done(); });
    s.once('connect', async () => {
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) {
        if (s.destroyed) break;
        if (!s.write(b)) await new Promise((r) => { s.once('drain', r); s.once('close', r); });
      }
      written = true;
      rearm();
    });
  });
}

// Status codes of the HTTP/1.1 responses in `text`, in order.
function statuses(text) {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}

// ---- HTTP/2 frames ----------------------------------------------------------------------
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const T = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };

function frame(type, flags, stream, payload = Buffer.alloc(0)) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

// HPACK: a literal header field without indexing (new name), short strings, no Huffman.
function literal(name, value) {
  const n = Buffer.from(name), v = Buffer.from(value);
  if (n.length > 126 || v.length > 126) throw new Error('hpack literal too long for this encoder');
  return Buffer.concat([Buffer.from([0x00, n.length]), n, Buffer.from([v.length]), v]);
}

// A gRPC request's header block (Publisher/GetTopic).
function grpcHeaders(authority) {
  return Buffer.concat([
    Buffer.from([0x83, 0x86]),  // :method POST, :scheme http (static table)
    literal(':path', '/google.pubsub.v1.Publisher/GetTopic'),
    literal(':authority', authority),
    literal('content-type', 'application/grpc'),
    literal('te', 'trailers'),
  ]);
}

const END_STREAM = 0x1, END_HEADERS = 0x4, ACK = 0x1;

// The four floods, `n` frames each, after the client preface and an empty SETTINGS.
function h2Flood(kind, n, authority = '127.0.0.1') {
  const out = [PREFACE, frame(T.SETTINGS, 0, 0)];
  const batch = [];
  const push = (b) => {
    batch.push(b);
    if (batch.length >= 1000) out.push(Buffer.concat(batch.splice(0)));
  };
  if (kind === 'settings') {
    const p = Buffer.alloc(6);
    p.writeUInt16BE(0x4, 0);  // SETTINGS_INITIAL_WINDOW_SIZE
    p.writeUInt32BE(65535, 2);
    for (let i = 0; i < n; ++i) push(frame(T.SETTINGS, 0, 0, p));
  } else if (kind === 'ping') {
    for (let i = 0; i < n; ++i) push(frame(T.PING, 0, 0, Buffer.alloc(8, i & 0xff)));
  } else if (kind === 'rapid-reset') {
    const block = grpcHeaders(authority);
    const cancel = Buffer.alloc(4);
    cancel.writeUInt32BE(0x8, 0);  // CANCEL
    for (let i = 0; i < n; ++i) {
      const id = 2 * i + 1;
      if (id > 0x7fffffff) break;
      push(frame(T.HEADERS, END_HEADERS, id, block));
      push(frame(T.RST_STREAM, 0, id, cancel));
    }
  } else if (kind === 'continuation') {
    push(frame(T.HEADERS, 0, 1, grpcHeaders(authority)));
    const filler = literal('x-filler', 'a'.repeat(100));
    for (let i = 0; i < n; ++i) push(frame(T.CONTINUATION, 0, 1, Buffer.concat(Array(8).fill(filler))));
  } else {
    throw new Error(`unknown flood ${kind}`);
  }
  if (batch.length) out.push(Buffer.concat(batch));
  return out;
}

// ---- HTTP/1.1 shapes ----------------------------------------------------------------------
const HEALTH = 'GET /_gcpsim/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

const smuggling = {
  'Content-Length with Transfer-Encoding':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' + HEALTH,
  'Transfer-Encoding with Content-Length':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n' + HEALTH,
  'two different Content-Lengths':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 50\r\n\r\n{}' + HEALTH,
  'a Content-Length list':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 50\r\n\r\n{}' + HEALTH,
  'Transfer-Encoding not ending in chunked':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n' + HEALTH,
  'an obfuscated Transfer-Encoding':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n' + HEALTH,
  'a bad chunk size':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n' + HEALTH,
  'a space before the colon':
    'POST /_gcpsim/faults HTTP/1.1\r\nHost: x\r\nContent-Length : 40\r\n\r\n' + HEALTH,
  'a bare LF line ending in the request line':
    'GET /_gcpsim/health HTTP/1.1\nHost: x\r\n\r\n',
};

function nested(depth, open = '[', close = ']') {
  return open.repeat(depth) + close.repeat(depth);
}

module.exports = {
  rssMiB, cpuSeconds, openFds, openIdle, closeAll, exchange, statuses, h2Flood, frame, T, PREFACE, ACK,
  smuggling, nested, HEALTH,
};
