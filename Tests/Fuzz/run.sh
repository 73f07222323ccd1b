#!/usr/bin/env bash
# Builds the peer-protocol codec with libFuzzer and AddressSanitizer and fuzzes it, seeded with
# the worked examples of EJBCA-PEER-PROTOCOL.md §5 (as the unit tests hold them).
#   Tests/Fuzz/run.sh [seconds, default 60] [extra libFuzzer flags]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v swiftc >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
seconds=${1:-60}
shift || true
work=${SIGNPEER_FUZZ_DIR:-.build/fuzz}
mkdir -p "$work/corpus"
swiftc -O -g -sanitize=fuzzer,address -parse-as-library -swift-version 6 -module-name PeerProtocolFuzz \
  Shared/PeerProtocol/*.swift Tests/Fuzz/PeerFrameFuzzer.swift -o "$work/peer-frame-fuzzer"
grep -o 'hex: "[0-9a-f]*"' Tests/PeerProtocolTests/WorkedExamples.swift | cut -d'"' -f2 | python3 -c '
import sys
for n, line in enumerate(sys.stdin):
    open(sys.argv[1] + "/example-%02d" % n, "wb").write(bytes.fromhex(line.strip()))
' "$work/corpus"
"$work/peer-frame-fuzzer" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/" "$@" \
  "$work/corpus"
