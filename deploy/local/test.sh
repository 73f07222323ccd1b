#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs the system packages the build and the
# tests need (the tests start their own throwaway PostgreSQL), builds, and runs `swift test`.
#   ./deploy/local/test.sh [extra swift test arguments, e.g. --filter Foundation]
set -euo pipefail
cd "$(dirname "$0")/../.."

# chromium, chromium-driver and libnss3-tools (+ selenium below): the Admin Web's browser test.
# apache2-utils (ab) and iproute2 (ss): the connection-hygiene tests.
packages=(libssl-dev libpq-dev libcurl4-openssl-dev postgresql openssl curl python3 python3-yaml
  chromium chromium-driver libnss3-tools python3-pip apache2-utils iproute2)
# The JDK's java.util.Properties is the oracle of the property-file parser's tests.
packages+=(openjdk-17-jre-headless)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# From PyPI: Selenium drives the browser test; the OpenAPI description and the Kubernetes
# manifests are checked with independent validators, and the served peer API is fuzzed against
# its description with schemathesis.
for module in selenium:selenium openapi_spec_validator:openapi-spec-validator kubernetes_validate:kubernetes-validate \
  schemathesis:schemathesis; do
  python3 -c "import ${module%%:*}" 2>/dev/null \
    || python3 -m pip install -q "${module#*:}" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "${module#*:}"
done
# The HSM tests (each makes its own SoftHSM2 token directory): softhsm2, pkcs11.h (libp11-kit-dev)
# and pkcs11-tool (opensc), without recommends (opensc would pull in the pcscd daemon).
hsm_missing=()
for package in softhsm2 opensc libp11-kit-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || hsm_missing+=("$package")
done
if [ ${#hsm_missing[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${hsm_missing[@]}" >/dev/null
fi
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

swift build --build-tests
swift test --skip-build "$@"
