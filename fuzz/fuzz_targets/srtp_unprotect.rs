//! Arbitrary packets into SRTP/SRTCP unprotect for every profile, and the round trip of
//! whatever protects: typed errors only, never a panic; a protected packet always unprotects
//! to the original.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcio_srtp::{ProtectionProfile, SrtpContext};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, packet)) = data.split_first() else {
        return;
    };
    let profile = ProtectionProfile::ALL[usize::from(selector) % ProtectionProfile::ALL.len()];
    let key = vec![0x11u8; profile.master_key_len()];
    let salt = vec![0x22u8; profile.master_salt_len()];
    let mut tx = SrtpContext::new(profile, &key, &salt).unwrap();
    let mut rx = SrtpContext::new(profile, &key, &salt).unwrap();
    let mut out = Vec::new();
    let mut back = Vec::new();
    let _ = rx.unprotect_rtp(packet, &mut out);
    let _ = rx.unprotect_rtcp(packet, &mut out);
    if tx.protect_rtp(packet, &mut out).is_ok() {
        let mut fresh = SrtpContext::new(profile, &key, &salt).unwrap();
        fresh.unprotect_rtp(&out, &mut back).unwrap();
        assert_eq!(back, packet);
    }
    if tx.protect_rtcp(packet, &mut out).is_ok() {
        let mut fresh = SrtpContext::new(profile, &key, &salt).unwrap();
        fresh.unprotect_rtcp(&out, &mut back).unwrap();
        assert_eq!(back, packet);
    }
});
