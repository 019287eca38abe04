#!/usr/bin/env bash
# Make sure a working Docker engine is available (idempotent).
#
#  1. installs docker.io and debootstrap with apt when they are missing
#     (debootstrap builds the sandbox base image: no registry is reachable here);
#  2. starts dockerd in the background when `docker info` fails (log: /tmp/dockerd.log);
#  3. waits until `docker info` answers, at most DOCKER_WAIT_SECONDS (default 60).
#
# Used by CI and by `npm run demo`. Safe to run any number of times.
set -euo pipefail

WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
LOG_FILE="${DOCKERD_LOG:-/tmp/dockerd.log}"

log() { echo "[ensure-docker] $*" >&2; }

dockerd_running() {
  if command -v pgrep >/dev/null 2>&1; then pgrep -x dockerd >/dev/null 2>&1
  else pidof dockerd >/dev/null 2>&1
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  # de-duplicate (docker.io may be listed twice)
  pkgs=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  log "installing: $pkgs"
  as_root apt-get update -q
  # shellcheck disable=SC2086
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $pkgs
fi

if docker info >/dev/null 2>&1; then
  log "docker engine already running"
  exit 0
fi

if dockerd_running; then
  log "dockerd process exists but does not answer yet; waiting"
else
  log "starting dockerd (log: $LOG_FILE)"
  # setsid + nohup: the daemon must outlive this script and the CI step that ran it.
  as_root setsid nohup dockerd >>"$LOG_FILE" 2>&1 < /dev/null &
fi

deadline=$(( $(date +%s) + WAIT_SECONDS ))
until docker info >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "ERROR: docker engine did not answer within ${WAIT_SECONDS}s."
    log "last lines of $LOG_FILE:"
    tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
    exit 1
  fi
  if ! dockerd_running; then
    log "ERROR: dockerd exited. Last lines of $LOG_FILE:"
    tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.5
done
log "docker engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
