"""Measures rtcio against aiortc with the example programs, for every pairing of the two:

  connect   time from starting the answering datachannel-cli to the offerer's first pong
            (process start-up, signaling, ICE, DTLS, SCTP, DCEP and one round trip)
  filexfer  MB/s of datachannel-filexfer for a file of --mib MiB, checked byte for byte

rtcio's side is target/release/examples/* (cargo build --release -p rtcio --examples); aiortc's
side is cli.py / filexfer.py next to this file (aiortc's protocol, aiortc's library).

  python3 crates/rtcio/tests/aiortc/measure.py [--mib 50] [--runs 3] [--skip-aiortc-pair]
"""

import argparse
import hashlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
EXAMPLES = os.path.join(ROOT, "target", "release", "examples")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(kind, program, args, port):
    signaling = ["--signaling", "tcp-socket", "--signaling-port", str(port)]
    if kind == "rtcio":
        return [os.path.join(EXAMPLES, program)] + args + signaling
    script = {"datachannel-cli": "cli.py", "datachannel-filexfer": "filexfer.py"}[program]
    return [sys.executable, "-u", os.path.join(HERE, script)] + args + signaling + ["--timeout", "600"]


def connect_time(offerer, answerer):
    port = free_port()
    extra = ["--pings", "1000"] if offerer == "aiortc" else []
    off = subprocess.Popen(command(offerer, "datachannel-cli", ["offer"] + extra, port),
                           stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the offerer listens once started (Python takes a while to import aiortc)
    started = time.monotonic()
    ans = subprocess.Popen(command(answerer, "datachannel-cli", ["answer"], port),
                           stdout=subprocess.DEVNULL)
    try:
        for line in off.stdout:
            if "< pong" in line:
                return time.monotonic() - started
        raise RuntimeError("the offerer exited without a pong")
    finally:
        for p in (off, ans):
            p.kill()
            p.wait()


def transfer(sender, receiver, source, target):
    port = free_port()
    # The receiver first: rtcio's and our aiortc peer's receivers wait for the listener.
    recv = subprocess.Popen(command(receiver, "datachannel-filexfer", ["receive", target], port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    send = subprocess.run(command(sender, "datachannel-filexfer", ["send", source], port),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=900)
    recv.wait(timeout=60)
    summary = [l for l in send.stdout.splitlines() if l.startswith("sent ")]
    if not summary:
        raise RuntimeError(f"no summary from the sender: {send.stdout!r}")
    seconds = float(summary[0].split(" in ")[1].split(" s")[0])
    return os.path.getsize(source) / seconds / 1e6, time.monotonic() - started


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mib", type=int, default=50)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--skip-aiortc-pair", action="store_true", help="skip aiortc to aiortc (slow)")
    args = p.parse_args()
    pairs = [("rtcio", "rtcio"), ("rtcio", "aiortc"), ("aiortc", "rtcio"), ("aiortc", "aiortc")]
    if args.skip_aiortc_pair:
        pairs.pop()
    for a, b in pairs:
        times = sorted(connect_time(a, b) for _ in range(args.runs))
        print(f"connect  {a:>6} offer -> {b:<6} answer: median {statistics.median(times) * 1000:7.0f} ms"
              f"  (min {times[0] * 1000:.0f}, max {times[-1] * 1000:.0f})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        source, target = os.path.join(tmp, "in.bin"), os.path.join(tmp, "out.bin")
        with open(source, "wb") as f:
            f.write(os.urandom(args.mib << 20))
        digest = sha256(source)
        for a, b in pairs:
            rates = []
            for _ in range(args.runs):
                rate, _ = transfer(a, b, source, target)
                if sha256(target) != digest:
                    raise RuntimeError(f"{a} -> {b}: the copy differs")
                rates.append(rate)
            rates.sort()
            print(f"filexfer {a:>6} send  -> {b:<6} receive: median {statistics.median(rates):7.1f} MB/s"
                  f"  (min {rates[0]:.1f}, max {rates[-1]:.1f}; {args.mib} MiB, sha256 checked)", flush=True)


if __name__ == "__main__":
    main()
