"""An aiortc peer playing aiortc's datachannel-cli protocol: channel "chat", "ping <us>" from the
offerer every second, "pong <us>" back, RTT printed by the offerer. Unlike aiortc's example it
stops by itself: the offerer after --pings round trips (closing the signaling says bye), the
answerer when the offerer says bye."""

import asyncio
import time

from aiortc import RTCSessionDescription
from aiortc.contrib.signaling import BYE

from peer import connect_when_listening, parser, run, say


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


async def answer(pc, signaling, args):
    @pc.on("datachannel")
    def on_datachannel(channel):
        say(f"channel({channel.label}) - created by remote party")

        @channel.on("message")
        def on_message(message):
            say(f"channel({channel.label}) < {message}")
            if isinstance(message, str) and message.startswith("ping"):
                reply = "pong" + message[4:]
                say(f"channel({channel.label}) > {reply}")
                channel.send(reply)

    if args.signaling in ("tcp-socket", "unix-socket"):
        await connect_when_listening(signaling)
    await consume_signaling(pc, signaling)


async def offer(pc, signaling, args):
    channel = pc.createDataChannel("chat")
    say(f"channel({channel.label}) - created by local party")
    start = None
    done = asyncio.Event()
    rtts = 0

    def stamp():
        nonlocal start
        if start is None:
            start = time.time()
        return int((time.time() - start) * 1e6)

    async def ping():
        while not done.is_set():
            message = f"ping {stamp()}"
            say(f"channel({channel.label}) > {message}")
            channel.send(message)
            await asyncio.sleep(1)

    @channel.on("open")
    def on_open():
        asyncio.ensure_future(ping())

    @channel.on("message")
    def on_message(message):
        nonlocal rtts
        say(f"channel({channel.label}) < {message}")
        if isinstance(message, str) and message.startswith("pong"):
            say(" RTT %.2f ms" % ((stamp() - int(message[5:])) / 1000))
            rtts += 1
            if rtts >= args.pings:
                done.set()

    await pc.setLocalDescription(await pc.createOffer())
    await signaling.send(pc.localDescription)
    consume = asyncio.ensure_future(consume_signaling(pc, signaling))
    finished = asyncio.ensure_future(done.wait())
    await asyncio.wait([consume, finished], return_when=asyncio.FIRST_COMPLETED)
    consume.cancel()
    finished.cancel()


if __name__ == "__main__":
    p = parser("datachannel-cli peer")
    p.add_argument("role", choices=["offer", "answer"])
    p.add_argument("--pings", type=int, default=3, help="round trips before the offerer stops")
    args = p.parse_args()
    run(offer if args.role == "offer" else answer, args)
