#!/usr/bin/env bash
# Makes sure the machine has what the app and its tests run: the .NET 10 SDK, PostgreSQL and Redis
# server binaries, and Chromium for the browser tests. As root it installs missing Debian packages;
# otherwise it says what to install.
set -euo pipefail

missing=()
command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required: https://dotnet.microsoft.com/download" >&2; exit 1; }
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
# The browser tests drive this Chromium through Playwright (Harness/Browser.cs), so Playwright downloads no browser.
[ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The Debian package starts a system-wide cluster and Redis we do not use: the AppHost runs its own.
# They are left alone, since they may belong to something else on the machine.

# The integration tests run Node tools from tests/tools; npm ci runs again only when their lock file changed.
tools="$(dirname "$0")/../tests/tools"; [ "$tools/node_modules/.package-lock.json" -nt "$tools/package-lock.json" ] || npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >/dev/null
