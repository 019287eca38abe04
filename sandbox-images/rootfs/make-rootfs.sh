#!/usr/bin/env bash
# Build a minimal Debian rootfs with debootstrap and import it as a Docker image.
#   usage: make-rootfs.sh IMAGE_TAG
# No image registry is reachable from our build hosts, so the bottom layer of every
# sandbox image comes from Debian's package mirror instead of `FROM debian`.
# Takes about 80 s. Called by build.sh only when IMAGE_TAG does not exist yet.
set -euo pipefail

TAG="${1:?usage: make-rootfs.sh IMAGE_TAG}"
SUITE="bookworm"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "$(id -u)" -ne 0 ]; then
  echo "make-rootfs.sh: debootstrap needs root" >&2
  exit 1
fi

DIR="$(mktemp -d /tmp/swe-sim-rootfs.XXXXXX)"
cleanup() { rm -rf --one-file-system "$DIR"; }
trap cleanup EXIT

echo "[rootfs] debootstrap --variant=minbase $SUITE ($MIRROR)" >&2
debootstrap --variant=minbase "$SUITE" "$DIR" "$MIRROR" >/tmp/swe-sim-debootstrap.log 2>&1 || {
  echo "[rootfs] debootstrap failed; tail of /tmp/swe-sim-debootstrap.log:" >&2
  tail -n 30 /tmp/swe-sim-debootstrap.log >&2
  exit 1
}

# Container conventions (as in Debian's official images): no service starts during
# package installs, no recommends, no package cache kept in layers.
printf '#!/bin/sh\nexit 101\n' > "$DIR/usr/sbin/policy-rc.d"
chmod 755 "$DIR/usr/sbin/policy-rc.d"
cat > "$DIR/etc/apt/apt.conf.d/90swe-sim" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
# Docs, man pages and translations are dead weight in a sandbox.
cat > "$DIR/etc/dpkg/dpkg.cfg.d/90swe-sim-nodoc" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
rm -rf "$DIR"/var/cache/apt/archives/*.deb "$DIR"/var/lib/apt/lists/* "$DIR"/var/log/*.log \
       "$DIR"/usr/share/doc/*/changelog* "$DIR"/usr/share/man/* "$DIR"/usr/share/info/*

echo "[rootfs] docker import -> $TAG" >&2
tar --numeric-owner -C "$DIR" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --message "debootstrap --variant=minbase $SUITE" \
  - "$TAG" >/dev/null
