//! Rollover counter estimation across wraps and reordering, and replay protection.

mod common;

use common::{master, rtcp, rtp};
use rtcio_srtp::{Config, Error, ProtectionProfile, SrtpContext};

const SSRC: u32 = 0xcafe_babe;

fn pair(profile: ProtectionProfile, config: Config) -> (SrtpContext, SrtpContext) {
    let (key, salt) = master(profile, 9);
    (
        SrtpContext::with_config(profile, &key, &salt, config).unwrap(),
        SrtpContext::with_config(profile, &key, &salt, config).unwrap(),
    )
}

fn protect(tx: &mut SrtpContext, seq: u16) -> Vec<u8> {
    let mut out = Vec::new();
    tx.protect_rtp(&rtp(seq, SSRC, 40), &mut out).unwrap();
    out
}

fn unprotect(rx: &mut SrtpContext, srtp: &[u8]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    rx.unprotect_rtp(srtp, &mut out).map(|()| out)
}

#[test]
fn sequence_wrap_increments_roc_on_both_sides() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile, Config::default());
        let seqs: Vec<u16> = (65_500..=65_535).chain(0..40).collect();
        for &seq in &seqs {
            let srtp = protect(&mut tx, seq);
            assert_eq!(unprotect(&mut rx, &srtp).unwrap(), rtp(seq, SSRC, 40));
        }
        assert_eq!(tx.roc(SSRC), Some(1));
        assert_eq!(rx.roc(SSRC), Some(1));
    }
}

#[test]
fn reordered_packets_around_the_wrap() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile, Config::default());
        let seqs = [
            65_530u16, 65_531, 65_532, 65_533, 65_534, 65_535, 0, 1, 2, 3,
        ];
        let packets: Vec<Vec<u8>> = seqs.iter().map(|&s| protect(&mut tx, s)).collect();
        // Arrival order: after-wrap packets overtake pre-wrap ones and the reverse.
        for &i in &[0usize, 6, 1, 7, 5, 2, 9, 3, 8, 4] {
            let got = unprotect(&mut rx, &packets[i]).unwrap();
            assert_eq!(got, rtp(seqs[i], SSRC, 40), "{profile} packet {i}");
        }
        assert_eq!(rx.roc(SSRC), Some(1));
        // Every packet replayed after the wrap is rejected, old-cycle ones included.
        for p in &packets {
            assert_eq!(unprotect(&mut rx, p), Err(Error::Replayed));
        }
    }
}

#[test]
fn many_wraps_and_a_late_packet_of_the_previous_cycle() {
    let (mut tx, mut rx) = pair(ProtectionProfile::AeadAes128Gcm, Config::default());
    let mut seq = 65_000u16;
    let mut late: Option<Vec<u8>> = None;
    let mut delivered_late = false;
    for _ in 0..200_000u32 {
        let srtp = protect(&mut tx, seq);
        if seq == 65_530 && late.is_none() {
            late = Some(srtp); // held back until after the wrap
        } else {
            unprotect(&mut rx, &srtp).unwrap();
        }
        if let (Some(packet), 5, false) = (&late, seq, delivered_late) {
            // 11 packets late, across the wrap: ROC - 1 is estimated.
            assert_eq!(unprotect(&mut rx, packet).unwrap(), rtp(65_530, SSRC, 40));
            assert_eq!(unprotect(&mut rx, packet), Err(Error::Replayed));
            delivered_late = true;
        }
        seq = seq.wrapping_add(1);
    }
    assert!(delivered_late);
    assert_eq!(tx.roc(SSRC), rx.roc(SSRC));
    assert_eq!(rx.roc(SSRC), Some(4), "(65000 + 199999) >> 16");
}

#[test]
fn receiver_can_start_with_a_known_roc() {
    let profile = ProtectionProfile::Aes128CmHmacSha1_80;
    let (mut tx, mut rx) = pair(profile, Config::default());
    tx.set_roc(SSRC, 7).unwrap();
    let srtp = protect(&mut tx, 100);
    // A receiver assuming ROC 0 computes the wrong index: authentication fails.
    assert_eq!(unprotect(&mut rx, &srtp), Err(Error::AuthenticationFailed));
    rx.set_roc(SSRC, 7).unwrap();
    assert_eq!(unprotect(&mut rx, &srtp).unwrap(), rtp(100, SSRC, 40));
    assert_eq!(rx.roc(SSRC), Some(7));
}

#[test]
fn replayed_rtp_rejected_and_sender_refuses_to_reuse_an_index() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile, Config::default());
        let first = protect(&mut tx, 10);
        unprotect(&mut rx, &first).unwrap();
        assert_eq!(unprotect(&mut rx, &first), Err(Error::Replayed));
        let mut out = Vec::new();
        assert_eq!(
            tx.protect_rtp(&rtp(10, SSRC, 40), &mut out),
            Err(Error::Replayed),
            "re-encrypting an index would reuse keystream"
        );
    }
}

#[test]
fn repeated_transmission_allowed_when_configured() {
    let config = Config {
        allow_repeat_tx: true,
        ..Config::default()
    };
    let (mut tx, mut rx) = pair(ProtectionProfile::AeadAes128Gcm, config);
    let first = protect(&mut tx, 10);
    let again = protect(&mut tx, 10);
    assert_eq!(first, again, "same packet, same index: same bytes");
    unprotect(&mut rx, &first).unwrap();
    assert_eq!(unprotect(&mut rx, &again), Err(Error::Replayed));
}

#[test]
fn replay_window_size_bounds_late_packets() {
    for window in [64u16, 128, 1024] {
        let config = Config {
            replay_window: window,
            ..Config::default()
        };
        let (mut tx, mut rx) = pair(ProtectionProfile::AeadAes128Gcm, config);
        let packets: Vec<Vec<u8>> = (0..=window + 10).map(|s| protect(&mut tx, s)).collect();
        let top = usize::from(window) + 10;
        unprotect(&mut rx, &packets[top]).unwrap();
        // Just inside the window: accepted once.
        let inside = top - usize::from(window) + 1;
        unprotect(&mut rx, &packets[inside]).unwrap();
        assert_eq!(unprotect(&mut rx, &packets[inside]), Err(Error::Replayed));
        // At the window's edge and beyond: too old.
        assert_eq!(
            unprotect(&mut rx, &packets[top - usize::from(window)]),
            Err(Error::TooOld)
        );
        assert_eq!(unprotect(&mut rx, &packets[0]), Err(Error::TooOld));
    }
}

#[test]
fn invalid_window_sizes_rejected() {
    let profile = ProtectionProfile::AeadAes128Gcm;
    let (key, salt) = master(profile, 1);
    for replay_window in [0u16, 63, 1025] {
        let config = Config {
            replay_window,
            ..Config::default()
        };
        assert!(matches!(
            SrtpContext::with_config(profile, &key, &salt, config),
            Err(Error::InvalidConfig(_))
        ));
    }
}

#[test]
fn replayed_and_reordered_rtcp() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile, Config::default());
        let packets: Vec<Vec<u8>> = (0..10)
            .map(|_| {
                let mut out = Vec::new();
                tx.protect_rtcp(&rtcp(SSRC), &mut out).unwrap();
                out
            })
            .collect();
        let mut out = Vec::new();
        for &i in &[3usize, 0, 9, 4, 1] {
            rx.unprotect_rtcp(&packets[i], &mut out).unwrap();
            assert_eq!(out, rtcp(SSRC));
        }
        for &i in &[3usize, 0, 9] {
            assert_eq!(
                rx.unprotect_rtcp(&packets[i], &mut out),
                Err(Error::Replayed)
            );
        }
    }
}

#[test]
fn srtcp_index_exhaustion() {
    let (mut tx, _) = pair(ProtectionProfile::Aes128CmHmacSha1_80, Config::default());
    tx.set_rtcp_index(SSRC, 0x7fff_fffe).unwrap();
    let mut out = Vec::new();
    tx.protect_rtcp(&rtcp(SSRC), &mut out).unwrap();
    assert_eq!(
        tx.protect_rtcp(&rtcp(SSRC), &mut out),
        Err(Error::IndexExhausted)
    );
    assert_eq!(
        tx.set_rtcp_index(SSRC, 0x8000_0000),
        Err(Error::IndexExhausted)
    );
}
