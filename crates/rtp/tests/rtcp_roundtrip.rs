//! Every RTCP packet type serializes and parses back to an equal value, alone and in compounds.

use rtcio_rtp::rtcp::{
    App, Bye, DlrrItem, ExtendedReport, Fir, FirEntry, Nack, NackPair, NtpTime, Pli,
    ReceiverReport, Remb, ReportBlock, Rpsi, RtcpPacket, Sdes, SdesChunk, SdesItem, SdesType,
    SenderReport, Sli, TransportFeedback, Unknown, XrBlock, parse_compound, write_compound,
};

fn block(ssrc: u32) -> ReportBlock {
    ReportBlock {
        ssrc,
        fraction_lost: 25,
        cumulative_lost: -3,
        extended_highest_seq: 0x0001_0005,
        jitter: 77,
        last_sr: 0x1234_5678,
        delay_since_last_sr: 65536,
    }
}

fn all_packets() -> Vec<RtcpPacket> {
    vec![
        RtcpPacket::SenderReport(SenderReport {
            ssrc: 1,
            ntp_time: NtpTime(0xe000_0000_8000_0000),
            rtp_time: 90_000,
            packet_count: 10,
            octet_count: 12_000,
            reports: vec![block(2), block(3)],
            profile_extension: vec![1, 2, 3, 4],
        }),
        RtcpPacket::ReceiverReport(ReceiverReport {
            ssrc: 4,
            reports: vec![block(1)],
            profile_extension: vec![],
        }),
        RtcpPacket::ReceiverReport(ReceiverReport::default()),
        RtcpPacket::Sdes(Sdes {
            chunks: vec![
                SdesChunk::cname(1, "user@example"),
                SdesChunk {
                    ssrc: 2,
                    items: vec![
                        SdesItem {
                            kind: SdesType::Cname,
                            value: b"abc".to_vec(),
                        },
                        SdesItem {
                            kind: SdesType::Tool,
                            value: b"rtcio".to_vec(),
                        },
                        SdesItem {
                            kind: SdesType::Other(42),
                            value: vec![],
                        },
                    ],
                },
                SdesChunk {
                    ssrc: 3,
                    items: vec![],
                },
            ],
        }),
        RtcpPacket::Bye(Bye {
            ssrcs: vec![1, 2],
            reason: Some(b"done".to_vec()),
        }),
        RtcpPacket::Bye(Bye {
            ssrcs: vec![1],
            reason: None,
        }),
        RtcpPacket::App(App {
            subtype: 3,
            ssrc: 9,
            name: *b"TEST",
            data: vec![0; 8],
        }),
        RtcpPacket::Nack(Nack {
            sender_ssrc: 1,
            media_ssrc: 2,
            pairs: vec![
                NackPair {
                    pid: 100,
                    blp: 0x8001,
                },
                NackPair { pid: 65535, blp: 0 },
            ],
        }),
        RtcpPacket::TransportFeedback(
            TransportFeedback::from_arrivals(1, 2, 7, &[(10, 64_000), (11, 65_000), (15, 90_000)])
                .unwrap(),
        ),
        RtcpPacket::Pli(Pli {
            sender_ssrc: 1,
            media_ssrc: 2,
        }),
        RtcpPacket::Sli(Sli {
            sender_ssrc: 1,
            media_ssrc: 2,
            fci: vec![1, 2, 3, 4],
        }),
        RtcpPacket::Rpsi(Rpsi {
            sender_ssrc: 1,
            media_ssrc: 2,
            fci: vec![5, 6, 7, 8],
        }),
        RtcpPacket::Fir(Fir {
            sender_ssrc: 1,
            entries: vec![
                FirEntry { ssrc: 2, seq_nr: 1 },
                FirEntry {
                    ssrc: 3,
                    seq_nr: 255,
                },
            ],
        }),
        RtcpPacket::Remb(Remb {
            sender_ssrc: 1,
            bitrate: 1_000_000,
            ssrcs: vec![2, 3],
        }),
        RtcpPacket::ExtendedReport(ExtendedReport {
            ssrc: 5,
            blocks: vec![
                XrBlock::Rrtr {
                    ntp_time: NtpTime(0x0102_0304_0506_0708),
                },
                XrBlock::Dlrr(vec![DlrrItem {
                    ssrc: 6,
                    last_rr: 7,
                    delay_since_last_rr: 8,
                }]),
                XrBlock::Unknown {
                    block_type: 42,
                    type_specific: 1,
                    data: vec![9; 4],
                },
            ],
        }),
        RtcpPacket::Unknown(Unknown {
            packet_type: 210,
            count: 3,
            body: vec![1, 2, 3, 4],
        }),
        RtcpPacket::Unknown(Unknown {
            packet_type: 206,
            count: 9,
            body: vec![0; 8],
        }),
    ]
}

#[test]
fn every_type_round_trips_alone() {
    for p in all_packets() {
        let bytes = write_compound(std::slice::from_ref(&p)).unwrap();
        assert_eq!(bytes.len() % 4, 0, "{p:?}");
        let c = parse_compound(&bytes).unwrap();
        assert_eq!(c.packets, vec![p.clone()]);
        assert_eq!(write_compound(&c.packets).unwrap(), bytes);
    }
}

#[test]
fn compound_round_trips_and_counts_unknowns() {
    let packets = all_packets();
    let bytes = write_compound(&packets).unwrap();
    let c = parse_compound(&bytes).unwrap();
    assert_eq!(c.packets, packets);
    assert_eq!(c.unknown_count(), 2);
}

#[test]
fn reduced_size_single_feedback_is_accepted() {
    // RFC 5506: a PLI alone, no leading RR.
    let bytes = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
    let c = parse_compound(&bytes).unwrap();
    assert_eq!(
        c.packets,
        vec![RtcpPacket::Pli(Pli {
            sender_ssrc: 1,
            media_ssrc: 2
        })]
    );
}

#[test]
fn receiver_report_wire_layout() {
    let rr = RtcpPacket::ReceiverReport(ReceiverReport {
        ssrc: 0x0102_0304,
        reports: vec![block(0x0a0b_0c0d)],
        profile_extension: vec![],
    });
    let b = write_compound(&[rr]).unwrap();
    assert_eq!(&b[..4], &[0x81, 201, 0, 7]);
    assert_eq!(&b[8..12], &[0x0a, 0x0b, 0x0c, 0x0d]);
    // Fraction lost 25, cumulative -3 as 24-bit two's complement.
    assert_eq!(&b[12..16], &[25, 0xff, 0xff, 0xfd]);
}

#[test]
fn sdes_cname_lookup_and_padding() {
    let s = Sdes {
        chunks: vec![SdesChunk::cname(7, "abcd")],
    };
    let b = write_compound(&[RtcpPacket::Sdes(s.clone())]).unwrap();
    // 4 header + 4 SSRC + 2 + 4 text + null, padded to 16.
    assert_eq!(b.len(), 16);
    assert_eq!(s.cname(7), Some("abcd"));
    assert_eq!(s.cname(8), None);
}

#[test]
fn nack_from_lost_list_and_back() {
    let lost = [65534, 65535, 0, 5, 16, 17, 40];
    let n = Nack::from_lost(1, 2, &lost);
    assert_eq!(n.pairs.len(), 3);
    assert_eq!(
        n.pairs[0],
        NackPair {
            pid: 65534,
            blp: 0b100_0011
        }
    );
    assert_eq!(
        n.lost().collect::<Vec<_>>(),
        vec![65534, 65535, 0, 5, 16, 17, 40]
    );
}

#[test]
fn remb_mantissa_exponent() {
    let r = Remb {
        sender_ssrc: 1,
        bitrate: 0x3_ffff << 10,
        ssrcs: vec![],
    };
    let b = write_compound(&[RtcpPacket::Remb(r.clone())]).unwrap();
    assert_eq!(&b[12..16], b"REMB");
    // exp 10, mantissa 0x3ffff: 6 bits exp then 18 bits mantissa.
    assert_eq!(&b[16..20], &[0, (10 << 2) | 3, 0xff, 0xff]);
    let RtcpPacket::Remb(back) = &parse_compound(&b).unwrap().packets[0] else {
        panic!()
    };
    assert_eq!(back, &r);
    // Precision is lost on write for values needing more than 18 bits of mantissa.
    let r = Remb {
        sender_ssrc: 1,
        bitrate: 1_000_001,
        ssrcs: vec![],
    };
    let b = write_compound(&[RtcpPacket::Remb(r)]).unwrap();
    let RtcpPacket::Remb(back) = &parse_compound(&b).unwrap().packets[0] else {
        panic!()
    };
    assert!(back.bitrate <= 1_000_001 && back.bitrate > 999_990);
}

#[test]
fn padded_packet_in_compound() {
    let mut b = write_compound(&[RtcpPacket::Pli(Pli {
        sender_ssrc: 1,
        media_ssrc: 2,
    })])
    .unwrap();
    b[0] |= 0x20;
    b[3] += 1;
    b.extend_from_slice(&[0, 0, 0, 4]);
    let c = parse_compound(&b).unwrap();
    assert_eq!(
        c.packets,
        vec![RtcpPacket::Pli(Pli {
            sender_ssrc: 1,
            media_ssrc: 2
        })]
    );
}

#[test]
fn ntp_middle_bits() {
    assert_eq!(NtpTime(0x1122_3344_5566_7788).middle_32(), 0x3344_5566);
}

#[test]
fn unaligned_opaque_bodies_are_zero_padded() {
    // P bit with a padding count of 1 leaves a 3-byte body: found by fuzzing.
    let bytes = [0xa5, 165, 0, 1, 64, 155, 0, 1];
    let c = parse_compound(&bytes).unwrap();
    assert_eq!(
        c.packets,
        vec![RtcpPacket::Unknown(Unknown {
            packet_type: 165,
            count: 5,
            body: vec![64, 155, 0]
        })]
    );
    let out = write_compound(&c.packets).unwrap();
    assert_eq!(out, [0x85, 165, 0, 1, 64, 155, 0, 0]);
}

#[test]
fn reduced_size_detection_and_writer_bounds() {
    let pli = RtcpPacket::Pli(Pli {
        sender_ssrc: 1,
        media_ssrc: 2,
    });
    let rr = RtcpPacket::ReceiverReport(ReceiverReport::default());
    let c = parse_compound(&write_compound(std::slice::from_ref(&pli)).unwrap()).unwrap();
    assert!(c.is_reduced_size());
    let c = parse_compound(&write_compound(&[rr, pli]).unwrap()).unwrap();
    assert!(!c.is_reduced_size());
    let lost: Vec<u16> = (0..2000u16).map(|i| i * 20).collect();
    let big = Nack::from_lost(1, 2, &lost);
    assert!(write_compound(&[RtcpPacket::Nack(big)]).is_err());
}
