#!/usr/bin/env bash
# One entry point for every process of the production stack, in the image or on a host:
#   deploy/entrypoint.sh migrate   bring the database schema to head (flask db upgrade), then exit
#   deploy/entrypoint.sh web       wait for the database, then gunicorn with gunicorn.conf.py
#   deploy/entrypoint.sh worker    the RQ job worker (flask jobs work; needs REDIS_URL)
#   deploy/entrypoint.sh cron      webhooks resume, otp sweep, idempotency prune, exports prune
#                                  every CRON_INTERVAL_SECONDS
#   deploy/entrypoint.sh CMD ...   anything else is run as given (e.g. flask create-merchant ...)
# Settings come from the environment (deploy/env.example lists them).
#
# Only `migrate` migrates, run once per release (compose.yaml: a one-shot service the others
# wait for). web never runs Alembic, so two instances starting at once cannot race on it;
# one started before the migration answers /readyz 503 ("behind") and gets no traffic.
set -euo pipefail

# Run from the project root: app.py and gunicorn.conf.py are found relative to it.
cd "$(dirname "$0")/.."
export FLASK_APP=app

log() {
    echo "entrypoint: $*" >&2
}

# Wait up to DB_WAIT_SECONDS (default 60) for DATABASE_URL to accept a connection, so no
# process crash-loops while PostgreSQL is still starting. Not PostgreSQL: no wait.
wait_for_database() {
    python - <<'PY'
import os
import sys
import time

import psycopg

url = os.environ.get("DATABASE_URL", "")
for prefix in ("postgresql+psycopg://", "postgres://"):
    if url.startswith(prefix):
        url = "postgresql://" + url[len(prefix):]
if not url.startswith("postgresql://"):
    sys.exit(0)
deadline = time.monotonic() + float(os.environ.get("DB_WAIT_SECONDS") or 60)
while True:
    try:
        psycopg.connect(url, connect_timeout=2).close()
        sys.exit(0)
    except psycopg.OperationalError as exc:
        if time.monotonic() > deadline:
            print(f"entrypoint: the database does not answer: {exc}", file=sys.stderr)
            sys.exit(1)
        time.sleep(1)
PY
}

# The periodic commands, once each; a failure is logged and the loop goes on.
run_periodic() {
    flask webhooks resume || log "flask webhooks resume failed ($?)"
    flask otp sweep || log "flask otp sweep failed ($?)"
    flask idempotency prune || log "flask idempotency prune failed ($?)"
    flask exports prune || log "flask exports prune failed ($?)"
}

# SIGTERM ends the loop: during a command, once it has finished; during the pause, at once
# (sleep runs in the background and `wait` is interrupted by the trapped signal).
cron_loop() {
    local interval="${CRON_INTERVAL_SECONDS:-300}"
    local stopping=0 pause
    trap 'stopping=1; [[ -n "${pause:-}" ]] && kill "$pause" 2>/dev/null' TERM INT
    log "cron: every ${interval}s"
    while [[ $stopping == 0 ]]; do
        run_periodic
        [[ $stopping == 0 ]] || break
        sleep "$interval" &
        pause=$!
        wait "$pause" || true
        pause=""
    done
    log "cron: stopped"
}

role="${1:-}"
[[ $# -gt 0 ]] && shift
case "$role" in
    migrate)
        wait_for_database
        exec flask db upgrade "$@"
        ;;
    web)
        wait_for_database
        exec gunicorn -c gunicorn.conf.py "$@" app:app
        ;;
    worker)
        wait_for_database
        exec flask jobs work "$@"
        ;;
    cron)
        cron_loop
        ;;
    "")
        log "usage: deploy/entrypoint.sh migrate|web|worker|cron|CMD ..."
        exit 64
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
