#!/usr/bin/env bash
# Runs every test: unit tests and the distributed tests, which start the real AppHost through Aspire.Hosting.Testing.
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Schema).
set -euo pipefail
cd "$(dirname "$0")"
eng/prerequisites.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Psd2.sln "$@" 2>&1 | tee "$log" || status=$?

# One closing line over all test assemblies.
awk '/(Passed|Failed)! +- Failed:/ { gsub(",", ""); failed += $4; passed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
# A run can fail outside any test too (a fixture's end-of-run check, such as the scan of the logs for secrets).
[ "$status" -eq 0 ] || echo "the run failed (exit $status); see above"
exit $status
