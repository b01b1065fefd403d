"""Publishes a host name with aioice's mDNS responder (as aioice does for its own mDNS
candidates), for crates/rtcio/tests/mdns_netns.rs.

Usage: mdns_publish.py NAME ADDRESS
Prints "ready" once published, then serves until stdin closes. aioice answers queries on the
group (224.0.0.251:5353) only, so the querier has to listen there.
"""

import asyncio
import sys

from aioice import mdns


async def main(name, address):
    protocol = await mdns.create_mdns_protocol()
    await protocol.publish(name, address)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    await protocol.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: mdns_publish.py NAME ADDRESS", file=sys.stderr)
        sys.exit(2)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
