"""libsrtp (through pylibsrtp) side of the `srtp` benchmark.

argv: seconds per repetition, repetitions, batch size, payload length.
Prints "<profile id> <protect|unprotect|pycall> <cpu best> <cpu worst> <wall best> <wall worst>"
lines in Mpps, by thread CPU time and by wall clock. Every timed
call goes through Python, so "pycall" (the same loop calling an identity function) is printed
as the interpreter's share.
"""
import struct
import sys
import time

import pylibsrtp

PROFILES = [
    pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
]
KEY_LEN = {1: 30, 2: 30, 7: 28, 8: 44}


def rtp(seq, payload_len):
    return struct.pack("!BBHII", 0x80, 96, seq, seq * 960, 0x11223344) + bytes(
        (i + seq) & 0xFF for i in range(payload_len)
    )


def session(profile, direction):
    key = bytes(range(KEY_LEN[profile]))
    policy = pylibsrtp.Policy(key=key, ssrc_type=direction, srtp_profile=profile)
    policy.window_size = 128
    return pylibsrtp.Session(policy=policy)


def measure(secs, reps, batch, make, run):
    cpu_rates, wall_rates = [], []
    for _ in range(reps):
        packets, wall, cpu = 0, 0.0, 0.0
        while wall < secs:
            fn, items = make()
            start, start_cpu = time.perf_counter(), time.thread_time()
            for p in items:
                fn(p)
            wall += time.perf_counter() - start
            cpu += time.thread_time() - start_cpu
            packets += batch
        wall_rates.append(packets / wall / 1e6)
        cpu_rates.append(packets / cpu / 1e6)
    return f"{max(cpu_rates):.4f} {min(cpu_rates):.4f} {max(wall_rates):.4f} {min(wall_rates):.4f}"


def main():
    secs, reps, batch, payload_len = (
        float(sys.argv[1]),
        int(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    plain = [rtp(seq, payload_len) for seq in range(batch)]
    for profile in PROFILES:
        out = session(profile, pylibsrtp.Policy.SSRC_ANY_OUTBOUND)
        protected = [out.protect(p) for p in plain]
        rates = measure(
            secs, reps, batch,
            lambda: (session(profile, pylibsrtp.Policy.SSRC_ANY_OUTBOUND).protect, plain),
            None,
        )
        print(profile, "protect", rates, flush=True)
        rates = measure(
            secs, reps, batch,
            lambda: (session(profile, pylibsrtp.Policy.SSRC_ANY_INBOUND).unprotect, protected),
            None,
        )
        print(profile, "unprotect", rates, flush=True)
    rates = measure(secs, reps, batch, lambda: ((lambda p: p), plain), None)
    print(0, "pycall", rates, flush=True)


if __name__ == "__main__":
    main()
