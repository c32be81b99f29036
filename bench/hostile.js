// Hostile traffic at full size against one gcpsim (loopback only, bounded counts): prints
// per shape what the server answered, its RSS, descriptors and CPU time, and how long a
// health request took meanwhile. The ctest suite tests/clients/hostile.test.js asserts the
// same shapes at smaller counts.
//   node bench/hostile.js [--conns 10000] [--slow 5000] [--frames 200000]
'use strict';
const { startGcpsim } = require('../tests/clients/lib/gcpsim');
const h = require('../tests/clients/lib/hostile');

const arg = (k, d) => {
  const i = process.argv.indexOf(`--${k}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};

async function main() {
  const sim = await startGcpsim();
  const pid = sim.proc.pid;
  const rows = [];
  const health = async () => {
    const t = process.hrtime.bigint();
    const res = await fetch(`${sim.url}/_gcpsim/health`);
    await res.text();
    return { status: res.status, ms: Number(process.hrtime.bigint() - t) / 1e6 };
  };
  const row = async (shape, extra = {}) => {
    const hl = await health();
    rows.push({ shape, health: hl.status, health_ms: hl.ms.toFixed(1), rss_mib: h.rssMiB(pid).toFixed(1),
      fds: h.openFds(pid), cpu_s: h.cpuSeconds(pid).toFixed(2), ...extra });
  };
  try {
    await row('baseline');
    const conns = arg('conns', 10000);
    let socks = await h.openIdle(sim.port, conns);
    await row(`${conns} idle connections`);
    h.closeAll(socks);
    const slow = arg('slow', 5000);
    socks = await h.openIdle(sim.port, slow, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const cpu0 = h.cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 2000));
    await row(`${slow} half-sent headers`, { cpu_idle_2s: (h.cpuSeconds(pid) - cpu0).toFixed(2) });
    h.closeAll(socks);
    socks = await h.openIdle(sim.port, slow, 'PRI * HTTP/2');
    const cpu1 = h.cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 2000));
    await row(`${slow} half-sent HTTP/2 prefaces`, { cpu_idle_2s: (h.cpuSeconds(pid) - cpu1).toFixed(2) });
    h.closeAll(socks);
    const frames = arg('frames', 200000);
    for (const kind of ['rapid-reset', 'settings', 'ping', 'continuation']) {
      const r = await h.exchange(sim.port, h.h2Flood(kind, kind === 'continuation' ? frames / 10 : frames), 30000, 2000);
      await row(`HTTP/2 ${kind} flood`, { answered_bytes: r.data.length, closed_by_server: r.closed });
    }
    for (const [name, bytes] of Object.entries(h.smuggling)) {
      const r = await h.exchange(sim.port, bytes);
      await row(`smuggling: ${name}`, { statuses: h.statuses(r.text).join(','), closed_by_server: r.closed });
    }
    const big = await h.exchange(sim.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1 << 20)}\r\n\r\n`);
    await row('1 MiB header', { statuses: h.statuses(big.text).join(',') });
    for (const depth of [1000, 100000, 1000000]) {
      const res = await fetch(`${sim.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: h.nested(depth),
      });
      await res.text();
      await row(`JSON nested ${depth} deep`, { statuses: String(res.status) });
    }
  } finally {
    await sim.stop();
  }
  console.table(rows);
}

main().catch((e) => { console.error(e); process.exit(1); });
