//! Tampered, truncated and garbage input gives typed errors; SSRC state is bounded.

mod common;

use common::{master, rtcp, rtp};
use rtcio_srtp::{Config, Error, ProtectionProfile, SrtpContext};

fn pair(profile: ProtectionProfile, config: Config) -> (SrtpContext, SrtpContext) {
    let (key, salt) = master(profile, 21);
    (
        SrtpContext::with_config(profile, &key, &salt, config).unwrap(),
        SrtpContext::with_config(profile, &key, &salt, config).unwrap(),
    )
}

#[test]
fn every_flipped_bit_fails_authentication() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile, Config::default());
        let (mut srtp, mut srtcp, mut out) = (Vec::new(), Vec::new(), Vec::new());
        tx.protect_rtp(&rtp(77, 42, 24), &mut srtp).unwrap();
        tx.protect_rtcp(&rtcp(42), &mut srtcp).unwrap();
        // Bits of the version field make it malformed instead; all others must fail the tag.
        for bit in 2..srtp.len() * 8 {
            let mut forged = srtp.clone();
            forged[bit / 8] ^= 0x80 >> (bit % 8);
            let r = rx.unprotect_rtp(&forged, &mut out);
            assert!(
                matches!(r, Err(Error::AuthenticationFailed | Error::Malformed)),
                "{profile} RTP bit {bit}: {r:?}"
            );
            assert!(out.is_empty());
        }
        for bit in 2..srtcp.len() * 8 {
            let mut forged = srtcp.clone();
            forged[bit / 8] ^= 0x80 >> (bit % 8);
            let r = rx.unprotect_rtcp(&forged, &mut out);
            assert!(
                matches!(r, Err(Error::AuthenticationFailed | Error::Malformed)),
                "{profile} RTCP bit {bit}: {r:?}"
            );
        }
        assert_eq!(rx.stream_count(), 0);
        // The genuine packets still pass afterwards.
        rx.unprotect_rtp(&srtp, &mut out).unwrap();
        rx.unprotect_rtcp(&srtcp, &mut out).unwrap();
        assert_eq!(out, rtcp(42));
    }
}

#[test]
fn in_place_auth_failure_clears_the_buffer() {
    let (mut tx, mut rx) = pair(ProtectionProfile::AeadAes128Gcm, Config::default());
    let mut buf = rtp(1, 2, 50);
    tx.protect_rtp_in_place(&mut buf).unwrap();
    let last = buf.len() - 1;
    buf[last] ^= 1;
    assert_eq!(
        rx.unprotect_rtp_in_place(&mut buf),
        Err(Error::AuthenticationFailed)
    );
    assert!(buf.is_empty());
}

#[test]
fn truncated_packets_are_typed_errors() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile, Config::default());
        let (mut srtp, mut srtcp, mut out) = (Vec::new(), Vec::new(), Vec::new());
        tx.protect_rtp(&rtp(5, 9, 30), &mut srtp).unwrap();
        tx.protect_rtcp(&rtcp(9), &mut srtcp).unwrap();
        for len in 0..srtp.len() {
            let r = rx.unprotect_rtp(&srtp[..len], &mut out);
            assert!(
                matches!(
                    r,
                    Err(Error::TooShort | Error::Malformed | Error::AuthenticationFailed)
                ),
                "{profile} RTP len {len}: {r:?}"
            );
        }
        for len in 0..srtcp.len() {
            let r = rx.unprotect_rtcp(&srtcp[..len], &mut out);
            assert!(
                matches!(
                    r,
                    Err(Error::TooShort | Error::Malformed | Error::AuthenticationFailed)
                ),
                "{profile} RTCP len {len}: {r:?}"
            );
        }
        assert_eq!(rx.unprotect_rtp(&srtp[..5], &mut out), Err(Error::TooShort));
        assert_eq!(
            rx.unprotect_rtcp(&srtcp[..5], &mut out),
            Err(Error::TooShort)
        );
        assert_eq!(
            tx.protect_rtp(&rtp(6, 9, 0)[..11], &mut out),
            Err(Error::TooShort)
        );
        assert_eq!(
            tx.protect_rtcp(&rtcp(9)[..7], &mut out),
            Err(Error::TooShort)
        );
    }
}

#[test]
fn headers_running_past_the_packet_are_malformed() {
    let (mut tx, _) = pair(ProtectionProfile::Aes128CmHmacSha1_80, Config::default());
    let mut out = Vec::new();
    let mut csrcs = rtp(1, 1, 8);
    csrcs[0] |= 0x0f; // 15 CSRCs announced, 8 bytes present
    assert_eq!(tx.protect_rtp(&csrcs, &mut out), Err(Error::Malformed));
    let mut ext = rtp(1, 1, 8);
    ext[0] |= 0x10; // extension header 0x0001 words... then a huge length
    ext[14] = 0xff;
    ext[15] = 0xff;
    assert_eq!(tx.protect_rtp(&ext, &mut out), Err(Error::Malformed));
    let mut v1 = rtp(1, 1, 8);
    v1[0] = 0x40;
    assert_eq!(tx.protect_rtp(&v1, &mut out), Err(Error::Malformed));
    let mut rtcp_v0 = rtcp(1);
    rtcp_v0[0] = 0x01;
    assert_eq!(tx.protect_rtcp(&rtcp_v0, &mut out), Err(Error::Malformed));
}

#[test]
fn garbage_never_panics() {
    let mut seed = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for profile in ProtectionProfile::ALL {
        let (_, mut rx) = pair(profile, Config::default());
        let mut out = Vec::new();
        for _ in 0..3000 {
            let len = (next() % 120) as usize;
            let mut p: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if next() % 2 == 0 && !p.is_empty() {
                p[0] = 0x80 | (p[0] & 0x3f); // version 2 to get past the first check
            }
            assert!(rx.unprotect_rtp(&p, &mut out).is_err());
            assert!(rx.unprotect_rtcp(&p, &mut out).is_err());
        }
        assert_eq!(rx.stream_count(), 0);
    }
}

#[test]
fn ssrc_count_is_bounded() {
    let config = Config {
        max_streams: 16,
        ..Config::default()
    };
    for profile in [
        ProtectionProfile::Aes128CmHmacSha1_80,
        ProtectionProfile::AeadAes128Gcm,
    ] {
        let (mut tx, mut rx) = pair(profile, config);
        let (mut srtp, mut out) = (Vec::new(), Vec::new());
        for ssrc in 0..16u32 {
            tx.protect_rtp(&rtp(1, ssrc, 10), &mut srtp).unwrap();
            rx.unprotect_rtp(&srtp, &mut out).unwrap();
        }
        assert_eq!(
            tx.protect_rtp(&rtp(1, 16, 10), &mut srtp),
            Err(Error::TooManyStreams)
        );
        assert_eq!(
            tx.protect_rtcp(&rtcp(16), &mut srtp),
            Err(Error::TooManyStreams)
        );
        // A receiver at its cap rejects new SSRCs before any cryptography...
        let roomy = Config {
            max_streams: 20_000,
            ..Config::default()
        };
        let (mut tx2, _) = pair(profile, roomy);
        for ssrc in 16..10_000u32 {
            tx2.protect_rtp(&rtp(1, ssrc, 10), &mut srtp).unwrap();
            assert_eq!(
                rx.unprotect_rtp(&srtp, &mut out),
                Err(Error::TooManyStreams)
            );
        }
        assert_eq!(rx.stream_count(), 16);
        // ...and keeps serving the ones it has.
        tx.protect_rtp(&rtp(2, 3, 10), &mut srtp).unwrap();
        rx.unprotect_rtp(&srtp, &mut out).unwrap();
        assert_eq!(out, rtp(2, 3, 10));
    }
}

#[test]
fn wrong_key_lengths_are_typed_errors() {
    for profile in ProtectionProfile::ALL {
        let (key, salt) = master(profile, 1);
        assert!(matches!(
            SrtpContext::new(profile, &key[1..], &salt),
            Err(Error::InvalidKeyLength {
                what: "master key",
                ..
            })
        ));
        assert!(matches!(
            SrtpContext::new(profile, &key, &salt[1..]),
            Err(Error::InvalidKeyLength {
                what: "master salt",
                ..
            })
        ));
    }
}
