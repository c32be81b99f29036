#!/usr/bin/env bash
# Makes the base images the Dockerfile names, debian:bookworm and debian:bookworm-slim, on a
# machine that cannot reach Docker Hub: debootstrap (minbase) from the Debian mirror apt
# already uses, then `docker import`. Starts dockerd by hand when none is running (no bridge,
# no iptables: containers run with --network host). Safe to run again: existing images stay.
#   bash docker/base.sh [--force]
set -euo pipefail
DOCKER=/usr/bin/docker
force=${1:-}

if ! $DOCKER info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || { echo "docker/base.sh: dockerd is not installed (apt-get install docker.io)" >&2; exit 1; }
  echo "docker/base.sh: starting dockerd (--bridge=none --iptables=false)"
  (dockerd --bridge=none --iptables=false >/var/log/gcpsim-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.5; done
  $DOCKER info >/dev/null 2>&1 || { echo "docker/base.sh: dockerd did not start; see /var/log/gcpsim-dockerd.log" >&2; exit 1; }
fi

have() { $DOCKER image inspect "$1" >/dev/null 2>&1; }
if [ "$force" != --force ] && have debian:bookworm && have debian:bookworm-slim; then
  echo "docker/base.sh: debian:bookworm and debian:bookworm-slim are there"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "docker/base.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

# The mirror apt uses here (deb822 sources first, then sources.list).
mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
[ -n "$mirror" ] || mirror=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
echo "docker/base.sh: debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SOURCES
# As Debian's images: no package caches or lists, and apt keeps none after installs.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/tmp/*
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
tar -C "$root" -c . | $DOCKER import --change 'CMD ["bash"]' - debian:bookworm >/dev/null

# The slim variant drops documentation, manuals and locales, now and in later installs.
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*
cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
tar -C "$root" -c . | $DOCKER import --change 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
$DOCKER image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^debian:bookworm'
