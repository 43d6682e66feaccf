#!/usr/bin/env bash
# Start the web server and one background worker; stop both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

.venv/bin/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_CONCURRENCY:-2}" \
  --access-logfile - --log-level warning &
WEB=$!
$PY manage.py run_worker --interval 1 &
WORKER=$!

stop() {
  trap - INT TERM
  echo
  echo "Stopping the web server and the worker..."
  kill -TERM "$WEB" "$WORKER" 2>/dev/null || true
  wait "$WEB" "$WORKER" 2>/dev/null || true
  echo "Stopped."
  exit 0
}
trap stop INT TERM

cat <<MSG

  Enrollment Tracks is running at http://$HOST:$PORT/

  Demo logins (demo data only, never use these passwords elsewhere):
    site admin          admin       / demo-admin-2026    (Django admin: http://$HOST:$PORT/admin/)
    course team member  staff       / demo-staff-2026    (instructor dashboard of both demo courses)
    learners            learner001 … learner200 / demo-learner-2026

  Course A  course-v1:DemoX+Tracks101+2026  "Tracks 101": no tracks configured (audit only), 200 learners
  Course B  course-v1:DemoX+Tracks201+2026  "Tracks 201": audit, honor, verified (unavailable: e-commerce off)
            To sell verified: Admin → Site configuration → tick "E-commerce enabled"; then pay
            with the sandbox test card 4242 4242 4242 4242 (no money moves).

  Press Ctrl-C to stop.

MSG

# Whichever process ends first (or Ctrl-C) stops the other.
wait -n "$WEB" "$WORKER" || true
stop
