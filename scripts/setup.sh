#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh Debian bookworm machine for fiberc:
#  - Mesa's lavapipe (software Vulkan) from bookworm-backports, so Dawn (npm `webgpu`) finds an
#    adapter without a GPU (bookworm's own Mesa 22 is too old for Dawn);
#  - the npm packages (npm ci) and the TypeScript build.
# Needs root (or sudo) for apt; skips the apt part when the packages are already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if ! dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 25' ; then
  if [ -f /etc/apt/sources.list.d/debian.sources ] && ! grep -q bookworm-backports /etc/apt/sources.list.d/*.sources 2>/dev/null; then
    # The first stanza of debian.sources, with the backports suite.
    awk 'BEGIN{RS=""; ORS="\n\n"} NR==1' /etc/apt/sources.list.d/debian.sources \
      | sed 's/^Suites:.*/Suites: bookworm-backports/' | $SUDO tee /etc/apt/sources.list.d/backports.sources >/dev/null
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
