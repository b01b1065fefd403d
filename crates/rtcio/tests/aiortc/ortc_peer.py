"""An aiortc peer made of ORTC objects (no RTCPeerConnection), for rtcio's ORTC interop test.

It gathers, prints its parameters as one JSON line ("local {...}": ICE parameters and
candidates, DTLS parameters, SCTP capabilities and port), reads the other side's the same way
on stdin ("remote {...}"), then starts ICE, DTLS and SCTP in that order, as aiortc's
test_ortc does. It opens a channel named "from-aiortc" and says "hello from aiortc" on it,
echoes every message on every channel, and on the text "cmd:stop" stops SCTP, DTLS and ICE
and exits. One line per event on stdout: "ice STATE", "dtls STATE", "sctp started",
"datachannel LABEL", "open LABEL", "stopped".
"""

import asyncio
import dataclasses
import json
import sys

from aiortc import (
    RTCCertificate,
    RTCDataChannel,
    RTCDataChannelParameters,
    RTCDtlsFingerprint,
    RTCDtlsParameters,
    RTCDtlsTransport,
    RTCIceCandidate,
    RTCIceGatherer,
    RTCIceParameters,
    RTCIceTransport,
    RTCSctpCapabilities,
    RTCSctpTransport,
)

from peer import parser, say


async def read_line(prefix):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            raise EOFError("stdin closed")
        if line.startswith(prefix):
            return json.loads(line[len(prefix):])


async def main(args):
    gatherer = RTCIceGatherer(iceServers=[])
    ice = RTCIceTransport(gatherer)
    if args.role == "controlling":
        # What RTCPeerConnection does for the offerer; ORTC has no public setter.
        ice._connection.ice_controlling = True
    await gatherer.gather()
    dtls = RTCDtlsTransport(ice, [RTCCertificate.generateCertificate()])
    sctp = RTCSctpTransport(dtls)
    done = asyncio.Event()

    local = {
        "ice": dataclasses.asdict(gatherer.getLocalParameters()),
        "candidates": [dataclasses.asdict(c) for c in gatherer.getLocalCandidates()],
        "dtls": dataclasses.asdict(dtls.getLocalParameters()),
        "sctp": dataclasses.asdict(sctp.getCapabilities()),
        "port": sctp.port,
    }
    say("local " + json.dumps(local))
    remote = await read_line("remote ")

    def attach(channel):
        @channel.on("open")
        def on_open():
            say(f"open {channel.label}")

        @channel.on("message")
        def on_message(message):
            if message == "cmd:stop":
                done.set()
            else:
                channel.send(message)

    @sctp.on("datachannel")
    def on_datachannel(channel):
        say(f"datachannel {channel.label}")
        attach(channel)

    for c in remote["candidates"]:
        await ice.addRemoteCandidate(RTCIceCandidate(**c))
    await ice.addRemoteCandidate(None)
    await ice.start(RTCIceParameters(**remote["ice"]))
    say(f"ice {ice.state} {ice.role}")
    fingerprints = [RTCDtlsFingerprint(**f) for f in remote["dtls"]["fingerprints"]]
    await dtls.start(RTCDtlsParameters(fingerprints=fingerprints, role=remote["dtls"]["role"]))
    say(f"dtls {dtls.state}")
    await sctp.start(RTCSctpCapabilities(**remote["sctp"]), remote["port"])
    say("sctp started")

    mine = RTCDataChannel(sctp, RTCDataChannelParameters(label="from-aiortc"))
    attach(mine)

    @mine.on("open")
    def hello():
        mine.send("hello from aiortc")

    await done.wait()
    await sctp.stop()
    await dtls.stop()
    await ice.stop()
    say("stopped")


if __name__ == "__main__":
    p = parser("aiortc ORTC peer")
    p.add_argument("--role", choices=["controlling", "controlled"], default="controlled")
    args = p.parse_args()
    asyncio.run(asyncio.wait_for(main(args), args.timeout))
