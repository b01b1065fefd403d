"""An aioice peer for rtcio's ICE interop test (crates/ice/tests/aioice.rs).

Usage: peer.py controlling|controlled

Speaks JSON lines on stdin/stdout:
  out {"ufrag", "pwd", "candidates": [sdp, ...]}     local parameters, once gathered
  in  {"ufrag", "pwd", "candidates": [sdp, ...]}     the remote parameters
  out {"connected": {"local": [host, port], "remote": [host, port]}, "ms": float}
  out {"received": text}                             every application datagram received
  in  "stop"                                         close and exit
While connected it answers every datagram "ping ..." with "echo ping ..." and sends
"hello <n>" every 50 ms. Any failure is printed as {"error": text} and exits non-zero.
"""

import asyncio
import json
import sys
import time

try:
    import aioice
    import aioice.ice
except ImportError as e:  # pragma: no cover - reported to the test
    print(json.dumps({"error": f"aioice is not installed ({e}); run scripts/install-deps"}))
    sys.exit(2)

# aioice skips 127.0.0.1 when gathering; loopback is the only network of the test.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

TIMEOUT = 20.0


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def read_line(loop):
    line = await asyncio.wait_for(
        loop.run_in_executor(None, sys.stdin.readline), TIMEOUT
    )
    if not line:
        raise ConnectionError("stdin closed")
    return line.strip()


async def receiver(conn):
    while True:
        data = await conn.recv()
        emit({"received": data.decode("utf-8", "replace")})
        if data.startswith(b"ping "):
            await conn.send(b"echo " + data)


async def greeter(conn):
    n = 0
    while True:
        await conn.send(f"hello {n}".encode())
        n += 1
        await asyncio.sleep(0.05)


async def main(controlling):
    loop = asyncio.get_running_loop()
    conn = aioice.Connection(ice_controlling=controlling, components=1, use_ipv6=False)
    try:
        await conn.gather_candidates()
        emit(
            {
                "ufrag": conn.local_username,
                "pwd": conn.local_password,
                "candidates": [c.to_sdp() for c in conn.local_candidates],
            }
        )
        remote = json.loads(await read_line(loop))
        conn.remote_username = remote["ufrag"]
        conn.remote_password = remote["pwd"]
        for sdp in remote["candidates"]:
            await conn.add_remote_candidate(aioice.Candidate.from_sdp(sdp))
        await conn.add_remote_candidate(None)
        start = time.monotonic()
        await asyncio.wait_for(conn.connect(), TIMEOUT)
        ms = (time.monotonic() - start) * 1000.0
        pair = conn._nominated[1]
        emit(
            {
                "connected": {
                    "local": list(pair.local_addr),
                    "remote": list(pair.remote_addr),
                },
                "ms": ms,
            }
        )
        tasks = [asyncio.create_task(receiver(conn)), asyncio.create_task(greeter(conn))]
        try:
            while await read_line(loop) != "stop":
                pass
        finally:
            for t in tasks:
                t.cancel()
    except Exception as e:
        emit({"error": f"{type(e).__name__}: {e}"})
        await conn.close()
        sys.exit(1)
    await conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("controlling", "controlled"):
        print("usage: peer.py controlling|controlled", file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1] == "controlling"))
