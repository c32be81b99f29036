# The test service of tests/docker/runapp (see its Dockerfile).
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read(*paths):
    for path in paths:
        try:
            with open(path) as f:
                return f.read().strip()
        except OSError:
            pass
    return ""


def cpu_limit():
    v2 = read("/sys/fs/cgroup/cpu.max").split()
    if len(v2) == 2 and v2[0] != "max":
        return int(v2[0]) / int(v2[1])
    quota, period = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    return int(quota) / int(period) if quota and period and int(quota) > 0 else None


def tmp_fs():
    for line in read("/proc/mounts").splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[1] == "/tmp":
            return fields[2]
    return "none"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({
            "service": os.environ.get("K_SERVICE"),
            "revision": os.environ.get("K_REVISION"),
            "tmp": tmp_fs(),
            "memory": int(read("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes") or 0),
            "cpu": cpu_limit(),
            "uid": os.getuid(),
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print("request " + fmt % args)


def on_sigterm(signum, frame):
    if os.environ.get("IGNORE_SIGTERM") == "1":
        print("SIGTERM ignored")
        return
    print("SIGTERM received: exiting")
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
server = ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler)
print(f"listening on {os.environ['PORT']} as {os.environ.get('K_SERVICE')}")
try:
    server.serve_forever()
except SystemExit:
    server.server_close()
    raise
