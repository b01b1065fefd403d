//! `RTCRtpTransceiver`, `RTCRtpSender` and `RTCRtpReceiver`: handles on a transceiver of the
//! sans-IO core, sharing the connection's lock.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rtcio_proto::media::{
    CodecParameters, ContributingSource as RTCRtpContributingSource, FrameWrite, ReceivedRtp,
    RtpWrite, TrackKind, TransceiverId,
};
use rtcio_sdp::Direction;

use super::track::{EncodedFrame, MediaStreamTrack};
use crate::error::Error;
use crate::peer_connection::Inner;

fn closed(inner: &Inner) -> bool {
    inner.lock().core.connection_state() == rtcio_proto::peer::PeerConnectionState::Closed
}

/// W3C `RTCRtpTransceiver`. Cheap to clone; clones are the same transceiver.
#[derive(Clone)]
pub struct RTCRtpTransceiver {
    inner: Arc<Inner>,
    id: TransceiverId,
}

impl std::fmt::Debug for RTCRtpTransceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RTCRtpTransceiver")
            .field("id", &self.id)
            .field("mid", &self.mid())
            .finish()
    }
}

impl RTCRtpTransceiver {
    pub(crate) fn new(inner: Arc<Inner>, id: TransceiverId) -> RTCRtpTransceiver {
        RTCRtpTransceiver { inner, id }
    }

    fn read<R>(&self, f: impl FnOnce(&rtcio_proto::media::Transceiver) -> R) -> Option<R> {
        let st = self.inner.lock();
        st.core.transceiver(self.id).map(f)
    }

    /// The core's handle of this transceiver.
    pub fn id(&self) -> TransceiverId {
        self.id
    }

    /// W3C `mid`, once negotiated.
    pub fn mid(&self) -> Option<String> {
        self.read(|t| t.mid().map(str::to_string)).flatten()
    }

    /// `audio` or `video`.
    pub fn kind(&self) -> TrackKind {
        self.read(|t| t.kind()).unwrap_or(TrackKind::Audio)
    }

    /// W3C `direction`.
    pub fn direction(&self) -> Direction {
        self.read(|t| t.direction()).unwrap_or(Direction::Inactive)
    }

    /// W3C `direction = …` (renegotiation needed when it changes).
    pub async fn set_direction(&self, direction: Direction) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, _| core.set_transceiver_direction(id, direction))
            .await
    }

    /// W3C `currentDirection`: what the last exchange negotiated.
    pub fn current_direction(&self) -> Option<Direction> {
        self.read(|t| t.current_direction()).flatten()
    }

    /// W3C `stopped`.
    pub fn stopped(&self) -> bool {
        self.read(|t| t.stopped()).unwrap_or(true)
    }

    /// W3C `stop()`.
    pub async fn stop(&self) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, _| core.stop_transceiver(id))
            .await
    }

    /// W3C `setCodecPreferences`: codecs of [`default codecs`] in the order to offer them.
    ///
    /// [`default codecs`]: rtcio_proto::media::codec::default_codecs
    pub async fn set_codec_preferences(&self, codecs: Vec<CodecParameters>) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, _| core.set_codec_preferences(id, codecs))
            .await
    }

    /// W3C `sender`.
    pub fn sender(&self) -> RTCRtpSender {
        let signals = self.inner.lock().media.sender(self.id);
        RTCRtpSender {
            inner: self.inner.clone(),
            id: self.id,
            signals,
        }
    }

    /// W3C `receiver`.
    pub fn receiver(&self) -> RTCRtpReceiver {
        let queue = self.inner.lock().media.receiver(self.id);
        RTCRtpReceiver {
            inner: self.inner.clone(),
            id: self.id,
            queue,
        }
    }
}

/// W3C `RTCRtpSender`: sends encoded frames or RTP payloads on its transceiver.
#[derive(Clone)]
pub struct RTCRtpSender {
    inner: Arc<Inner>,
    id: TransceiverId,
    signals: Arc<super::SenderSignals>,
}

impl std::fmt::Debug for RTCRtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RTCRtpSender")
            .field("id", &self.id)
            .finish()
    }
}

impl RTCRtpSender {
    /// The transceiver this sender belongs to.
    pub fn transceiver_id(&self) -> TransceiverId {
        self.id
    }

    /// W3C `track`.
    pub fn track(&self) -> Option<MediaStreamTrack> {
        let st = self.inner.lock();
        let t = st.core.transceiver(self.id)?;
        t.sender().track.as_ref().map(|s| MediaStreamTrack {
            id: s.track_id.clone(),
            kind: t.kind(),
            stream_ids: s.stream_ids.clone(),
        })
    }

    /// W3C `replaceTrack` (no renegotiation).
    pub async fn replace_track(&self, track: Option<&MediaStreamTrack>) -> Result<(), Error> {
        let id = self.id;
        let track = track.map(MediaStreamTrack::sender_track);
        self.inner
            .with_core(|core, _| core.replace_track(id, track))
            .await
    }

    /// W3C `getStats()`: this sender's outbound-rtp objects (one per encoding) and the objects
    /// they reference (media-source, codec, remote-inbound-rtp, transport, candidate pair).
    pub fn get_stats(&self) -> Vec<rtcio_proto::peer::Stats> {
        self.inner.lock().core.sender_stats_report(self.id)
    }

    /// The negotiated codecs (W3C `getParameters().codecs`), the one used first.
    pub fn codecs(&self) -> Vec<CodecParameters> {
        let st = self.inner.lock();
        st.core
            .transceiver(self.id)
            .map(|t| t.codecs().to_vec())
            .unwrap_or_default()
    }

    /// The SSRC of the media stream.
    pub fn ssrc(&self) -> u32 {
        let st = self.inner.lock();
        st.core.transceiver(self.id).map_or(0, |t| t.sender().ssrc)
    }

    /// Sends one RTP packet: the payload with `marker` and `timestamp`; payload type of the
    /// first negotiated codec unless given. SSRC, sequence number and MID are filled in.
    pub async fn send_rtp(
        &self,
        payload_type: Option<u8>,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, now| {
                core.write_rtp(
                    now,
                    id,
                    RtpWrite {
                        payload_type,
                        marker,
                        timestamp,
                        payload,
                    },
                )
            })
            .await
    }

    /// [`send_rtp`](Self::send_rtp) on the encoding (simulcast layer) named `rid`; `None` is
    /// the first. Nothing is sent while that encoding is inactive or was not negotiated.
    pub async fn send_rtp_encoding(
        &self,
        rid: Option<&str>,
        payload_type: Option<u8>,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
    ) -> Result<(), Error> {
        let id = self.id;
        let w = RtpWrite {
            payload_type,
            marker,
            timestamp,
            payload,
        };
        self.inner
            .with_core(|core, now| core.write_rtp_layer(now, id, rid, w))
            .await
    }

    /// W3C `getParameters()`: the encodings (with `active`, `maxBitrate`,
    /// `scaleResolutionDownBy`, `maxFramerate`), negotiated codecs and header extensions, and a
    /// transaction id for [`set_parameters`](Self::set_parameters).
    pub async fn get_parameters(&self) -> Result<super::RTCRtpSendParameters, Error> {
        let id = self.id;
        self.inner
            .with_core(|core, _| core.get_parameters(id))
            .await
    }

    /// W3C `setParameters()`: takes the latest [`get_parameters`](Self::get_parameters)'s
    /// result with encodings changed (not their number or rids). An inactive encoding stops
    /// sending RTP and sender reports until reactivated; `maxBitrate` caps its part of
    /// [`encoding_target_bitrates`](Self::encoding_target_bitrates); `scaleResolutionDownBy`
    /// and `maxFramerate` are kept for the application's encoder (rtcio carries encoded
    /// frames).
    pub async fn set_parameters(
        &self,
        parameters: super::RTCRtpSendParameters,
    ) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, _| core.set_parameters(id, parameters))
            .await
    }

    /// The bit rate (bit/s) each encoding should be encoded at, in `sendEncodings` order: this
    /// sender's share of the congestion controller's target given to the active encodings
    /// lowest resolution first, each up to its `maxBitrate`, inactive ones 0. `None` until
    /// there is a target (see [`target_bitrate_changed`](Self::target_bitrate_changed) for
    /// when it moves).
    pub fn encoding_target_bitrates(&self) -> Option<Vec<u64>> {
        let st = self.inner.lock();
        st.core.encoding_target_bitrates(self.id)
    }

    /// Sends an encoded frame: the core packetizes it for the negotiated codec (which must be
    /// the frame's) to fit the MTU, with the marker and timestamp set, on the encoding its
    /// `rid` names (`None`: the first).
    pub async fn send_frame(&self, frame: &EncodedFrame) -> Result<(), Error> {
        let id = self.id;
        let w = FrameWrite {
            codec: frame.codec,
            timestamp: frame.timestamp,
            data: &frame.data,
        };
        let rid = frame.rid.as_deref();
        self.inner
            .with_core(|core, now| core.send_frame_layer(now, id, rid, w))
            .await
    }

    /// Keyframe requests (PLI, or FIR with a new sequence number) received for this sender so
    /// far; requests arriving together count once.
    pub fn keyframe_requests(&self) -> u64 {
        self.signals.keyframe_requests.load(Ordering::Relaxed)
    }

    /// NACK packets received for this sender so far (outbound-rtp `nackCount`).
    pub fn nacks(&self) -> u64 {
        let st = self.inner.lock();
        st.core
            .sender_stats(self.id)
            .map_or(0, |s| s.outbound.nack_count)
    }

    /// The congestion controller's target bitrate in bit/s for what this connection sends
    /// (transport-cc feedback or the peer's REMB): what the encoders together should produce.
    /// `None` until either is negotiated.
    pub fn target_bitrate(&self) -> Option<u64> {
        Some(self.signals.target_bitrate.load(Ordering::Relaxed)).filter(|&b| b > 0)
    }

    /// Waits until the target bitrate (bit/s, 0 while there is none) differs from `seen` (pass
    /// the last value, or 0); returns the new value, or `None` once the connection is closed.
    pub async fn target_bitrate_changed(&self, seen: u64) -> Option<u64> {
        loop {
            let notified = self.signals.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let now = self.signals.target_bitrate.load(Ordering::Relaxed);
            if now != seen {
                return Some(now);
            }
            if closed(&self.inner) {
                return None;
            }
            notified.await;
        }
    }

    /// Waits until the count of keyframe requests exceeds `seen` (pass the last value of
    /// [`keyframe_requests`](Self::keyframe_requests)); returns the new count, or `None` once
    /// the connection is closed.
    pub async fn keyframe_requested(&self, seen: u64) -> Option<u64> {
        loop {
            let notified = self.signals.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let n = self.keyframe_requests();
            if n > seen {
                return Some(n);
            }
            if closed(&self.inner) {
                return None;
            }
            notified.await;
        }
    }
}

/// W3C `RTCRtpReceiver`: the packets and frames its transceiver receives.
#[derive(Clone)]
pub struct RTCRtpReceiver {
    inner: Arc<Inner>,
    id: TransceiverId,
    queue: Arc<super::ReceiverQueue>,
}

impl std::fmt::Debug for RTCRtpReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RTCRtpReceiver")
            .field("id", &self.id)
            .finish()
    }
}

impl RTCRtpReceiver {
    /// W3C `getStats()`: this receiver's inbound-rtp objects (one per simulcast layer) and the
    /// objects they reference (codec, remote-outbound-rtp, transport, candidate pair).
    pub fn get_stats(&self) -> Vec<rtcio_proto::peer::Stats> {
        self.inner.lock().core.receiver_stats_report(self.id)
    }

    /// W3C `track`: the remote track (id and streams as the peer signalled them).
    pub fn track(&self) -> MediaStreamTrack {
        let st = self.inner.lock();
        match st.core.transceiver(self.id) {
            Some(t) => MediaStreamTrack {
                id: t.receiver().track_id.clone(),
                kind: t.kind(),
                stream_ids: t.receiver().stream_ids.clone(),
            },
            None => MediaStreamTrack {
                id: String::new(),
                kind: TrackKind::Audio,
                stream_ids: Vec::new(),
            },
        }
    }

    /// Packets dropped because nobody read them in time with [`recv_rtp`](Self::recv_rtp)
    /// (an application reading only frames sees this grow; the queue stays bounded).
    pub fn dropped(&self) -> u64 {
        self.queue.dropped()
    }

    /// The next RTP packet; `None` once the track ended or the connection closed.
    pub async fn recv_rtp(&self) -> Option<ReceivedRtp> {
        loop {
            let notified = self.queue.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(p) = self.queue.pop() {
                return Some(p);
            }
            if self.queue.ended() || closed(&self.inner) {
                return None;
            }
            notified.await;
        }
    }

    /// The next encoded frame, in order, as the core's stream engine completed it: reordered
    /// packets are put back in sequence and missing ones are NACKed and repaired by RTX within
    /// the jitter buffer's latency; frames it gives up on are counted in
    /// [`frames_lost`](Self::frames_lost). Independent of [`recv_rtp`](Self::recv_rtp), which
    /// still hands out every packet as it arrived (for forwarding). `None` once the track ended.
    pub async fn recv_frame(&self) -> Option<EncodedFrame> {
        loop {
            let notified = self.queue.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(f) = self.queue.pop_frame() {
                return Some(f);
            }
            if self.queue.ended() || closed(&self.inner) {
                return None;
            }
            notified.await;
        }
    }

    /// Loss events of the stream engine: each is one or more frames that could not be
    /// completed (NACK/RTX gave up) and were skipped by [`recv_frame`](Self::recv_frame).
    pub fn frames_lost(&self) -> u64 {
        self.queue.frames_lost()
    }

    /// Times the stream engine stopped delivering video until a keyframe arrives (a loss it
    /// could not repair, a broken frame, a delta frame first); each time it also asks the
    /// sender for one (PLI), repeated until the keyframe comes.
    pub fn keyframes_needed(&self) -> u64 {
        self.queue.keyframes_needed()
    }

    /// Waits until [`keyframes_needed`](Self::keyframes_needed) exceeds `seen` (pass the last
    /// value, or 0) and returns it: a decoder or forwarder learns its input broke and that a
    /// keyframe is on its way. `None` once the track ended or the connection closed.
    pub async fn keyframe_needed(&self, seen: u64) -> Option<u64> {
        loop {
            let notified = self.queue.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let n = self.keyframes_needed();
            if n > seen {
                return Some(n);
            }
            if self.queue.ended() || closed(&self.inner) {
                return None;
            }
            notified.await;
        }
    }

    /// Frames dropped because nobody read [`recv_frame`](Self::recv_frame) in time.
    pub fn frames_dropped(&self) -> u64 {
        self.queue.frames_dropped()
    }

    /// W3C `getSynchronizationSources()`: the SSRCs received from in the last 10 seconds,
    /// most recent first, each with its latest packet's arrival time, RTP timestamp and audio
    /// level (linear, from the RFC 6464 extension when negotiated).
    pub fn get_synchronization_sources(&self) -> Vec<RTCRtpContributingSource> {
        let st = self.inner.lock();
        st.core
            .synchronization_sources(self.id, std::time::Instant::now())
    }

    /// W3C `getContributingSources()`: the CSRCs (the sources a mixer combined into what this
    /// receiver gets) seen in the last 10 seconds, most recent first.
    pub fn get_contributing_sources(&self) -> Vec<RTCRtpContributingSource> {
        let st = self.inner.lock();
        st.core
            .contributing_sources(self.id, std::time::Instant::now())
    }

    /// Asks the sender for a keyframe (PLI) of every stream received (every simulcast layer).
    pub async fn request_keyframe(&self) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, now| core.request_keyframe(now, id, None))
            .await
    }

    /// Asks the sender for a keyframe (PLI) of simulcast layer `rid` only (an error until
    /// something of that layer arrived).
    pub async fn request_layer_keyframe(&self, rid: &str) -> Result<(), Error> {
        let id = self.id;
        self.inner
            .with_core(|core, now| core.request_keyframe(now, id, Some(rid)))
            .await
    }
}
