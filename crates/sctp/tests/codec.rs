//! Chunk and packet codec: round trips, checksum, and typed errors on malformed input.

use bytes::Bytes;
use rtcio_sctp::ParseError;
use rtcio_sctp::chunk::*;
use rtcio_sctp::packet::{self, CommonHeader, Packet};

fn header() -> CommonHeader {
    CommonHeader {
        source_port: 5000,
        destination_port: 5000,
        verification_tag: 0xdead_beef,
    }
}

fn roundtrip(chunks: Vec<Chunk>) {
    let raw = packet::write_packet(&header(), &chunks);
    let expected_len: usize = 12 + chunks.iter().map(Chunk::encoded_len).sum::<usize>();
    assert_eq!(raw.len(), expected_len);
    assert_eq!(raw.len() % 4, 0);
    let p = Packet::parse(Bytes::from(raw)).expect("parse");
    assert_eq!(p.header, header());
    let parsed: Vec<Chunk> = p.chunks().collect::<Result<_, _>>().expect("chunks");
    assert_eq!(parsed, chunks);
}

#[test]
fn crc32c_known_vector_and_byte_order() {
    assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
    let mut raw = packet::write_packet(&header(), &[Chunk::CookieAck]);
    let crc = packet::checksum(&raw);
    assert_eq!(&raw[8..12], &crc.to_le_bytes());
    raw[8] ^= 1;
    assert_eq!(
        Packet::parse(Bytes::from(raw)).unwrap_err(),
        ParseError::BadChecksum
    );
}

#[test]
fn checksum_matches_an_independent_encoder() {
    // An INIT built by another SCTP encoder (scapy): tag 0, init tag 0x12345678, a_rwnd 106496,
    // 1024/1024 streams, initial TSN 0x1000; its checksum field holds 16 de 25 9a.
    let raw: Vec<u8> = vec![
        0x13, 0x88, 0x13, 0x88, 0x00, 0x00, 0x00, 0x00, 0x16, 0xde, 0x25, 0x9a, 0x01, 0x00, 0x00,
        0x14, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0xa0, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00,
        0x10, 0x00,
    ];
    let p = Packet::parse(Bytes::from(raw.clone())).expect("checksum verifies");
    let Some(Ok(Chunk::Init(init))) = p.chunks().next() else {
        panic!("INIT expected");
    };
    assert_eq!(init.initiate_tag, 0x1234_5678);
    assert_eq!(init.a_rwnd, 106_496);
    assert_eq!(init.initial_tsn, 0x1000);
    // Re-encoding produces the same bytes, checksum included.
    let again = packet::write_packet(&p.header, &[Chunk::Init(init)]);
    assert_eq!(again, raw);
    // A header-only packet from yet another implementation.
    let header_only = [0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0x06, 0xa9, 0x00, 0xe1];
    assert!(Packet::parse(Bytes::copy_from_slice(&header_only)).is_ok());
}

#[test]
fn data_chunks_roundtrip_with_odd_payload_lengths() {
    let mut chunks = Vec::new();
    for (i, len) in [1usize, 2, 3, 4, 5, 1000].into_iter().enumerate() {
        chunks.push(Chunk::Data(DataChunk {
            tsn: 100 + i as u32,
            stream_id: i as u16,
            ssn: 7,
            ppid: 51,
            unordered: i % 2 == 0,
            beginning: true,
            ending: i % 3 == 0,
            immediate: i == 5,
            payload: Bytes::from(vec![i as u8; len]),
        }));
    }
    roundtrip(chunks);
}

#[test]
fn init_and_init_ack_roundtrip() {
    let init = InitChunk {
        initiate_tag: 1,
        a_rwnd: 1 << 20,
        num_outbound_streams: 65535,
        num_inbound_streams: 65535,
        initial_tsn: 42,
        forward_tsn_supported: true,
        supported_extensions: vec![0xC0, 0x82, 0x40],
        ..Default::default()
    };
    let mut ack = init.clone();
    ack.state_cookie = Some(Bytes::from_static(b"cookie!"));
    roundtrip(vec![Chunk::Init(init.clone())]);
    roundtrip(vec![Chunk::InitAck(ack)]);
    // The chunk length excludes the padding of the last parameter.
    let raw = packet::write_packet(&header(), &[Chunk::Init(init)]);
    let len = u16::from_be_bytes([raw[14], raw[15]]) as usize;
    assert_eq!(len, 20 + 4 + 4 + 3);
}

#[test]
fn init_parameters_after_address_parameters_are_read() {
    // INIT with Supported Address Types, IPv4 Address, ECN (0x8000, skip), an unknown
    // 0x4001-type parameter (stop and report) placed last, and the extensions in between.
    let mut v = Vec::new();
    v.extend_from_slice(&[0, 0, 0, 7, 0, 1, 0, 0, 0, 16, 0, 16, 0, 0, 0, 1]);
    v.extend_from_slice(&[0, 12, 0, 6, 0, 5, 0, 0]); // supported address types (IPv4) + pad
    v.extend_from_slice(&[0, 5, 0, 8, 10, 0, 0, 1]); // IPv4 address
    v.extend_from_slice(&[0x80, 0, 0, 4]); // ECN capable
    v.extend_from_slice(&[0xC0, 0, 0, 4]); // Forward-TSN-Supported
    v.extend_from_slice(&[0x80, 0x08, 0, 6, 0xC0, 0x82, 0, 0]); // supported extensions + pad
    v.extend_from_slice(&[0x40, 0x01, 0, 4]); // unknown: stop, report
    v.extend_from_slice(&[0x80, 0x08, 0, 5, 0x40, 0, 0, 0]); // never read
    let init = InitChunk::parse(&Bytes::from(v)).unwrap();
    assert!(init.forward_tsn_supported);
    assert_eq!(init.supported_extensions, vec![0xC0, 0x82]);
    assert_eq!(
        init.unrecognized,
        vec![Bytes::from_static(&[0x40, 0x01, 0, 4])]
    );
}

#[test]
fn init_with_zero_tag_is_refused() {
    let init = InitChunk {
        initiate_tag: 0,
        a_rwnd: 1,
        num_outbound_streams: 1,
        num_inbound_streams: 1,
        initial_tsn: 1,
        ..Default::default()
    };
    let raw = packet::write_packet(&header(), &[Chunk::Init(init)]);
    let p = Packet::parse(Bytes::from(raw)).unwrap();
    assert_eq!(p.chunks().next().unwrap(), Err(ParseError::InvalidValue));
}

#[test]
fn control_chunks_roundtrip() {
    roundtrip(vec![
        Chunk::Sack(SackChunk {
            cumulative_tsn_ack: 10,
            a_rwnd: 5000,
            gap_ack_blocks: vec![
                GapAckBlock { start: 2, end: 3 },
                GapAckBlock { start: 5, end: 9 },
            ],
            duplicate_tsns: vec![4, 5],
        }),
        Chunk::Heartbeat(HeartbeatChunk {
            info: Bytes::from_static(b"hello"),
        }),
        Chunk::HeartbeatAck(HeartbeatChunk {
            info: Bytes::from_static(b"hb"),
        }),
        Chunk::Shutdown(ShutdownChunk {
            cumulative_tsn_ack: 99,
        }),
        Chunk::ShutdownAck,
        Chunk::ShutdownComplete {
            tag_reflected: true,
        },
        Chunk::CookieEcho(CookieEchoChunk {
            cookie: Bytes::from_static(b"abcdef"),
        }),
        Chunk::CookieAck,
        Chunk::Error(ErrorChunk {
            causes: vec![ErrorCause::with_info(
                cause::INVALID_STREAM_IDENTIFIER,
                vec![0, 9, 0, 0],
            )],
        }),
        Chunk::ForwardTsn(ForwardTsnChunk {
            new_cumulative_tsn: 77,
            streams: vec![SkippedStream {
                stream_id: 1,
                ssn: 2,
            }],
        }),
        Chunk::IForwardTsn(IForwardTsnChunk {
            new_cumulative_tsn: 78,
            messages: vec![SkippedMessage {
                stream_id: 3,
                unordered: true,
                mid: 1 << 20,
            }],
        }),
        Chunk::IData(IDataChunk {
            tsn: 5,
            stream_id: 6,
            mid: 7,
            ppid_or_fsn: 53,
            unordered: false,
            beginning: true,
            ending: true,
            immediate: false,
            payload: Bytes::from_static(b"xyz"),
        }),
        Chunk::Abort(AbortChunk {
            tag_reflected: false,
            causes: vec![ErrorCause::with_info(
                cause::USER_INITIATED_ABORT,
                &b"bye"[..],
            )],
        }),
    ]);
}

#[test]
fn reconfig_roundtrip() {
    roundtrip(vec![Chunk::ReConfig(ReConfigChunk {
        params: vec![
            ReConfigParam::OutgoingSsnReset {
                request_seq: 1,
                response_seq: 2,
                last_assigned_tsn: 3,
                streams: vec![1, 3, 5],
            },
            ReConfigParam::Response {
                response_seq: 9,
                result: ReconfigResult::SuccessPerformed,
                next_tsns: None,
            },
        ],
    })]);
    roundtrip(vec![Chunk::ReConfig(ReConfigChunk {
        params: vec![ReConfigParam::IncomingSsnReset {
            request_seq: 4,
            streams: vec![2],
        }],
    })]);
}

#[test]
fn malformed_chunks_give_typed_errors() {
    let mut raw = packet::write_packet(
        &header(),
        &[Chunk::Data(DataChunk {
            tsn: 1,
            stream_id: 0,
            ssn: 0,
            ppid: 0,
            unordered: false,
            beginning: true,
            ending: true,
            immediate: false,
            payload: Bytes::from_static(b"abcd"),
        })],
    );
    // Declare a chunk length beyond the packet.
    raw[14] = 0x10;
    packet::finish_packet(&mut raw);
    let p = Packet::parse(Bytes::from(raw.clone())).unwrap();
    assert_eq!(p.chunks().next().unwrap(), Err(ParseError::Truncated));
    // A DATA chunk with no user data.
    raw[14] = 0;
    raw[15] = 16;
    raw.truncate(28);
    packet::finish_packet(&mut raw);
    let p = Packet::parse(Bytes::from(raw.clone())).unwrap();
    assert_eq!(p.chunks().next().unwrap(), Err(ParseError::NoUserData));
    // Length below the chunk header.
    raw[15] = 2;
    packet::finish_packet(&mut raw);
    let p = Packet::parse(Bytes::from(raw)).unwrap();
    assert_eq!(p.chunks().next().unwrap(), Err(ParseError::InvalidLength));
    // Too short for a common header.
    assert_eq!(
        Packet::parse(Bytes::from_static(&[0; 7])).unwrap_err(),
        ParseError::Truncated
    );
}

#[test]
fn sack_counts_are_bounded() {
    let mut v = vec![0u8; 12];
    v[8..10].copy_from_slice(&1000u16.to_be_bytes());
    assert_eq!(SackChunk::parse(&v), Err(ParseError::TooMany));
    v[8..10].copy_from_slice(&10u16.to_be_bytes());
    assert_eq!(SackChunk::parse(&v), Err(ParseError::Truncated));
}

#[test]
fn unknown_chunk_is_kept_opaque() {
    roundtrip(vec![Chunk::Unknown {
        chunk_type: 0xF0,
        flags: 3,
        value: Bytes::from_static(b"12345"),
    }]);
}
