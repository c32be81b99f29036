// A Cloud Run service for the harness's scenarios: answers Pub/Sub pushes (500 for data
// starting with "fail", so they are redelivered) and logs one structured line per request;
// GET /now logs and answers the process's own idea of the time (libfaketime scenarios);
// a WebSocket at /echo answers each text frame with "echo: TEXT" and closes on "bye".
'use strict';
const crypto = require('node:crypto');
const http = require('node:http');

const port = Number(process.env.PORT);
process.on('SIGTERM', () => process.exit(0));

function log(severity, message) {
  console.log(JSON.stringify({ severity, message }));
}

// RFC 6455, server side, short text frames only (what the harness's scenarios send).
function frame(opcode, payload) {
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

function echo(req, sock) {
  if (req.url !== '/echo') return sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  const accept = crypto.createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  log('INFO', 'websocket open');
  let buf = Buffer.alloc(0);
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 6 && buf.length >= 6 + (buf[1] & 0x7f)) {
      const len = buf[1] & 0x7f;
      const mask = buf.subarray(2, 6);
      const text = Buffer.from(buf.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4])).toString();
      const opcode = buf[0] & 0x0f;
      buf = buf.subarray(6 + len);
      if (opcode === 8) return sock.end(frame(8, Buffer.from([0x03, 0xe8])));
      sock.write(frame(1, Buffer.from(`echo: ${text}`)));
      if (text === 'bye') sock.end(frame(8, Buffer.from([0x03, 0xe8])));
    }
  });
  sock.on('error', () => {});
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
}).on('upgrade', echo).listen(port, '127.0.0.1');
