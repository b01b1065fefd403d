//! Two sans-IO peer connections negotiate, connect through ICE and DTLS, and exchange
//! data channel messages over the simulated network.

mod common;

use std::time::{Duration, Instant};

use common::{LIMIT, TestPeer, negotiate, remote_channels, run_until, sim};
use rtcio_netsim::LinkConfig;
use rtcio_proto::peer::{
    DataChannelInit, DataChannelState, Event, PeerConnectionState, SignalingState, StatsKind,
};

#[test]
fn offer_answer_connect_and_exchange_messages() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 1, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 2, start);
    let ch =
        a.pc.create_data_channel(start, "chat", DataChannelInit::default())
            .unwrap();
    negotiate(&mut a, &mut b, start);
    assert!(a.events.contains(&Event::NegotiationNeeded));
    assert_eq!(a.pc.signaling_state(), SignalingState::Stable);
    assert_eq!(b.pc.signaling_state(), SignalingState::Stable);

    let mut sim = sim(
        LinkConfig::with_latency(Duration::from_millis(10)),
        7,
        start,
    );
    let took = run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.channel_info(ch).unwrap().ready_state == DataChannelState::Open
            && !remote_channels(b).is_empty()
    });
    assert_eq!(a.pc.connection_state(), PeerConnectionState::Connected);
    assert_eq!(b.pc.connection_state(), PeerConnectionState::Connected);
    // ICE (1 RTT + pacing), DTLS (2 RTT), SCTP (2 RTT), DCEP: well under a second at 20 ms RTT.
    assert!(took < Duration::from_millis(500), "took {took:?}");

    let remote = remote_channels(&b)[0];
    let info = b.pc.channel_info(remote).unwrap();
    assert_eq!(info.label, "chat");
    assert_eq!(info.id, a.pc.channel_info(ch).unwrap().id);

    let now = sim.now();
    a.pc.channel_send(now, ch, b"hello", false).unwrap();
    a.pc.channel_send(now, ch, &[], true).unwrap();
    a.pc.channel_send(now, ch, &vec![7u8; 100_000], true)
        .unwrap();
    let mut got = Vec::new();
    run_until(&mut sim, &mut a, &mut b, LIMIT, |_, b| {
        while let Some(m) = b.pc.channel_recv(remote) {
            got.push(m);
        }
        got.len() == 3
    });
    assert_eq!((&got[0].data[..], got[0].binary), (&b"hello"[..], false));
    assert_eq!((got[1].data.len(), got[1].binary), (0, true));
    assert_eq!(got[2].data.len(), 100_000);

    // getStats: every W3C type a data-channel connection has, with live counters.
    let stats = a.pc.stats();
    let types: Vec<&str> = stats.iter().map(|s| s.type_name()).collect();
    for t in [
        "peer-connection",
        "transport",
        "candidate-pair",
        "local-candidate",
        "remote-candidate",
        "certificate",
        "data-channel",
    ] {
        assert!(types.contains(&t), "no {t} in {types:?}");
    }
    assert_eq!(types.iter().filter(|t| **t == "certificate").count(), 2);
    let channel = stats
        .iter()
        .find_map(|s| match &s.kind {
            StatsKind::DataChannel {
                messages_sent,
                bytes_sent,
                state,
                ..
            } => Some((*messages_sent, *bytes_sent, *state)),
            _ => None,
        })
        .unwrap();
    assert_eq!(channel, (3, 100_005, "open"));
    let transport = stats.iter().find(|s| s.type_name() == "transport").unwrap();
    let StatsKind::Transport {
        selected_candidate_pair_id: Some(pair_id),
        dtls_state,
        bytes_sent,
        ..
    } = &transport.kind
    else {
        panic!("transport without a selected pair: {transport:?}");
    };
    assert_eq!(*dtls_state, "connected");
    assert!(*bytes_sent > 100_000);
    assert!(stats.iter().any(|s| &s.id == pair_id));

    // Close from the answerer's side: both sides end closed.
    b.pc.channel_close(sim.now(), remote);
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, _| {
        a.pc.channel_info(ch)
            .is_none_or(|i| i.ready_state == DataChannelState::Closed)
    });
    assert!(a.events.contains(&Event::ChannelClose(ch)));
}

#[test]
fn connects_and_delivers_everything_over_a_lossy_link() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 3, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 4, start);
    let ch =
        a.pc.create_data_channel(start, "bulk", DataChannelInit::default())
            .unwrap();
    negotiate(&mut a, &mut b, start);
    let mut sim = sim(LinkConfig::lossy(), 11, start);
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.channel_info(ch).unwrap().ready_state == DataChannelState::Open
            && !remote_channels(b).is_empty()
    });
    let remote = remote_channels(&b)[0];
    let mut sent = Vec::new();
    for i in 0..200u32 {
        let msg: Vec<u8> = (0..1000u32).map(|j| (i * 7 + j) as u8).collect();
        a.pc.channel_send(sim.now(), ch, &msg, true).unwrap();
        sent.push(msg);
    }
    let mut got = Vec::new();
    run_until(&mut sim, &mut a, &mut b, LIMIT, |_, b| {
        while let Some(m) = b.pc.channel_recv(remote) {
            got.push(m.data.to_vec());
        }
        got.len() == sent.len()
    });
    assert_eq!(got, sent);
}

#[test]
fn remote_description_errors_leave_no_trace() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 5, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 6, start);
    a.pc.create_data_channel(start, "x", DataChannelInit::default())
        .unwrap();
    a.pc.set_local_description(start, None).unwrap();
    let mut offer = a.pc.local_description().unwrap();
    // No fingerprint: rejected, and b stays stable with no remote description.
    for m in &mut offer.sdp.media {
        m.attributes
            .retain(|at| !matches!(at, rtcio_sdp::Attribute::Fingerprint(_)));
    }
    let err = b.pc.set_remote_description(start, offer).unwrap_err();
    assert!(err.to_string().contains("a=fingerprint"), "{err}");
    assert_eq!(b.pc.signaling_state(), SignalingState::Stable);
    assert!(b.pc.remote_description().is_none());
    // Answer before offer: InvalidStateError.
    let err = b.pc.create_answer().unwrap_err();
    assert!(err.to_string().starts_with("InvalidStateError"), "{err}");
}
