#!/usr/bin/env bash
# The load run: the app under gunicorn (and an rq worker) on the dataset of bench/datagen.py, driven by locust.
#   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/loadtest bench/load.sh [seconds] [users]
# Run bench/datagen.py on that database first. Prints locust's table and writes bench/results/load_*.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
USERS="${2:-32}"
DB="${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to the datagen database}"
DB="${DB/postgresql:\/\//postgresql+psycopg://}"
REDIS="${BENCH_REDIS_URL:-redis://127.0.0.1:6379/9}"
PORT="${BENCH_PORT:-5098}"
mkdir -p bench/results
export DATABASE_URL="$DB" REDIS_URL="$REDIS" JOBS_BACKEND=rq SECRET_KEY=bench PUBLIC_URL="http://127.0.0.1:$PORT" \
  API_RATE_LIMIT="100000 per minute" LOGIN_PAIR_RATE_LIMIT="100000 per minute" LOGIN_IP_RATE_LIMIT="100000 per minute" \
  LOGIN_EMAIL_RATE_LIMIT="100000 per minute" RATELIMIT_STORAGE_URI="$REDIS"
.venv/bin/gunicorn --bind "127.0.0.1:$PORT" --workers 2 --threads 8 --log-level warning wsgi:app &
WEB=$!
.venv/bin/flask --app wsgi worker >/dev/null 2>&1 &
WORKER=$!
trap 'kill $WEB $WORKER 2>/dev/null || true' EXIT
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
.venv/bin/locust -f bench/locustfile.py --headless -u "$USERS" -r 8 -t "${SECONDS_TO_RUN}s" \
  --host "http://127.0.0.1:$PORT" --csv bench/results/load --only-summary
