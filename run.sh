#!/usr/bin/env bash
# Brings the whole app up: PostgreSQL, Redis, the sandbox bank, the migrator, the api, the worker and the dashboard.
# Ctrl+C stops everything. Extra arguments go to the AppHost (e.g. --AppHost:DashboardPort 0).
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
exec dotnet run --project Psd2.AppHost -- "$@"
