#!/usr/bin/env bash
# Writes the files compose.yaml mounts as secrets: the demo PKI (deploy/local/pki.sh) and a fresh
# internal credential. Replace them with your own PKI for anything but a demo.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
../local/pki.sh secrets
[ -s secrets/internal-token ] || (umask 077; openssl rand -hex 32 > secrets/internal-token)
# The services run as uid 10001 inside the containers and must read the mounted files.
chmod 644 secrets/*
echo "secrets written to deploy/docker/secrets/"
