//! Data channels: DCEP open/ack, stream parity by DTLS role, negotiated channels, string/binary
//! and empty messages, many channels, close from either side.

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::dc::{DcPair, channel_count, channel_messages, closed};
use common::payload;
use rtcio_netsim::LinkConfig;
use rtcio_sctp::{ChannelEvent, ChannelInit, Config, ReadyState};

fn clean() -> DcPair {
    DcPair::new(
        1,
        LinkConfig::with_latency(Duration::from_millis(10)),
        Config::default(),
    )
}

fn named(label: &str) -> ChannelInit {
    ChannelInit {
        label: label.into(),
        protocol: "chat/1".into(),
        ..ChannelInit::default()
    }
}

#[test]
fn in_band_channel_opens_on_both_sides_with_role_parity() {
    let mut p = clean();
    let a1 = p.a.create_channel(p.now, named("first")).unwrap();
    let a2 = p.a.create_channel(p.now, named("second")).unwrap();
    assert_eq!((a1, a2), (0, 2), "DTLS client uses even ids");
    assert_eq!(p.a.ready_state(a1), Some(ReadyState::Connecting));
    p.connect();
    let b1 = p.b.create_channel(p.now, named("from-b")).unwrap();
    assert_eq!(b1 % 2, 1, "DTLS server uses odd ids");
    assert!(p.run_until(Duration::from_secs(10), |p| {
        p.a_events
            .iter()
            .any(|e| matches!(e, ChannelEvent::IncomingChannel { .. }))
            && p.b_events
                .iter()
                .filter(|e| matches!(e, ChannelEvent::IncomingChannel { .. }))
                .count()
                == 2
    }));
    let incoming = p
        .b_events
        .iter()
        .find_map(|e| match e {
            ChannelEvent::IncomingChannel { id: 0, init } => Some(init.clone()),
            _ => None,
        })
        .expect("channel 0 announced");
    assert_eq!(incoming.label, "first");
    assert_eq!(incoming.protocol, "chat/1");
    assert!(incoming.ordered);
    assert_eq!(p.a.ready_state(a1), Some(ReadyState::Open));
    assert_eq!(p.b.ready_state(a1), Some(ReadyState::Open));
    assert!(p.a_events.contains(&ChannelEvent::ChannelOpen { id: 0 }));
}

#[test]
fn strings_binaries_and_empty_messages() {
    let mut p = clean();
    let id = p.a.create_channel(p.now, named("m")).unwrap();
    p.connect();
    let sent: Vec<(Vec<u8>, bool)> = vec![
        (b"hello".to_vec(), false),
        (vec![], false),
        (vec![1, 2, 3], true),
        (vec![], true),
        (payload(0, 0, 100_000), true),
    ];
    for (m, binary) in &sent {
        p.a.send(p.now, id, Bytes::from(m.clone()), *binary)
            .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(10), |p| {
        channel_count(&p.b_events, id) == sent.len()
    }));
    assert_eq!(channel_messages(&p.b_events, id), sent);
    let total: u64 = sent.iter().map(|(m, _)| m.len() as u64).sum();
    let sa = p.a.channel(id).unwrap().stats;
    let sb = p.b.channel(id).unwrap().stats;
    assert_eq!((sa.messages_sent, sa.bytes_sent), (5, total));
    assert_eq!((sb.messages_received, sb.bytes_received), (5, total));
    // And back.
    p.b.send(p.now, id, Bytes::from_static(b"pong"), false)
        .unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        channel_messages(&p.a_events, id) == vec![(b"pong".to_vec(), false)]
    }));
}

#[test]
fn negotiated_channels_need_no_dcep() {
    let mut p = clean();
    let init = ChannelInit {
        negotiated: Some(7),
        ..named("neg")
    };
    assert_eq!(p.a.create_channel(p.now, init.clone()).unwrap(), 7);
    assert_eq!(p.b.create_channel(p.now, init).unwrap(), 7);
    p.connect();
    assert_eq!(p.a.ready_state(7), Some(ReadyState::Open));
    p.a.send(p.now, 7, Bytes::from_static(b"x"), true).unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        channel_count(&p.b_events, 7) == 1
    }));
    assert!(
        !p.b_events
            .iter()
            .any(|e| matches!(e, ChannelEvent::IncomingChannel { .. }))
    );
}

#[test]
fn close_from_either_side_resets_both_directions() {
    let mut p = clean();
    let x = p.a.create_channel(p.now, named("x")).unwrap();
    let y = p.a.create_channel(p.now, named("y")).unwrap();
    p.connect();
    p.a.send(p.now, x, Bytes::from_static(b"before close"), false)
        .unwrap();
    // a closes x; b closes y.
    p.a.close(x).unwrap();
    assert_eq!(p.a.ready_state(x), Some(ReadyState::Closing));
    assert!(p.run_until(Duration::from_secs(5), |p| {
        p.b_events
            .iter()
            .any(|e| matches!(e, ChannelEvent::IncomingChannel { id, .. } if *id == y))
    }));
    p.b.close(y).unwrap();
    assert!(p.run_until(Duration::from_secs(30), |p| {
        closed(&p.a_events, x)
            && closed(&p.b_events, x)
            && closed(&p.a_events, y)
            && closed(&p.b_events, y)
    }));
    // The message queued before close was delivered first.
    assert_eq!(
        channel_messages(&p.b_events, x),
        vec![(b"before close".to_vec(), false)]
    );
    assert_eq!(p.a.ready_state(x), None);
    assert!(
        p.a.send(p.now, x, Bytes::from_static(b"late"), false)
            .is_err()
    );
    // The stream can be reused by a new channel afterwards, with SSNs starting over.
    let z =
        p.a.create_channel(
            p.now,
            ChannelInit {
                negotiated: Some(x),
                ..named("z")
            },
        )
        .unwrap();
    p.b.create_channel(
        p.now,
        ChannelInit {
            negotiated: Some(x),
            ..named("z")
        },
    )
    .unwrap();
    p.a.send(p.now, z, Bytes::from_static(b"again"), false)
        .unwrap();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        channel_count(&p.b_events, x) == 2
    }));
}

#[test]
fn a_thousand_channels_over_a_lossy_link() {
    let mut p = DcPair::new(5, LinkConfig::lossy(), Config::default());
    p.connect();
    let n = 1000u32;
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(p.a.create_channel(p.now, named(&format!("c{i}"))).unwrap());
    }
    for &id in &ids {
        p.a.send(p.now, id, Bytes::from(payload(id, 0, 200)), true)
            .unwrap();
    }
    assert!(p.run_until(Duration::from_secs(600), |p| {
        p.b_events
            .iter()
            .filter(|e| matches!(e, ChannelEvent::Message { .. }))
            .count()
            >= n as usize
    }));
    for &id in &ids {
        assert_eq!(
            channel_messages(&p.b_events, id),
            vec![(payload(id, 0, 200), true)],
            "channel {id}"
        );
    }
    // Close them all from b.
    for &id in &ids {
        p.b.close(id).unwrap();
    }
    assert!(p.run_until(Duration::from_secs(600), |p| {
        p.a.channel_ids().is_empty() && p.b.channel_ids().is_empty()
    }));
}

#[test]
fn partial_reliability_parameters_travel_in_dcep() {
    let mut p = clean();
    let rexmit = ChannelInit {
        ordered: false,
        max_retransmits: Some(3),
        priority: 512,
        ..named("rexmit")
    };
    let timed = ChannelInit {
        max_packet_life_time: Some(150),
        ..named("timed")
    };
    let a = p.a.create_channel(p.now, rexmit.clone()).unwrap();
    let b = p.a.create_channel(p.now, timed.clone()).unwrap();
    p.connect();
    assert!(p.run_until(Duration::from_secs(10), |p| {
        p.b_events
            .iter()
            .filter(|e| matches!(e, ChannelEvent::IncomingChannel { .. }))
            .count()
            == 2
    }));
    for (id, want) in [(a, rexmit), (b, timed)] {
        let got = p
            .b_events
            .iter()
            .find_map(|e| match e {
                ChannelEvent::IncomingChannel { id: i, init } if *i == id => Some(init.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(got, want);
    }
}

#[test]
fn endpoints_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<rtcio_sctp::Association>();
    assert_send::<rtcio_sctp::DataChannels>();
}
