// Starts a real gcpsim process for a client test and stops it afterwards. The port comes
// from the ready line (--port 0), so tests never race for ports and never sleep.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const net = require('node:net');
const readline = require('node:readline');

const BIN = process.env.GCPSIM_BIN || `${__dirname}/../../../build/emulator/gcpsim`;

async function startGcpsim(args = [], { env = {} } = {}) {
  const proc = spawn(BIN, ['up', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: proc.stdout });
  const port = await new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /^gcpsim ready on [^:]+:(\d+) /.exec(line);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`gcpsim exited (${code}) before ready: ${stderr}`)));
  });
  const host = `127.0.0.1:${port}`;
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    port,
    host,
    url: `http://${host}`,
    exited,
    stderr: () => stderr,
    async control(method, path, body) {
      const res = await fetch(`http://${host}/_gcpsim/${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    // The first n events (already recorded or still to come) for which match(event) is true,
    // read from the server-sent event stream: no polling. Rejects after timeoutMs of real
    // time (what a test waits for this way is real work: a process, a container, a client).
    async events(match, n = 1, timeoutMs = 60000) {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      const found = [];
      try {
        const res = await fetch(`http://${host}/_gcpsim/events/stream?since=0`, { signal: abort.signal });
        // One decoder for the whole stream: a character split across two chunks stays whole.
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body) {
          buf += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buf.indexOf('\n\n')) >= 0) {
            const data = buf.slice(0, end).split('\n').find((l) => l.startsWith('data: '));
            buf = buf.slice(end + 2);
            if (!data) continue;
            const e = JSON.parse(data.slice(6));
            if (match(e) && found.push(e) === n) return found;
          }
        }
        throw new Error('the event stream ended');
      } catch (e) {
        if (abort.signal.aborted) throw new Error(`${found.length} of ${n} matching events within ${timeoutMs} ms`);
        throw e;
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
    },
    async event(match, timeoutMs = 60000) {
      return (await this.events(match, 1, timeoutMs))[0];
    },
    // The gcpsim process's pid on this machine: under tests/docker/gcpsim-in-docker.sh the
    // spawned process is the docker client, and gcpsim runs in container gcpsim-test-<its pid>.
    serverPid() {
      if (!process.env.GCPSIM_IMAGE) return proc.pid;
      return Number(execFileSync('/usr/bin/docker', ['inspect', '--format', '{{.State.Pid}}', `gcpsim-test-${proc.pid}`]).toString());
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

// A loopback port free right now, for a server the test starts itself (a stub's or an
// upstream's fixed port); gcpsim's own edge takes --port 0 instead.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

module.exports = { startGcpsim, freePort, BIN };
