#!/usr/bin/env bash
# Everything swe-sim needs on a fresh Debian machine, idempotent (npm run setup):
#   1. npm dependencies (npm ci when node_modules is missing or older than package-lock.json);
#   2. PostgreSQL running, with the role and database of DATABASE_URL's defaults;
#   3. Docker engine and the sandbox images (skip with SWE_SIM_SKIP_DOCKER=1);
#   4. Debian's chromium, for the dashboard's browser tests (skip with SWE_SIM_SKIP_BROWSER=1);
#   5. build and migrations.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "[setup] $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# A fresh machine's package lists can be stale (the mirror has moved on): refresh them before
# every install, and once more if the install still fails.
apt_install() {
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" || {
    sleep 5
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  }
}

export DATABASE_URL="${DATABASE_URL:-postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim}"

# 1. dependencies
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

# 2. PostgreSQL (only when DATABASE_URL points at this machine)
case "$DATABASE_URL" in
  *@127.0.0.1:*|*@localhost:*|*@localhost/*|*@127.0.0.1/*)
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      log "installing postgresql"
      apt_install postgresql
    fi
    if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
      version=$(ls /etc/postgresql | sort -V | tail -n 1)
      log "starting PostgreSQL $version"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    user=$(node -e 'const u=new URL(process.env.DATABASE_URL);process.stdout.write(decodeURIComponent(u.username))')
    pass=$(node -e 'const u=new URL(process.env.DATABASE_URL);process.stdout.write(decodeURIComponent(u.password))')
    db=$(node -e 'const u=new URL(process.env.DATABASE_URL);process.stdout.write(u.pathname.slice(1))')
    psql_admin() { as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtAc "$1"; }
    if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
      log "creating role $user"
      # CREATEDB: the tests make a database per test file.
      psql_admin "CREATE ROLE \"$user\" LOGIN CREATEDB PASSWORD '$pass'"
    fi
    if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
      log "creating database $db"
      psql_admin "CREATE DATABASE \"$db\" OWNER \"$user\""
    fi
    ;;
  *) log "DATABASE_URL is not local; not starting PostgreSQL" ;;
esac

# 3. Docker and sandbox images
if [ "${SWE_SIM_SKIP_DOCKER:-0}" != "1" ]; then
  bash scripts/ci/ensure-docker.sh
  bash sandbox-images/build.sh >/dev/null
  log "sandbox images ready"
fi

# 4. a browser for the dashboard's tests (no browser download is reachable: Debian's chromium)
if [ "${SWE_SIM_SKIP_BROWSER:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium"
  apt_install chromium
fi

# 5. build and migrations
npm run build --silent
node dist/db/migrate.cli.js
log "ready"
