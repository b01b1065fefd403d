import asyncio, sys, os, hashlib
from aiortc.rtcsctptransport import RTCSctpTransport
from aiortc.rtcdatachannel import RTCDataChannel, RTCDataChannelParameters

class FakeDtls:
    def __init__(self, role):
        self.state = "connected"
        self._role = role
        self._receiver = None
        self.transport = None
        self.proto = None
    def _register_data_receiver(self, r): self._receiver = r
    def _unregister_data_receiver(self, r): self._receiver = None
    async def _send_data(self, data): self.proto.transport.sendto(data)

class Proto(asyncio.DatagramProtocol):
    def __init__(self, dtls): self.dtls = dtls
    def connection_made(self, t): self.transport = t
    def datagram_received(self, data, addr):
        if self.dtls._receiver:
            asyncio.ensure_future(self.dtls._receiver._handle_data(data))

async def main():
    local, remote = ("127.0.0.1", int(sys.argv[1])), ("127.0.0.1", int(sys.argv[2]))
    loop = asyncio.get_event_loop()
    dtls = FakeDtls("client")
    t, proto = await loop.create_datagram_endpoint(lambda: Proto(dtls), local_addr=local, remote_addr=remote)
    dtls.proto = proto
    sctp = RTCSctpTransport(dtls)
    await sctp.start(sctp.getCapabilities(), 5000)
    results = {}
    done = asyncio.Event()
    msgs = ["hello", b"\x01\x02\x03", "", b"", os.urandom(200000), "x" * 70000]
    chans = []
    for label, kw in [("reliable", {}), ("unordered", {"ordered": False}), ("rexmit", {"maxRetransmits": 2})]:
        ch = RTCDataChannel(sctp, RTCDataChannelParameters(label=label, **kw))
        got = []
        results[label] = got
        def on_message(m, got=got, label=label):
            got.append(m)
            if all(len(v) == len(msgs) for v in results.values()):
                done.set()
        ch.on("message", on_message)
        def on_open(ch=ch):
            for m in msgs: ch.send(m)
        ch.on("open", on_open)
        chans.append(ch)
    try:
        await asyncio.wait_for(done.wait(), 30)
    except asyncio.TimeoutError:
        print("TIMEOUT", {k: len(v) for k, v in results.items()}); sys.exit(1)
    for label, got in results.items():
        want = msgs if label != "unordered" else sorted(msgs, key=lambda m: (type(m).__name__, len(m), hashlib.sha1(m if isinstance(m, bytes) else m.encode()).hexdigest()))
        g = got if label != "unordered" else sorted(got, key=lambda m: (type(m).__name__, len(m), hashlib.sha1(m if isinstance(m, bytes) else m.encode()).hexdigest()))
        ok = g == want and all(type(a) == type(b) for a, b in zip(g, want))
        print(label, "OK" if ok else "MISMATCH", [ (type(m).__name__, len(m)) for m in got])
        if not ok: sys.exit(1)
    # close one channel from aiortc: stream reset both ways
    closed = asyncio.Event()
    chans[0].on("close", lambda: closed.set())
    chans[0].close()
    await asyncio.wait_for(closed.wait(), 10)
    print("close OK", chans[0].readyState)
    await sctp.stop()
    print("ALL OK")

if __name__ == "__main__":
    asyncio.run(main())
