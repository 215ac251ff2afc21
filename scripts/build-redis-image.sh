#!/usr/bin/env bash
# Builds a Redis Docker image (Debian's redis-server package) without any container registry.
#
# Why: air-gapped and Docker-Hub-blocked networks (including this project's CI) cannot pull `redis:7`.
# The image runs `redis-server` on port 6379 with its data in /data; arguments given to the container are passed to
# redis-server (e.g. `--appendonly yes`), like the official image. With REDIS_CLUSTER_PORTS="7001 7002 7003" it
# instead starts one cluster-enabled redis-server per port and joins them into a Redis Cluster of that many masters
# (no replicas), announcing 127.0.0.1 so clients on the host reach every node when the ports are published 1:1.
# An image that is already present is reused.
#
# Usage: scripts/build-redis-image.sh [image:tag]   (default: $REDIS_IMAGE or dual-token-auth/redis:7.0)
set -euo pipefail

IMAGE="${1:-${REDIS_IMAGE:-dual-token-auth/redis:7.0}}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "redis-image: $IMAGE already present"
  exit 0
fi
if docker pull "$IMAGE" >/dev/null 2>&1; then
  echo "redis-image: pulled $IMAGE"
  exit 0
fi

echo "redis-image: building $IMAGE offline from Debian packages"
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -o Acquire::Retries=3 >/tmp/apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends debootstrap >/tmp/apt-debootstrap.log 2>&1
fi

# Use the Debian mirror this machine is configured with.
MIRROR="$( (grep -rhoE 'https?://[^ ]*/debian/?$|https?://[^ ]*/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) | grep -v security | head -1 | tr -d ' ' || true)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS="$(mktemp -d /tmp/redis-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=redis-server,redis-tools bookworm "$ROOTFS" "$MIRROR" >/tmp/debootstrap-redis.log 2>&1 \
  || { tail -30 /tmp/debootstrap-redis.log; exit 1; }

cat > "$ROOTFS/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/bash
# Standalone: redis-server on 6379 with the container's arguments. Cluster: REDIS_CLUSTER_PORTS lists one port per
# master; each node gets its own directory (cluster state and AOF are per node), then redis-cli joins them.
set -euo pipefail
if [ -z "${REDIS_CLUSTER_PORTS:-}" ]; then
  mkdir -p /data
  exec redis-server --bind 0.0.0.0 --protected-mode no --port 6379 --dir /data --daemonize no "$@"
fi
nodes=()
for port in $REDIS_CLUSTER_PORTS; do
  mkdir -p "/data/$port"
  redis-server --bind 0.0.0.0 --protected-mode no --port "$port" --dir "/data/$port" --daemonize no \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-announce-ip "${REDIS_CLUSTER_ANNOUNCE_IP:-127.0.0.1}" \
    --appendonly yes "$@" &
  nodes+=("127.0.0.1:$port")
done
for port in $REDIS_CLUSTER_PORTS; do
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes
for port in $REDIS_CLUSTER_PORTS; do
  for _ in $(seq 1 100); do redis-cli -p "$port" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
done
echo "Redis Cluster ready"
wait
ENTRY
chmod +x "$ROOTFS/usr/local/bin/docker-entrypoint.sh"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

tar -C "$ROOTFS" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  -c 'EXPOSE 6379' - "$IMAGE" >/dev/null
echo "redis-image: built $IMAGE"
