#!/usr/bin/env bash
# Serve Sprintback for development: web server + Celery worker with embedded beat.
# Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
export VENV
PY="$VENV/bin/python"
PORT="${PORT:-8000}"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping Sprintback…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  exit 0
}
trap cleanup INT TERM EXIT

bash scripts/worker.sh >celery.log 2>&1 &
pids+=($!)

# A first scan right away, so the demo's flags are there before beat's first tick.
"$VENV/bin/celery" -A config call rehab.tasks.scan_all_athletes >/dev/null || true

$PY manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)

cat <<TXT

  Sprintback is running:  http://127.0.0.1:${PORT}/
  Demo logins (password: sprintback)
    coach      — head coach and team admin of Riverside Sprint Squad (People: invitations)
    clinician  — physiotherapist of Riverside Sprint Squad
    athlete    — Maya Okafor, an athlete in rehab (open it on a phone-sized window)
    coach2     — coach of another team (sees none of Riverside's data)
    staff      — staff admin: every team in the Django admin, http://127.0.0.1:${PORT}/admin/
  Celery worker + beat log: celery.log      Press Ctrl-C to stop.

TXT
wait -n "${pids[@]}"
