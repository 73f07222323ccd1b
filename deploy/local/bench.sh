#!/usr/bin/env bash
# The cost benchmark (SPEC §13) against the running local system (after `up.sh --release` and
# `demo-ca.sh`). In one run it starts nginx (Debian's package) with the same certificates beside
# the system, on its own loopback port, and prints every result as a ratio against a reference
# measured in the same run, interleaved round by round so that the load of a shared machine hits
# both sides alike:
#   - new mTLS handshakes/s, gateway vs nginx (openssl s_time -new with the peer certificate);
#   - keep-alive requests/s with 16 parallel connections (curl -Z), gateway vs nginx, for /whoami
#     (nginx answering the same identity fields from its variables) and for the listing (nginx
#     doing mTLS + proxy_pass with the internal credential to the same key-binding service);
#   - latency of the listing vs /whoami on one kept-alive connection;
#   - prepare renewal (new key + CSR) vs `openssl req -new -newkey` for RSA-2048 and P-256, and
#     a P-256 renewal in the HSM (SoftHSM2) vs in the database key store;
#   - renewal in a token holding BENCH_OLD_KEYS older keys vs a token holding none;
#   - listing of BENCH_BINDINGS bindings vs the bare SQL query + JSON encoding of the same rows
#     (psql to a file);
#   - peak RSS (VmHWM) of each service.
# It creates its own workers (Bench*) once and removes the BENCH_BINDINGS listing workers again
# at the end (BENCH_KEEP=1 keeps them). Absolute times are printed for context only.
#   ./deploy/local/bench.sh
# Knobs (environment): BENCH_ROUNDS (5), BENCH_REQUESTS (2000 per keep-alive round),
#   BENCH_LATENCY (300 requests), BENCH_RENEWALS (RSA 25, EC 40), BENCH_OLD_KEYS (1000),
#   BENCH_BINDINGS (10000), BENCH_NGINX_PORT (gateway port + 1000), BENCH_ONLY (space-separated
#   section names: handshake keepalive latency renewal history listing rss).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
# shellcheck source=/dev/null
source .local/env
pki=$root/.local/pki
base="https://127.0.0.1:$SIGNPEER_GATEWAY_PORT"
nginx_port=${BENCH_NGINX_PORT:-$((SIGNPEER_GATEWAY_PORT + 1000))}
nginx_base="https://127.0.0.1:$nginx_port"
rounds=${BENCH_ROUNDS:-5}
requests=${BENCH_REQUESTS:-2000}
latency_requests=${BENCH_LATENCY:-300}
rsa_renewals=${BENCH_RENEWALS:-25}
ec_renewals=${BENCH_RENEWALS:-40}
old_keys=${BENCH_OLD_KEYS:-1000}
bindings=${BENCH_BINDINGS:-10000}
only=" ${BENCH_ONLY:-handshake keepalive latency renewal history listing rss} "
work=$(mktemp -d)
chmod 755 "$work"
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then kill -QUIT "$nginx_pid"; sleep 0.3; fi
  rm -rf "$work"
}
trap cleanup EXIT

wants() { [[ "$only" == *" $1 "* ]]; }
now() { date +%s%N; }
peer() { curl -sS --cacert "$pki/ca.pem" --cert "$pki/peer.pem" --key "$pki/peer.key" "$@"; }
admin() { curl -sS --cacert "$pki/ca.pem" --cert "$pki/admin.pem" --key "$pki/admin.key" "$@"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.3f", a / b }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.3f", s * 1000 }'; }
row() { printf '%-58s %10s   (%s)\n' "$1" "$2" "$3"; }
# summary LABEL FILE: the row of a file of "measured reference ratio" lines (seconds), as medians.
summary() {
  row "$1" "$(cut -d' ' -f3 < "$2" | median)" \
    "$(ms "$(cut -d' ' -f1 < "$2" | median)") ms vs $(ms "$(cut -d' ' -f2 < "$2" | median)") ms"
}

if ! peer "$base/peer/v1/ping" | grep -q ALLOK; then
  echo "the demo peer cannot connect yet: run ./deploy/local/demo-ca.sh once first" >&2
  exit 1
fi
whoami_body=$(peer "$base/whoami")
principal=$(printf '%s' "$whoami_body" | base64 -w0 | tr '+/' '-_' | tr -d '=')
credential=$(cat "$SIGNPEER_INTERNAL_TOKEN_FILE")

# --- nginx with the gateway's certificates, as an unprivileged configuration in $work -----------
mkdir -p "$work/nginx/tmp" && chmod 711 "$work/nginx" && chmod 777 "$work/nginx/tmp"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes $(nproc);
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  upstream keybindings { server 127.0.0.1:$SIGNPEER_KEYBINDINGS_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $pki/server.pem;
    ssl_certificate_key $pki/server.key;
    ssl_client_certificate $pki/ca.pem;
    ssl_verify_client on;
    location = /whoami {
      default_type application/json;
      add_header Cache-Control no-store;
      return 200 '{"fingerprintSHA256":"\$ssl_client_fingerprint","issuerDN":"\$ssl_client_i_dn","roles":["PEER_SYSTEM"],"serialNumber":"\$ssl_client_serial","subjectDN":"\$ssl_client_s_dn"}';
    }
    location = /peer/v1/keybindings {
      proxy_pass http://keybindings/internal/v1/keybindings;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer $credential";
      proxy_set_header X-SignPeer-Principal "$principal";
      proxy_set_header X-Request-ID \$request_id;
    }
  }
}
NGINX
chmod 600 "$work/nginx/nginx.conf"  # it holds the internal credential
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 1 50); do
  peer -o /dev/null "$nginx_base/whoami" 2>/dev/null && break
  sleep 0.1
done
peer -f -o /dev/null "$nginx_base/whoami" || { echo "nginx did not start:" >&2; cat "$work/nginx/error.log" >&2; exit 1; }

echo "SignPeer cost benchmark: gateway $base, nginx $nginx_base (pid $nginx_pid), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "every ratio is a median over $rounds interleaved rounds unless stated; times are context only"
echo

# --- 1. new mTLS handshakes/s -------------------------------------------------------------------
# handshakes URL: new full handshakes per second for 2 s with the peer certificate.
handshakes() {
  local started ended
  started=$(now)
  openssl s_time -connect "${1#https://}" -new -time 2 -cert "$pki/peer.pem" -key "$pki/peer.key" \
    -CAfile "$pki/ca.pem" > "$work/s_time" 2>/dev/null
  ended=$(now)
  awk -v t="$((ended - started))" '/connections in .* real seconds/ { printf "%.1f", $1 / (t / 1e9) }' "$work/s_time"
}
if wants handshake; then
  : > "$work/hs"
  for _ in $(seq "$rounds"); do
    g=$(handshakes "$base"); n=$(handshakes "$nginx_base")
    echo "$g $n $(ratio "$g" "$n")" >> "$work/hs"
  done
  row "new mTLS handshakes/s gateway / nginx" "$(cut -d' ' -f3 < "$work/hs" | median)" \
    "$(cut -d' ' -f1 < "$work/hs" | median)/s vs $(cut -d' ' -f2 < "$work/hs" | median)/s"
fi

# --- 2. keep-alive requests/s, 16 parallel connections ---------------------------------------------
# throughput URL COUNT: requests per second for COUNT GETs of URL over 16 kept-alive connections.
throughput() {
  [ -f "$work/ka-$2" ] || for _ in $(seq "$2"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$1"; done > "$work/ka-$2"
  sed -i "s|^url = .*|url = \"$1\"|" "$work/ka-$2"
  local started ended
  started=$(now)
  peer --no-progress-meter -Z --parallel-max 16 -K "$work/ka-$2" -w '%{http_code}\n' > "$work/ka-codes"
  ended=$(now)
  if grep -qv '^200$' "$work/ka-codes"; then echo "non-200 answers from $1" >&2; sort "$work/ka-codes" | uniq -c >&2; fi
  awk -v n="$2" -v t="$((ended - started))" 'BEGIN { printf "%.1f", n / (t / 1e9) }'
}
if wants keepalive; then
  for path in /whoami /peer/v1/keybindings; do
    count=$requests
    [ "$path" = /peer/v1/keybindings ] && count=$((requests / 2))
    : > "$work/ka"
    for _ in $(seq "$rounds"); do
      g=$(throughput "$base$path" "$count"); n=$(throughput "$nginx_base$path" "$count")
      echo "$g $n $(ratio "$g" "$n")" >> "$work/ka"
    done
    row "keep-alive req/s gateway / nginx, GET $path" "$(cut -d' ' -f3 < "$work/ka" | median)" \
      "$(cut -d' ' -f1 < "$work/ka" | median)/s vs $(cut -d' ' -f2 < "$work/ka" | median)/s, 16 connections"
  done
fi

# --- 3. latency on one kept-alive connection --------------------------------------------------------
# latency URL COUNT: median seconds of COUNT sequential requests on one connection.
latency() {
  for _ in $(seq "$2"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$1"; done > "$work/lat"
  peer -K "$work/lat" -w '%{time_total}\n' | median
}
if wants latency; then
  : > "$work/lat-r"
  for _ in $(seq "$rounds"); do
    w=$(latency "$base/whoami" "$latency_requests"); l=$(latency "$base/peer/v1/keybindings" "$latency_requests")
    echo "$w $l $(ratio "$l" "$w")" >> "$work/lat-r"
  done
  bindings_now=$(peer "$base/peer/v1/keybindings" | jq '.keyBindings | length')
  row "latency listing / whoami, one kept-alive connection" "$(cut -d' ' -f3 < "$work/lat-r" | median)" \
    "$(ms "$(cut -d' ' -f2 < "$work/lat-r" | median)") ms vs $(ms "$(cut -d' ' -f1 < "$work/lat-r" | median)") ms, $bindings_now bindings"
fi

# --- bench workers (created once) ---------------------------------------------------------------
mkdir -p "$root/.local/secrets/tokens"
# bench_worker NAME PROPERTIES...: creates a worker with the given properties unless it exists.
bench_worker() {
  local name=$1; shift
  signpeer getconfig "$name" >/dev/null 2>&1 && return 0
  { echo "WORKERGENID1.NAME=$name"; for p in "$@"; do echo "WORKERGENID1.$p"; done; } > "$work/worker.properties"
  signpeer setproperties "$work/worker.properties" >/dev/null
}
# bench_token NAME: activates the token of NAME with a code kept in .local/secrets/tokens.
bench_token() {
  local secret="$root/.local/secrets/tokens/$1"
  [ -s "$secret" ] || (umask 077; openssl rand -hex 16 > "$secret")
  signpeer activatecryptotoken "$1" -- "$(cat "$secret")" >/dev/null
}
# bench_key WORKER ALG SPEC ALIAS: generates a key unless the token has it.
bench_key() {
  admin "$base/admin/v1/workers/$1/token/keys" | jq -e --arg alias "$4" '.entries[] | select(.alias == $alias)' >/dev/null \
    || signpeer generatekey "$1" -keyalg "$2" -keyspec "$3" -alias "$4" >/dev/null
}
worker_id() { admin "$base/admin/v1/workers/$1" | jq -r .id; }
token_class="CRYPTOTOKEN_IMPLEMENTATION_CLASS=KeystoreInConfigCryptoToken"

# renewals ID COUNT: median seconds of COUNT prepare-renewal calls (renewKeys) on one connection.
renewals() {
  for _ in $(seq "$2"); do
    printf 'url = "%s/peer/v1/keybindings/%s/renewal"\noutput = "/dev/null"\n' "$base" "$1"
  done > "$work/renew"
  peer -K "$work/renew" -H 'Content-Type: application/json' -d '{"renewKeys":true}' -w '%{http_code} %{time_total}\n' \
    > "$work/renew-out"
  if grep -qv '^200 ' "$work/renew-out"; then echo "renewal of $1 failed" >&2; exit 1; fi
  cut -d' ' -f2 < "$work/renew-out" | median
}

# Interleaved rounds of $3 renewals of worker $1 against $3 of worker $2: "measured reference
# ratio" rows in the file $4, for `summary`.
renewal_rounds() {
  : > "$4"
  for _ in $(seq "$rounds"); do
    a=$(renewals "$1" "$3"); b=$(renewals "$2" "$3")
    echo "$a $b $(ratio "$a" "$b")" >> "$4"
  done
}
# openssl_req KEYSPEC COUNT: median seconds of COUNT `openssl req -new -newkey` runs.
openssl_req() {
  for _ in $(seq "$2"); do
    local started ended
    started=$(now)
    openssl req -new -newkey "$1" -nodes -keyout /dev/null -out /dev/null -subj "/CN=bench" 2>/dev/null
    ended=$(now)
    awk -v t="$((ended - started))" 'BEGIN { print t / 1e9 }'
  done | median
}

if wants renewal || wants history; then
  bench_worker BenchRSA TYPE=PROCESSABLE "$token_class" KEYALG=RSA KEYSPEC=2048 DEFAULTKEY=rsa0001 PEERS_VISIBLE=true
  bench_worker BenchEC TYPE=PROCESSABLE "$token_class" KEYALG=ECDSA KEYSPEC=secp256r1 DEFAULTKEY=ec0001 PEERS_VISIBLE=true
  bench_worker BenchHistoryToken TYPE=CRYPTO_WORKER "$token_class"
  bench_worker BenchHistory TYPE=PROCESSABLE CRYPTOTOKEN=BenchHistoryToken KEYALG=ECDSA KEYSPEC=secp256r1 \
    DEFAULTKEY=ec0001 PEERS_VISIBLE=true
  # The same shape without a history: a CRYPTO_WORKER token holding only the current key.
  bench_worker BenchFreshToken TYPE=CRYPTO_WORKER "$token_class"
  bench_worker BenchFresh TYPE=PROCESSABLE CRYPTOTOKEN=BenchFreshToken KEYALG=ECDSA KEYSPEC=secp256r1 \
    DEFAULTKEY=ec0001 PEERS_VISIBLE=true
  for token in BenchRSA BenchEC BenchHistoryToken BenchFreshToken; do bench_token "$token"; done
  bench_key BenchRSA RSA 2048 rsa0001
  bench_key BenchEC ECDSA secp256r1 ec0001
  bench_key BenchHistoryToken ECDSA secp256r1 ec0001
  bench_key BenchFreshToken ECDSA secp256r1 ec0001
  # A P-256 binding whose keys are made in the HSM (PKCS11CryptoToken on up.sh's SoftHSM token).
  bench_worker BenchHSM TYPE=PROCESSABLE CRYPTOTOKEN_IMPLEMENTATION_CLASS=PKCS11CryptoToken SHAREDLIBRARYNAME=SoftHSM \
    SLOTLABELTYPE=SLOT_LABEL SLOTLABELVALUE=SignPeerDemo KEYALG=ECDSA KEYSPEC=secp256r1 DEFAULTKEY=hsm0001 \
    PEERS_VISIBLE=true
  signpeer activatecryptotoken BenchHSM -- "$(cat "$root/.local/secrets/hsm-pin")" >/dev/null
  bench_key BenchHSM ECDSA secp256r1 hsm0001
fi

if wants renewal; then
  openssl ecparam -name prime256v1 -out "$work/p256.pem"
  rsa_id=$(worker_id BenchRSA); ec_id=$(worker_id BenchEC)
  : > "$work/rsa"; : > "$work/ec"
  for _ in $(seq "$rounds"); do
    g=$(renewals "$rsa_id" "$rsa_renewals"); o=$(openssl_req rsa:2048 "$rsa_renewals")
    echo "$g $o $(ratio "$g" "$o")" >> "$work/rsa"
    g=$(renewals "$ec_id" "$ec_renewals"); o=$(openssl_req "ec:$work/p256.pem" "$ec_renewals")
    echo "$g $o $(ratio "$g" "$o")" >> "$work/ec"
  done
  summary "renewal / openssl req -newkey, RSA-2048" "$work/rsa"
  summary "renewal / openssl req -newkey, P-256" "$work/ec"
  renewal_rounds "$(worker_id BenchHSM)" "$ec_id" "$ec_renewals" "$work/hsm"
  summary "renewal in the HSM (SoftHSM2) / database key store, P-256" "$work/hsm"
fi

# --- 5. renewal with a long token history --------------------------------------------------------
if wants history; then
  have=$(admin "$base/admin/v1/workers/BenchHistoryToken/token/keys" | jq '[.entries[] | select(.alias | startswith("old"))] | length')
  if [ "$have" -lt "$old_keys" ]; then
    echo "(adding $((old_keys - have)) older P-256 keys to BenchHistoryToken, once)"
    : > "$work/old"
    # `next` starts a new set of options, so every request carries its own certificates.
    for i in $(seq "$((have + 1))" "$old_keys"); do
      [ "$i" -gt "$((have + 1))" ] && echo next
      printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\nsilent\nshow-error\n' "$pki/ca.pem" "$pki/admin.pem" "$pki/admin.key"
      printf 'url = "%s/admin/v1/workers/BenchHistoryToken/token/keys"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nheader = "Content-Type: application/json"\ndata = "{\\"alias\\":\\"old%05d\\",\\"keyAlgorithm\\":\\"ECDSA\\",\\"keySpecification\\":\\"secp256r1\\"}"\n' "$base" "$i"
    done > "$work/old"
    curl -K "$work/old" | grep -v '^200$' | sort | uniq -c || true
  fi
  have=$(admin "$base/admin/v1/workers/BenchHistoryToken/token/keys" | jq '.entries | length')
  renewal_rounds "$(worker_id BenchHistory)" "$(worker_id BenchFresh)" "$ec_renewals" "$work/hist"
  summary "renewal with $((have - 1)) older keys / with none, P-256" "$work/hist"
fi

# --- 6. listing of many bindings vs the bare SQL + JSON -------------------------------------------
if wants listing; then
  bench_worker BenchListToken TYPE=CRYPTO_WORKER "$token_class"
  bench_token BenchListToken
  bench_key BenchListToken ECDSA secp256r1 listKey
  have=$(admin "$base/admin/v1/workers" | jq '[.workers[] | select(.name | startswith("BenchList0"))] | length')
  if [ "$have" -lt "$bindings" ]; then
    echo "(creating $((bindings - have)) listed workers BenchList*, 100 per property file)"
    for first in $(seq "$((have + 1))" 100 "$bindings"); do
      last=$((first + 99 > bindings ? bindings : first + 99))
      for i in $(seq "$first" "$last"); do
        printf 'WORKERGENID%d.NAME=BenchList%06d\nWORKERGENID%d.TYPE=PROCESSABLE\nWORKERGENID%d.CRYPTOTOKEN=BenchListToken\nWORKERGENID%d.DEFAULTKEY=listKey\nWORKERGENID%d.PEERS_VISIBLE=true\n' \
          "$i" "$i" "$i" "$i" "$i" "$i"
      done > "$work/list.properties"
      signpeer setproperties "$work/list.properties" > /dev/null
    done
  fi
  listed=$(peer "$base/peer/v1/keybindings" | jq '.keyBindings | length')
  # The same rows as the key-binding service's listing query, encoded as JSON by PostgreSQL.
  cat > "$work/list.sql" <<'SQL'
SELECT json_agg(json_build_object('id', w.id, 'name', w.name, 'type', w.type, 'properties', w.properties) ORDER BY w.id)
FROM (SELECT w.id, w.name, w.type, coalesce(json_object_agg(p.name, p.value) FILTER (WHERE p.name IS NOT NULL), '{}') AS properties
      FROM workers w LEFT JOIN worker_properties p ON p.worker_id = w.id
      WHERE w.type = 'CRYPTO_WORKER' OR (w.type = 'PROCESSABLE' AND EXISTS (
        SELECT 1 FROM worker_properties v WHERE v.worker_id = w.id AND v.name = 'PEERS_VISIBLE'
          AND lower(btrim(v.value, E' \t\r\n')) = 'true'))
      GROUP BY w.id) w
SQL
  : > "$work/big"; : > "$work/kept"
  for _ in $(seq "$rounds"); do
    # Computed afresh: moving the listing version makes the gateway's kept answer stale.
    psql "$SIGNPEER_DATABASE_URL" -qtA -c "UPDATE listing_version SET version = version + 1" > /dev/null
    c=$(latency "$base/peer/v1/keybindings" 1)
    k=$(latency "$base/peer/v1/keybindings" 3)
    started=$(now)
    psql "$SIGNPEER_DATABASE_URL" -qtA -f "$work/list.sql" -o "$work/list.json"
    ended=$(now)
    s=$(awk -v t="$((ended - started))" 'BEGIN { print t / 1e9 }')
    echo "$c $s $(ratio "$c" "$s")" >> "$work/big"
    echo "$k $s $(ratio "$k" "$s")" >> "$work/kept"
  done
  summary "listing of $listed bindings, computed / SQL + JSON (psql)" "$work/big"
  summary "listing of $listed bindings, kept by the gateway / SQL + JSON" "$work/kept"
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    admin "$base/admin/v1/workers" | jq -r '.workers[] | select(.name | startswith("BenchList0")) | .id' \
      | awk -v b="$base" '{ printf "url = \"%s/admin/v1/workers/%s\"\noutput = \"/dev/null\"\n", b, $1 }' > "$work/remove"
    admin -X DELETE -K "$work/remove" -w '%{http_code}\n' | grep -v '^200$' | sort | uniq -c || true
    echo "(removed the BenchList* workers again; BENCH_KEEP=1 keeps them)"
  fi
fi

# --- 7. peak RSS --------------------------------------------------------------------------------
if wants rss; then
  for service in signpeer-gateway signpeer-keybindings signpeer-renewal; do
    pid=$(cat "$root/.local/run/$service.pid")
    row "peak RSS (VmHWM) $service" "$(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$pid/status")" "pid $pid"
  done
  nginx_rss=$(for p in $nginx_pid $(pgrep -P "$nginx_pid"); do awk '/VmHWM/ { print $2 }' "/proc/$p/status"; done | awk '{ s += $1 } END { printf "%.1f MiB", s / 1024 }')
  row "peak RSS (VmHWM) nginx, master + workers" "$nginx_rss" "reference"
fi
