// A Cloud Run service for the harness's scenarios: answers Pub/Sub pushes (500 for data
// starting with "fail", so they are redelivered) and logs one structured line per request;
// GET /now logs and answers the process's own idea of the time (libfaketime scenarios).
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));

function log(severity, message) {
  console.log(JSON.stringify({ severity, message }));
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/pubsub') {
      const push = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      const data = Buffer.from(push.message?.data || '', 'base64').toString();
      const ok = !data.startsWith('fail');
      log(ok ? 'INFO' : 'ERROR', `handled ${data}`);
      res.writeHead(ok ? 200 : 500).end();
      return;
    }
    if (req.url === '/now') {
      const now = new Date().toISOString();
      log('INFO', `now ${now}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ now }));
      return;
    }
    log('INFO', `${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ service: process.env.K_SERVICE, path: req.url }));
  });
}).listen(port, '127.0.0.1');
