#!/usr/bin/env bash
# Run the suite on SQLite (browser tests included), then on PostgreSQL when a server answers.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== SQLite =="
FRONTLINE_ENV=test FRONTLINE_DATABASE_URL="sqlite:///$(mktemp -d)/frontline.sqlite3" uv run pytest -q

pg_url="${FRONTLINE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/frontline}"
if uv run python scripts/pg_ready.py "$pg_url"; then
  echo "== PostgreSQL =="
  FRONTLINE_ENV=test FRONTLINE_DATABASE_URL="$pg_url" uv run pytest -q -m "not browser"
else
  echo "== PostgreSQL not reachable at $pg_url: skipped (set FRONTLINE_TEST_POSTGRES_URL) =="
  if [ "${CI:-}" = "true" ]; then exit 1; fi
fi
