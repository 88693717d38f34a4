#!/usr/bin/env bash
# Fuzz the REST API with schemathesis against a live gunicorn on a throwaway PostgreSQL
# database, authenticated as each role. Fails on any server error or schema violation, and
# unless at least $MIN_REQUESTS requests were sent over every operation.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${FUZZ_PORT:-8765}"
DB="${FUZZ_DB:-sb_fuzz}"
MIN_REQUESTS="${MIN_REQUESTS:-2000}"
EXAMPLES="${FUZZ_EXAMPLES:-25}"
ADMIN_URL="${FUZZ_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
out="$(mktemp -d)"

psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
export DATABASE_URL="${ADMIN_URL%/*}/$DB"
export DEBUG=false SECRET_KEY=fuzz-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz
export ALLOWED_HOSTS=127.0.0.1,localhost THROTTLE_USER=100000/min THROTTLE_TOKEN=100000/min
export CELERY_TASK_ALWAYS_EAGER=true EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
export LOG_LEVEL=WARNING
# Plain HTTP on localhost: no redirect to HTTPS (production keeps the default, on).
export SECURE_SSL_REDIRECT=false
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo >/dev/null
$PY manage.py collectstatic --noinput -v0

.venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
  --log-level warning >"$out/gunicorn.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done

status=0
for role in coach clinician athlete coach2; do
  token=$(curl -sf -X POST -d "username=$role&password=sprintback" \
    "http://127.0.0.1:$PORT/api/v1/auth/token/" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  echo "== schemathesis as $role"
  .venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/schema/" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance \
    -H "Authorization: Token $token" --max-examples "$EXAMPLES" --seed 20261122 \
    --suppress-health-check all --request-timeout 20 --workers 1 \
    --report har --report-har-path "$out/$role.har" || status=1
done

$PY - "$out" "$MIN_REQUESTS" <<'PY'
import json, pathlib, sys
out, minimum = pathlib.Path(sys.argv[1]), int(sys.argv[2])
total, errors, operations = 0, 0, set()
for har in out.glob("*.har"):
    for entry in json.loads(har.read_text())["log"]["entries"]:
        total += 1
        errors += entry["response"]["status"] >= 500
        url = entry["request"]["url"].split("?")[0]
        operations.add((entry["request"]["method"], "/".join(
            "{id}" if part.isdigit() else part for part in url.split("/"))))
print(f"schemathesis: {total} requests over {len(operations)} method/path pairs, {errors} server errors")
sys.exit(0 if total >= minimum and errors == 0 else 1)
PY
[ $? -eq 0 ] || status=1
grep -i "traceback" "$out/gunicorn.log" && status=1
exit $status
