#!/usr/bin/env bash
# Installs Debian's Chromium for the browser e2e tests (test/client-browser.e2e-spec.ts drives it with playwright-core).
# Idempotent: does nothing when /usr/bin/chromium is already there. Browser downloads (`npx playwright install`) do not
# work on the CI machines; the Debian package does. Needs root (CI runs as root) or sudo.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "install-chromium: $CHROMIUM is missing and this is not root (no sudo either)" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Third-party apt sources (if any) may be unreachable: an incomplete update is fine as long as Debian's mirror answered.
  $SUDO apt-get update || echo "install-chromium: apt-get update reported errors; trying the install anyway" >&2
  $SUDO apt-get install -y --no-install-recommends chromium
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "install-chromium: $CHROMIUM still missing after the install" >&2
  exit 1
fi
"$CHROMIUM" --version
