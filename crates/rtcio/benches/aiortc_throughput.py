"""aiortc's side of rtcio's data-channel throughput bench (benches/datachannel.rs).

Two aiortc peer connections in one asyncio loop over UDP on 127.0.0.1, one channel, messages of
a given size with bufferedAmount backpressure (pause above 1 MiB, resume at 512 KiB). Prints one
line: `RESULT mbps=<MB/s first to last byte> cpu_s=<process CPU seconds> bytes=<received>`.

usage: python3 aiortc_throughput.py MIB MSG_SIZE ordered|unordered
"""

import asyncio
import resource
import sys
import time

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection

# aioice leaves loopback out of host candidates; the bench runs on loopback only.
aioice.ice.get_host_addresses = lambda *args, **kwargs: ["127.0.0.1"]

HIGH = 1024 * 1024
LOW = 512 * 1024


async def main(mib, size, ordered):
    total = mib * 1024 * 1024
    a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tx = a.createDataChannel("bench", ordered=ordered)
    done = asyncio.get_running_loop().create_future()
    state = {"bytes": 0, "first": None, "last": None}

    @b.on("datachannel")
    def on_channel(channel):
        @channel.on("message")
        def on_message(message):
            now = time.perf_counter()
            if state["first"] is None:
                state["first"] = now
            state["last"] = now
            state["bytes"] += len(message)
            if state["bytes"] >= total and not done.done():
                done.set_result(None)

    opened = asyncio.get_running_loop().create_future()
    tx.on("open", lambda: opened.set_result(None))
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    await opened

    tx.bufferedAmountLowThreshold = LOW
    low = asyncio.Event()
    tx.on("bufferedamountlow", low.set)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    payload = bytes(size)
    sent = 0
    while sent < total:
        if tx.bufferedAmount > HIGH:
            low.clear()
            await low.wait()
        tx.send(payload)
        sent += size
    await asyncio.wait_for(done, timeout=600)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    secs = state["last"] - state["first"]
    print(f"RESULT mbps={state['bytes'] / secs / 1e6:.1f} cpu_s={cpu:.2f} bytes={state['bytes']}")
    await a.close()
    await b.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "ordered"))
