#!/usr/bin/env bash
# Interop smoke test against aiortc's RTCSctpTransport (pip install aiortc), SCTP packets over
# plain UDP on loopback with a fake DTLS transport on the Python side. Not part of CI.
#   1. aiortc opens reliable/unordered/partially reliable channels; rtcio echoes every message
#      (strings, binary, empty, 200 kB); aiortc closes a channel (stream reset); aiortc aborts.
#   2. rtcio (DTLS server, odd stream ids) opens a channel, aiortc echoes, rtcio closes it.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/tmp/rtcio-sctp-interop-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/rtcio-sctp-interop"
"$bin" 127.0.0.1:47001 127.0.0.1:47002 2>/tmp/rtcio-sctp-echo.log &
sleep 0.3
python3 aiortc_peer.py 47002 47001
wait
"$bin" 127.0.0.1:47011 127.0.0.1:47012 open 2>/tmp/rtcio-sctp-open.log &
sleep 0.3
python3 aiortc_accept.py 47012 47011
wait
echo "interop: 2 passed, 0 failed"
