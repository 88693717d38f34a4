"""gunicorn settings for the production shape (docker-compose web, bench/soak.py).

Access log lines are JSON like the app's own, and carry the request id the app set on the
response, so one grep finds a request in both logs.
"""

import os
import time

# This file runs in the master: the workers it forks, and those that replace recycled ones,
# inherit when the server started (/healthz gives a fresh deploy time to run its first scan).
os.environ.setdefault("SPRINTBACK_WEB_STARTED_AT", str(time.time()))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-* is trusted from these addresses only (the TLS proxy in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
)
