//! When the `track` event fires (W3C setRemoteDescription, "process the addition of a remote
//! track"): the answerer gets it while applying the offer, before it creates its answer; the
//! offerer while applying the answer; a section the peer does not send on gives none.

mod common;

use std::time::Instant;

use common::TestPeer;
use rtcio_proto::media::{SenderTrack, TrackKind, TransceiverId};
use rtcio_proto::peer::{Event, TransceiverInit};
use rtcio_sdp::Direction;

fn tracks(p: &mut TestPeer) -> Vec<TransceiverId> {
    p.drain_events();
    let mut out = Vec::new();
    p.events.retain(|e| match e {
        Event::Track(id) => {
            out.push(*id);
            false
        }
        _ => true,
    });
    out
}

fn track(id: &str) -> SenderTrack {
    SenderTrack {
        track_id: id.into(),
        stream_ids: vec!["s".into()],
    }
}

#[test]
fn track_fires_at_set_remote_description_in_both_roles() {
    let now = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:4000", 1, now);
    let mut b = TestPeer::new("10.0.0.2:4000", 2, now);
    // a sends video and audio; a's audio transceiver is recvonly (so b's answer may send).
    a.pc.add_track(TrackKind::Video, track("cam")).unwrap();
    let init = TransceiverInit {
        direction: Direction::RecvOnly,
        ..TransceiverInit::default()
    };
    a.pc.add_transceiver(TrackKind::Audio, init).unwrap();

    a.pc.set_local_description(now, None).unwrap();
    assert!(tracks(&mut a).is_empty());
    let offer = a.pc.local_description().unwrap();
    b.pc.set_remote_description(now, offer).unwrap();
    // The answerer: at setRemoteDescription(offer), for the video a sends only.
    let at_offer = tracks(&mut b);
    assert_eq!(at_offer.len(), 1);
    let bv = at_offer[0];
    assert_eq!(b.pc.transceiver(bv).unwrap().kind(), TrackKind::Video);
    assert_eq!(b.pc.transceiver(bv).unwrap().receiver().track_id, "cam");

    // b sends audio back on the transceiver the offer created (addTrack takes it).
    b.pc.add_track(TrackKind::Audio, track("mic")).unwrap();
    b.pc.set_local_description(now, None).unwrap();
    assert!(
        tracks(&mut b).is_empty(),
        "no second track event at the answer"
    );
    let answer = b.pc.local_description().unwrap();
    assert!(tracks(&mut a).is_empty());
    a.pc.set_remote_description(now, answer).unwrap();
    // The offerer: at setRemoteDescription(answer), for the audio b answered with sending.
    let at_answer = tracks(&mut a);
    assert_eq!(at_answer.len(), 1);
    let aa = at_answer[0];
    assert_eq!(a.pc.transceiver(aa).unwrap().kind(), TrackKind::Audio);
    assert_eq!(a.pc.transceiver(aa).unwrap().receiver().track_id, "mic");
}

#[test]
fn a_reoffer_fires_track_only_for_newly_sending_sections() {
    let now = Instant::now();
    let mut a = TestPeer::new("10.0.0.1:4000", 3, now);
    let mut b = TestPeer::new("10.0.0.2:4000", 4, now);
    a.pc.add_track(TrackKind::Video, track("cam")).unwrap();
    common::negotiate(&mut a, &mut b, now);
    assert_eq!(tracks(&mut b).len(), 1);
    // Renegotiation: the same video again plus a new audio track.
    a.pc.add_track(TrackKind::Audio, track("mic")).unwrap();
    a.pc.set_local_description(now, None).unwrap();
    let offer = a.pc.local_description().unwrap();
    b.pc.set_remote_description(now, offer).unwrap();
    let new = tracks(&mut b);
    assert_eq!(new.len(), 1);
    assert_eq!(b.pc.transceiver(new[0]).unwrap().kind(), TrackKind::Audio);
    b.pc.set_local_description(now, None).unwrap();
    assert!(tracks(&mut b).is_empty());
}
