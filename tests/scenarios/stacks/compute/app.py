# A small Flask API as it would run on a VM behind nginx: it binds the instance's address
# (INSTANCE_IP) on :5001 and reads its own name from the instance's metadata server.
import json
import os
import urllib.request

from flask import Flask, jsonify

app = Flask(__name__)
state = {"healthy": True}


def metadata(path):
    req = urllib.request.Request("http://" + os.environ["GCE_METADATA_HOST"] + "/computeMetadata/v1/" + path,
                                 headers={"Metadata-Flavor": "Google"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.read().decode()


@app.get("/api/whoami")
def whoami():
    from flask import request
    return jsonify(instance=metadata("instance/name"), ip=metadata("instance/network-interfaces/0/ip"),
                   role=metadata("instance/attributes/role"), pid=os.getpid(),
                   forwarded_for=request.headers.get("X-Forwarded-For"), via=request.headers.get("Via"),
                   proto=request.headers.get("X-Forwarded-Proto"),
                   trace=request.headers.get("X-Cloud-Trace-Context"))


@app.post("/api/break-health")
def break_health():
    state["healthy"] = False
    return jsonify(healthy=False)


@app.get("/health")
def health():
    return ("ok", 200) if state["healthy"] else ("failing", 500)


if __name__ == "__main__":
    app.run(host=os.environ["INSTANCE_IP"], port=5001)
