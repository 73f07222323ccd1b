#!/usr/bin/env bash
# Acts as the Certificate Authority of Peer Systems against the local SignPeer, with only curl
# and openssl: ping, list the key bindings, renew each one with a new key (renewKeys: true),
# issue its certificate from the demo CA with `openssl x509 -req`, install the chain, list again.
# A binding that cannot be renewed now — its crypto token is not active (`cryptoTokenActive:
# false`) or it is DISABLED — is skipped with a line saying why; a binding whose renewal fails
# does not stop the others. The exit status is non-zero only if no binding could be renewed.
# If incoming connections are off or the demo peer is not authorized yet, it first does what an
# operator would (with the admin certificate): enable PEERS_INCOMING_ENABLED and authorize the
# peer from the incoming-connection registry.
#   ./deploy/local/demo-ca.sh
#   ./deploy/local/demo-ca.sh --ejbca   # the same life cycle over EJBCA's binary peer protocol
set -euo pipefail
cd "$(dirname "$0")/../.."
pki=${SIGNPEER_DEMO_PKI:-.local/pki}
port=${SIGNPEER_GATEWAY_PORT:-8443}
base="https://127.0.0.1:$port"
if [ "${1:-}" = "--ejbca" ]; then
  exec python3 deploy/local/ejbca-ca.py --url "$base" --pki "$pki"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

peer() { curl -sS --cacert "$pki/ca.pem" --cert "$pki/peer.pem" --key "$pki/peer.key" "$@"; }
admin() { curl -sS --cacert "$pki/ca.pem" --cert "$pki/admin.pem" --key "$pki/admin.key" "$@"; }
# json_string FIELD: the first string value of FIELD in the JSON on stdin, escapes decoded.
json_string() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n 1 | sed 's/\\n/\n/g'; }
# split_bindings: one line of JSON per key binding of the listing on stdin.
split_bindings() { { sed "s/},{/}\n{/g"; echo; } | { grep '"id":[0-9]' || true; }; }
# field NAME: the value of the scalar JSON field NAME in the binding on stdin (strings unquoted).
field() { grep -o "\"$1\":\(\"[^\"]*\"\|[a-z0-9]*\)" | head -n 1 | cut -d: -f2- | tr -d '"'; }
# bindings: one line per key binding of the listing on stdin: id, name, keyAlias, fingerprint.
bindings() {
  split_bindings | while IFS= read -r binding; do
    id=$(printf '%s' "$binding" | field id)
    name=$(printf '%s' "$binding" | json_string name)
    alias=$(printf '%s' "$binding" | json_string keyAlias)
    fingerprint=$(printf '%s' "$binding" | json_string certificateFingerprintSha256)
    active=$(printf '%s' "$binding" | field cryptoTokenActive)
    printf '%-4s %-16s key=%-14s active=%-5s sha256=%s\n' "$id" "$name" "${alias:-null}" "$active" "${fingerprint:-null}"
  done
}
say() { printf '\n==> %s\n' "$*"; }

say "ping"
answer=$(peer "$base/peer/v1/ping")
echo "$answer"
if printf '%s' "$answer" | grep -q peers_incoming_disabled; then
  say "operator: allow incoming peer connections"
  admin -X PUT -H 'Content-Type: application/json' -d '{"value":"true"}' \
    "$base/admin/v1/global/properties/PEERS_INCOMING_ENABLED"; echo
  answer=$(peer "$base/peer/v1/ping"); echo "$answer"
fi
if printf '%s' "$answer" | grep -q peer_not_authorized; then
  say "operator: authorize the demo peer from the incoming-connection registry"
  serial=$(openssl x509 -in "$pki/peer.pem" -noout -serial | cut -d= -f2)
  issuer=$(openssl x509 -in "$pki/peer.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
  admin -H 'Content-Type: application/json' -d "{\"serialNumber\":\"$serial\",\"issuerDN\":\"$issuer\"}" \
    "$base/admin/v1/incoming/authorize"; echo
  answer=$(peer "$base/peer/v1/ping"); echo "$answer"
fi
printf '%s' "$answer" | grep -q ALLOK || { echo "the peer cannot connect" >&2; exit 1; }

say "key bindings before"
before=$(peer "$base/peer/v1/keybindings")
printf '%s' "$before" | bindings

# renew ID: new key and CSR, certificate from the demo CA, chain installed. Fails (without
# stopping the script) when a step does.
renew() {
  local id=$1 alias result
  say "binding $id: prepare renewal with a new key"
  peer -H 'Content-Type: application/json' -d '{"renewKeys":true}' "$base/peer/v1/keybindings/$id/renewal" \
    > "$work/renewal-$id.json" || return 1
  alias=$(json_string keyAlias < "$work/renewal-$id.json")
  json_string csr < "$work/renewal-$id.json" > "$work/$id.csr"
  [ -s "$work/$id.csr" ] || { cat "$work/renewal-$id.json" >&2; echo >&2; return 1; }
  openssl req -in "$work/$id.csr" -noout -verify 2>&1 | sed 's/^/    /'
  echo "    CSR for key $alias: $(openssl req -in "$work/$id.csr" -noout -subject)"

  say "binding $id: issue the certificate with the demo CA"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
    > "$work/leaf.ext"
  openssl x509 -req -in "$work/$id.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -days 365 -extfile "$work/leaf.ext" -out "$work/$id.pem" 2>/dev/null \
    || return 1
  cat "$work/$id.pem" "$pki/ca.pem" > "$work/$id-chain.pem"
  echo "    issued $(openssl x509 -in "$work/$id.pem" -noout -serial), $(openssl x509 -in "$work/$id.pem" -noout -fingerprint -sha256)"

  say "binding $id: install the chain"
  result=$(peer -X PUT -H 'Content-Type: application/pem-certificate-chain' --data-binary "@$work/$id-chain.pem" \
    "$base/peer/v1/keybindings/$id/certificate") || return 1
  if printf '%s' "$result" | grep -q '"error"'; then echo "$result" >&2; return 1; fi
  printf '%s' "$result" | bindings
}

renewed=0; skipped=0; failed=0
while IFS= read -r binding; do
  id=$(printf '%s' "$binding" | field id)
  name=$(printf '%s' "$binding" | json_string name)
  token=$(printf '%s' "$binding" | json_string cryptoTokenName)
  if [ "$(printf '%s' "$binding" | field status)" = DISABLED ]; then
    say "binding $id ($name): skipped, the worker is DISABLED"
    skipped=$((skipped + 1))
  elif [ "$(printf '%s' "$binding" | field cryptoTokenActive)" != true ]; then
    say "binding $id ($name): skipped, crypto token $token is not active or lacks the key (cryptoTokenActive: false)"
    skipped=$((skipped + 1))
  elif renew "$id"; then
    renewed=$((renewed + 1))
  else
    echo "    binding $id ($name): renewal failed, going on with the next" >&2
    failed=$((failed + 1))
  fi
done < <(printf '%s' "$before" | split_bindings)

say "key bindings after"
peer "$base/peer/v1/keybindings" | bindings

say "renewed $renewed, skipped $skipped, failed $failed"
[ "$renewed" -gt 0 ] || { echo "no key binding could be renewed" >&2; exit 1; }
