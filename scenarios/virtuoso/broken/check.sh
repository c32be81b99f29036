#!/usr/bin/env bash
# A broken service.yaml stops `gcpsim up` before anything starts, naming the stack file's
# service_yaml key and the service.yaml's own file, line and field. Each case is the fixture's
# real service.yaml with one mistake a team makes; the fixture's stack file points at it.
# Usage: check.sh GCPSIM (run from the source tree's root)
set -uo pipefail
gcpsim=$(realpath "$1")
fixture=fixtures/virtuoso
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$fixture/gcpsim.yaml" "$work/"
mkdir -p "$work/services/api"
fail=0

# case NAME SED-EXPRESSION EXPECTED-MESSAGE
case_() {
  local name=$1 edit=$2 want=$3 out rc
  sed -e "$edit" "$fixture/service.yaml" >"$work/service.yaml"
  if cmp -s "$fixture/service.yaml" "$work/service.yaml"; then echo "FAIL $name: the edit changed nothing"; fail=1; return; fi
  out=$(cd "$work" && timeout 30 "$gcpsim" up --stack gcpsim.yaml --port 0 2>&1); rc=$?
  if [[ $rc -eq 0 || $rc -eq 124 ]]; then echo "FAIL $name: gcpsim up did not refuse the stack (exit $rc)"; fail=1; return; fi
  if ! grep -qxF -- "$want" <<<"$out"; then
    echo "FAIL $name: expected the line"; echo "  $want"; echo "got:"; sed 's/^/  /' <<<"$out"; fail=1; return
  fi
  echo "ok   $name: $want"
}

at="gcpsim: gcpsim.yaml:18: run.virtuoso-api.service_yaml: service.yaml"
case_ "a misspelt field" 's/containerConcurrency: 80/containerConcurency: 80/' \
  "$at:23: unknown key 'containerConcurency' in spec.template.spec (expected one of: containerConcurrency, timeoutSeconds, serviceAccountName, containers, volumes, enableServiceLinks, runtimeClassName, nodeSelector)"
case_ "a concurrency Cloud Run refuses" 's/containerConcurrency: 80/containerConcurrency: 5000/' \
  "$at:23: spec.template.spec.containerConcurrency: must be between 1 and 1000, got 5000"
case_ "a timeout over an hour" 's/timeoutSeconds: 60/timeoutSeconds: 7200/' \
  "$at:24: spec.template.spec.timeoutSeconds: must be between 1 and 3600, got 7200"
case_ "maxScale 0" "s/maxScale: '10'/maxScale: '0'/" \
  "$at:18: spec.template.metadata.annotations.autoscaling.knative.dev/maxScale: must be between 1 and 1000, got 0"
case_ "a secret the stack does not declare" 's/name: jwt$/name: jwt-signing/' \
  "$at:68: spec.template.spec.containers[0].env[15].valueFrom.secretKeyRef.name: secret 'jwt-signing' is not declared under secrets in the stack file"
case_ "PORT set by hand" 's/name: REGION/name: PORT/' \
  "$at:34: spec.template.spec.containers[0].env[1].name: 'PORT' is reserved: Cloud Run sets it for every instance (containerPort sets PORT)"
case_ "a mounted volume" 's/^        resources:/        volumeMounts: [{name: keys, mountPath: \/secrets}]\n        resources:/' \
  "$at:70: spec.template.spec.containers[0].volumeMounts: volume mounts are not supported by gcpsim: pass secrets as env (secretKeyRef)"
exit $fail
