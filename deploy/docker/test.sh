#!/usr/bin/env bash
# The container deployment, end to end: brings compose.yaml up with three gateways (up.sh) and
# acts, through the published ports and with the demo PKI, as an operator and as a CA would:
#   - the secrets' file modes, and no container mounting the demo CA's key;
#   - /whoami as Admin on each gateway;
#   - an unknown peer's ping on gateway 1 is in the registry read through gateway 2;
#   - the authorization added through gateway 2 lets the peer list on gateway 3 within the
#     role-cache bound;
#   - a full renewal: prepare on gateway 1, certificate issued by `openssl x509 -req` with the
#     demo CA, chain installed on gateway 2, the result read on gateway 3;
#   - a gateway container killed: the other two still serve;
#   - the renewal container restarted: its tokens are activated again from the code files;
#   - `signpeer auditlog -verify` (the CLI image) OK;
#   - then down.sh --purge, and nothing of the project is left.
# Prints `N passed, M failed` last and exits non-zero when a check failed. .ci/run runs it after
# the other tests. Needs root (podman as root, or a Docker engine) and curl, openssl, python3.
#   ./deploy/docker/test.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=engine.sh
. "$here/engine.sh"
cd "$repo"
secrets=$here/secrets
work=$(mktemp -d /tmp/signpeer-container-test.XXXXXX)
passed=0 failed=0 t0=$(date +%s)
exec 3>&1   # a check's notes (measurements) go to fd 3, shown whether it passes or not

elapsed() { echo "$(( $(date +%s) - t0 ))s"; }
pass() { passed=$((passed + 1)); printf '[%5s] PASS %s\n' "$(elapsed)" "$1"; }
fail() { failed=$((failed + 1)); printf '[%5s] FAIL %s\n' "$(elapsed)" "$1"; [ -n "${2:-}" ] && printf '       %s\n' "$2" | head -c 2000; echo; }
# check NAME COMMAND...: one test; the command's output is shown when it fails.
check() {
  local name=$1 output; shift
  if output=$("$@" 2>&1); then pass "$name"; else fail "$name" "$output"; fi
}
finish() {
  "$here/down.sh" --purge >"$work/down.log" 2>&1
  local volumes
  # Both compose tools name a project's volumes <project>_<volume>.
  volumes=$("$engine" volume ls -q 2>/dev/null | grep "^${project}_")
  if [ -n "$(project_containers 2>/dev/null)" ] || [ -n "$volumes" ]; then
    fail "down.sh --purge leaves no container and no volume of the project" "$(cat "$work/down.log") volumes: $volumes"
  else
    pass "down.sh --purge leaves no container and no volume of the project"
  fi
  rm -rf "$work"
  echo "container test took $(elapsed)"
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
trap 'finish; exit $?' EXIT

# --- up ----------------------------------------------------------------------------------------
pick_engine >"$work/engine.log" 2>&1 || { fail "container engine ready" "$(cat "$work/engine.log")"; exit 1; }
if ! GATEWAYS=3 "$here/up.sh" >"$work/up.log" 2>&1; then
  fail "up.sh starts PostgreSQL, renewal, key bindings and 3 gateways" "$(tail -40 "$work/up.log")"
  exit 1
fi
pass "up.sh starts PostgreSQL, renewal, key bindings and 3 gateways ($(grep -o 'images ready in [0-9]* s' "$work/up.log"))"
mapfile -t gateway_names < <(service_containers gateway)
ports=()
for name in "${gateway_names[@]}"; do ports+=("$("$engine" port "$name" 8443 | head -n 1 | sed 's/.*://')"); done
renewal_name=$(service_containers renewal | head -n 1)
echo "gateways: ${gateway_names[*]} on 127.0.0.1 ports ${ports[*]}"
if [ ${#ports[@]} -ne 3 ] || [ "$(printf '%s\n' "${ports[@]}" | sort -u | wc -l)" -ne 3 ]; then
  fail "three gateways on three distinct host ports" "${gateway_names[*]} -> ${ports[*]}"
  exit 1
fi
pass "three gateways on three distinct host ports"

# --- helpers -----------------------------------------------------------------------------------
url() { echo "https://127.0.0.1:${ports[$1]}"; }
# call CERT_PREFIX GATEWAY PATH [curl args]: prints the body then a last line with the HTTP status.
call() {
  local who=$1 g=$2 path=$3; shift 3
  curl -sS -m 20 --cacert "$secrets/ca.pem" --cert "$who.pem" --key "$who.key" -w '\n%{http_code}' "$@" "$(url "$g")$path"
}
status_of() { tail -n 1; }
body_of() { sed '$d'; }
# json EXPR: evaluates a Python expression over the JSON document `d` read from stdin.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# The operator's CLI, from the image up.sh built, on the host's network (it reaches the published
# port on 127.0.0.1) and as the operator (who alone may read the admin key).
cli() {
  local g=$1; shift
  "$engine" run --rm --network host --user "$(id -u):$(id -g)" -v "$secrets:/pki:ro" \
    -v "$repo/deploy/local/demo-workers.properties:/config/demo-workers.properties:ro" \
    -e "SIGNPEER_URL=$(url "$g")" -e SIGNPEER_CA_CERT=/pki/ca.pem -e SIGNPEER_ADMIN_CERT=/pki/admin.pem \
    -e SIGNPEER_ADMIN_KEY=/pki/admin.key signpeer-cli "$@"
}
# eventually SECONDS COMMAND...: retries the command every 0.2 s until it succeeds or time is up.
eventually() {
  local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
  until "$@"; do
    [ $(( $(date +%s%N) / 1000000 )) -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# --- secrets -----------------------------------------------------------------------------------
secret_modes() {
  local file mode
  for file in server.key internal-token; do
    mode=$(stat -c '%a %g' "$secrets/$file")
    [ "$mode" = "640 10001" ] || { echo "$file: mode/gid $mode, want 640 10001"; return 1; }
  done
  for file in ca.key admin.key peer.key; do
    mode=$(stat -c '%a' "$secrets/$file")
    [ "$mode" = 600 ] || { echo "$file: mode $mode, want 600"; return 1; }
  done
  for file in "$secrets"/*; do
    [ $(( 0$(stat -c '%a' "$file") & 4 )) -eq 0 ] || case "$file" in *.pem|*/tokens) ;; *) echo "$file is world-readable"; return 1;; esac
  done
}
check "secrets: keys and the internal credential are not world-readable; service-read files 0640 group 10001" secret_modes
no_ca_key_mounted() {
  local id mounts service
  for id in $(project_containers); do
    mounts=$("$engine" inspect -f '{{range .Mounts}}{{.Source}} {{end}}' "$id")
    service=$("$engine" inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$id")
    case "$mounts" in *ca.key*|*admin.key*|*peer.key*) echo "$service container $id mounts $mounts"; return 1;; esac
    [ "$service" = postgres ] && continue
    case "$mounts" in *secrets/internal-token*) ;; *) echo "$service container $id does not mount the internal credential: $mounts"; return 1;; esac
  done
}
check "secrets: no container mounts the demo CA's (or any client's) private key" no_ca_key_mounted
read_only_root() {
  local name
  for name in "$renewal_name" "${gateway_names[0]}"; do
    ! "$engine" exec "$name" sh -c 'touch /usr/local/bin/x' 2>/dev/null || { echo "$name: root filesystem writable"; return 1; }
    [ "$("$engine" exec "$name" id -u)" = 10001 ] || { echo "$name: not running as uid 10001"; return 1; }
  done
}
check "containers run as uid 10001 on a read-only root filesystem" read_only_root

# --- whoami ------------------------------------------------------------------------------------
for g in 0 1 2; do
  whoami_admin() {
    local out; out=$(call "$secrets/admin" "$g" /whoami)
    [ "$(status_of <<<"$out")" = 200 ] && body_of <<<"$out" | json '"ADMIN" in d["roles"]' | grep -qx True || { echo "$out"; return 1; }
  }
  check "/whoami as Admin on gateway $((g + 1)) (port ${ports[$g]})" whoami_admin
done

# --- workers with tokens whose codes are in secrets/tokens (auto-activated at start) -----------
setup_workers() {
  local token
  cli 0 setproperties /config/demo-workers.properties || return 1
  for token in DemoRSASigner DemoCryptoToken; do
    [ -s "$secrets/tokens/$token" ] || (umask 077; openssl rand -hex 16 > "$secrets/tokens/$token")
  done
  "$here/secrets.sh" >/dev/null || return 1       # gives the new code files to the services' group
  for token in DemoRSASigner DemoCryptoToken; do
    cli 0 activatecryptotoken "$token" -- "$(cat "$secrets/tokens/$token")" || return 1
  done
  cli 0 generatekey DemoRSASigner -keyalg RSA -keyspec 2048 -alias signKey00001 &&
    cli 0 generatekey DemoECSigner -keyalg ECDSA -keyspec secp256r1 -alias ecKey001 &&
    admin_put 0 /admin/v1/global/properties/PEERS_INCOMING_ENABLED '{"value":"true"}'
}
admin_put() {
  local out; out=$(call "$secrets/admin" "$1" "$2" -X PUT -H 'Content-Type: application/json' -d "$3")
  [ "$(status_of <<<"$out")" = 200 ] || { echo "$out"; return 1; }
}
check "operator (CLI image): demo workers created, tokens activated, keys generated, incoming peers allowed" setup_workers

# --- an unknown peer: recorded on gateway 1, seen on gateway 2, authorized there, lists on 3 ---
peer=$work/newpeer
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$peer.key" -out "$peer.csr" \
  -subj "/C=SE/O=SignPeer Demo/OU=Peer Systems/CN=Container Test CA $(date +%s%N)" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$peer.ext"
openssl x509 -req -in "$peer.csr" -CA "$secrets/ca.pem" -CAkey "$secrets/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
  -days 2 -extfile "$peer.ext" -out "$peer.pem" 2>/dev/null
serial=$(openssl x509 -in "$peer.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
issuer=$(openssl x509 -in "$peer.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')

ping_refused() {
  local out; out=$(call "$peer" 0 /peer/v1/ping)
  [ "$(status_of <<<"$out")" = 403 ] && grep -q peer_not_authorized <<<"$out" || { echo "$out"; return 1; }
}
check "an unknown peer's ping on gateway 1 is refused (peer_not_authorized)" eventually 10 ping_refused
in_registry() {
  local out; out=$(call "$secrets/admin" 1 /admin/v1/incoming)
  [ "$(status_of <<<"$out")" = 200 ] || { echo "$out"; return 1; }
  body_of <<<"$out" | json "[c for c in d['connections'] if c['serialNumber'].lower().lstrip('0') == '$serial' and not c['authorized'] and c['requestCount'] >= 1] != []" \
    | grep -qx True || { echo "serial $serial not in: $out"; return 1; }
}
check "that ping is in the incoming-connection registry read through gateway 2" in_registry

role_cache_ms=$("$engine" exec "${gateway_names[2]}" printenv SIGNPEER_ROLE_CACHE_MS 2>/dev/null || echo 2000)
authorize_then_list() {
  local out start now
  # Gateway 3 sees the peer refused first, so it holds the refusal in its role cache.
  out=$(call "$peer" 2 /peer/v1/keybindings)
  [ "$(status_of <<<"$out")" = 403 ] || { echo "gateway 3 before the authorization: $out"; return 1; }
  out=$(call "$secrets/admin" 1 /admin/v1/incoming/authorize -H 'Content-Type: application/json' \
    -d "{\"serialNumber\":\"$serial\",\"issuerDN\":\"$issuer\"}")
  [ "$(status_of <<<"$out")" = 200 ] || { echo "authorize: $out"; return 1; }
  start=$(( $(date +%s%N) / 1000000 ))
  lists() { [ "$(call "$peer" 2 /peer/v1/keybindings | status_of)" = 200 ]; }
  # The bound: a gateway caches roles for SIGNPEER_ROLE_CACHE_MS; 2 s of slack for the requests
  # themselves on a loaded machine.
  eventually $(( role_cache_ms / 1000 + 2 )) lists || { echo "gateway 3 still refuses: $(call "$peer" 2 /peer/v1/keybindings)"; return 1; }
  now=$(( $(date +%s%N) / 1000000 ))
  echo "       listed on gateway 3 $((now - start)) ms after the authorization on gateway 2 (role cache ${role_cache_ms} ms)" >&3
}
check "the authorization added through gateway 2 lets the peer list on gateway 3 within the role-cache bound (${role_cache_ms} ms + 2 s)" authorize_then_list

# --- renewal across gateways -------------------------------------------------------------------
renewal() {
  local out id alias fingerprint
  out=$(call "$peer" 2 /peer/v1/keybindings)
  id=$(body_of <<<"$out" | json "[b['id'] for b in d['keyBindings'] if b['name'] == 'DemoRSASigner'][0]") || { echo "$out"; return 1; }
  out=$(call "$peer" 0 "/peer/v1/keybindings/$id/renewal" -H 'Content-Type: application/json' -d '{"renewKeys":true}')
  [ "$(status_of <<<"$out")" = 200 ] || { echo "prepare on gateway 1: $out"; return 1; }
  alias=$(body_of <<<"$out" | json 'd["keyAlias"]')
  body_of <<<"$out" | json 'd["csr"]' > "$work/renewal.csr"
  openssl req -in "$work/renewal.csr" -noout -verify >/dev/null 2>&1 || { echo "CSR does not verify"; return 1; }
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > "$work/leaf.ext"
  openssl x509 -req -in "$work/renewal.csr" -CA "$secrets/ca.pem" -CAkey "$secrets/ca.key" \
    -set_serial "0x$(openssl rand -hex 12)" -days 30 -extfile "$work/leaf.ext" -out "$work/renewal.pem" 2>/dev/null
  cat "$work/renewal.pem" "$secrets/ca.pem" > "$work/chain.pem"
  out=$(call "$peer" 1 "/peer/v1/keybindings/$id/certificate" -X PUT \
    -H 'Content-Type: application/pem-certificate-chain' --data-binary "@$work/chain.pem")
  [ "$(status_of <<<"$out")" = 200 ] || { echo "install on gateway 2: $out"; return 1; }
  fingerprint=$(openssl x509 -in "$work/renewal.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr 'A-F' 'a-f')
  out=$(call "$peer" 2 "/peer/v1/keybindings/$id")
  body_of <<<"$out" | json "d['certificateFingerprintSha256'] == '$fingerprint' and d['keyAlias'] == '$alias' and d['cryptoTokenActive'] and d['nextKeyAlias'] is None" \
    | grep -qx True || { echo "gateway 3 after install (want sha256 $fingerprint, key $alias): $out"; return 1; }
}
check "renewal: prepared on gateway 1, issued by openssl, installed on gateway 2, current on gateway 3" renewal

# --- a gateway killed --------------------------------------------------------------------------
"$engine" kill "${gateway_names[0]}" >/dev/null 2>&1
others_serve() {
  local i g out
  for i in 1 2 3 4 5; do
    for g in 1 2; do
      out=$(call "$peer" "$g" /peer/v1/ping)
      [ "$(status_of <<<"$out")" = 200 ] && grep -q ALLOK <<<"$out" || { echo "gateway $((g + 1)): $out"; return 1; }
      [ "$(call "$peer" "$g" /peer/v1/keybindings | status_of)" = 200 ] || { echo "gateway $((g + 1)) listing failed"; return 1; }
    done
  done
}
check "gateway 1 killed: gateways 2 and 3 still answer ping and listing (10 requests each)" others_serve

# --- the renewal service restarted -------------------------------------------------------------
# active_tokens: the listing (gateway 2) as "name=active" pairs, e.g. "DemoECSigner=False DemoRSASigner=True".
active_tokens() {
  call "$peer" 1 /peer/v1/keybindings | body_of \
    | json "' '.join(sorted(f\"{b['name']}={b['cryptoTokenActive']}\" for b in d['keyBindings']))" 2>/dev/null
}
restart_renewal() {
  local before after
  before=$("$engine" inspect -f '{{.State.StartedAt}}' "$renewal_name")
  "$engine" restart -t 10 "$renewal_name" >/dev/null || return 1
  after=$("$engine" inspect -f '{{.State.StartedAt}}' "$renewal_name")
  [ "$before" != "$after" ] || { echo "renewal container was not restarted"; return 1; }
}
restarted_renewal() {
  local want
  # First without DemoCryptoToken's code file: that token (DemoECSigner's) must stay offline,
  # so the activation afterwards is the code files' doing and not anything kept elsewhere.
  mv "$secrets/tokens/DemoCryptoToken" "$work/DemoCryptoToken.code"
  restart_renewal || return 1
  want="DemoECSigner=False DemoRSASigner=True"
  eventually 180 eval '[ "$(active_tokens)" = "$want" ]' || { echo "without one code file: $(active_tokens), want $want"; return 1; }
  mv "$work/DemoCryptoToken.code" "$secrets/tokens/DemoCryptoToken"
  restart_renewal || return 1
  want="DemoECSigner=True DemoRSASigner=True"
  eventually 180 eval '[ "$(active_tokens)" = "$want" ]' || { echo "after the restart: $(active_tokens), want $want"; return 1; }
}
check "renewal container restarted: tokens auto-activated again from the code files (and not without one)" restarted_renewal

# --- audit log ---------------------------------------------------------------------------------
verify_audit() {
  local out; out=$(cli 2 auditlog -verify) || { echo "$out"; return 1; }
  grep -Eq '^OK, [0-9]+ rows$' <<<"$out" || { echo "$out"; return 1; }
  echo "       $out" >&3
}
check "signpeer auditlog -verify (CLI image) through gateway 3: OK" verify_audit
