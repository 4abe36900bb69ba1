#!/usr/bin/env bash
# Brings the whole app up under the Aspire AppHost: PostgreSQL, Redis, the sandbox banks, the migrator, the api, the worker
# and the Aspire dashboard (its login link is printed).
# Ctrl+C stops everything. Extra arguments go to the AppHost (e.g. --AppHost:WorkerReplicas 2).
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh

# Builds only when a file of the app changed since the last build here: even a build with nothing to do costs seconds.
stamp=.psd2/built
changed=$(find . \( -name bin -o -name obj -o -name .git -o -name .psd2 -o -name artifacts -o -name tests -o -name bench -o -name node_modules \) -prune \
    -o -type f -newer "$stamp" -print -quit 2>/dev/null || echo "no stamp")
if [ ! -f "$stamp" ] || [ -n "$changed" ] || [ ! -f Psd2.AppHost/bin/Debug/net10.0/Psd2.AppHost.dll ]; then
    dotnet build Psd2.AppHost --nologo -v quiet -clp:ErrorsOnly
    mkdir -p .psd2 && touch "$stamp"
fi

exec dotnet run --no-build --project Psd2.AppHost -- "$@"
