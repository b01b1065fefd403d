//! Media on tokio: `RTCRtpTransceiver`, `RTCRtpSender`, `RTCRtpReceiver`, tracks and encoded
//! frames.
//!
//! The sans-IO core negotiates, protects and routes; this layer hands each receiver its packets
//! and each sender its keyframe requests. Received packets wait per receiver in a bounded queue
//! ([`MAX_RECEIVER_QUEUE`]), and so do the frames the core's stream engine completed
//! ([`MAX_RECEIVER_FRAMES`]); a receiver nobody reads drops the oldest and counts them, so a
//! stalled application costs bounded memory. Everything is awaited, nothing calls back.

pub mod simulcast;
mod track;
mod transceiver;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rtcio_proto::media::{ReceivedRtp, TransceiverId};
use rtcio_proto::peer::PeerConnection;
use rtcio_rtp::stream::ReceiveEvent;
use tokio::sync::Notify;

pub use rtcio_proto::media::codec::default_codecs;
pub use rtcio_proto::media::{
    CodecParameters, ContributingSource as RTCRtpContributingSource, TrackKind,
};
pub use rtcio_proto::media::{
    MAX_ENCODINGS, RtcpParameters as RTCRtcpParameters, SendEncoding as RTCRtpEncodingParameters,
    SendParameters as RTCRtpSendParameters,
};
pub use rtcio_proto::media::{ReceivedRtp as RtpPacket, RtpWrite};
pub use rtcio_sdp::Direction as RTCRtpTransceiverDirection;
pub use simulcast::SimulcastReceiver;
pub use track::{Codec, EncodedFrame, FrameTiming, MediaStreamTrack, NtpTime};
pub use transceiver::{RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver};

/// The wall-clock mapping for RTCP sender reports: `now` is read together with the system
/// clock once, so SR/RR NTP times are real (browsers use them for lip sync and RTT).
pub(crate) fn ntp_clock(now: std::time::Instant) -> rtcio_rtp::stream::NtpClock {
    // Seconds from the NTP epoch (1900) to the Unix epoch (1970), RFC 5905.
    const NTP_UNIX_OFFSET: u64 = 2_208_988_800;
    let since_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    rtcio_rtp::stream::NtpClock::new(
        now,
        since_unix + std::time::Duration::from_secs(NTP_UNIX_OFFSET),
    )
}

/// Most packets waiting in one receiver; older ones are dropped first when it is full (about a
/// second of 8 Mbit/s video).
pub const MAX_RECEIVER_QUEUE: usize = 1024;

/// Most frames waiting in one receiver; older ones are dropped first when it is full (a few
/// seconds of 30 fps video).
pub const MAX_RECEIVER_FRAMES: usize = 128;

/// A receiver's packet and frame queues.
#[derive(Debug, Default)]
pub(crate) struct ReceiverQueue {
    packets: Mutex<VecDeque<ReceivedRtp>>,
    frames: Mutex<VecDeque<EncodedFrame>>,
    pub(crate) notify: Notify,
    dropped: AtomicU64,
    frames_dropped: AtomicU64,
    frames_lost: AtomicU64,
    /// Times the stream engine stopped delivering video until a keyframe (KeyframeNeeded).
    keyframes_needed: AtomicU64,
    ended: AtomicBool,
}

impl ReceiverQueue {
    fn push(&self, p: ReceivedRtp) {
        let mut q = self.packets.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= MAX_RECEIVER_QUEUE {
            q.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        q.push_back(p);
    }

    fn push_frame(&self, f: EncodedFrame) {
        let mut q = self.frames.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() >= MAX_RECEIVER_FRAMES {
            q.pop_front();
            self.frames_dropped.fetch_add(1, Ordering::Relaxed);
        }
        q.push_back(f);
    }

    pub(crate) fn pop_frame(&self) -> Option<EncodedFrame> {
        self.frames
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
    }

    pub(crate) fn frames_dropped(&self) -> u64 {
        self.frames_dropped.load(Ordering::Relaxed)
    }

    pub(crate) fn keyframes_needed(&self) -> u64 {
        self.keyframes_needed.load(Ordering::Relaxed)
    }

    pub(crate) fn frames_lost(&self) -> u64 {
        self.frames_lost.load(Ordering::Relaxed)
    }

    pub(crate) fn pop(&self) -> Option<ReceivedRtp> {
        self.packets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
    }

    pub(crate) fn ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// A sender's feedback signals.
#[derive(Debug, Default)]
pub(crate) struct SenderSignals {
    /// Keyframe requests (the core's `KeyframeRequested` events) for this sender, counted.
    pub(crate) keyframe_requests: AtomicU64,
    /// The connection's congestion-control target in bit/s (0 until transport-cc or REMB is
    /// negotiated); changes wake `notify`.
    pub(crate) target_bitrate: AtomicU64,
    pub(crate) notify: Notify,
}

/// Per-transceiver queues and signals of a connection.
#[derive(Debug, Default)]
pub(crate) struct MediaHub {
    receivers: HashMap<TransceiverId, Arc<ReceiverQueue>>,
    senders: HashMap<TransceiverId, Arc<SenderSignals>>,
    /// The target last published to the senders.
    target_bitrate: u64,
}

impl MediaHub {
    pub(crate) fn receiver(&mut self, id: TransceiverId) -> Arc<ReceiverQueue> {
        self.receivers.entry(id).or_default().clone()
    }

    pub(crate) fn sender(&mut self, id: TransceiverId) -> Arc<SenderSignals> {
        let target = self.target_bitrate;
        self.senders
            .entry(id)
            .or_insert_with(|| {
                Arc::new(SenderSignals {
                    target_bitrate: AtomicU64::new(target),
                    ..SenderSignals::default()
                })
            })
            .clone()
    }

    /// The core's congestion-control target moved (its `TargetBitrateChanged` event, about
    /// every 100 ms while the feedback moves it): publish it to the senders; encoders await it.
    pub(crate) fn set_target_bitrate(&mut self, target: u64) {
        self.target_bitrate = target;
        for s in self.senders.values() {
            s.target_bitrate.store(target, Ordering::Relaxed);
            s.notify.notify_waiters();
        }
    }

    /// A receiver's track ended: its waiters return.
    pub(crate) fn ended(&mut self, id: TransceiverId) {
        let q = self.receiver(id);
        q.ended.store(true, Ordering::Relaxed);
        q.notify.notify_waiters();
    }

    /// A receiver started (again) after a `track` event.
    pub(crate) fn started(&mut self, id: TransceiverId) {
        self.receiver(id).ended.store(false, Ordering::Relaxed);
    }

    /// The connection is over: every waiter returns, and what nobody read is released (a
    /// receiver read only through `recv_frame` leaves its packets unread, and vice versa).
    pub(crate) fn close(&mut self) {
        for q in self.receivers.values() {
            q.packets.lock().unwrap_or_else(|e| e.into_inner()).clear();
            q.frames.lock().unwrap_or_else(|e| e.into_inner()).clear();
            q.ended.store(true, Ordering::Relaxed);
            q.notify.notify_waiters();
        }
        for s in self.senders.values() {
            s.notify.notify_waiters();
        }
    }

    /// Moves what the core received into the receivers' queues and the senders' signals.
    pub(crate) fn route(&mut self, core: &mut PeerConnection) {
        let mut woken: Vec<Arc<ReceiverQueue>> = Vec::new();
        while let Some(p) = core.poll_rtp() {
            let q = self.receiver(p.transceiver);
            q.push(p);
            if !woken.iter().any(|w| Arc::ptr_eq(w, &q)) {
                woken.push(q);
            }
        }
        while let Some(f) = core.poll_frame() {
            let q = self.receiver(f.transceiver);
            match f.event {
                ReceiveEvent::Frame(frame) => q.push_frame(EncodedFrame {
                    rid: f.rid,
                    ..EncodedFrame::from(frame)
                }),
                ReceiveEvent::FrameLost { .. } => {
                    q.frames_lost.fetch_add(1, Ordering::Relaxed);
                }
                ReceiveEvent::KeyframeNeeded => {
                    q.keyframes_needed.fetch_add(1, Ordering::Relaxed);
                }
            }
            if !woken.iter().any(|w| Arc::ptr_eq(w, &q)) {
                woken.push(q);
            }
        }
        for q in woken {
            q.notify.notify_waiters();
        }
        // Raw RTCP is not part of this API (keyframe requests come as events, counts from the
        // core's stats); drained so the core's bounded queue does not count it as dropped.
        while core.poll_rtcp().is_some() {}
    }

    /// The peer asked `id`'s sender for a keyframe: its waiters wake.
    pub(crate) fn keyframe_requested(&mut self, id: TransceiverId) {
        let s = self.sender(id);
        s.keyframe_requests.fetch_add(1, Ordering::Relaxed);
        s.notify.notify_waiters();
    }
}
