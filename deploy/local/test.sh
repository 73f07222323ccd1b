#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs the system packages the build and the
# tests need (the tests start their own throwaway PostgreSQL), builds, and runs `swift test`.
#   ./deploy/local/test.sh [extra swift test arguments, e.g. --filter Foundation]
set -euo pipefail
cd "$(dirname "$0")/../.."

# chromium, chromium-driver and libnss3-tools (+ selenium below): the Admin Web's browser test.
packages=(libssl-dev libpq-dev libcurl4-openssl-dev postgresql openssl curl python3 python3-yaml
  chromium chromium-driver libnss3-tools python3-pip)
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
# manifests are checked with independent validators.
for module in selenium:selenium openapi_spec_validator:openapi-spec-validator kubernetes_validate:kubernetes-validate; do
  python3 -c "import ${module%%:*}" 2>/dev/null \
    || python3 -m pip install -q "${module#*:}" 2>/dev/null \
    || python3 -m pip install -q --break-system-packages "${module#*:}"
done
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH

swift build --build-tests
swift test --skip-build "$@"
