//! JSEP behaviour of the sans-IO peer connection: trickle, rollback, negotiated channels,
//! ICE restart, wrong call order, close.

mod common;

use std::time::{Duration, Instant};

use common::{LIMIT, TestPeer, negotiate, remote_channels, run_until, sim};
use rtcio_netsim::LinkConfig;
use rtcio_proto::peer::{
    DataChannelInit, DataChannelState, Event, IceCandidateInit, IceConnectionState,
    IceGatheringState, PeerConnectionState, SignalingState,
};
use rtcio_sdp::{Attribute, SdpType};

fn strip_candidates(desc: &mut rtcio_sdp::JsepDescription) {
    for m in &mut desc.sdp.media {
        m.attributes
            .retain(|a| !matches!(a, Attribute::Candidate(_) | Attribute::EndOfCandidates));
    }
}

fn trickled(p: &TestPeer) -> Vec<Option<IceCandidateInit>> {
    p.events
        .iter()
        .filter_map(|e| match e {
            Event::IceCandidate(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn trickled_candidates_connect_when_descriptions_carry_none() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 21, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 22, start);
    let ch =
        a.pc.create_data_channel(start, "t", DataChannelInit::default())
            .unwrap();
    a.pc.set_local_description(start, None).unwrap();
    a.drain_events();
    assert_eq!(a.pc.ice_gathering_state(), IceGatheringState::Complete);
    let mut offer = a.pc.local_description().unwrap();
    strip_candidates(&mut offer);
    b.pc.set_remote_description(start, offer).unwrap();
    b.pc.set_local_description(start, None).unwrap();
    b.drain_events();
    let mut answer = b.pc.local_description().unwrap();
    strip_candidates(&mut answer);
    a.pc.set_remote_description(start, answer).unwrap();

    // icecandidate events: one host candidate, then the end-of-candidates `None`.
    let from_a = trickled(&a);
    assert_eq!(from_a.len(), 2);
    assert!(from_a[1].is_none());
    for c in trickled(&a) {
        b.pc.add_ice_candidate(start, c).unwrap();
    }
    for c in trickled(&b) {
        a.pc.add_ice_candidate(start, c).unwrap();
    }
    let mut sim = sim(LinkConfig::with_latency(Duration::from_millis(5)), 3, start);
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.channel_info(ch).unwrap().ready_state == DataChannelState::Open
            && !remote_channels(b).is_empty()
    });
}

#[test]
fn candidate_errors_are_typed() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 23, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 24, start);
    let c = IceCandidateInit {
        candidate: "candidate:1 1 udp 1 10.0.0.9 9 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_mline_index: None,
        username_fragment: None,
    };
    // No remote description yet.
    let err = b.pc.add_ice_candidate(start, Some(c.clone())).unwrap_err();
    assert!(err.to_string().starts_with("InvalidStateError"), "{err}");
    a.pc.create_data_channel(start, "t", DataChannelInit::default())
        .unwrap();
    negotiate(&mut a, &mut b, start);
    let bad = IceCandidateInit {
        candidate: "candidate:1 1 udp notanumber 10.0.0.9 9 typ host".into(),
        ..c.clone()
    };
    let err = b.pc.add_ice_candidate(start, Some(bad)).unwrap_err();
    assert!(err.to_string().starts_with("SyntaxError"), "{err}");
    let wrong_mid = IceCandidateInit {
        sdp_mid: Some("nope".into()),
        ..c.clone()
    };
    let err = b.pc.add_ice_candidate(start, Some(wrong_mid)).unwrap_err();
    assert!(err.to_string().starts_with("OperationError"), "{err}");
    b.pc.add_ice_candidate(start, Some(c)).unwrap();
    b.pc.add_ice_candidate(start, None).unwrap();
}

#[test]
fn rollback_returns_to_stable_and_a_new_offer_works() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 25, start);
    a.pc.create_data_channel(start, "t", DataChannelInit::default())
        .unwrap();
    a.pc.set_local_description(start, None).unwrap();
    assert_eq!(a.pc.signaling_state(), SignalingState::HaveLocalOffer);
    let rollback = rtcio_sdp::JsepDescription {
        sdp_type: SdpType::Rollback,
        sdp: a.pc.local_description().unwrap().sdp,
    };
    a.pc.set_local_description(start, Some(rollback)).unwrap();
    assert_eq!(a.pc.signaling_state(), SignalingState::Stable);
    assert!(a.pc.pending_local_description().is_none());
    let mut b = TestPeer::new("10.0.0.2:5000", 26, start);
    negotiate(&mut a, &mut b, start);
    assert_eq!(a.pc.signaling_state(), SignalingState::Stable);
}

#[test]
fn negotiated_channels_open_without_dcep_on_both_sides() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 27, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 28, start);
    let init = DataChannelInit {
        negotiated: true,
        id: Some(7),
        ordered: false,
        max_retransmits: Some(0),
        ..DataChannelInit::default()
    };
    let ca = a.pc.create_data_channel(start, "n", init.clone()).unwrap();
    let cb = b.pc.create_data_channel(start, "n", init).unwrap();
    // Same id twice is refused.
    let dup = DataChannelInit {
        negotiated: true,
        id: Some(7),
        ..DataChannelInit::default()
    };
    assert!(a.pc.create_data_channel(start, "dup", dup).is_err());
    negotiate(&mut a, &mut b, start);
    let mut sim = sim(LinkConfig::with_latency(Duration::from_millis(5)), 5, start);
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.channel_info(ca).unwrap().ready_state == DataChannelState::Open
            && b.pc.channel_info(cb).unwrap().ready_state == DataChannelState::Open
    });
    assert!(
        remote_channels(&b).is_empty(),
        "no datachannel event for negotiated"
    );
    assert_eq!(b.pc.channel_info(cb).unwrap().id, Some(7));
    a.pc.channel_send(sim.now(), ca, b"x", false).unwrap();
    let mut got = None;
    run_until(&mut sim, &mut a, &mut b, LIMIT, |_, b| {
        got = got.take().or_else(|| b.pc.channel_recv(cb));
        got.is_some()
    });
    assert_eq!(&got.unwrap().data[..], b"x");
}

#[test]
fn ice_restart_renegotiates_and_data_keeps_flowing() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 29, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 30, start);
    let ch =
        a.pc.create_data_channel(start, "r", DataChannelInit::default())
            .unwrap();
    negotiate(&mut a, &mut b, start);
    let mut sim = sim(LinkConfig::with_latency(Duration::from_millis(5)), 9, start);
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.channel_info(ch).unwrap().ready_state == DataChannelState::Open
            && !remote_channels(b).is_empty()
    });
    let remote = remote_channels(&b)[0];
    let old_ufrag = a.pc.local_description().unwrap().sdp.media[0]
        .ice_ufrag()
        .unwrap()
        .to_string();
    a.events.clear();
    a.pc.restart_ice();
    a.drain_events();
    assert!(a.events.contains(&Event::NegotiationNeeded));
    let now = sim.now();
    negotiate(&mut a, &mut b, now);
    let new_ufrag = a.pc.local_description().unwrap().sdp.media[0]
        .ice_ufrag()
        .unwrap()
        .to_string();
    assert_ne!(old_ufrag, new_ufrag);
    // Messages sent during the restart arrive.
    for i in 0..20u8 {
        a.pc.channel_send(sim.now(), ch, &[i], true).unwrap();
    }
    let mut got = Vec::new();
    run_until(&mut sim, &mut a, &mut b, LIMIT, |_, b| {
        while let Some(m) = b.pc.channel_recv(remote) {
            got.push(m.data[0]);
        }
        got.len() == 20
    });
    assert_eq!(got, (0..20).collect::<Vec<_>>());
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, _| {
        matches!(
            a.pc.ice_connection_state(),
            IceConnectionState::Connected | IceConnectionState::Completed
        )
    });
    assert_eq!(a.pc.connection_state(), PeerConnectionState::Connected);
}

#[test]
fn close_refuses_further_calls_and_releases_transports() {
    let start = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:5000", 31, start);
    let mut b = TestPeer::new("10.0.0.2:5000", 32, start);
    let ch =
        a.pc.create_data_channel(start, "c", DataChannelInit::default())
            .unwrap();
    negotiate(&mut a, &mut b, start);
    let mut sim = sim(
        LinkConfig::with_latency(Duration::from_millis(5)),
        13,
        start,
    );
    run_until(&mut sim, &mut a, &mut b, LIMIT, |a, b| {
        a.pc.channel_info(ch).unwrap().ready_state == DataChannelState::Open
            && !remote_channels(b).is_empty()
    });
    a.pc.close(sim.now());
    a.drain_events();
    assert_eq!(a.pc.connection_state(), PeerConnectionState::Closed);
    assert_eq!(a.pc.signaling_state(), SignalingState::Closed);
    assert!(a.pc.dtls_transport().is_none());
    assert!(a.pc.poll_timeout().is_none());
    assert!(a.pc.channel_info(ch).is_none());
    assert!(
        a.pc.create_offer()
            .unwrap_err()
            .to_string()
            .starts_with("InvalidStateError")
    );
    // The peer learns of it (SCTP ABORT, DTLS close_notify): its channel and connection close.
    run_until(&mut sim, &mut a, &mut b, LIMIT, |_, b| {
        let r = remote_channels(b);
        b.pc.channel_info(r[0]).is_none() && b.pc.connection_state() == PeerConnectionState::Closed
    });
    let r = remote_channels(&b)[0];
    let error_at = b
        .events
        .iter()
        .position(
            |e| matches!(e, Event::ChannelError(id, why) if *id == r && why.contains("aborted")),
        )
        .expect("the peer's abort is an error on its channels");
    let close_at = b
        .events
        .iter()
        .position(|e| *e == Event::ChannelClose(r))
        .expect("then close");
    assert!(error_at < close_at);
    // The side that closed sees no error.
    assert!(
        !a.events
            .iter()
            .any(|e| matches!(e, Event::ChannelError(..)))
    );
}
