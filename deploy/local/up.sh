#!/usr/bin/env bash
# SignPeer local quick start. On a fresh Debian machine: installs what is missing, builds,
# creates a private PostgreSQL cluster (.local/pg, port 55432), a demo PKI (.local/pki) and a
# private SoftHSM2 token (.local/softhsm, label SignPeerDemo), starts the three services in the
# background and waits until the gateway is ready.
# Running it again is harmless: it reuses what exists and restarts nothing that runs.
#   ./deploy/local/up.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
local_dir="$root/.local"
configuration=debug
[ "${1:-}" = "--release" ] && configuration=release

pg_port=${SIGNPEER_PG_PORT:-55432}
gateway_port=${SIGNPEER_GATEWAY_PORT:-8443}
ops_port=${SIGNPEER_GATEWAY_OPS_PORT:-8080}
keybindings_port=${SIGNPEER_KEYBINDINGS_PORT:-8081}
renewal_port=${SIGNPEER_RENEWAL_PORT:-8082}

say() { printf '==> %s\n' "$*"; }

# 1. System packages (softhsm2 and libp11-kit-dev for HSM tokens, opensc for pkcs11-tool;
#    without recommends, which would pull in the pcscd smart-card daemon).
packages=(libssl-dev libpq-dev libcurl4-openssl-dev postgresql openssl curl softhsm2 opensc libp11-kit-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

# 2. Build.
say "building ($configuration)"
for product in signpeer-gateway signpeer-keybindings signpeer-renewal signpeer; do
  swift build -c "$configuration" --product "$product"
done
bin_dir=$(swift build -c "$configuration" --show-bin-path)

# 3. Private PostgreSQL cluster (initdb and pg_ctl refuse to run as root: use the postgres user).
mkdir -p "$local_dir"/{logs,run,secrets}
as_pg=(); [ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ ! -e "$local_dir/pg" ]; then
  mkdir -p "$local_dir/pg"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$local_dir/pg"
    # A checkout the postgres user cannot traverse (under /root, say): keep the cluster in a
    # folder of its own and point .local/pg at it.
    if ! runuser -u postgres -- test -x "$local_dir/pg"; then
      rmdir "$local_dir/pg"
      outside="/var/lib/signpeer-local/$(printf '%s' "$root" | md5sum | cut -c1-12)/pg"
      mkdir -p "$outside" && chown postgres "$outside" && chmod 755 "$(dirname "$outside")" /var/lib/signpeer-local
      ln -s "$outside" "$local_dir/pg"
    fi
  fi
fi
pg_dir=$(readlink -f "$local_dir/pg")
if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
  say "creating PostgreSQL cluster in .local/pg"
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
fi
mkdir -p "$pg_dir/socket"; [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir/socket"
if ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
  say "starting PostgreSQL on 127.0.0.1:$pg_port"
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/postgresql.log" \
    -o "-p $pg_port -k $pg_dir/socket -c listen_addresses=127.0.0.1" start >/dev/null
fi
psql_cmd=(psql -h 127.0.0.1 -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA)
"${psql_cmd[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='signpeer'" | grep -q 1 ||
  "${psql_cmd[@]}" -c "CREATE ROLE signpeer LOGIN"
"${psql_cmd[@]}" -c "SELECT 1 FROM pg_database WHERE datname='signpeer'" | grep -q 1 ||
  "${psql_cmd[@]}" -c "CREATE DATABASE signpeer OWNER signpeer"

# 4. Demo PKI and the internal credential.
deploy/local/pki.sh "$local_dir/pki"
if [ ! -s "$local_dir/secrets/internal-token" ]; then
  (umask 077; openssl rand -hex 32 > "$local_dir/secrets/internal-token")
fi

# 4b. A private SoftHSM2 (never the system's /var/lib/softhsm): its configuration and token
#     directory under .local/softhsm, a token labelled SignPeerDemo whose user PIN is in
#     .local/secrets/hsm-pin (also the auto-activation secret of the DemoHSMSigner worker). The
#     token must exist before the renewal service starts: SoftHSM sees new tokens only at
#     C_Initialize.
softhsm_dir="$local_dir/softhsm"
mkdir -p "$softhsm_dir/tokens"
if [ ! -f "$softhsm_dir/softhsm2.conf" ]; then
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\nslots.mechanisms = ALL\nlibrary.reset_on_fork = false\n' \
    "$softhsm_dir/tokens" > "$softhsm_dir/softhsm2.conf"
fi
export SOFTHSM2_CONF="$softhsm_dir/softhsm2.conf"
softhsm_module=$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -n 1)
for secret in hsm-pin hsm-so-pin; do
  [ -s "$local_dir/secrets/$secret" ] || (umask 077; openssl rand -hex 12 > "$local_dir/secrets/$secret")
done
if ! softhsm2-util --show-slots 2>/dev/null | grep -q "Label:.*SignPeerDemo"; then
  say "creating the SoftHSM2 token SignPeerDemo in .local/softhsm"
  softhsm2-util --init-token --free --label SignPeerDemo --pin "$(cat "$local_dir/secrets/hsm-pin")" \
    --so-pin "$(cat "$local_dir/secrets/hsm-so-pin")" >/dev/null
fi
mkdir -p "$local_dir/secrets/tokens"
ln -sf ../hsm-pin "$local_dir/secrets/tokens/DemoHSMSigner"

# 5. The environment every service and the CLI use.
cat > "$local_dir/env" <<ENV
# Written by deploy/local/up.sh: source it to use the CLI against the local system.
export SIGNPEER_DATABASE_URL="postgresql://signpeer@127.0.0.1:$pg_port/signpeer"
export SIGNPEER_INTERNAL_TOKEN_FILE="$local_dir/secrets/internal-token"
export SIGNPEER_GATEWAY_PORT=$gateway_port
export SIGNPEER_GATEWAY_OPS_PORT=$ops_port
export SIGNPEER_KEYBINDINGS_PORT=$keybindings_port
export SIGNPEER_RENEWAL_PORT=$renewal_port
export SIGNPEER_KEYBINDINGS_URL="http://127.0.0.1:$keybindings_port"
export SIGNPEER_RENEWAL_URL="http://127.0.0.1:$renewal_port"
export SIGNPEER_TLS_CERT="$local_dir/pki/server.pem"
export SIGNPEER_TLS_KEY="$local_dir/pki/server.key"
export SIGNPEER_TLS_CLIENT_CA="$local_dir/pki/ca.pem"
# Client-certificate CRLs (PEM or DER), reloaded when they change: pki.sh DIR --revoke NAME adds one.
export SIGNPEER_TLS_CLIENT_CRL="$local_dir/pki/crl"
export SIGNPEER_BOOTSTRAP_ADMIN_CERT="$local_dir/pki/admin.pem"
export SIGNPEER_TOKEN_SECRETS_DIR="$local_dir/secrets/tokens"
export SOFTHSM2_CONF="$softhsm_dir/softhsm2.conf"
export SIGNPEER_PKCS11_LIBRARIES="SoftHSM=$softhsm_module"
export SIGNPEER_URL="https://127.0.0.1:$gateway_port"
export SIGNPEER_ADMIN_CERT="$local_dir/pki/admin.pem"
export SIGNPEER_ADMIN_KEY="$local_dir/pki/admin.key"
export SIGNPEER_CA_CERT="$local_dir/pki/ca.pem"
export PATH="$bin_dir:\$PATH"
ENV
# shellcheck source=/dev/null
source "$local_dir/env"

# 6. Services, each started once (a recorded PID that is alive means it runs already).
start() {
  local name=$1 pid_file="$local_dir/run/$1.pid"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    say "$name already running (pid $(cat "$pid_file"))"
    return
  fi
  nohup "$bin_dir/$name" >>"$local_dir/logs/$name.log" 2>&1 &
  echo $! > "$pid_file"
  say "started $name (pid $!, log .local/logs/$name.log)"
}
start signpeer-renewal
start signpeer-keybindings
start signpeer-gateway

say "waiting for the gateway to be ready"
ready=false
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$ops_port/readyz" >/dev/null 2>&1; then ready=true; break; fi
  sleep 0.5
done
if [ "$ready" != true ]; then
  echo "the gateway did not become ready in 60 s; see .local/logs/" >&2
  exit 1
fi

# 7. Demo workers (once): created with the CLI, tokens activated with codes kept in
#    .local/secrets/tokens (so the renewal service re-activates them at start), first keys made.
if ! signpeer getconfig DemoRSASigner >/dev/null 2>&1; then
  say "creating the demo workers"
  signpeer setproperties deploy/local/demo-workers.properties
  mkdir -p "$local_dir/secrets/tokens"
  for token in DemoRSASigner DemoCryptoToken; do
    [ -s "$local_dir/secrets/tokens/$token" ] || (umask 077; openssl rand -hex 16 > "$local_dir/secrets/tokens/$token")
    signpeer activatecryptotoken "$token" -- "$(cat "$local_dir/secrets/tokens/$token")" >/dev/null
  done
  signpeer generatekey DemoRSASigner -keyalg RSA -keyspec 2048 -alias signKey00001
  signpeer generatekey DemoECSigner -keyalg ECDSA -keyspec secp256r1 -alias ecKey001
fi
# The HSM demo worker (PKCS11CryptoToken on the SignPeerDemo token), its first key made in the HSM.
if ! signpeer getconfig DemoHSMSigner >/dev/null 2>&1; then
  say "creating the HSM demo worker"
  signpeer setproperties deploy/local/demo-hsm-workers.properties
  signpeer activatecryptotoken DemoHSMSigner -- "$(cat "$local_dir/secrets/hsm-pin")" >/dev/null
  signpeer generatekey DemoHSMSigner -keyalg ECDSA -keyspec secp384r1 -alias hsmKey001
fi

cat <<DONE

SignPeer is up.
  Peer/admin port (mTLS): https://127.0.0.1:$gateway_port
  Operations port:        http://127.0.0.1:$ops_port/readyz  (/healthz, /metrics)

  source .local/env                     # CLI settings and PATH
  signpeer whoami
  curl --cert .local/pki/admin.pem --key .local/pki/admin.key --cacert .local/pki/ca.pem \\
       https://127.0.0.1:$gateway_port/whoami
  ./deploy/local/demo-ca.sh             # act as a CA: renew the demo key bindings (one in the HSM)
  pkcs11-tool --module $softhsm_module --token-label SignPeerDemo -O   # what the HSM holds
  ./deploy/local/down.sh                # stop (add --purge to remove .local)
DONE
