"""libsrtp side of the interop test (driven by libsrtp_interop.rs) through pylibsrtp.

argv: profile id, master key hex, master salt hex.
stdin: lines "rtp|rtcp <protected hex> <plain hex>" protected by rtcio.
Checks that libsrtp unprotects each to the plain packet, then protects every plain packet with
libsrtp and prints "rtp|rtcp <protected hex>" per line.
"""
import sys

import pylibsrtp


def main() -> int:
    profile, key, salt = int(sys.argv[1]), bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])

    def session(direction):
        policy = pylibsrtp.Policy(key=key + salt, ssrc_type=direction, srtp_profile=profile)
        policy.window_size = 1024
        return pylibsrtp.Session(policy=policy)

    rx = session(pylibsrtp.Policy.SSRC_ANY_INBOUND)
    tx = session(pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
    items = [line.split() for line in sys.stdin if line.strip()]
    for kind, protected, plain in items:
        data = bytes.fromhex(protected)
        got = rx.unprotect(data) if kind == "rtp" else rx.unprotect_rtcp(data)
        if got != bytes.fromhex(plain):
            print(f"MISMATCH {kind} {protected}", file=sys.stderr)
            return 1
    for kind, _, plain in items:
        data = bytes.fromhex(plain)
        out = tx.protect(data) if kind == "rtp" else tx.protect_rtcp(data)
        print(kind, out.hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
