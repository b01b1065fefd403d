//! Typed header extension values and the id map.

use rtcio_rtp::ext::{AbsSendTime, AudioLevel, PlayoutDelay, Rotation, VideoOrientation};
use rtcio_rtp::packet::write_packet;
use rtcio_rtp::{ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader, RtpPacket};

fn map() -> ExtensionMap {
    let mut m = ExtensionMap::new();
    for (i, k) in ExtensionKind::ALL.into_iter().enumerate() {
        m.insert(i as u8 + 1, k);
    }
    m
}

#[test]
fn every_known_value_round_trips_through_a_packet() {
    let v = ExtensionValues {
        mid: Some("0".into()),
        rid: Some("hi".into()),
        repaired_rid: Some("lo".into()),
        audio_level: Some(AudioLevel {
            voice_activity: true,
            level: 42,
        }),
        abs_send_time: Some(AbsSendTime(0x12_3456)),
        transport_cc: Some(0xbeef),
        transmission_offset: Some(-5),
        video_orientation: Some(VideoOrientation {
            back_camera: true,
            flip: false,
            rotation: Rotation::Deg270,
        }),
        playout_delay: Some(PlayoutDelay { min: 0, max: 4095 }),
    };
    let m = map();
    let mut h = RtpHeader {
        payload_type: 111,
        ..Default::default()
    };
    m.write(&v, &mut h);
    assert_eq!(h.extensions.len(), 9);
    let bytes = write_packet(&h, b"opus", 0).unwrap();
    let p = RtpPacket::parse(&bytes).unwrap();
    assert_eq!(m.read(&p.header), v);
}

#[test]
fn wire_encodings_match_the_specs() {
    // RFC 6464: V bit then 7-bit level.
    assert_eq!(
        AudioLevel {
            voice_activity: true,
            level: 0x7f
        }
        .to_bytes(),
        [0xff]
    );
    // CVO: 0 0 0 0 C F R1 R0.
    let o = VideoOrientation {
        back_camera: false,
        flip: true,
        rotation: Rotation::Deg90,
    };
    assert_eq!(o.to_byte(), 0b0000_0101);
    // Playout delay: 12-bit min, 12-bit max.
    assert_eq!(
        PlayoutDelay {
            min: 0x123,
            max: 0x456
        }
        .to_bytes(),
        [0x12, 0x34, 0x56]
    );
    // abs-send-time: 6.18 fixed point seconds; 1.5 s = 0x06_0000.
    assert_eq!(
        AbsSendTime::from_micros(1_500_000).to_bytes(),
        [0x06, 0x00, 0x00]
    );
    assert_eq!(AbsSendTime(0x06_0000).to_micros(), 1_500_000);
    // Wraps every 64 s.
    assert_eq!(
        AbsSendTime::from_micros(65_500_000),
        AbsSendTime::from_micros(1_500_000)
    );
}

#[test]
fn uris_map_to_kinds() {
    let mut m = ExtensionMap::new();
    assert!(m.insert_uri(3, "urn:ietf:params:rtp-hdrext:sdes:mid"));
    assert!(!m.insert_uri(4, "urn:example:unknown"));
    assert_eq!(m.kind(3), Some(ExtensionKind::Mid));
    assert_eq!(m.id(ExtensionKind::Mid), Some(3));
    m.insert(5, ExtensionKind::Mid);
    assert_eq!(m.kind(3), None);
    for k in ExtensionKind::ALL {
        assert_eq!(ExtensionKind::from_uri(k.uri()), Some(k));
    }
}

#[test]
fn malformed_values_are_skipped_not_fatal() {
    let m = map();
    let mut h = RtpHeader::default();
    h.set_extension(m.id(ExtensionKind::TransportCc).unwrap(), vec![1]);
    h.set_extension(m.id(ExtensionKind::Mid).unwrap(), vec![0xff, 0xfe]);
    let v = m.read(&h);
    assert_eq!(v.transport_cc, None);
    assert_eq!(v.mid, None);
}

#[test]
fn negative_toffset_sign_extends() {
    assert_eq!(
        rtcio_rtp::ext::parse_transmission_offset(&[0xff, 0xff, 0xfe]),
        Ok(-2)
    );
    assert_eq!(
        rtcio_rtp::ext::parse_transmission_offset(&[0x7f, 0xff, 0xff]),
        Ok(0x7f_ffff)
    );
}
