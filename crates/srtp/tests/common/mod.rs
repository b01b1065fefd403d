//! Helpers shared by the integration tests.
#![allow(dead_code)]

/// Bytes from hex text; whitespace is ignored.
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// An RTP packet: V=2, payload type 96, the given sequence number and SSRC, `payload_len` bytes.
pub fn rtp(seq: u16, ssrc: u32, payload_len: usize) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 960).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend((0..payload_len).map(|i| (i as u8) ^ (seq as u8)));
    p
}

/// An RTCP receiver report with one block: 32 bytes.
pub fn rtcp(ssrc: u32) -> Vec<u8> {
    let mut p = vec![0x81, 201, 0, 7];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0xab; 24]);
    p
}

/// A master key and salt of the right lengths for `profile`, filled from `seed`.
pub fn master(profile: rtcio_srtp::ProtectionProfile, seed: u8) -> (Vec<u8>, Vec<u8>) {
    let key = (0..profile.master_key_len())
        .map(|i| seed.wrapping_add(i as u8))
        .collect();
    let salt = (0..profile.master_salt_len())
        .map(|i| seed.wrapping_mul(7).wrapping_add(i as u8))
        .collect();
    (key, salt)
}
