//! Media with aiortc (`tests/aiortc/media_peer.py`): aiortc encodes a 320x240 video track
//! (VP8 or H.264, its codec preference) and a sine on an Opus audio track, rtcio echoes every
//! RTP packet back on the transceiver it arrived on (as the `server` example does, keyframe
//! requests forwarded the other way), and aiortc decodes what comes back; a keyframe request
//! from rtcio reaches aiortc's video sender, and rtcio's receiver reports reach aiortc. Both
//! offer/answer roles. Descriptions travel as JSON lines over the child's stdin/stdout.
//!
//! Four sessions echo whole frames instead (rtcio's depacketizer, then its packetizer), so
//! aiortc's decoder checks what rtcio packetized. Two run through a relay that drops every
//! 20th RTP packet each way: both ends NACK and the other answers with RTX (rtcio's stats show
//! both directions repaired).
//!
//! Loopback UDP may drop packets under load: aiortc's decoder asks for keyframes and NACKs,
//! so the counts asked for are reached anyway, within a bounded time.

mod interop;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rtcio::media::{MediaStreamTrack, RTCRtpTransceiver, TrackKind};
use rtcio::{PeerConnectionEvent, RTCPeerConnection, RTCSdpType, RTCSessionDescription};
use rtcio_proto::peer::StatsKind;
use serde_json::Value;
use tokio::net::UdpSocket;

use interop::Program;
use interop::session::loopback;

/// Video frames aiortc must decode (1 s of its 30 frames/s beyond the start).
const VIDEO_FRAMES: u32 = 45;
/// Audio frames (20 ms each) aiortc must decode.
const AUDIO_FRAMES: u32 = 50;
/// How long aiortc waits for them before reporting what it has.
const AIORTC_PATIENCE: Duration = Duration::from_secs(18);
/// Any single exchange with the peer (descriptions, the final report).
const STEP: Duration = Duration::from_secs(25);

/// Packets (or frames) echoed per (kind, codec name in capitals), filled by the echo tasks.
type Echoed = Arc<Mutex<BTreeMap<(String, String), u64>>>;

/// Echoes what `transceiver` receives back out of its sender, as the server example does.
async fn echo(transceiver: RTCRtpTransceiver, echoed: Echoed) {
    let receiver = transceiver.receiver();
    let sender = transceiver.sender();
    let (keyframes_from, keyframes_to) = (sender.clone(), receiver.clone());
    let keyframes = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(n) = keyframes_from.keyframe_requested(seen).await {
            seen = n;
            let _ = keyframes_to.request_keyframe().await;
        }
    });
    let kind = transceiver.kind().as_str().to_string();
    while let Some(p) = receiver.recv_rtp().await {
        let h = &p.header;
        if sender
            .send_rtp(Some(h.payload_type), h.marker, h.timestamp, &p.payload)
            .await
            .is_ok()
        {
            let codec = sender
                .codecs()
                .iter()
                .find(|c| c.payload_type == h.payload_type)
                .map_or_else(
                    || format!("pt {}", h.payload_type),
                    |c| c.name.to_ascii_uppercase(),
                );
            *echoed
                .lock()
                .unwrap()
                .entry((kind.clone(), codec))
                .or_default() += 1;
        }
    }
    keyframes.abort();
}

/// Echoes whole frames instead: reassembled by rtcio's depacketizer (`recv_frame`) and cut
/// again by its packetizer (`send_frame`), so aiortc decodes what rtcio packetized.
async fn echo_frames(transceiver: RTCRtpTransceiver, echoed: Echoed) {
    let receiver = transceiver.receiver();
    let sender = transceiver.sender();
    let (keyframes_from, keyframes_to) = (sender.clone(), receiver.clone());
    let keyframes = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(n) = keyframes_from.keyframe_requested(seen).await {
            seen = n;
            let _ = keyframes_to.request_keyframe().await;
        }
    });
    let kind = transceiver.kind().as_str().to_string();
    while let Some(frame) = receiver.recv_frame().await {
        if sender.send_frame(&frame).await.is_ok() {
            let codec = format!("{:?}", frame.codec).to_ascii_uppercase();
            *echoed
                .lock()
                .unwrap()
                .entry((kind.clone(), codec))
                .or_default() += 1;
        }
    }
    keyframes.abort();
}

/// What rtcio sends back.
#[derive(Clone, Copy, PartialEq)]
enum Echo {
    /// Every RTP packet as it came (the `server` example's relay).
    Rtp,
    /// Every frame, depacketized and packetized again.
    Frames,
}

/// Answers the connection's events: every track is echoed.
async fn serve(pc: RTCPeerConnection, echoed: Echoed, how: Echo) {
    while let Some(event) = pc.next_event().await {
        if let PeerConnectionEvent::Track(t) = event {
            match how {
                Echo::Rtp => tokio::spawn(echo(t, echoed.clone())),
                Echo::Frames => tokio::spawn(echo_frames(t, echoed.clone())),
            };
        }
    }
}

/// A UDP relay between the two peers that drops every `every`-th RTP packet each way (RTCP,
/// STUN and DTLS pass), so NACK and RTX have to repair the streams. Each side is told the
/// other's candidate is the relay's socket facing it.
struct LossyRelay {
    /// Faces rtcio: what rtcio is told aiortc's address is.
    to_rtcio: Arc<UdpSocket>,
    /// Faces aiortc.
    to_aiortc: Arc<UdpSocket>,
    rtcio: Arc<Mutex<Option<SocketAddr>>>,
    aiortc: Arc<Mutex<Option<SocketAddr>>>,
    dropped: Arc<AtomicU64>,
}

impl LossyRelay {
    async fn start(every: u64) -> LossyRelay {
        let bind = || async { Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap()) };
        let relay = LossyRelay {
            to_rtcio: bind().await,
            to_aiortc: bind().await,
            rtcio: Arc::default(),
            aiortc: Arc::default(),
            dropped: Arc::default(),
        };
        let forward = |from: Arc<UdpSocket>,
                       to: Arc<UdpSocket>,
                       dest: Arc<Mutex<Option<SocketAddr>>>| {
            let dropped = relay.dropped.clone();
            async move {
                let mut buf = vec![0u8; 2048];
                let mut rtp = 0u64;
                while let Ok(n) = from.recv(&mut buf).await {
                    // RFC 7983: 128..=191 is RTP/RTCP; RTCP packet types are 192..=223.
                    let is_rtp =
                        n > 12 && (128..=191).contains(&buf[0]) && !(192..=223).contains(&buf[1]);
                    if is_rtp {
                        rtp += 1;
                        if rtp.is_multiple_of(every) {
                            dropped.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    }
                    let Some(dest) = *dest.lock().unwrap() else {
                        continue;
                    };
                    let _ = to.send_to(&buf[..n], dest).await;
                }
            }
        };
        tokio::spawn(forward(
            relay.to_rtcio.clone(),
            relay.to_aiortc.clone(),
            relay.aiortc.clone(),
        ));
        tokio::spawn(forward(
            relay.to_aiortc.clone(),
            relay.to_rtcio.clone(),
            relay.rtcio.clone(),
        ));
        relay
    }

    /// Points the first UDP candidate of `sdp` (the BUNDLE transport) at `via`, remembering
    /// its real address in `real`; other candidates (an unbundled offer's per-section ports,
    /// TCP) are left out so that nothing bypasses the relay.
    fn rewrite(sdp: &str, via: &UdpSocket, real: &Mutex<Option<SocketAddr>>) -> String {
        let port = via.local_addr().unwrap().port().to_string();
        let mut first: Option<SocketAddr> = None;
        let mut out = String::new();
        for line in sdp.split_inclusive("\r\n") {
            if !line.starts_with("a=candidate:") {
                out.push_str(line);
                continue;
            }
            let mut fields: Vec<&str> = line.trim_end().split(' ').collect();
            if fields.len() < 8 || !fields[2].eq_ignore_ascii_case("udp") {
                continue;
            }
            let addr: SocketAddr = format!("{}:{}", fields[4], fields[5]).parse().unwrap();
            if *first.get_or_insert(addr) != addr {
                continue;
            }
            fields[5] = &port;
            out.push_str(&fields.join(" "));
            out.push_str("\r\n");
        }
        *real.lock().unwrap() = first;
        out
    }

    /// rtcio's description as aiortc must see it.
    fn for_aiortc(&self, mut d: RTCSessionDescription) -> RTCSessionDescription {
        d.sdp = Self::rewrite(&d.sdp, &self.to_aiortc, &self.rtcio);
        d
    }

    /// aiortc's description as rtcio must see it.
    fn for_rtcio(&self, mut d: RTCSessionDescription) -> RTCSessionDescription {
        d.sdp = Self::rewrite(&d.sdp, &self.to_rtcio, &self.aiortc);
        d
    }
}

fn read_description(peer: &mut Program, prefix: &str) -> RTCSessionDescription {
    let line = tokio::task::block_in_place(|| {
        peer.expect_line(prefix, |l| l.starts_with(&format!("{prefix} ")), STEP)
    });
    serde_json::from_str(&line[prefix.len() + 1..]).expect("a description as JSON")
}

fn write_description(peer: &mut Program, d: &RTCSessionDescription) {
    let prefix = match d.sdp_type {
        RTCSdpType::Offer => "offer",
        _ => "answer",
    };
    let line = format!(
        "{prefix} {}",
        serde_json::to_string(d).expect("serializable")
    );
    tokio::task::block_in_place(|| peer.write_line(&line));
}

/// One session: who offers, which video codec aiortc prefers (`vp8`, `h264`).
async fn run(rtcio_offers: bool, video_codec: &str) {
    run_through(rtcio_offers, video_codec, None, Echo::Rtp).await;
}

/// [`run`], through a [`LossyRelay`] dropping every `loss_every`-th RTP packet when given.
async fn run_through(rtcio_offers: bool, video_codec: &str, loss_every: Option<u64>, how: Echo) {
    let relay = match loss_every {
        Some(every) => Some(LossyRelay::start(every).await),
        None => None,
    };
    let to_aiortc = |d: RTCSessionDescription| match &relay {
        Some(r) => r.for_aiortc(d),
        None => d,
    };
    let to_rtcio = |d: RTCSessionDescription| match &relay {
        Some(r) => r.for_rtcio(d),
        None => d,
    };
    let role = if rtcio_offers { "answer" } else { "offer" };
    let patience = AIORTC_PATIENCE.as_secs().to_string();
    let (video, audio) = (VIDEO_FRAMES.to_string(), AUDIO_FRAMES.to_string());
    let mut peer = Program::aiortc(
        "media_peer.py",
        &[
            role,
            "--video-codec",
            video_codec,
            "--video",
            &video,
            "--audio",
            &audio,
            "--timeout",
            &patience,
        ],
    );
    let pc = RTCPeerConnection::new(loopback()).await.unwrap();
    if rtcio_offers {
        // Sending tracks make the offer sendrecv; every default codec is offered and
        // aiortc's preference picks the video one.
        pc.add_track(&MediaStreamTrack::new(TrackKind::Video))
            .await
            .unwrap();
        pc.add_track(&MediaStreamTrack::new(TrackKind::Audio))
            .await
            .unwrap();
        pc.set_local_description(None).await.unwrap();
        pc.gathering_complete().await;
        write_description(&mut peer, &to_aiortc(pc.local_description().unwrap()));
        let answer = read_description(&mut peer, "answer");
        assert_eq!(answer.sdp_type, RTCSdpType::Answer);
        pc.set_remote_description(to_rtcio(answer)).await.unwrap();
    } else {
        let offer = read_description(&mut peer, "offer");
        assert_eq!(offer.sdp_type, RTCSdpType::Offer);
        pc.set_remote_description(to_rtcio(offer)).await.unwrap();
        // A sending track on each offered transceiver makes the answer sendrecv.
        for t in pc.get_transceivers() {
            pc.add_track(&MediaStreamTrack::new(t.kind()))
                .await
                .unwrap();
        }
        pc.set_local_description(None).await.unwrap();
        pc.gathering_complete().await;
        write_description(&mut peer, &to_aiortc(pc.local_description().unwrap()));
    }
    let echoed = Echoed::default();
    let server = tokio::spawn(serve(pc.clone(), echoed.clone(), how));

    let line = tokio::task::block_in_place(|| {
        peer.expect_line("aiortc's result", |l| l.starts_with("result "), STEP)
    });
    let result: Value = serde_json::from_str(&line["result ".len()..]).unwrap();
    let transcript = peer.transcript();
    let echoed = echoed.lock().unwrap().clone();
    eprintln!("aiortc decoded {result}; rtcio echoed {echoed:?}");

    // aiortc decoded what it sent, through rtcio, at the size it sent.
    let frames = result["video_frames"].as_u64().unwrap();
    assert!(
        frames >= u64::from(VIDEO_FRAMES),
        "{frames} video frames decoded\n{transcript}"
    );
    assert_eq!(
        result["sizes"],
        serde_json::json!(["320x240"]),
        "{transcript}"
    );
    // The content changed from frame to frame as the sender made it.
    assert!(result["levels"].as_u64().unwrap() >= 8, "{result}");
    let audio_frames = result["audio_frames"].as_u64().unwrap();
    assert!(
        audio_frames >= u64::from(AUDIO_FRAMES),
        "{audio_frames} audio frames decoded\n{transcript}"
    );
    assert_eq!(result["sample_rates"], serde_json::json!([48000]));
    // The sine came back, not silence (amplitude 8000 sent).
    assert!(result["peak"].as_u64().unwrap() > 2000, "{result}");

    // rtcio's receiver reports reached aiortc's senders (SSRCs right, format understood).
    for kind in ["audio", "video"] {
        let reported = result["remote_inbound"][kind].as_u64().unwrap_or(0);
        assert!(reported > 0, "{kind} receiver reports: {result}");
    }

    // Everything echoed was of the preferred video codec, or Opus.
    let wanted = video_codec.to_ascii_uppercase();
    for ((kind, codec), n) in &echoed {
        match kind.as_str() {
            "video" => assert!(
                codec.eq_ignore_ascii_case(&wanted) || codec.eq_ignore_ascii_case("rtx"),
                "{n} video packets of {codec}, {wanted} preferred"
            ),
            _ => assert!(
                codec.eq_ignore_ascii_case("opus"),
                "{n} audio packets of {codec}"
            ),
        }
    }
    let video_packets = echoed
        .get(&("video".to_string(), wanted.clone()))
        .copied()
        .unwrap_or(0);
    assert!(video_packets >= u64::from(VIDEO_FRAMES), "{echoed:?}");

    // rtcio's own statistics saw both streams arrive.
    let stats = pc.get_stats();
    for want in ["audio", "video"] {
        let inbound = stats
            .iter()
            .find_map(|s| match &s.kind {
                StatsKind::InboundRtp { kind, stats, .. } if *kind == want => Some(stats),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {want} inbound-rtp in {stats:#?}"));
        let sent = if want == "audio" {
            AUDIO_FRAMES
        } else {
            VIDEO_FRAMES
        };
        assert!(
            inbound.packets_received >= u64::from(sent),
            "{want}: {inbound:?}"
        );
        assert!(inbound.frames_received > 0, "{want}: {inbound:?}");
        let outbound = stats
            .iter()
            .find_map(|s| match &s.kind {
                StatsKind::OutboundRtp { kind, stats, .. } if *kind == want => Some(stats),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no {want} outbound-rtp in {stats:#?}"));
        assert!(outbound.packets_sent > 0, "{want}: {outbound:?}");
    }

    // A keyframe request (PLI) from rtcio's receiver reaches aiortc's video sender.
    let video = pc
        .get_transceivers()
        .into_iter()
        .find(|t| t.kind() == TrackKind::Video)
        .expect("a video transceiver");
    // Asked again every half second: loopback may drop one.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    'pli: loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "aiortc's video sender got no PLI\n{}",
            peer.transcript()
        );
        video.receiver().request_keyframe().await.unwrap();
        let asked = tokio::time::Instant::now();
        while asked.elapsed() < Duration::from_millis(500) {
            let line = tokio::task::block_in_place(|| peer.next_line(Duration::from_millis(100)));
            if line.as_deref() == Some("pli video") {
                break 'pli;
            }
        }
    }

    if let Some(relay) = &relay {
        // The loss was repaired with RTX both ways.
        let dropped = relay.dropped.load(Ordering::Relaxed);
        assert!(dropped > 0, "the relay dropped nothing");
        let video_stats = pc.get_stats();
        let inbound = video_stats
            .iter()
            .find_map(|s| match &s.kind {
                StatsKind::InboundRtp { kind, stats, .. } if *kind == "video" => Some(stats),
                _ => None,
            })
            .unwrap();
        let outbound = video_stats
            .iter()
            .find_map(|s| match &s.kind {
                StatsKind::OutboundRtp { kind, stats, .. } if *kind == "video" => Some(stats),
                _ => None,
            })
            .unwrap();
        eprintln!("relay dropped {dropped}; rtcio inbound {inbound:?}; outbound {outbound:?}");
        assert!(
            inbound.nack_count > 0 && inbound.retransmitted_packets_received > 0,
            "aiortc repaired nothing rtcio asked for: {inbound:?}"
        );
        assert!(
            outbound.nack_count > 0 && outbound.retransmitted_packets_sent > 0,
            "rtcio repaired nothing aiortc asked for: {outbound:?}"
        );
    }

    tokio::task::block_in_place(|| {
        peer.write_line("bye");
        peer.expect_line("aiortc closing", |l| l == "closed", STEP);
        peer.wait_success(STEP);
    });
    pc.close().await;
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_offers_vp8_and_opus() {
    run(false, "vp8").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_vp8_and_opus() {
    run(true, "vp8").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_offers_h264_and_opus() {
    run(false, "h264").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_h264_and_opus() {
    run(true, "h264").await;
}

/// 5 % of the RTP each way lost on the way: aiortc and rtcio NACK, the other side resends
/// with RTX, and aiortc still decodes what it sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_vp8_with_loss_repaired_by_rtx() {
    run_through(true, "vp8", Some(20), Echo::Rtp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_offers_vp8_with_loss_repaired_by_rtx() {
    run_through(false, "vp8", Some(20), Echo::Rtp).await;
}

/// rtcio's VP8 depacketizer and packetizer between aiortc's encoder and decoder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_offers_vp8_frames_repacketized() {
    run_through(false, "vp8", None, Echo::Frames).await;
}

/// rtcio's H.264 depacketizer (FU-A, STAP-A) and packetizer between aiortc's encoder and
/// decoder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_h264_frames_repacketized() {
    run_through(true, "h264", None, Echo::Frames).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aiortc_offers_h264_frames_repacketized() {
    run_through(false, "h264", None, Echo::Frames).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtcio_offers_vp8_frames_repacketized() {
    run_through(true, "vp8", None, Echo::Frames).await;
}
