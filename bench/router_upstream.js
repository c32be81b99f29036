// bench/router's trivial upstream: "ok" for every request (keep-alive), and a WebSocket
// echo written by hand for the held-connections figure.
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
});

server.on('upgrade', (req, socket) => {
  const accept = crypto.createHash('sha1')
    .update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socket.on('data', (d) => {
    // Short masked client frames only: unmask and echo unmasked.
    const len = d[1] & 0x7f;
    const mask = d.subarray(2, 6);
    const payload = Buffer.from(d.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4]));
    socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
  });
  socket.on('error', () => {});
});

server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT), '127.0.0.1');
