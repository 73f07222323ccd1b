# shellcheck shell=bash
# Sourced by the scripts in deploy/docker/: picks the container engine and its compose tool, and
# installs them where neither is present.
#   - `docker compose` when a Docker engine answers and has the compose plugin;
#   - otherwise podman (Debian's package) with podman-compose 1.6.0 from PyPI in a venv under
#     .local/ (Debian's podman-compose 1.0.3 cannot mount file secrets, scale, or merge files).
# Sets: engine (docker|podman), compose=(the compose command with compose.yaml),
# and project (the compose project name). Needs: repo (the checkout's top folder).

project=signpeer
compose_venv="$repo/.local/podman-compose"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the Debian packages given that are missing (one apt-get update, only when needed).
install_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Podman as root in a sandbox without CAP_SYS_RESOURCE cannot raise the containers' rlimits to
# its defaults, and crun refuses a hybrid cgroup layout: when the machine has no containers.conf
# of its own, write one with limits this process may grant and runc as the runtime.
configure_podman() {
  [ -e /etc/containers/containers.conf ] && return 0
  local nofile nproc
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  as_root mkdir -p /etc/containers
  printf '%s\n' "# Written by SignPeer's deploy/docker/engine.sh (podman in a sandbox: see deploy/README.md)." \
    '[containers]' "default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]" '' \
    '[engine]' 'runtime = "runc"' '' '[network]' 'network_backend = "netavark"' \
    | as_root tee /etc/containers/containers.conf >/dev/null
}

pick_engine() {
  if [ "${SIGNPEER_ENGINE:-}" != podman ] && command -v docker >/dev/null \
      && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    engine=docker
    compose=(docker compose -f "$repo/compose.yaml")
    return 0
  fi
  engine=podman
  install_debian_packages podman buildah runc netavark aardvark-dns iptables slirp4netns uidmap python3-venv
  configure_podman
  if ! "$compose_venv/bin/podman-compose" --version 2>/dev/null | grep -q 'podman-compose version 1.6.0'; then
    python3 -m venv "$compose_venv"
    "$compose_venv/bin/pip" install -q podman-compose==1.6.0
  fi
  compose=("$compose_venv/bin/podman-compose" -f "$repo/compose.yaml")
}

# The containers of the project (every replica included), by the label both compose tools set.
project_containers() {
  if [ "$engine" = docker ]; then
    docker ps -aq --filter "label=com.docker.compose.project=$project"
  else
    podman ps -aq --filter "label=io.podman.compose.project=$project"
  fi
}

# The names of a service's containers, replica 1 first.
service_containers() {
  local label=com.docker.compose; [ "$engine" = podman ] && label=io.podman.compose
  "$engine" ps --filter "label=$label.project=$project" --filter "label=com.docker.compose.service=$1" \
    --format '{{.Names}}' | sort -V
}
