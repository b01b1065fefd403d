import asyncio, sys
from aiortc.rtcsctptransport import RTCSctpTransport
sys.path.insert(0, '.')
from aiortc_peer import FakeDtls, Proto

async def main():
    local, remote = ("127.0.0.1", int(sys.argv[1])), ("127.0.0.1", int(sys.argv[2]))
    loop = asyncio.get_event_loop()
    dtls = FakeDtls("client")
    t, proto = await loop.create_datagram_endpoint(lambda: Proto(dtls), local_addr=local, remote_addr=remote)
    dtls.proto = proto
    sctp = RTCSctpTransport(dtls)
    closed = asyncio.Event()
    got = []
    @sctp.on("datachannel")
    def on_dc(ch):
        print("datachannel", ch.id, ch.label, ch.protocol, ch.ordered)
        @ch.on("message")
        def on_message(m):
            got.append(m); ch.send(m)
        ch.on("close", lambda: closed.set())
    await sctp.start(sctp.getCapabilities(), 5000)
    await asyncio.wait_for(closed.wait(), 20)
    print("received", [(type(m).__name__, len(m)) for m in got])
    await sctp.stop()
    print("ALL OK")
asyncio.run(main())
