#!/usr/bin/env bash
# Brings the whole app up under the Aspire AppHost: PostgreSQL, Redis, the sandbox bank, the migrator, the api, the worker
# and the Aspire dashboard (its login link is printed).
# Ctrl+C stops everything. Extra arguments go to the AppHost (e.g. --AppHost:WorkerReplicas 2).
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh
exec dotnet run --project Psd2.AppHost -- "$@"
