#!/usr/bin/env bash
# Creates the demo PKI used by the local quick start and the integration tests:
#   ca.pem/ca.key           demo CA (also the gateway's client trust bundle)
#   server.pem/server.key   gateway TLS certificate for localhost and 127.0.0.1
#   admin.pem/admin.key     bootstrap admin client certificate
#   peer.pem/peer.key       a CA "peer system" client certificate
#   crl/ca.crl              the demo CA's CRL (SIGNPEER_TLS_CLIENT_CRL names the crl folder)
# Usage: pki.sh DIR               (existing files are kept, so running it twice is harmless)
#        pki.sh DIR --revoke NAME (revokes DIR/NAME.pem and rewrites crl/ca.crl)
set -euo pipefail
dir=${1:?usage: pki.sh DIR [--revoke NAME]}
mkdir -p "$dir"
cd "$dir"
umask 077

days=${SIGNPEER_DEMO_PKI_DAYS:-825}

if [ ! -f ca.pem ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -days 3650 -subj "/C=SE/O=SignPeer Demo/CN=SignPeer Demo CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>/dev/null
fi

# issue NAME SUBJECT EXTENSIONS: a P-256 key and a certificate signed by the demo CA.
issue() {
  local name=$1 subject=$2 extensions=$3
  [ -f "$name.pem" ] && return 0
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
    -out "$name.csr" -subj "$subject" 2>/dev/null
  printf '%b' "$extensions" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
    -days "$days" -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

issue server "/C=SE/O=SignPeer Demo/CN=localhost" \
  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
issue admin "/C=SE/O=SignPeer Demo/OU=Administrators/CN=Demo Admin" \
  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
issue peer "/C=SE/O=SignPeer Demo/OU=Peer Systems/CN=Demo CA Peer" \
  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"

# The demo CA's revocation list, made with `openssl ca` from a small certificate database.
mkdir -p crl ca-db
[ -f ca-db/index.txt ] || : > ca-db/index.txt
[ -f ca-db/crlnumber ] || echo 1000 > ca-db/crlnumber
cat > ca-db/openssl.cnf <<CNF
[ca]
default_ca = demo
[demo]
database = $PWD/ca-db/index.txt
crlnumber = $PWD/ca-db/crlnumber
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
default_crl_days = ${SIGNPEER_DEMO_CRL_DAYS:-30}
unique_subject = no
CNF
gencrl() {
  openssl ca -config ca-db/openssl.cnf -gencrl -out crl/ca.crl.new 2>/dev/null
  chmod 644 crl/ca.crl.new
  mv crl/ca.crl.new crl/ca.crl  # atomically: the gateway never reads half a file
}
[ -f crl/ca.crl ] || gencrl
if [ "${2:-}" = "--revoke" ]; then
  name=${3:?usage: pki.sh DIR --revoke NAME}
  openssl ca -config ca-db/openssl.cnf -revoke "$name.pem" 2>/dev/null || true  # already revoked is fine
  gencrl
fi

chmod 644 ./*.pem
