//! Hostile RTCP and RTP inputs end in errors, never panics or unbounded allocations.

use rtcio_rtp::rtcp::{
    Bye, ExtendedReport, MAX_COMPOUND_PACKETS, Nack, NtpTime, Pli, ReceiverReport, ReportBlock,
    RtcpPacket, Sdes, SdesChunk, SenderReport, TransportFeedback, XrBlock, parse_compound,
    write_compound,
};
use rtcio_rtp::{RtpError, RtpPacket};

#[test]
fn rtp_truncations_and_bad_fields() {
    let good = [
        0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 1, 0x10, 1, 0, 0,
    ];
    for n in 0..16 {
        assert!(RtpPacket::parse(&good[..n]).is_err(), "len {n}");
    }
    assert!(RtpPacket::parse(&good).is_ok());
    // Version 1.
    let mut b = good;
    b[0] = 0x50;
    assert_eq!(RtpPacket::parse(&b), Err(RtpError::BadVersion(1)));
    // Extension length past the end.
    let mut b = good;
    b[15] = 9;
    assert!(matches!(
        RtpPacket::parse(&b),
        Err(RtpError::BadLength { .. })
    ));
    // Element length past the block.
    let mut b = good;
    b[16] = 0x1f;
    assert!(RtpPacket::parse(&b).is_err());
    // CSRC count larger than the packet.
    let mut b = good;
    b[0] = 0x8f;
    assert!(RtpPacket::parse(&b).is_err());
    // Padding count zero or past the payload.
    let mut b = good.to_vec();
    b.push(9);
    b[0] |= 0x20;
    *b.last_mut().unwrap() = 0;
    assert_eq!(RtpPacket::parse(&b), Err(RtpError::BadPadding));
    *b.last_mut().unwrap() = 200;
    assert_eq!(RtpPacket::parse(&b), Err(RtpError::BadPadding));
}

#[test]
fn too_many_extension_elements() {
    let mut b = vec![0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 20];
    b.extend(std::iter::repeat_n([0x10, 0], 40).flatten());
    assert!(matches!(
        RtpPacket::parse(&b),
        Err(RtpError::TooMany { .. })
    ));
}

#[test]
fn rtcp_length_past_the_end() {
    let mut b = write_compound(&[RtcpPacket::Pli(Pli::default())]).unwrap();
    b[3] = 200;
    assert!(matches!(
        parse_compound(&b),
        Err(RtpError::BadLength { .. })
    ));
    assert!(parse_compound(&[]).is_err());
    assert!(parse_compound(&[0x80, 200, 0]).is_err());
}

#[test]
fn rtcp_every_truncation_of_a_rich_compound_is_handled() {
    let rich = &rich_compound();
    assert!(parse_compound(rich).is_ok());
    for n in 0..rich.len() {
        let _ = parse_compound(&rich[..n]);
    }
    // Flip every byte through a few values: no panics.
    for i in 0..rich.len() {
        for v in [0u8, 1, 0x1f, 0x80, 0xff] {
            let mut b = rich.to_vec();
            b[i] = v;
            let _ = parse_compound(&b);
        }
    }
}

#[test]
fn absurd_counts() {
    // SR claiming 31 report blocks with none present.
    let b = [
        0x9f, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    assert!(parse_compound(&b).is_err());
    // TWCC claiming 65535 packets.
    let b = [
        0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0x20, 0, 0, 0,
    ];
    assert!(matches!(parse_compound(&b), Err(RtpError::TooMany { .. })));
    // TWCC claiming 8191 received packets with no deltas.
    let b = [
        0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x1f, 0xff, 0, 0, 0, 0, 0x3f, 0xff, 0, 0,
    ];
    assert!(matches!(
        parse_compound(&b),
        Err(RtpError::Truncated { .. })
    ));
    // TWCC with a reserved symbol.
    let b = [
        0x8f, 205, 0, 5, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0x60, 1, 0, 0,
    ];
    assert!(matches!(parse_compound(&b), Err(RtpError::Invalid { .. })));
    // BYE reason length past the end.
    let b = [0x81, 203, 0, 2, 0, 0, 0, 1, 200, 0, 0, 0];
    assert!(parse_compound(&b).is_err());
    // SDES item length past the end.
    let b = [0x81, 202, 0, 2, 0, 0, 0, 1, 1, 200, 0, 0];
    assert!(parse_compound(&b).is_err());
    // NACK with more than the bound of pairs.
    let mut b = vec![0x81, 205, 0x01, 0x03, 0, 0, 0, 1, 0, 0, 0, 2];
    b.extend(std::iter::repeat_n(0u8, 257 * 4));
    assert!(matches!(parse_compound(&b), Err(RtpError::TooMany { .. })));
}

#[test]
fn too_many_packets_in_a_compound() {
    let one = write_compound(&[RtcpPacket::Pli(Pli::default())]).unwrap();
    let b: Vec<u8> = one.repeat(MAX_COMPOUND_PACKETS);
    assert_eq!(
        parse_compound(&b).unwrap().packets.len(),
        MAX_COMPOUND_PACKETS
    );
    let b: Vec<u8> = one.repeat(MAX_COMPOUND_PACKETS + 1);
    assert!(matches!(parse_compound(&b), Err(RtpError::TooMany { .. })));
}

fn rich_compound() -> Vec<u8> {
    write_compound(&[
        RtcpPacket::SenderReport(SenderReport {
            ssrc: 1,
            reports: vec![ReportBlock::default()],
            ..Default::default()
        }),
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 1,
            reports: vec![ReportBlock::default(); 2],
            profile_extension: vec![],
        }),
        RtcpPacket::Sdes(Sdes {
            chunks: vec![SdesChunk::cname(1, "cname"), SdesChunk::cname(2, "x")],
        }),
        RtcpPacket::Nack(Nack::from_lost(1, 2, &[1, 2, 30])),
        RtcpPacket::TransportFeedback(
            TransportFeedback::from_arrivals(1, 2, 0, &[(1, 100), (3, 70_000), (4, 60_000)])
                .unwrap(),
        ),
        RtcpPacket::ExtendedReport(ExtendedReport {
            ssrc: 1,
            blocks: vec![
                XrBlock::Rrtr {
                    ntp_time: NtpTime(5),
                },
                XrBlock::Dlrr(vec![Default::default()]),
            ],
        }),
        RtcpPacket::Bye(Bye {
            ssrcs: vec![1],
            reason: Some(b"bye".to_vec()),
        }),
    ])
    .unwrap()
}
