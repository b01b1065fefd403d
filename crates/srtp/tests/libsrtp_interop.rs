//! Interop with libsrtp through its Python binding (pylibsrtp): rtcio protects, libsrtp
//! unprotects, and the reverse, for every profile, across a sequence number wrap.
//!
//! Needs `python3` with `pylibsrtp` (`pip install pylibsrtp`); without them the test says so on
//! stderr and passes without checking.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{master, rtcp, rtp};
use rtcio_srtp::{ProtectionProfile, SrtpContext};

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn libsrtp_available() -> bool {
    Command::new("python3")
        .args(["-c", "import pylibsrtp"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn plain_packets() -> Vec<(&'static str, Vec<u8>)> {
    let mut packets = Vec::new();
    for (i, seq) in (65_530u16..=65_535).chain(0..6).enumerate() {
        packets.push(("rtp", rtp(seq, 0x0102_0304, 20 + 97 * i)));
        if i % 3 == 0 {
            packets.push(("rtcp", rtcp(0x0102_0304)));
        }
    }
    let mut with_ext = vec![
        0x91, 96, 0, 7, 0, 0, 0, 1, 0x0a, 0x0b, 0x0c, 0x0d, 9, 9, 9, 9,
    ];
    with_ext.extend_from_slice(&[0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0]);
    with_ext.extend_from_slice(b"payload behind a CSRC and a header extension");
    packets.push(("rtp", with_ext));
    packets
}

#[test]
fn rtcio_and_libsrtp_interoperate() {
    // scripts/install-deps installs pylibsrtp: a missing peer is a failure, not a skip.
    assert!(
        libsrtp_available(),
        "python3 with pylibsrtp is required (pip install pylibsrtp, or scripts/install-deps)"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/libsrtp_interop.py");
    for profile in ProtectionProfile::ALL {
        let (key, salt) = master(profile, 0x42);
        let mut tx = SrtpContext::new(profile, &key, &salt).unwrap();
        let packets = plain_packets();
        let mut input = String::new();
        let mut ours = Vec::new();
        for (kind, plain) in &packets {
            let mut out = Vec::new();
            if *kind == "rtp" {
                tx.protect_rtp(plain, &mut out).unwrap();
            } else {
                tx.protect_rtcp(plain, &mut out).unwrap();
            }
            input += &format!("{kind} {} {}\n", to_hex(&out), to_hex(plain));
            ours.push(out);
        }
        let mut child = Command::new("python3")
            .arg(script)
            .arg(profile.id().to_string())
            .arg(to_hex(&key))
            .arg(to_hex(&salt))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{profile}: libsrtp rejected rtcio's packets: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let theirs: Vec<(&str, Vec<u8>)> = stdout
            .lines()
            .map(|l| {
                let (kind, h) = l.split_once(' ').unwrap();
                (kind, common::hex(h))
            })
            .collect();
        assert_eq!(theirs.len(), packets.len());
        let mut rx = SrtpContext::new(profile, &key, &salt).unwrap();
        for (((kind, protected), (_, plain)), mine) in theirs.iter().zip(&packets).zip(&ours) {
            let mut out = Vec::new();
            if *kind == "rtp" {
                // Same keys, same index: SRTP is deterministic, the bytes must match.
                assert_eq!(protected, mine, "{profile}: libsrtp and rtcio differ");
                rx.unprotect_rtp(protected, &mut out).unwrap();
            } else {
                rx.unprotect_rtcp(protected, &mut out).unwrap();
            }
            assert_eq!(&out, plain, "{profile} {kind}");
        }
    }
}
