#!/usr/bin/env bash
# Creates the demo PKI used by the local quick start and the integration tests:
#   ca.pem/ca.key           demo CA (also the gateway's client trust bundle)
#   server.pem/server.key   gateway TLS certificate for localhost and 127.0.0.1
#   admin.pem/admin.key     bootstrap admin client certificate
#   peer.pem/peer.key       a CA "peer system" client certificate
# Usage: pki.sh DIR   (existing files are kept, so running it twice is harmless)
set -euo pipefail
dir=${1:?usage: pki.sh DIR}
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

chmod 644 ./*.pem
