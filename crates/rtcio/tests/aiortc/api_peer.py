"""A scriptable aiortc peer for rtcio's API interop tests.

It echoes every message on every channel (text as text, binary as binary) and obeys text
commands sent on a channel:

  cmd:info          reply with the channel's properties as JSON
  cmd:close         close this channel
  cmd:open {json}   open a channel from this side: {"label", "ordered", "maxRetransmits",
                    "maxPacketLifeTime", "protocol"}
  cmd:burst N SIZE [LABEL]
                    send N binary messages of SIZE bytes, each starting with its 4-byte index,
                    on this channel or on the channel named LABEL
  cmd:shutdown      close the whole peer connection

It prints one line per event on stdout: "datachannel LABEL", "open LABEL", "closed LABEL",
"connection STATE", "added candidate SDP". The offer role opens a channel named "api" itself;
--negotiated LABEL:ID pre-creates negotiated channels; --trickle sends the local description
without candidates and each candidate as its own signaling message.
"""

import asyncio
import json

from aiortc import RTCSessionDescription
from aiortc.contrib.signaling import BYE
from aiortc.sdp import candidate_from_sdp

from peer import connect_when_listening, parser, run, say


def info(channel):
    return json.dumps(
        {
            "label": channel.label,
            "protocol": channel.protocol,
            "id": channel.id,
            "ordered": channel.ordered,
            "maxRetransmits": channel.maxRetransmits,
            "maxPacketLifeTime": channel.maxPacketLifeTime,
            "negotiated": channel.negotiated,
            "readyState": channel.readyState,
        }
    )


# Every channel by label, for commands naming another channel.
CHANNELS = {}


def attach(pc, channel):
    CHANNELS[channel.label] = channel

    @channel.on("open")
    def on_open():
        say(f"open {channel.label}")

    @channel.on("close")
    def on_close():
        say(f"closed {channel.label}")

    @channel.on("message")
    def on_message(message):
        if isinstance(message, str) and message.startswith("cmd:"):
            say(f"{channel.label} {message}")
            obey(pc, channel, message[4:])
        else:
            channel.send(message)


async def named(label, patience=10.0):
    """The channel with this label; it may still be opening (its DATA_CHANNEL_OPEN can arrive
    after a command naming it, on another stream)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while label not in CHANNELS:
        if loop.time() > deadline:
            raise KeyError(label)
        await asyncio.sleep(0.01)
    return CHANNELS[label]


def obey(pc, channel, text):
    """Runs one command, in order with the channel's other messages; a failure is printed (a
    broken test peer must not look like a broken connection)."""
    command, _, rest = text.partition(" ")
    try:
        if command == "info":
            channel.send(info(channel))
        elif command == "close":
            channel.close()
        elif command == "open":
            options = json.loads(rest)
            label = options.pop("label")
            attach(pc, pc.createDataChannel(label, **options))
        elif command == "burst":
            count, size, *label = rest.split()
            asyncio.ensure_future(burst(channel, int(count), int(size), label))
        elif command == "shutdown":
            asyncio.ensure_future(pc.close())
        else:
            raise ValueError(f"unknown command {command!r}")
    except Exception as e:  # noqa: BLE001 - reported to the test
        say(f"command {text!r} failed: {e!r}")


async def burst(channel, count, size, label):
    try:
        target = await named(label[0]) if label else channel
        for i in range(count):
            target.send(i.to_bytes(4, "big") + bytes(size - 4))
    except Exception as e:  # noqa: BLE001 - reported to the test
        say(f"burst failed: {e!r}")


async def send_local_description(pc, signaling, trickle):
    """Sends the local description: whole, or without its candidates, which follow one by one
    (aiortc gathers before it describes, so this trickles what it already has)."""
    if not trickle:
        await signaling.send(pc.localDescription)
        return
    lines = pc.localDescription.sdp.splitlines()
    candidates = [l[len("a=candidate:") :] for l in lines if l.startswith("a=candidate:")]
    mid = next(l[len("a=mid:") :] for l in lines if l.startswith("a=mid:"))
    kept = [l for l in lines if not l.startswith(("a=candidate:", "a=end-of-candidates"))]
    await signaling.send(
        RTCSessionDescription(sdp="\r\n".join(kept) + "\r\n", type=pc.localDescription.type)
    )
    for sdp in candidates:
        candidate = candidate_from_sdp(sdp)
        candidate.sdpMid = mid
        candidate.sdpMLineIndex = 0
        await signaling.send(candidate)


async def consume_signaling(pc, signaling, trickle):
    while True:
        obj = await signaling.receive()
        if isinstance(obj, RTCSessionDescription):
            await pc.setRemoteDescription(obj)
            if obj.type == "offer":
                await pc.setLocalDescription(await pc.createAnswer())
                await send_local_description(pc, signaling, trickle)
        elif obj is BYE or obj is None:
            say("Exiting")
            return
        else:
            await pc.addIceCandidate(obj)
            say(f"added candidate {obj.sdpMid} {obj.sdpMLineIndex} {obj.ip} {obj.port}")


async def main(pc, signaling, args):
    @pc.on("datachannel")
    def on_datachannel(channel):
        say(f"datachannel {channel.label}")
        attach(pc, channel)

    @pc.on("connectionstatechange")
    def on_state():
        say(f"connection {pc.connectionState}")

    for spec in args.negotiated:
        label, channel_id = spec.split(":")
        attach(pc, pc.createDataChannel(label, negotiated=True, id=int(channel_id)))

    if args.role == "offer":
        attach(pc, pc.createDataChannel("api"))
        await pc.setLocalDescription(await pc.createOffer())
        await send_local_description(pc, signaling, args.trickle)
    elif args.signaling in ("tcp-socket", "unix-socket"):
        await connect_when_listening(signaling)
    await consume_signaling(pc, signaling, args.trickle)


if __name__ == "__main__":
    p = parser("scriptable aiortc peer")
    p.add_argument("role", choices=["offer", "answer"])
    p.add_argument("--negotiated", action="append", default=[], metavar="LABEL:ID")
    p.add_argument("--trickle", action="store_true", help="send candidates separately")
    run(main, p.parse_args())
