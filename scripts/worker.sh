#!/usr/bin/env bash
# The Celery worker with embedded beat that `make run` starts (scripts/run.sh), on its own so a
# test can run exactly this command (tests/config/test_worker_script.py).
# Broker, database and beat's schedule folder come from the environment like everything else
# (config/settings.py); VENV names another virtualenv than the project's .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${VENV:-.venv}/bin/celery" -A config worker --beat --pool=solo --loglevel=INFO
