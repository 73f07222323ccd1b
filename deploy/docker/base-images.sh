#!/usr/bin/env bash
# Makes the three base images locally from Debian's packages, for a machine that reaches no
# container registry (only a Debian mirror):
#   localhost/debian:bookworm-slim   debootstrap minbase, slimmed like the official image
#   localhost/swift:6.3-bookworm     + the official Swift image's packages, this machine's toolchain
#                                    (/opt/swift or SWIFT_TOOLCHAIN) and its Swift package mirror
#                                    (/opt/swift-packages or SWIFT_PACKAGES)
#   localhost/postgres:15-bookworm   + Debian's postgresql-15 behind the official entry point's
#                                    variables
# Images that exist are kept (run it as often as you like); --rebuild makes them anew.
# up.sh then passes them as BUILDER_IMAGE, RUNTIME_IMAGE and POSTGRES_IMAGE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=engine.sh
. "$here/engine.sh"
pick_engine
rebuild=false; [ "${1:-}" = --rebuild ] && rebuild=true

debian=localhost/debian:bookworm-slim
swift=localhost/swift:6.3-bookworm
postgres=localhost/postgres:15-bookworm
toolchain=${SWIFT_TOOLCHAIN:-/opt/swift}
packages=${SWIFT_PACKAGES:-/opt/swift-packages}

exists() { ! $rebuild && "$engine" image inspect "$1" >/dev/null 2>&1; }

# The mirrors this machine's apt uses (the image reaches the same ones).
mirror_of() { # SUITE-PATH: the first URIs: line naming it, or deb.debian.org
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -m1 "/$1\$" || true)
  [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -m1 "/$1\$" || true)
  echo "${uri:-http://deb.debian.org/$1}"
}

if ! exists "$debian"; then
  install_debian_packages debootstrap
  mirror=$(mirror_of debian); security=$(mirror_of debian-security)
  rootfs=$(mktemp -d /tmp/signpeer-rootfs.XXXXXX)
  trap 'rm -rf --one-file-system "$rootfs" "$rootfs.log"' EXIT
  echo "debootstrap bookworm from $mirror" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log"; exit 1; }
  rm -f "$rootfs.log" "$rootfs/etc/apt/sources.list"
  printf '%s\n' 'Types: deb' "URIs: $mirror" 'Suites: bookworm bookworm-updates' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' '' 'Types: deb' "URIs: $security" \
    'Suites: bookworm-security' 'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
    > "$rootfs/etc/apt/sources.list.d/debian.sources"
  # What the official slim image leaves out: documentation, manuals, locales, apt caches.
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' > "$rootfs/etc/dpkg/dpkg.cfg.d/docker"
  printf '%s\n' \
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' > "$rootfs/etc/apt/apt.conf.d/docker-clean"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/tmp/*
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -delete 2>/dev/null || true
  find "$rootfs/usr/share/doc" -type d -empty -delete
  tar --numeric-owner -C "$rootfs" -c . | "$engine" import --change 'CMD ["bash"]' - "$debian" >/dev/null
  rm -rf --one-file-system "$rootfs"; trap - EXIT
  echo "made $debian" >&2
fi

if ! exists "$swift"; then
  [ -x "$toolchain/usr/bin/swift" ] || { echo "no Swift toolchain at $toolchain (set SWIFT_TOOLCHAIN)" >&2; exit 1; }
  [ -d "$packages" ] || { echo "no Swift package mirror at $packages (set SWIFT_PACKAGES)" >&2; exit 1; }
  "$engine" build -q -f "$here/base/swift.Containerfile" --build-arg "BASE=$debian" \
    --build-context "toolchain=$toolchain" --build-context "packages=$packages" \
    -t "$swift" "$here/base" >/dev/null
  echo "made $swift" >&2
fi

if ! exists "$postgres"; then
  "$engine" build -q -f "$here/base/postgres.Containerfile" --build-arg "BASE=$debian" \
    -t "$postgres" "$here/base" >/dev/null
  echo "made $postgres" >&2
fi
echo "base images: $debian $swift $postgres"
