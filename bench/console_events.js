// The console's events page with 50,000 events, in headless Chromium: how long filtering and
// a full-window redraw take. A stub server gives the console its files (emulator/control/ui/)
// and a stream of synthetic events, so the figures are the page's own, not gcpsim's.
// Run: node bench/console_events.js   (needs tests/clients' npm packages and /usr/bin/chromium)
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('../tests/clients/node_modules/playwright-core');

const UI = path.join(__dirname, '../emulator/control/ui');
const COUNT = 50000;
const events = Array.from({ length: COUNT }, (_, i) => ({
  seq: i + 1, time: '2026-05-01T00:00:00Z', kind: i % 3 ? 'api.call' : 'pubsub.published', service: 'pubsub',
  attrs: { method: 'pubsub.Publish', code: 'OK', message_id: String(i + 1), topic: 'projects/p/topics/t' },
}));
const health = { status: 'SERVING', project: 'p', region: 'us-central1', seed: 0, services: [], clock: { mode: 'virtual', now: '2026-05-01T00:00:00Z', pendingTimers: 0 } };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/_gcpsim/ui/')) {
    const file = path.join(UI, url.pathname.slice('/_gcpsim/ui/'.length) || 'index.html');
    if (!file.startsWith(UI) || !fs.existsSync(file)) { res.statusCode = 404; return res.end(); }
    res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html');
    return res.end(fs.readFileSync(file));
  }
  if (url.pathname === '/_gcpsim/events/stream') {
    res.setHeader('content-type', 'text/event-stream');
    return res.write(events.map((e) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`).join(''));
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(url.pathname === '/_gcpsim/health' ? health : {}));
});

server.listen(0, '127.0.0.1', async () => {
  const browser = await chromium.launch({ executablePath: process.env.GCPSIM_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const t0 = Date.now();
  await page.goto(`http://127.0.0.1:${server.address().port}/_gcpsim/ui/#/events`);
  await page.waitForFunction((n) => document.querySelector('main [aria-live]')?.textContent.startsWith(`${n} of`), COUNT);
  const loadMs = Date.now() - t0;
  const r = await page.evaluate(() => {
    const time = (fn) => { const t = performance.now(); fn(); return +(performance.now() - t).toFixed(1); };
    const set = (name, v) => { const el = document.querySelector(`input[name=${name}]`); el.value = v; el.dispatchEvent(new Event('input')); };
    const list = document.querySelector('.vlist');
    const out = {
      filterByKindMs: time(() => set('kind', 'pubsub.*')),
      filterByTextFirstMs: time(() => set('q', '4999')),
      filterByTextAgainMs: time(() => set('q', '49990')),
    };
    set('q', ''); set('kind', '');
    let js = 0, layout = 0;
    for (let i = 0; i < 20; i++) {
      list.scrollTop = 300000 + i * 12000;
      void list.scrollHeight;
      const a = performance.now(); list.dispatchEvent(new Event('scroll'));
      const b = performance.now(); void list.lastChild.lastChild?.offsetWidth;
      js += b - a; layout += performance.now() - b;
    }
    out.redrawJsMs = +(js / 20).toFixed(1);
    out.redrawLayoutMs = +(layout / 20).toFixed(1);
    out.rowsInDom = document.querySelectorAll('.vrow').length;
    return out;
  });
  console.log(JSON.stringify({ events: COUNT, loadAndParseMs: loadMs, ...r }));
  await browser.close();
  server.close();
});
