#!/usr/bin/env bash
# A small benchmark against the running local system (after up.sh): the median time of a peer
# ping and a peer listing next to that of /whoami (the same mutual TLS, authentication and role lookup, but no
# internal call and no listing), measured in the same run over one kept-alive connection each,
# and their ratio — what one listing costs beyond the gateway's own work.
# Then one renewal line: the median peer renewal with a new key (ECDSA P-384) generated in the
# HSM (PKCS11CryptoToken on SoftHSM2) vs the same with a database key store vs `openssl req
# -newkey` doing the key and CSR alone, in the same run, as ratios.
#   ./deploy/local/bench.sh [requests, default 300] [renewals, default 30]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-300}
renewals=${2:-30}
pki=.local/pki
base="https://127.0.0.1:${SIGNPEER_GATEWAY_PORT:-8443}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median PATH IDENTITY: median seconds of n requests on one connection.
median() {
  for _ in $(seq "$n"); do printf 'url = "%s%s"\noutput = "/dev/null"\n' "$base" "$1"; done > "$work/urls"
  curl -s --cacert "$pki/ca.pem" --cert "$pki/$2.pem" --key "$pki/$2.key" -K "$work/urls" -w '%{time_total}\n' \
    | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

if ! curl -s --cacert "$pki/ca.pem" --cert "$pki/peer.pem" --key "$pki/peer.key" "$base/peer/v1/ping" | grep -q ALLOK; then
  echo "the demo peer cannot connect yet: run ./deploy/local/demo-ca.sh once first" >&2
  exit 1
fi
whoami=$(median /whoami peer)
ping=$(median /peer/v1/ping peer)
listing=$(median /peer/v1/keybindings peer)
awk -v w="$whoami" -v p="$ping" -v l="$listing" -v n="$n" 'BEGIN {
  printf "requests per endpoint: %d (one kept-alive connection each)\n", n
  printf "median GET /whoami:               %.2f ms (reference)\n", w * 1000
  printf "median GET /peer/v1/ping:         %.2f ms (adds the registry upsert)\n", p * 1000
  printf "median GET /peer/v1/keybindings:  %.2f ms\n", l * 1000
  printf "ratio listing / whoami:           %.2f\n", l / w
}'

# Renewal: two bench workers with the same key type, one per token kind (created once).
# shellcheck source=/dev/null
[ -f .local/env ] && source .local/env
if ! signpeer getconfig BenchDBSigner >/dev/null 2>&1; then
  cat > "$work/bench-workers.properties" <<PROPERTIES
WORKERGENID1.NAME=BenchDBSigner
WORKERGENID1.TYPE=PROCESSABLE
WORKERGENID1.CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken
WORKERGENID1.KEYALG=ECDSA
WORKERGENID1.KEYSPEC=secp384r1
WORKERGENID1.DEFAULTKEY=benchKey001
WORKERGENID1.PEERS_VISIBLE=true
WORKERGENID2.NAME=BenchHSMSigner
WORKERGENID2.TYPE=PROCESSABLE
WORKERGENID2.CRYPTOTOKEN_IMPLEMENTATION_CLASS=PKCS11CryptoToken
WORKERGENID2.SHAREDLIBRARYNAME=SoftHSM
WORKERGENID2.SLOTLABELTYPE=SLOT_LABEL
WORKERGENID2.SLOTLABELVALUE=SignPeerDemo
WORKERGENID2.KEYALG=ECDSA
WORKERGENID2.KEYSPEC=secp384r1
WORKERGENID2.DEFAULTKEY=benchKey001
WORKERGENID2.PEERS_VISIBLE=true
PROPERTIES
  signpeer setproperties "$work/bench-workers.properties" >/dev/null
  mkdir -p .local/secrets/tokens
  [ -s .local/secrets/tokens/BenchDBSigner ] || (umask 077; openssl rand -hex 16 > .local/secrets/tokens/BenchDBSigner)
  ln -sf ../hsm-pin .local/secrets/tokens/BenchHSMSigner
  signpeer activatecryptotoken BenchDBSigner -- "$(cat .local/secrets/tokens/BenchDBSigner)" >/dev/null
  signpeer activatecryptotoken BenchHSMSigner -- "$(cat .local/secrets/hsm-pin)" >/dev/null
  for worker in BenchDBSigner BenchHSMSigner; do
    signpeer generatekey "$worker" -keyalg ECDSA -keyspec secp384r1 -alias benchKey001 >/dev/null
  done
fi
worker_id() { signpeer getconfig "$1" | sed -n 's/^Configuration for worker \([0-9][0-9]*\) .*/\1/p'; }
# renew_median ID: median seconds of n renewals (renewKeys: true) on one kept-alive connection.
renew_median() {
  for i in $(seq "$renewals"); do
    [ "$i" -gt 1 ] && printf 'next\n'
    printf 'url = "%s/peer/v1/keybindings/%s/renewal"\nrequest = "POST"\nheader = "Content-Type: application/json"\n' "$base" "$1"
    printf 'data = "{\\"renewKeys\\":true}"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{time_total}\\n"\n'
    printf 'cacert = "%s/ca.pem"\ncert = "%s/peer.pem"\nkey = "%s/peer.key"\n' "$pki" "$pki" "$pki"
  done > "$work/renew-urls"
  curl -s -K "$work/renew-urls" > "$work/renew-times"
  if grep -qv '^200 ' "$work/renew-times"; then echo "a renewal of binding $1 failed: $(grep -v '^200 ' "$work/renew-times" | head -n 1)" >&2; exit 1; fi
  cut -d' ' -f2 "$work/renew-times" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
openssl_median() {
  for _ in $(seq "$renewals"); do
    start=$(date +%s.%N)
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -subj /CN=bench -sha384 \
      -keyout /dev/null -out /dev/null 2>/dev/null
    end=$(date +%s.%N)
    echo "$start $end" | awk '{ print $2 - $1 }'
  done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
db_id=$(worker_id BenchDBSigner); hsm_id=$(worker_id BenchHSMSigner)
hsm=$(renew_median "$hsm_id"); db=$(renew_median "$db_id"); reference=$(openssl_median)
awk -v h="$hsm" -v d="$db" -v o="$reference" -v n="$renewals" 'BEGIN {
  printf "renewals per kind: %d (ECDSA P-384, renewKeys true, one kept-alive connection each)\n", n
  printf "median openssl req -newkey:       %.2f ms (reference, includes process start)\n", o * 1000
  printf "median renewal, database key store: %.2f ms\n", d * 1000
  printf "median renewal, HSM (SoftHSM2):   %.2f ms\n", h * 1000
  printf "ratio HSM / database / openssl:   %.2f / %.2f / 1   (HSM / database: %.2f)\n", h / o, d / o, h / d
}'
