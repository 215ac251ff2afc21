#!/usr/bin/env bash
# Builds a MySQL-compatible Docker image (MariaDB from Debian's packages) without any container registry.
#
# Why: air-gapped and Docker-Hub-blocked networks (including this project's CI) cannot pull `mysql:8`.
# The image honours the official image's MYSQL_ROOT_PASSWORD, MYSQL_DATABASE, MYSQL_USER and MYSQL_PASSWORD,
# so Testcontainers' MySqlContainer drives it unchanged. An image that is already present is reused.
#
# Usage: scripts/build-mysql-image.sh [image:tag]   (default: $MYSQL_IMAGE or dual-token-auth/mariadb:10.11)
set -euo pipefail

IMAGE="${1:-${MYSQL_IMAGE:-dual-token-auth/mariadb:10.11}}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "mysql-image: $IMAGE already present"
  exit 0
fi
if docker pull "$IMAGE" >/dev/null 2>&1; then
  echo "mysql-image: pulled $IMAGE"
  exit 0
fi

echo "mysql-image: building $IMAGE offline from Debian packages"
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -o Acquire::Retries=3 >/tmp/apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends debootstrap >/tmp/apt-debootstrap.log 2>&1
fi

# Use the Debian mirror this machine is configured with.
MIRROR="$( (grep -rhoE 'https?://[^ ]*/debian/?$|https?://[^ ]*/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true) | grep -v security | head -1 | tr -d ' ' || true)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"

ROOTFS="$(mktemp -d /tmp/mariadb-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
debootstrap --variant=minbase --include=mariadb-server bookworm "$ROOTFS" "$MIRROR" >/tmp/debootstrap.log 2>&1 \
  || { tail -30 /tmp/debootstrap.log; exit 1; }

cat > "$ROOTFS/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/bash
# Minimal stand-in for the official mysql image's entrypoint: same environment variables, same port.
set -euo pipefail
DATADIR=/var/lib/mysql
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
if [ ! -d "$DATADIR/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket=/run/mysqld/init.sock &
  pid=$!
  for _ in $(seq 1 60); do mariadb --socket=/run/mysqld/init.sock -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
  {
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD:-}';"
    echo "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD:-}';"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then echo "CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\`;"; fi
    if [ -n "${MYSQL_USER:-}" ] && [ "${MYSQL_USER}" != root ]; then
      echo "CREATE USER IF NOT EXISTS '${MYSQL_USER}'@'%' IDENTIFIED BY '${MYSQL_PASSWORD:-}';"
      if [ -n "${MYSQL_DATABASE:-}" ]; then echo "GRANT ALL ON \`${MYSQL_DATABASE}\`.* TO '${MYSQL_USER}'@'%';"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --socket=/run/mysqld/init.sock -uroot
  kill "$pid"; wait "$pid" || true
fi
exec mariadbd --user=mysql --datadir="$DATADIR" --bind-address=0.0.0.0 --port=3306 "$@"
ENTRY
chmod +x "$ROOTFS/usr/local/bin/docker-entrypoint.sh"
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

tar -C "$ROOTFS" -c . | docker import \
  -c 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  -c 'EXPOSE 3306' - "$IMAGE" >/dev/null
echo "mysql-image: built $IMAGE"
