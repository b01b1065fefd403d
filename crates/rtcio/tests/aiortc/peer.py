"""Shared setup of the aiortc peers used by rtcio's interop tests.

The peers are written against aiortc's public API and its own signaling module
(aiortc.contrib.signaling), so a test passes only if rtcio really speaks aiortc's protocol.
"""

import argparse
import asyncio
import logging
import os
import sys

import aioice.ice
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.contrib.signaling import add_signaling_arguments, create_signaling

# RTCIO_AIORTC_LOG=DEBUG (or INFO, ...) shows aiortc's own log on stderr.
if os.environ.get("RTCIO_AIORTC_LOG"):
    logging.basicConfig(level=os.environ["RTCIO_AIORTC_LOG"], stream=sys.stderr)

# aioice leaves 127.0.0.1 out of its host candidates; the tests run on loopback only.
aioice.ice.get_host_addresses = lambda *args, **kwargs: ["127.0.0.1"]


def parser(description):
    """An argument parser with aiortc's signaling flags and a time limit."""
    p = argparse.ArgumentParser(description=description)
    add_signaling_arguments(p)
    p.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds")
    return p


def peer_connection():
    """A peer connection without STUN servers (the hosts have no route out)."""
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


async def connect_when_listening(signaling, patience=30.0):
    """Opens the receiving side of a socket signaling once the peer listens.

    aiortc's socket signaling connects on the first receive and fails at once if nobody listens
    yet; the tests start both peers together, so retry for a while first.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        try:
            await signaling._connect(False)
            return
        except (ConnectionRefusedError, FileNotFoundError):
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


def say(*parts):
    """One line on stdout, flushed at once (the test reads it as it comes)."""
    print(*parts, flush=True)


def run(main, args):
    """Runs `main(pc, signaling, args)` within the time limit, then closes everything."""

    async def bounded():
        signaling = create_signaling(args)
        pc = peer_connection()
        try:
            await signaling.connect()
            await asyncio.wait_for(main(pc, signaling, args), args.timeout)
        except asyncio.TimeoutError:
            say("TIMEOUT")
            sys.exit(3)
        finally:
            await pc.close()
            await signaling.close()

    asyncio.run(bounded())
