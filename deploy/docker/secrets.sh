#!/usr/bin/env bash
# Writes the files compose.yaml mounts: the demo PKI (deploy/local/pki.sh), a fresh internal
# credential, and the folder of token activation codes (tokens/, one file per token worker).
# Replace them with your own PKI for anything but a demo. Running it again keeps what exists.
#
# Who may read what: the services run as uid/gid 10001 inside the containers, and compose
# bind-mounts the files with their host owner and mode. So:
#   server.key, internal-token, tokens/*  0640, group 10001 (read by the containers that mount them)
#   ca.key, admin.key, peer.key           0600, the operator's alone (mounted into no container:
#                                         the demo CA's key signs on the host only)
#   *.pem                                 0644 (certificates are public)
# Changing a file's group to 10001 needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")"
service_gid=10001
mkdir -p secrets
chmod 0755 secrets
../local/pki.sh secrets
(umask 077; [ -s secrets/internal-token ] || openssl rand -hex 32 > secrets/internal-token)
mkdir -p secrets/tokens

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
chmod 0644 secrets/*.pem
chmod 0600 secrets/ca.key secrets/admin.key secrets/peer.key
for file in secrets/server.key secrets/internal-token secrets/tokens secrets/tokens/*; do
  [ -e "$file" ] || continue
  as_root chgrp "$service_gid" "$file" || {
    echo "cannot give $file to group $service_gid (run as root or with sudo)" >&2; exit 1; }
  if [ -d "$file" ]; then chmod 0750 "$file"; else chmod 0640 "$file"; fi
done
echo "secrets written to deploy/docker/secrets/"
