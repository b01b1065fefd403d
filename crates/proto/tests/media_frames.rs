//! Encoded frames through two sans-IO peer connections on the simulated network: every codec
//! packetized by the core (`send_frame`) and reassembled by the receiver's stream engine, under
//! loss, with every datagram within the MTU.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{LIMIT, TestPeer, negotiate, run_until, sim};
use rtcio_netsim::{Datagram, LinkConfig, Peer};
use rtcio_proto::media::{FrameWrite, KeyframeRequestKind, SenderTrack, TrackKind, TransceiverId};
use rtcio_proto::peer::{Event, PeerConnectionState};
use rtcio_rtp::codec::Codec;
use rtcio_rtp::stream::ReceiveEvent;

fn track(id: &str) -> SenderTrack {
    SenderTrack {
        track_id: id.into(),
        stream_ids: vec!["stream".into()],
    }
}

fn connect(sim: &mut rtcio_netsim::Sim, a: &mut TestPeer, b: &mut TestPeer) {
    run_until(sim, a, b, LIMIT, |a, b| {
        a.pc.connection_state() == PeerConnectionState::Connected
            && b.pc.connection_state() == PeerConnectionState::Connected
    });
}

fn tracks(p: &TestPeer) -> Vec<TransceiverId> {
    p.events
        .iter()
        .filter_map(|e| match e {
            Event::Track(id) => Some(*id),
            _ => None,
        })
        .collect()
}

/// A peer that records the largest datagram it sent.
struct Measured<'a> {
    peer: &'a mut TestPeer,
    largest: usize,
}

impl Peer for Measured<'_> {
    fn accepts(&self, addr: SocketAddr) -> bool {
        self.peer.accepts(addr)
    }
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.peer.handle_datagram(now, d);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Datagram> {
        let d = self.peer.poll_transmit(now)?;
        self.largest = self.largest.max(d.payload.len());
        Some(d)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.peer.poll_timeout()
    }
}

/// Bytes without two zeros in a row (no H.264 start code or emulation prevention needed).
fn body(seed: usize, len: usize) -> impl Iterator<Item = u8> {
    (0..len).map(move |k| ((seed * 31 + k) % 251) as u8 + 1)
}

/// Frame `i` of `codec`: a keyframe for video (so a frame lost to the network does not hold
/// back the ones after it) larger than one packet; an audio frame of 160 bytes.
fn frame(codec: Codec, i: usize) -> Vec<u8> {
    let len = 1300 + (i % 3) * 600;
    match codec {
        Codec::Opus | Codec::Pcmu | Codec::Pcma | Codec::G722 => body(i, 160).collect(),
        // VP8 key frame: P=0 in the frame tag, then the start code 9d 01 2a.
        Codec::Vp8 => [0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]
            .into_iter()
            .chain(body(i, len))
            .collect(),
        // VP9 uncompressed header: frame_marker 2, profile 0, show_existing 0, key frame.
        Codec::Vp9 => std::iter::once(0x82).chain(body(i, len)).collect(),
        // SPS, PPS and an IDR slice larger than the MTU (FU-A), Annex-B.
        Codec::H264 => {
            let mut f = vec![
                0, 0, 0, 1, 0x67, 0x42, 0xe0, 0x1f, 0, 0, 0, 1, 0x68, 0xce, 0x3c,
            ];
            f.extend([0x80, 0, 0, 0, 1, 0x65]);
            f.extend(body(i, len));
            f
        }
        // Temporal delimiter, sequence header, frame OBU (all with size fields).
        Codec::Av1 => {
            let mut f = vec![0x12, 0x00, 0x0a, 0x03, 0x00, 0x00, 0x0c, 0x32];
            let mut size = len;
            while size >= 0x80 {
                f.push((size & 0x7f) as u8 | 0x80);
                size >>= 7;
            }
            f.push(size as u8);
            f.extend(body(i, len));
            f
        }
    }
}

fn frame_interval(codec: Codec) -> u32 {
    // 20 ms of audio, 33 ms of video, in RTP clock ticks.
    if codec.is_audio() {
        codec.clock_rate() / 50
    } else {
        3000
    }
}

#[test]
fn every_codec_round_trips_through_send_frame_under_loss() {
    let codecs = [
        Codec::Opus,
        Codec::G722,
        Codec::Pcmu,
        Codec::Pcma,
        Codec::Vp8,
        Codec::Vp9,
        Codec::H264,
        Codec::Av1,
    ];
    let start = Instant::now();
    let link = LinkConfig {
        loss: 0.03,
        jitter: Duration::from_millis(2),
        ..LinkConfig::with_latency(Duration::from_millis(10))
    };
    let mut sim = sim(link, 5, start);
    let mut a = TestPeer::new("10.0.0.1:4000", 51, start);
    let mut b = TestPeer::new("10.0.0.2:4000", 52, start);
    let mut senders = Vec::new();
    for (k, codec) in codecs.iter().enumerate() {
        let kind = if codec.is_audio() {
            TrackKind::Audio
        } else {
            TrackKind::Video
        };
        let id = a.pc.add_track(kind, track(&format!("t{k}"))).unwrap();
        // Only this codec (H.264: packetization-mode 1 first), so each stream has one.
        let prefs: Vec<_> = rtcio_proto::media::codec::default_codecs(kind)
            .into_iter()
            .filter(|c| c.rtp_codec() == Some(*codec))
            .collect();
        a.pc.set_codec_preferences(id, prefs).unwrap();
        senders.push(id);
    }
    negotiate(&mut a, &mut b, start);
    connect(&mut sim, &mut a, &mut b);
    // The receivers in the order of the senders, matched by mid.
    assert_eq!(tracks(&b).len(), codecs.len());
    let receivers: Vec<TransceiverId> = senders
        .iter()
        .map(|s| {
            let mid = a.pc.transceiver(*s).unwrap().mid().unwrap().to_string();
            let r = b.pc.transceivers().iter().find(|t| t.mid() == Some(&mid));
            r.unwrap().id()
        })
        .collect();

    let n = 60usize;
    let mut got: Vec<Vec<(u32, Vec<u8>)>> = vec![Vec::new(); codecs.len()];
    let mut lost = vec![0u64; codecs.len()];
    let (mut ma, mut mb) = (
        Measured {
            peer: &mut a,
            largest: 0,
        },
        Measured {
            peer: &mut b,
            largest: 0,
        },
    );
    let drain = |b: &mut TestPeer, got: &mut Vec<Vec<(u32, Vec<u8>)>>, lost: &mut Vec<u64>| {
        while let Some(f) = b.pc.poll_frame() {
            let k = receivers.iter().position(|r| *r == f.transceiver).unwrap();
            match f.event {
                ReceiveEvent::Frame(f) => got[k].push((f.frame.rtp_timestamp, f.frame.data)),
                ReceiveEvent::FrameLost { count, .. } => lost[k] += count,
                _ => {}
            }
        }
    };
    for i in 0..n {
        let now = sim.now();
        for (k, codec) in codecs.iter().enumerate() {
            let data = frame(*codec, i);
            let w = FrameWrite {
                codec: *codec,
                timestamp: i as u32 * frame_interval(*codec),
                data: &data,
            };
            ma.peer.pc.send_frame(now, senders[k], w).unwrap();
        }
        sim.run_for(&mut [&mut ma, &mut mb], Duration::from_millis(50))
            .unwrap();
        drain(mb.peer, &mut got, &mut lost);
    }
    // Past the pacer's queue (at the congestion controller's start rate) and the jitter
    // buffer's latency: every frame is out or given up on.
    sim.run_for(&mut [&mut ma, &mut mb], Duration::from_secs(5))
        .unwrap();
    drain(mb.peer, &mut got, &mut lost);
    let mtu = rtcio_proto::peer::Config::default().mtu;
    assert!(ma.largest <= mtu, "sent a {}-byte datagram", ma.largest);

    let last_ts = |codec: Codec| (n as u32 - 1) * frame_interval(codec);
    for (k, codec) in codecs.iter().enumerate() {
        let mut next = 0usize;
        for (ts, data) in &got[k] {
            let i = (ts / frame_interval(*codec)) as usize;
            assert!(i >= next, "{codec:?}: frame {i} after {next}");
            assert_eq!(*data, frame(*codec, i), "{codec:?}: frame {i} differs");
            next = i + 1;
        }
        let missing = (n - got[k].len()) as u64;
        // The loss of the last frame shows in no later packet: nothing declares it lost.
        let last_lost = got[k].last().is_none_or(|(ts, _)| *ts != last_ts(*codec));
        assert!(
            missing <= lost[k] + u64::from(last_lost),
            "{codec:?}: {missing} frames unaccounted"
        );
        // Video is repaired by NACK/RTX; audio (no NACK negotiated) loses what the link loses.
        let least = if codec.is_audio() {
            n * 85 / 100
        } else {
            n - 2
        };
        assert!(got[k].len() >= least, "{codec:?}: {} of {n}", got[k].len());
    }
    let sent = a.pc.sender_stats(senders[4]).unwrap();
    assert!(
        sent.outbound.retransmitted_packets_sent > 0,
        "no loss repaired"
    );
}

/// Two connected peers, `a` sending VP8 video to `b`: (a's transceiver, b's transceiver).
fn video_pair(
    link: LinkConfig,
    seed: u64,
    start: Instant,
) -> (
    rtcio_netsim::Sim,
    TestPeer,
    TestPeer,
    TransceiverId,
    TransceiverId,
) {
    let mut sim = sim(link, seed, start);
    let mut a = TestPeer::new("10.0.0.1:4000", seed * 2, start);
    let mut b = TestPeer::new("10.0.0.2:4000", seed * 2 + 1, start);
    let a_video = a.pc.add_track(TrackKind::Video, track("cam")).unwrap();
    negotiate(&mut a, &mut b, start);
    connect(&mut sim, &mut a, &mut b);
    let b_video = tracks(&b)[0];
    (sim, a, b, a_video, b_video)
}

/// A one-packet VP8 frame: a keyframe, or a delta frame (P bit set).
fn vp8(i: u32, key: bool) -> Vec<u8> {
    let mut f = if key {
        vec![0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]
    } else {
        vec![0x11, 0x02, 0x00]
    };
    f.extend(body(i as usize, 200));
    f
}

fn keyframe_requests(p: &mut TestPeer) -> Vec<(TransceiverId, KeyframeRequestKind)> {
    let mut out = Vec::new();
    p.events.retain(|e| match e {
        Event::KeyframeRequested {
            transceiver, kind, ..
        } => {
            out.push((*transceiver, *kind));
            false
        }
        _ => true,
    });
    out
}

#[test]
fn pli_and_fir_reach_the_sender_as_keyframe_requested() {
    use rtcio_rtp::rtcp::{Fir, FirEntry, RtcpPacket};
    let start = Instant::now();
    let link = LinkConfig::with_latency(Duration::from_millis(10));
    let (mut sim, mut a, mut b, a_video, b_video) = video_pair(link, 7, start);
    let send = |sim: &mut rtcio_netsim::Sim, a: &mut TestPeer, b: &mut TestPeer, i: u32| {
        let data = vp8(i, i == 0);
        let w = FrameWrite {
            codec: Codec::Vp8,
            timestamp: i * 3000,
            data: &data,
        };
        a.pc.send_frame(sim.now(), a_video, w).unwrap();
        sim.run_for(&mut [&mut *a, &mut *b], Duration::from_millis(33))
            .unwrap();
    };
    for i in 0..5 {
        send(&mut sim, &mut a, &mut b, i);
    }
    assert!(keyframe_requests(&mut a).is_empty());

    b.pc.request_keyframe(sim.now(), b_video, None).unwrap();
    send(&mut sim, &mut a, &mut b, 5);
    assert_eq!(
        keyframe_requests(&mut a),
        [(a_video, KeyframeRequestKind::Pli)]
    );

    // A FIR naming the sender's SSRC; the same FIR again (a retransmission, RFC 5104 §4.3.1.1)
    // is not a new request, one with the next sequence number is.
    let ssrc = a.pc.transceiver(a_video).unwrap().sender().ssrc;
    let fir = |seq_nr: u8| {
        RtcpPacket::Fir(Fir {
            sender_ssrc: 1,
            entries: vec![FirEntry { ssrc, seq_nr }],
        })
    };
    for seq_nr in [1, 1, 2] {
        b.pc.write_rtcp(sim.now(), &[fir(seq_nr)]).unwrap();
        sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(33))
            .unwrap();
    }
    assert_eq!(
        keyframe_requests(&mut a),
        [
            (a_video, KeyframeRequestKind::Fir),
            (a_video, KeyframeRequestKind::Fir)
        ]
    );
    let stats = a.pc.sender_stats(a_video).unwrap().outbound;
    assert_eq!((stats.pli_count, stats.fir_count), (1, 2));
    // Nothing asked of the receiving side's own sender-less transceiver.
    assert!(keyframe_requests(&mut b).is_empty());
}

#[test]
fn a_keyframe_lost_for_good_makes_the_receiver_need_one_and_ask() {
    let start = Instant::now();
    let link = LinkConfig::with_latency(Duration::from_millis(10));
    let (mut sim, mut a, mut b, a_video, b_video) = video_pair(link.clone(), 11, start);
    let a_ip = a.addr.ip();
    let b_ip = b.addr.ip();
    // (frame index, keyframe) as b's receiver delivers them, and KeyframeNeeded positions.
    let mut delivered: Vec<(u32, bool)> = Vec::new();
    let mut needed_after: Vec<usize> = Vec::new();
    let mut requests = 0;
    let mut pending_request = false;
    for i in 0..200u32 {
        // 1 s in, the path to b fails for 2.5 s (longer than a's 2 s send history, so the
        // keyframe sent during it cannot be repaired).
        if i == 30 {
            let down = LinkConfig {
                loss: 1.0,
                ..link.clone()
            };
            sim.net.set_link(a_ip, b_ip, down);
        }
        if i == 105 {
            sim.net.set_link(a_ip, b_ip, link.clone());
        }
        let key = i == 0 || i == 40 || std::mem::take(&mut pending_request);
        let data = vp8(i, key);
        let w = FrameWrite {
            codec: Codec::Vp8,
            timestamp: i * 3000,
            data: &data,
        };
        a.pc.send_frame(sim.now(), a_video, w).unwrap();
        sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(33))
            .unwrap();
        for (t, kind) in keyframe_requests(&mut a) {
            assert_eq!((t, kind), (a_video, KeyframeRequestKind::Pli));
            requests += 1;
            pending_request = true;
        }
        while let Some(f) = b.pc.poll_frame() {
            assert_eq!(f.transceiver, b_video);
            match f.event {
                ReceiveEvent::Frame(f) => {
                    delivered.push((f.frame.rtp_timestamp / 3000, f.frame.keyframe))
                }
                ReceiveEvent::KeyframeNeeded => needed_after.push(delivered.len()),
                ReceiveEvent::FrameLost { .. } => {}
            }
        }
    }
    // Frames up to the outage, then nothing until the keyframe the PLI asked for.
    assert_eq!(
        needed_after,
        [30],
        "KeyframeNeeded once, right after frame 29"
    );
    assert!(requests >= 1, "the PLI reached the sender");
    let (resumed, key) = delivered[30];
    assert!(
        key && resumed > 105,
        "resumed with frame {resumed} (key {key})"
    );
    assert!(
        delivered[..30]
            .iter()
            .enumerate()
            .all(|(k, f)| f.0 == k as u32)
    );
    let tail = &delivered[30..];
    assert!(
        tail.windows(2).all(|w| w[1].0 == w[0].0 + 1),
        "gap after resuming"
    );
    assert_eq!(tail.last().unwrap().0, 199);
    assert!(b.pc.receiver_stats(b_video)[0].1.inbound.pli_count >= 1);
}

#[test]
fn received_frames_carry_arrival_and_capture_times() {
    use rtcio_rtp::stream::NtpClock;
    let start = Instant::now();
    let link = LinkConfig {
        jitter: Duration::from_millis(3),
        ..LinkConfig::with_latency(Duration::from_millis(10))
    };
    let (mut sim, mut a, mut b, a_video, b_video) = video_pair(link, 13, start);
    // Both wall clocks agree (as synchronized hosts' do): 3.9e9 s after 1900 at `start`.
    let clock = NtpClock::new(start, Duration::from_secs(3_900_000_000));
    a.pc.set_ntp_clock(clock);
    b.pc.set_ntp_clock(clock);
    // 33 ms frames whose RTP timestamps follow the capture clock (90 kHz).
    let mut sent_at = Vec::new();
    let mut frames = Vec::new();
    for i in 0..60u32 {
        let now = sim.now();
        sent_at.push(now);
        let mut data = vp8(i, true);
        data.extend(body(i as usize, 2000));
        let w = FrameWrite {
            codec: Codec::Vp8,
            timestamp: 1000 + i * 2970,
            data: &data,
        };
        a.pc.send_frame(now, a_video, w).unwrap();
        sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(33))
            .unwrap();
        while let Some(f) = b.pc.poll_frame() {
            assert_eq!(f.transceiver, b_video);
            if let ReceiveEvent::Frame(f) = f.event {
                frames.push(f);
            }
        }
    }
    assert!(frames.len() >= 58, "{} frames", frames.len());
    let mut mapped = 0;
    for f in &frames {
        let i = ((f.frame.rtp_timestamp - 1000) / 2970) as usize;
        let sent = sent_at[i];
        assert!(f.first_arrival <= f.arrival);
        // Across a 10 ms ± 3 ms link; a frame is three packets.
        let transit = f.arrival - sent;
        assert!(
            transit >= Duration::from_millis(7) && transit < Duration::from_millis(60),
            "frame {i} took {transit:?}"
        );
        assert!(f.first_arrival - sent >= Duration::from_millis(7));
        // Once the first sender report arrived, the capture time is the send time on a's
        // clock (the RTP timestamps follow it).
        if let Some(capture) = f.sender_ntp_time {
            let expected = clock.ntp(sent).0 as i128;
            let error_s = (capture.0 as i128 - expected) as f64 / 4_294_967_296.0;
            assert!(
                error_s.abs() < 0.002,
                "frame {i}: capture off by {error_s} s"
            );
            mapped += 1;
        }
    }
    // The first sender report leaves with the first packet: all but the first frames map.
    assert!(mapped + 2 >= frames.len(), "{mapped} of {}", frames.len());
}

#[test]
fn the_receiver_reports_its_synchronization_sources_for_ten_seconds() {
    let start = Instant::now();
    let link = LinkConfig::with_latency(Duration::from_millis(10));
    let (mut sim, mut a, mut b, a_video, b_video) = video_pair(link, 17, start);
    let ssrc = a.pc.transceiver(a_video).unwrap().sender().ssrc;
    assert!(b.pc.synchronization_sources(b_video, sim.now()).is_empty());
    for i in 0..10u32 {
        let data = vp8(i, true);
        let w = FrameWrite {
            codec: Codec::Vp8,
            timestamp: i * 3000,
            data: &data,
        };
        a.pc.send_frame(sim.now(), a_video, w).unwrap();
        sim.run_for(&mut [&mut a, &mut b], Duration::from_millis(33))
            .unwrap();
    }
    let last_sent = sim.now() - Duration::from_millis(33);
    let sources = b.pc.synchronization_sources(b_video, sim.now());
    assert_eq!(sources.len(), 1);
    let s = sources[0];
    assert_eq!(
        (s.source, s.rtp_timestamp, s.audio_level),
        (ssrc, 27_000, None)
    );
    // Arrived one link latency after it was sent.
    assert!(s.timestamp - last_sent >= Duration::from_millis(10));
    assert!(s.timestamp <= sim.now());
    assert!(b.pc.contributing_sources(b_video, sim.now()).is_empty());
    // Reported for 10 s after the last packet, not after.
    let t = s.timestamp;
    assert_eq!(
        b.pc.synchronization_sources(b_video, t + Duration::from_secs(10))
            .len(),
        1
    );
    assert!(
        b.pc.synchronization_sources(b_video, t + Duration::from_millis(10_001))
            .is_empty()
    );
}
