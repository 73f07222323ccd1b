#!/usr/bin/env bash
# Starts SignPeer in containers (compose.yaml): PostgreSQL, the renewal and key-binding services
# and GATEWAYS gateway replicas (default 3), then prints each gateway's host port.
#   ./deploy/docker/up.sh            GATEWAYS=5 ./deploy/docker/up.sh
# Uses `docker compose` where a Docker engine answers, podman + podman-compose otherwise
# (installed when missing; see engine.sh). Steps, each reusing what exists:
#   1. the secrets (secrets.sh);
#   2. the base images: the public ones when they are here (or SIGNPEER_BASE_IMAGES=public pulls
#      them), else local ones made from Debian's packages (base-images.sh, or
#      SIGNPEER_BASE_IMAGES=local);
#   3. the service images, one after the other (the release build runs once, then the cache);
#   4. the services in dependency order, each started only once the one before is healthy: the
#      health checks are driven from here, because podman without systemd runs none and
#      podman < 4.6 ignores `condition: service_healthy`.
# Running it again is harmless. ./deploy/docker/down.sh stops everything (--purge: the data too).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=engine.sh
. "$here/engine.sh"
gateways=${GATEWAYS:-3}
say() { printf '==> %s\n' "$*"; }

pick_engine
say "engine: $engine (${compose[0]##*/})"
cd "$repo"

say "secrets"
"$here/secrets.sh" >/dev/null

public=(docker.io/library/swift:6.3-bookworm docker.io/library/debian:bookworm-slim docker.io/library/postgres:15-bookworm)
local=(localhost/swift:6.3-bookworm localhost/debian:bookworm-slim localhost/postgres:15-bookworm)
mode=${SIGNPEER_BASE_IMAGES:-auto}
if [ "$mode" = auto ]; then
  mode=public
  for image in "${public[@]}"; do "$engine" image inspect "$image" >/dev/null 2>&1 || mode=local; done
fi
case "$mode" in
  public) bases=("${public[@]}") ;;
  local) say "base images made locally (base-images.sh)"; "$here/base-images.sh" >/dev/null; bases=("${local[@]}") ;;
  *) echo "SIGNPEER_BASE_IMAGES must be auto, public or local" >&2; exit 2 ;;
esac
export BUILDER_IMAGE=${BUILDER_IMAGE:-${bases[0]}} RUNTIME_IMAGE=${RUNTIME_IMAGE:-${bases[1]}}
export POSTGRES_IMAGE=${POSTGRES_IMAGE:-${bases[2]}}
# podman cannot publish a host port range onto one container port: one random loopback port
# per gateway replica instead (see compose.yaml).
[ "$engine" = podman ] && export SIGNPEER_GATEWAY_PORTS=${SIGNPEER_GATEWAY_PORTS:-127.0.0.1:}

say "service images (base $BUILDER_IMAGE, $RUNTIME_IMAGE)"
build_log="$repo/.local/docker-build.log"
mkdir -p "$repo/.local"
started=$(date +%s)
if [ "$engine" = podman ]; then
  # One build at a time: buildah does not share the release build stage between parallel builds.
  build=("${compose[0]}" --parallel 1 "${compose[@]:1}" build)
else
  build=("${compose[@]}" build)
fi
for service in renewal keybindings gateway; do
  "${build[@]}" "$service" >>"$build_log" 2>&1 || { tail -40 "$build_log" >&2; echo "image build failed: $build_log" >&2; exit 1; }
done
# The CLI too (same build stage, so from the cache): run it on the host's network, e.g.
#   docker run --rm --network host -v "$PWD/deploy/docker/secrets:/pki:ro" --user "$(id -u)" \
#     -e SIGNPEER_URL=https://127.0.0.1:PORT -e SIGNPEER_CA_CERT=/pki/ca.pem \
#     -e SIGNPEER_ADMIN_CERT=/pki/admin.pem -e SIGNPEER_ADMIN_KEY=/pki/admin.key signpeer-cli whoami
"$engine" build -f deploy/docker/Dockerfile --build-arg SERVICE=signpeer --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE" \
  --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" -t signpeer-cli . >>"$build_log" 2>&1 \
  || { tail -40 "$build_log" >&2; echo "image build failed: $build_log" >&2; exit 1; }
say "images ready in $(( $(date +%s) - started )) s (log .local/docker-build.log)"

# wait_healthy CONTAINER: runs its health check until it passes (at most SIGNPEER_HEALTH_TIMEOUT s).
wait_healthy() {
  local name=$1 deadline=$(( $(date +%s) + ${SIGNPEER_HEALTH_TIMEOUT:-180} ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$engine" = podman ]; then
      podman healthcheck run "$name" >/dev/null 2>&1 && return 0
    else
      [ "$(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null)" = healthy ] && return 0
    fi
    sleep 1
  done
  echo "$name did not become healthy; its last log lines:" >&2
  "$engine" logs --tail 30 "$name" >&2 || true
  return 1
}

up_log="$repo/.local/docker-up.log"
for service in postgres renewal keybindings; do
  "${compose[@]}" up -d --no-deps "$service" >>"$up_log" 2>&1 || { tail -20 "$up_log" >&2; exit 1; }
  for container in $(service_containers "$service"); do wait_healthy "$container"; done
  say "$service healthy"
done
"${compose[@]}" up -d --no-deps --scale "gateway=$gateways" gateway >>"$up_log" 2>&1 || { tail -20 "$up_log" >&2; exit 1; }
for container in $(service_containers gateway); do wait_healthy "$container"; done
say "$gateways gateway(s) healthy"

echo
echo "SignPeer is up. Gateways (mutual TLS; demo PKI in deploy/docker/secrets/):"
for container in $(service_containers gateway); do
  port=$("$engine" port "$container" 8443 | head -n 1 | sed 's/.*://')
  printf '  %-24s https://127.0.0.1:%s\n' "$container" "$port"
done
cat <<'DONE'

  curl --cacert deploy/docker/secrets/ca.pem --cert deploy/docker/secrets/admin.pem \
       --key deploy/docker/secrets/admin.key https://127.0.0.1:PORT/whoami
  ./deploy/docker/down.sh            # stop and remove the containers (--purge: also the data)
DONE
