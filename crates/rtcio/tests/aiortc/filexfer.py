"""An aiortc peer playing aiortc's datachannel-filexfer protocol: the sender offers channel
"filexfer" and sends the file in 16 KiB binary messages, waiting for bufferedamountlow, then one
empty message; the receiver writes the messages and says bye over signaling at the empty one.
Both print the byte count and the file's sha256 at the end."""

import asyncio
import hashlib
import time

from aiortc import RTCSessionDescription
from aiortc.contrib.signaling import BYE

from peer import connect_when_listening, parser, run, say

CHUNK = 16384


async def consume_signaling(pc, signaling):
    while True:
        obj = await signaling.receive()
        if isinstance(obj, RTCSessionDescription):
            await pc.setRemoteDescription(obj)
            if obj.type == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                await signaling.send(pc.localDescription)
        elif obj is BYE or obj is None:
            say("Exiting")
            return
        else:
            await pc.addIceCandidate(obj)


def report(verb, octets, elapsed, digest):
    say(
        "%s %d bytes in %.3f s (%.1f MB/s) sha256 %s"
        % (verb, octets, elapsed, octets / max(elapsed, 1e-9) / 1e6, digest)
    )


async def send(pc, signaling, args):
    fp = open(args.filename, "rb")
    digest = hashlib.sha256()
    channel = pc.createDataChannel("filexfer")
    octets = 0
    start = None
    done_reading = False

    def send_data():
        nonlocal done_reading, octets, start
        if start is None:
            start = time.time()
        while channel.bufferedAmount <= channel.bufferedAmountLowThreshold and not done_reading:
            data = fp.read(CHUNK)
            channel.send(data)
            octets += len(data)
            digest.update(data)
            if not data:
                done_reading = True

    channel.on("bufferedamountlow", send_data)
    channel.on("open", send_data)
    await pc.setLocalDescription(await pc.createOffer())
    await signaling.send(pc.localDescription)
    await consume_signaling(pc, signaling)
    fp.close()
    report("sent", octets, time.time() - (start or time.time()), digest.hexdigest())


async def receive(pc, signaling, args):
    fp = open(args.filename, "wb")
    digest = hashlib.sha256()

    @pc.on("datachannel")
    def on_datachannel(channel):
        start = time.time()
        octets = 0

        @channel.on("message")
        async def on_message(message):
            nonlocal octets
            if message:
                octets += len(message)
                digest.update(message)
                fp.write(message)
            else:
                fp.flush()
                report("received", octets, time.time() - start, digest.hexdigest())
                await signaling.send(BYE)

    if args.signaling in ("tcp-socket", "unix-socket"):
        await connect_when_listening(signaling)
    await consume_signaling(pc, signaling)
    fp.close()


if __name__ == "__main__":
    p = parser("datachannel-filexfer peer")
    p.add_argument("role", choices=["send", "receive"])
    p.add_argument("filename")
    args = p.parse_args()
    run(send if args.role == "send" else receive, args)
