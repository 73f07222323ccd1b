#!/usr/bin/env bash
# Stops SignPeer's containers and removes every container of the compose project, scaled gateway
# replicas included (podman-compose's `down` removes only the replicas the file declares), and
# its networks. --purge also removes the volumes (the database, SoftHSM tokens, key store files).
# The secrets in deploy/docker/secrets/ stay (they may be your own PKI): remove them yourself.
#   ./deploy/docker/down.sh [--purge]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=engine.sh
. "$here/engine.sh"
purge=false; [ "${1:-}" = --purge ] && purge=true
pick_engine
cd "$repo"

containers=$(project_containers)
# shellcheck disable=SC2086
if [ -n "$containers" ]; then
  # podman waits 10 s for a clean stop by default; docker rm -f kills at once.
  if [ "$engine" = podman ]; then podman rm -f -t 5 $containers >/dev/null; else docker rm -f $containers >/dev/null; fi
fi
down=("${compose[@]}" down --remove-orphans); $purge && down+=(-v)
"${down[@]}" >/dev/null 2>&1 || true
if $purge; then
  # Both compose tools name a project's volumes <project>_<volume>.
  for volume in $("$engine" volume ls -q | grep "^${project}_"); do
    "$engine" volume rm -f "$volume" >/dev/null 2>&1 || true
  done
fi
left=$(project_containers)
[ -z "$left" ] || { echo "containers left: $left" >&2; exit 1; }
echo "SignPeer containers removed$($purge && echo ', volumes purged')."
