#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine.
# CI machines have only the Docker client; Debian's docker.io package brings the daemon. There is no systemd,
# so the daemon is started in the background and we wait until `docker info` answers.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "docker: engine already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "docker: installing docker.io from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  # Some configured third-party apt sources may be unreachable; Debian's own mirror is what matters.
  apt-get update -o Acquire::Retries=3 >/tmp/apt-update.log 2>&1 || echo "docker: apt-get update reported errors (see /tmp/apt-update.log); continuing"
  apt-get install -y --no-install-recommends docker.io >/tmp/apt-docker.log 2>&1 || { tail -20 /tmp/apt-docker.log; exit 1; }
fi

echo "docker: starting dockerd"
setsid dockerd >/tmp/dockerd.log 2>&1 < /dev/null &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "docker: engine is up"
    exit 0
  fi
  sleep 1
done
echo "docker: dockerd did not come up in 60 s; last log lines:" >&2
tail -30 /tmp/dockerd.log >&2
exit 1
