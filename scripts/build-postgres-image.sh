#!/usr/bin/env bash
# Builds a PostgreSQL Docker image (Debian's postgresql-15 package) without any container registry.
#
# Why: air-gapped and Docker-Hub-blocked networks (including this project's CI) cannot pull `postgres:15`.
# The image honours the official image's POSTGRES_USER (default postgres, a superuser), POSTGRES_PASSWORD and
# POSTGRES_DB (default: the user's name), listens on 5432 with password (scram-sha-256) authentication, and passes the
# container's arguments to the server (e.g. `-c fsync=off`), like the official image. An image that is already present
# is reused.
#
# Usage: scripts/build-postgres-image.sh [image:tag]   (default: $POSTGRES_IMAGE or dual-token-auth/postgres:15)
set -euo pipefail

IMAGE="${1:-${POSTGRES_IMAGE:-dual-token-auth/postgres:15}}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "postgres-image: $IMAGE already present"
  exit 0
fi
if docker pull "$IMAGE" >/dev/null 2>&1; then
  echo "postgres-image: pulled $IMAGE"
  exit 0
fi

echo "postgres-image: building $IMAGE offline from Debian packages"
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -o Acquire::Retries=3 >/tmp/apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends debootstrap >/tmp/apt-debootstrap.log 2>&1
fi

# Use the Debian mirror this machine is configured with.
MIRROR="$( (grep -rhoE 'https?://[^ ]*/debian/?$|https?://[^ ]*/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) | grep -v security | head -1 | tr -d ' ' || true)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS="$(mktemp -d /tmp/postgres-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=postgresql-15 bookworm "$ROOTFS" "$MIRROR" >/tmp/debootstrap-postgres.log 2>&1 \
  || { tail -30 /tmp/debootstrap-postgres.log; exit 1; }

cat > "$ROOTFS/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/bash
# Minimal stand-in for the official postgres image's entrypoint: same environment variables, same port. The database
# is created in single-user mode, so the only "ready to accept connections" in the log is the real server's.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
USER_NAME="${POSTGRES_USER:-postgres}"
DB_NAME="${POSTGRES_DB:-$USER_NAME}"
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then echo 'POSTGRES_PASSWORD must be set' >&2; exit 1; fi
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/pwfile && chown postgres /tmp/pwfile
  runuser -u postgres -- "$BIN/initdb" -D "$PGDATA" -U "$USER_NAME" --pwfile=/tmp/pwfile \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f /tmp/pwfile
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  if [ "$DB_NAME" != postgres ]; then
    echo "CREATE DATABASE \"$DB_NAME\" OWNER \"$USER_NAME\";" \
      | runuser -u postgres -- "$BIN/postgres" --single -D "$PGDATA" -j postgres >/dev/null
  fi
fi
exec runuser -u postgres -- "$BIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c port=5432 "$@"
ENTRY
chmod +x "$ROOTFS/usr/local/bin/docker-entrypoint.sh"
# The package's own cluster (pg_createcluster's "main") is not used: the entrypoint initialises $PGDATA.
rm -rf "$ROOTFS"/var/lib/postgresql/15 "$ROOTFS"/etc/postgresql/15
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

tar -C "$ROOTFS" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  -c 'EXPOSE 5432' - "$IMAGE" >/dev/null
echo "postgres-image: built $IMAGE"
