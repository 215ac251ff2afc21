#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs dependencies, starts Docker, provides a MySQL image for
# Testcontainers, a Redis image and a PostgreSQL image (all built offline when they cannot be pulled), installs Chromium for the browser tests, then `npm test`.
# This is the command the README gives and the one CI (.ci/run) calls.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== dependencies"
npm ci --no-audit --no-fund

echo "== docker"
bash scripts/start-docker.sh

echo "== mysql image"
export MYSQL_IMAGE="${MYSQL_IMAGE:-dual-token-auth/mariadb:10.11}"
bash scripts/build-mysql-image.sh "$MYSQL_IMAGE"

echo "== redis image"
export REDIS_IMAGE="${REDIS_IMAGE:-dual-token-auth/redis:7.0}"
bash scripts/build-redis-image.sh "$REDIS_IMAGE"

echo "== postgres image"
export POSTGRES_IMAGE="${POSTGRES_IMAGE:-dual-token-auth/postgres:15}"
bash scripts/build-postgres-image.sh "$POSTGRES_IMAGE"
export TESTCONTAINERS_RYUK_DISABLED=true

if [ -f scripts/install-chromium.sh ]; then
  echo "== chromium"
  bash scripts/install-chromium.sh
fi

echo "== tests"
mkdir -p artifacts
status=0
npm test -- --json --outputFile=artifacts/jest-results.json || status=$?

# One plain closing line that any CI can read.
if [ -f artifacts/jest-results.json ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync("artifacts/jest-results.json", "utf8"));
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);'
fi
exit "$status"
