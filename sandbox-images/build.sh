#!/usr/bin/env bash
# Build the sandbox images, tagged by content hash.  (npm run sandbox:build)
#
#   bash sandbox-images/build.sh               build what is missing, print the tags
#   bash sandbox-images/build.sh --print-tags  print the tags as JSON, build nothing
#
# Images and how each tag's hash is made (sha256 of the listed files' sha256 sums,
# first 16 hex digits):
#   swe-sim/sandbox-rootfs:<h>  debootstrap minbase bookworm     rootfs/make-rootfs.sh
#   swe-sim/sandbox-base:<h>    FROM rootfs, user 1000, git...   base/Dockerfile build.sh + rootfs hash
#   swe-sim/sandbox-python:<h>  FROM base, python3 + pytest      python/Dockerfile build.sh + base hash
#   swe-sim/sandbox-node:<h>    FROM base, nodejs 18 + npm       node/Dockerfile build.sh + base hash
# A tag that already exists (`docker image inspect`) is not rebuilt, so a second run
# takes seconds. Each image is also tagged :latest. Nothing is written into the tree;
# the TypeScript side reads the tags from --print-tags.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"

PREFIX="swe-sim/sandbox"
LANGS=(python node)

# hash_of PARENT_HASH FILE... -> 16 hex digits
hash_of() {
  local parent="$1"; shift
  { sha256sum -- "$@"; printf 'parent %s\n' "$parent"; } | sha256sum | cut -c1-16
}

ROOTFS_HASH="$(hash_of - rootfs/make-rootfs.sh)"
BASE_HASH="$(hash_of "$ROOTFS_HASH" base/Dockerfile build.sh)"
declare -A LANG_HASH
for l in "${LANGS[@]}"; do
  LANG_HASH[$l]="$(hash_of "$BASE_HASH" "$l/Dockerfile" build.sh)"
done

ROOTFS_TAG="$PREFIX-rootfs:$ROOTFS_HASH"
BASE_TAG="$PREFIX-base:$BASE_HASH"

print_tags() {
  local json="{\"base\":\"$BASE_TAG\""
  for l in "${LANGS[@]}"; do json+=",\"$l\":\"$PREFIX-$l:${LANG_HASH[$l]}\""; done
  printf '%s}\n' "$json"
}

case "${1:-}" in
  --print-tags) print_tags; exit 0 ;;
  "") ;;
  -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "build.sh: unknown argument: $1" >&2; exit 2 ;;
esac

log() { echo "[sandbox-images] $*" >&2; }

if ! docker info >/dev/null 2>&1; then
  bash "$REPO_ROOT/scripts/ci/ensure-docker.sh"
fi

# One build at a time on this host (parallel CI jobs, a demo started twice).
exec 9>/tmp/swe-sim-sandbox-build.lock
flock 9

exists() { docker image inspect "$1" >/dev/null 2>&1; }

# build_image NAME HASH DIR PARENT_ARG PARENT_TAG
build_image() {
  local name="$1" hash="$2" dir="$3" arg="$4" parent="$5"
  local tag="$PREFIX-$name:$hash"
  if exists "$tag"; then
    log "$tag exists, skipped"
  else
    log "building $tag"
    local started=$SECONDS
    # Legacy builder: no buildx plugin here, and it is enough for these Dockerfiles.
    local blog="/tmp/swe-sim-build-$name.log"
    if ! DOCKER_BUILDKIT=0 docker build \
      --build-arg "$arg=$parent" \
      --label "swe-sim.image=$name" \
      --label "swe-sim.image-hash=$hash" \
      -t "$tag" "$dir" >"$blog" 2>&1; then
      log "FAILED to build $tag; tail of $blog:"
      tail -n 30 "$blog" >&2
      exit 1
    fi
    log "built $tag in $((SECONDS - started)) s"
  fi
  docker tag "$tag" "$PREFIX-$name:latest"
}

if exists "$ROOTFS_TAG"; then
  log "$ROOTFS_TAG exists, skipped"
else
  started=$SECONDS
  bash rootfs/make-rootfs.sh "$ROOTFS_TAG"
  log "built $ROOTFS_TAG in $((SECONDS - started)) s"
fi
docker tag "$ROOTFS_TAG" "$PREFIX-rootfs:latest"

build_image base "$BASE_HASH" base ROOTFS_IMAGE "$ROOTFS_TAG"
for l in "${LANGS[@]}"; do
  build_image "$l" "${LANG_HASH[$l]}" "$l" BASE_IMAGE "$BASE_TAG"
done

print_tags
