// Runs the user's own gcloud (the Google Cloud CLI) against a gcpsim through `gcpsim gcloud`,
// as a developer would, with a private gcloud configuration directory per test file so runs
// never touch ~/.config/gcloud nor each other. Tests skip, saying why, without gcloud.
'use strict';
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { BIN } = require('./gcpsim');

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {}
  }
  return null;
}

const GCLOUD = onPath('gcloud');
// The reason a suite skips, or false when gcloud is there.
const skip = GCLOUD ? false : 'gcloud (the Google Cloud CLI) is not installed on this machine';

// A gcloud bound to one gcpsim: run(args) resolves { stdout, stderr } or rejects with the
// exit code and stderr; json(args) parses --format=json output.
function gcloudFor(sim) {
  const config = fs.mkdtempSync(path.join(os.tmpdir(), 'gcpsim-gcloud-config-'));
  const env = { ...process.env, GCPSIM_ENDPOINT: sim.url, CLOUDSDK_CONFIG: config };
  function run(args, { input } = {}) {
    if (process.env.GCLOUD_TRACE) console.error('gcloud', args.join(' '));  // GCLOUD_TRACE=1: each command
    return new Promise((resolve, reject) => {
      const child = execFile(BIN, ['gcloud', ...args], { env, maxBuffer: 64 << 20, encoding: 'buffer' },
        (err, stdout, stderr) => {
          if (err) {
            err.message = `gcloud ${args.join(' ')} failed (${err.code}): ${stderr}`;
            err.stderr = stderr.toString();
            return reject(err);
          }
          resolve({ stdout: stdout.toString(), stderr: stderr.toString(), raw: stdout });
        });
      if (input !== undefined) child.stdin.end(input);
      else child.stdin.end();
    });
  }
  return {
    run,
    async json(args, opts) {
      const { stdout } = await run([...args, '--format=json'], opts);
      return stdout.trim() ? JSON.parse(stdout) : null;
    },
    cleanup() { fs.rmSync(config, { recursive: true, force: true }); },
  };
}

module.exports = { GCLOUD, skip, gcloudFor };
