//! Protect → unprotect for every profile, RTP and RTCP, including headers with CSRCs and an
//! extension, and DTLS keying material split into the two directions.

mod common;

use common::{master, rtcp, rtp};
use rtcio_srtp::{Config, Error, ProtectionProfile, Role, Session, SrtpContext};

fn pair(profile: ProtectionProfile) -> (SrtpContext, SrtpContext) {
    let (key, salt) = master(profile, 3);
    (
        SrtpContext::new(profile, &key, &salt).unwrap(),
        SrtpContext::new(profile, &key, &salt).unwrap(),
    )
}

#[test]
fn rtp_round_trip_every_profile() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile);
        let (mut srtp, mut back) = (Vec::new(), Vec::new());
        for seq in 0..50u16 {
            let packet = rtp(seq, 0x1234_5678, 1200);
            tx.protect_rtp(&packet, &mut srtp).unwrap();
            assert_eq!(srtp.len(), packet.len() + profile.rtp_auth_tag_len());
            assert_eq!(srtp[..12], packet[..12], "header stays in the clear");
            assert_ne!(srtp[12..packet.len()], packet[12..], "payload is encrypted");
            rx.unprotect_rtp(&srtp, &mut back).unwrap();
            assert_eq!(back, packet, "{profile}");
        }
    }
}

#[test]
fn rtp_in_place_round_trip_with_csrcs_and_extension() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile);
        let mut packet = vec![0x92, 96, 0, 9, 0, 0, 0, 1, 0, 0, 0, 7];
        packet.extend_from_slice(&[1, 1, 1, 1, 2, 2, 2, 2]); // two CSRCs
        packet.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0]); // one-byte ext
        packet.extend_from_slice(b"payload after the extension");
        let mut buf = packet.clone();
        tx.protect_rtp_in_place(&mut buf).unwrap();
        assert_eq!(
            buf[..28],
            packet[..28],
            "CSRCs and extension stay in the clear"
        );
        assert_ne!(buf[28..packet.len()], packet[28..]);
        rx.unprotect_rtp_in_place(&mut buf).unwrap();
        assert_eq!(buf, packet);
    }
}

#[test]
fn empty_payload_round_trips() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile);
        let (mut srtp, mut back) = (Vec::new(), Vec::new());
        tx.protect_rtp(&rtp(1, 5, 0), &mut srtp).unwrap();
        rx.unprotect_rtp(&srtp, &mut back).unwrap();
        assert_eq!(back, rtp(1, 5, 0));
    }
}

#[test]
fn rtcp_round_trip_every_profile() {
    for profile in ProtectionProfile::ALL {
        let (mut tx, mut rx) = pair(profile);
        let (mut srtcp, mut back) = (Vec::new(), Vec::new());
        for i in 0..20u32 {
            let packet = rtcp(0xdead_beef);
            tx.protect_rtcp(&packet, &mut srtcp).unwrap();
            assert_eq!(srtcp.len(), packet.len() + profile.rtcp_overhead());
            let trailer_at = if profile.is_aead() {
                srtcp.len() - 4
            } else {
                srtcp.len() - 14
            };
            let trailer = u32::from_be_bytes(srtcp[trailer_at..trailer_at + 4].try_into().unwrap());
            assert_eq!(trailer, 0x8000_0000 | i, "E flag and SRTCP index");
            assert_ne!(srtcp[8..packet.len()], packet[8..]);
            rx.unprotect_rtcp(&srtcp, &mut back).unwrap();
            assert_eq!(back, packet, "{profile}");
        }
    }
}

#[test]
fn wrong_key_fails_authentication() {
    for profile in ProtectionProfile::ALL {
        let (key, salt) = master(profile, 3);
        let (other, _) = master(profile, 4);
        let mut tx = SrtpContext::new(profile, &key, &salt).unwrap();
        let mut rx = SrtpContext::new(profile, &other, &salt).unwrap();
        let (mut srtp, mut back) = (Vec::new(), Vec::new());
        tx.protect_rtp(&rtp(1, 5, 100), &mut srtp).unwrap();
        assert_eq!(
            rx.unprotect_rtp(&srtp, &mut back),
            Err(Error::AuthenticationFailed)
        );
        assert!(back.is_empty());
        assert_eq!(rx.stream_count(), 0, "no state for unauthenticated packets");
    }
}

#[test]
fn session_from_keying_material_pairs_directions() {
    for profile in ProtectionProfile::ALL {
        let material: Vec<u8> = (0..profile.keying_material_len() as u8).collect();
        let mut client =
            Session::from_keying_material(profile, &material, Role::Client, Config::default())
                .unwrap();
        let mut server =
            Session::from_keying_material(profile, &material, Role::Server, Config::default())
                .unwrap();
        let (mut wire, mut back) = (Vec::new(), Vec::new());
        client
            .outbound
            .protect_rtp(&rtp(7, 1, 64), &mut wire)
            .unwrap();
        server.inbound.unprotect_rtp(&wire, &mut back).unwrap();
        assert_eq!(back, rtp(7, 1, 64));
        server.outbound.protect_rtcp(&rtcp(2), &mut wire).unwrap();
        client.inbound.unprotect_rtcp(&wire, &mut back).unwrap();
        assert_eq!(back, rtcp(2));
        // A direction never accepts its own packets.
        server
            .outbound
            .protect_rtp(&rtp(8, 1, 64), &mut wire)
            .unwrap();
        assert_eq!(
            server.inbound.unprotect_rtp(&wire, &mut back),
            Err(Error::AuthenticationFailed)
        );
        assert!(matches!(
            Session::from_keying_material(profile, &material[1..], Role::Client, Config::default()),
            Err(Error::InvalidKeyLength { .. })
        ));
    }
}

#[test]
fn session_from_directed_keys() {
    let profile = ProtectionProfile::AeadAes256Gcm;
    let (a_key, a_salt) = master(profile, 1);
    let (b_key, b_salt) = master(profile, 2);
    let cfg = Config::default();
    let mut alice = Session::new(profile, &a_key, &a_salt, &b_key, &b_salt, cfg).unwrap();
    let mut bob = Session::new(profile, &b_key, &b_salt, &a_key, &a_salt, cfg).unwrap();
    let (mut wire, mut back) = (Vec::new(), Vec::new());
    alice
        .outbound
        .protect_rtp(&rtp(1, 9, 99), &mut wire)
        .unwrap();
    bob.inbound.unprotect_rtp(&wire, &mut back).unwrap();
    assert_eq!(back, rtp(1, 9, 99));
    bob.outbound.protect_rtcp(&rtcp(9), &mut wire).unwrap();
    alice.inbound.unprotect_rtcp(&wire, &mut back).unwrap();
    assert_eq!(back, rtcp(9));
}

#[test]
fn profile_ids_and_lengths() {
    use ProtectionProfile::*;
    assert_eq!(Aes128CmHmacSha1_80.id(), 0x0001);
    assert_eq!(Aes128CmHmacSha1_32.id(), 0x0002);
    assert_eq!(AeadAes128Gcm.id(), 0x0007);
    assert_eq!(AeadAes256Gcm.id(), 0x0008);
    for p in ProtectionProfile::ALL {
        assert_eq!(ProtectionProfile::try_from(p.id()), Ok(p));
    }
    assert_eq!(
        ProtectionProfile::try_from(3),
        Err(Error::UnsupportedProfile(3))
    );
    assert_eq!(Aes128CmHmacSha1_32.rtp_auth_tag_len(), 4);
    assert_eq!(Aes128CmHmacSha1_32.rtcp_auth_tag_len(), 10);
    assert_eq!(AeadAes256Gcm.keying_material_len(), 88);
    assert_eq!(Aes128CmHmacSha1_80.keying_material_len(), 60);
    assert_eq!(AeadAes128Gcm.keying_material_len(), 56);
}

#[test]
fn contexts_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<SrtpContext>();
    assert_send::<Session>();
    let (mut tx, mut rx) = pair(ProtectionProfile::AeadAes128Gcm);
    let wire = std::thread::spawn(move || {
        let mut out = Vec::new();
        tx.protect_rtp(&rtp(3, 4, 10), &mut out).unwrap();
        out
    })
    .join()
    .unwrap();
    let mut back = Vec::new();
    rx.unprotect_rtp(&wire, &mut back).unwrap();
    assert_eq!(back, rtp(3, 4, 10));
}
