"""An aiortc peer that sends synthetic audio and video and decodes what comes back, for rtcio's
media interop test (rtcio echoes every RTP packet on the transceiver it arrived on).

aiortc encodes and decodes itself (VP8 or H.264 and Opus, with PyAV). It sends a 320x240 video
track: a scrolling noisy texture on top, a uniform bottom half whose brightness changes every
frame (16, 24, ... 208, then again); and a 440 Hz sine on a 48 kHz mono audio track. Both tracks are added before any description is applied, so
--video-codec (aiortc's setCodecPreferences) holds in either role.

Signaling is one JSON line each way on stdin/stdout: "offer {type, sdp}" and
"answer {type, sdp}". Other lines on stdout: "connection STATE", "track KIND", and once
--video frames and --audio frames were decoded (or at --timeout), one "result {...}" line:
video frames decoded, their sizes, how many distinct brightness levels they showed, audio
frames decoded, their sample rates and peak amplitude, and the packets rtcio's receiver
reports said it received, by kind. "pli KIND" is printed for every PLI a sender gets. It then
waits for "bye" on stdin and closes.
"""

import array
import asyncio
import fractions
import json
import math
import random
import sys

import av
from aiortc import MediaStreamTrack, RTCRtpSender, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from aiortc.rtp import RTCP_PSFB_PLI, RtcpPsfbPacket

from peer import parser, peer_connection, say

WIDTH, HEIGHT = 320, 240
LEVELS = 25  # brightness levels the video cycles through


# Pseudo-random bytes (fixed seed), long enough for the scrolled top half of a frame.
TEXTURE = random.Random(7).randbytes(WIDTH * HEIGHT // 2 + WIDTH)


def level(index):
    return 16 + (index % LEVELS) * 8


class PatternTrack(VideoStreamTrack):
    """Frames of uniform brightness, a new level every frame (easy to check after decoding)."""

    def __init__(self):
        super().__init__()
        self.index = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        luma, cb, cr = frame.planes
        # Top half: a fixed noisy texture scrolling sideways (keyframes span many packets);
        # bottom half: the uniform level.
        half = luma.buffer_size // 2
        shift = (self.index * 4) % WIDTH
        luma.update(TEXTURE[shift : shift + half] + bytes([level(self.index)]) * half)
        cb.update(bytes([128]) * cb.buffer_size)
        cr.update(bytes([128]) * cr.buffer_size)
        frame.pts, frame.time_base = pts, time_base
        self.index += 1
        return frame


class SineTrack(MediaStreamTrack):
    """A 440 Hz sine at 48 kHz, 20 ms per frame, paced in real time."""

    kind = "audio"
    RATE, SAMPLES = 48000, 960

    def __init__(self):
        super().__init__()
        self.sent = 0
        self.start = None

    async def recv(self):
        loop = asyncio.get_running_loop()
        if self.start is None:
            self.start = loop.time()
        else:
            wait = self.start + self.sent / self.RATE - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        samples = array.array(
            "h",
            (
                int(8000 * math.sin(2 * math.pi * 440 * (self.sent + i) / self.RATE))
                for i in range(self.SAMPLES)
            ),
        )
        frame = av.AudioFrame(format="s16", layout="mono", samples=self.SAMPLES)
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate = self.RATE
        frame.pts, frame.time_base = self.sent, fractions.Fraction(1, self.RATE)
        self.sent += self.SAMPLES
        return frame


class Received:
    """What the decoders gave back."""

    def __init__(self, video_wanted, audio_wanted):
        self.video_wanted, self.audio_wanted = video_wanted, audio_wanted
        self.video_frames = 0
        self.sizes = set()
        self.levels = set()
        self.audio_frames = 0
        self.sample_rates = set()
        self.peak = 0
        self.enough = asyncio.Event()

    def check(self):
        if self.video_frames >= self.video_wanted and self.audio_frames >= self.audio_wanted:
            self.enough.set()

    def video(self, frame):
        self.video_frames += 1
        self.sizes.add(f"{frame.width}x{frame.height}")
        if frame.format.name == "yuv420p":
            plane = frame.planes[0]
            # The bottom half, away from the texture's edge.
            luma = bytes(plane)[plane.line_size * (HEIGHT * 3 // 4) :: 97]
            # Nearest level the sender used: decoding is lossy, levels are 8 apart.
            self.levels.add(round((sum(luma) / len(luma) - 16) / 8))
        self.check()

    def audio(self, frame):
        self.audio_frames += 1
        self.sample_rates.add(frame.sample_rate)
        if frame.format.name == "s16":
            samples = array.array("h", bytes(frame.planes[0]))
            self.peak = max(self.peak, max(map(abs, samples), default=0))
        self.check()

    def result(self):
        return {
            "video_frames": self.video_frames,
            "sizes": sorted(self.sizes),
            "levels": len(self.levels),
            "audio_frames": self.audio_frames,
            "sample_rates": sorted(self.sample_rates),
            "peak": self.peak,
        }


def report_keyframe_requests(sender):
    """Prints "pli KIND" for each PLI addressed to this sender (aiortc has no public count;
    its DTLS transport routes RTCP to `_handle_rtcp_packet` by SSRC)."""
    handle = sender._handle_rtcp_packet

    async def counting(packet):
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_PLI:
            say(f"pli {sender.track.kind}")
        await handle(packet)

    sender._handle_rtcp_packet = counting


async def remote_inbound(pc):
    """Packets the other side reported receiving (its receiver reports), by kind."""
    reports = {}
    for s in (await pc.getStats()).values():
        if s.type == "remote-inbound-rtp":
            reports[s.kind] = s.packetsReceived
    return reports


async def finished(pc, received):
    """Until enough was decoded and rtcio reported receiving both kinds."""
    await received.enough.wait()
    while len(await remote_inbound(pc)) < 2:
        await asyncio.sleep(0.1)


async def consume(track, received):
    try:
        while True:
            frame = await track.recv()
            if track.kind == "video":
                received.video(frame)
            else:
                received.audio(frame)
    except MediaStreamError:
        pass


async def read_line(prefix):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            raise EOFError("stdin closed")
        if line.startswith(prefix):
            return line[len(prefix) :].strip()


def description(text):
    d = json.loads(text)
    return RTCSessionDescription(sdp=d["sdp"], type=d["type"])


def send_description(pc):
    d = pc.localDescription
    say(f"{d.type} " + json.dumps({"type": d.type, "sdp": d.sdp}))


async def main(args):
    pc = peer_connection()
    received = Received(args.video, args.audio)
    tasks = []

    @pc.on("connectionstatechange")
    def on_state():
        say(f"connection {pc.connectionState}")

    @pc.on("track")
    def on_track(track):
        say(f"track {track.kind}")
        tasks.append(asyncio.ensure_future(consume(track, received)))

    report_keyframe_requests(pc.addTrack(PatternTrack()))
    report_keyframe_requests(pc.addTrack(SineTrack()))
    if args.video_codec != "any":
        wanted = [
            c
            for c in RTCRtpSender.getCapabilities("video").codecs
            if c.mimeType.lower() in (f"video/{args.video_codec}", "video/rtx")
        ]
        for t in pc.getTransceivers():
            if t.kind == "video":
                t.setCodecPreferences(wanted)

    try:
        if args.role == "offer":
            await pc.setLocalDescription(await pc.createOffer())
            send_description(pc)
            await pc.setRemoteDescription(description(await read_line("answer ")))
        else:
            await pc.setRemoteDescription(description(await read_line("offer ")))
            await pc.setLocalDescription(await pc.createAnswer())
            send_description(pc)
        await asyncio.wait_for(finished(pc, received), args.timeout)
    except asyncio.TimeoutError:
        say("TIMEOUT")
    say("result " + json.dumps({**received.result(), "remote_inbound": await remote_inbound(pc)}))
    await read_line("bye")
    for t in tasks:
        t.cancel()
    await pc.close()
    say("closed")


if __name__ == "__main__":
    p = parser("aiortc media peer")
    p.add_argument("role", choices=["offer", "answer"])
    p.add_argument("--video-codec", default="any", choices=["any", "vp8", "h264"])
    p.add_argument("--video", type=int, default=60, help="video frames to decode")
    p.add_argument("--audio", type=int, default=50, help="audio frames to decode")
    args = p.parse_args()
    asyncio.run(main(args))
