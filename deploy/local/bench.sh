#!/usr/bin/env bash
# A small benchmark against the running local system (after up.sh): the median time of a peer
# ping and a peer listing next to that of /whoami (the same mutual TLS, authentication and role lookup, but no
# internal call and no listing), measured in the same run over one kept-alive connection each,
# and their ratio — what one listing costs beyond the gateway's own work.
#   ./deploy/local/bench.sh [requests, default 300]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-300}
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
