//! The RTP stream engines of the transceivers (`rtcio_rtp::stream`): one [`SendStream`] per
//! sender that sent (history for NACK → RTX, sender reports), one [`ReceiveStream`] per
//! received media SSRC (loss and jitter accounting, NACKs, PLI after unrecoverable loss,
//! receiver reports). Their RTCP and retransmissions leave through the media session's queue.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rtcio_rtp::RtpPacket;
use rtcio_rtp::red::red_primary;
use rtcio_rtp::rtcp::{RtcpPacket, write_compound};
use rtcio_rtp::stream::{
    NtpClock, OutgoingPacket, PacketVerdict, ReceiveConfig, ReceiveEvent, ReceiveStats,
    ReceiveStream, RedConfig, RtxConfig, SendConfig, SendEvent, SendStats, SendStream,
};

use super::codec::CodecParameters;
use super::transceiver::{Transceiver, TransceiverId};

/// The negotiated RED format of `t` at `clock_rate`: frames may arrive wrapped in it
/// (RFC 2198). Browsers put no `fmtp` on video RED, so the clock rate is what ties it to a
/// codec.
fn red_codec(t: &Transceiver, clock_rate: u32) -> Option<&CodecParameters> {
    t.codecs
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case("red") && c.clock_rate == clock_rate)
}

/// Most receive streams at once (each is one remote media SSRC; simulcast takes three per
/// transceiver). Packets of further SSRCs are still delivered, just not tracked.
pub const MAX_RECEIVE_STREAMS: usize = 64;

/// Most frame events (frames completed by the jitter buffer, frames lost) waiting to be read
/// across all receive streams; more are dropped and counted. At 30 fps on a few streams this
/// is several seconds of video.
pub const MAX_PENDING_FRAMES: usize = 512;

/// What a receive stream's jitter buffer produced for a transceiver's receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFrameEvent {
    /// The transceiver whose receiver the stream belongs to.
    pub transceiver: TransceiverId,
    /// The media SSRC of the stream.
    pub ssrc: u32,
    /// The simulcast layer (rid) of the stream, if the transceiver receives simulcast.
    pub rid: Option<String>,
    /// The frame, or the frames lost (in order, after NACK/RTX repair or giving up).
    pub event: ReceiveEvent,
}

/// How a receiver asked for a keyframe (RFC 4585 §6.3.1, RFC 5104 §4.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyframeRequestKind {
    /// Picture Loss Indication.
    Pli,
    /// Full Intra Request (a new sequence number; retransmitted FIRs are not new requests).
    Fir,
}

/// The stream engines of a media session.
#[derive(Debug, Default)]
pub(crate) struct Streams {
    clock: Option<NtpClock>,
    /// Per (transceiver, encoding index).
    send: HashMap<(TransceiverId, usize), SendStream>,
    /// Encodings made inactive (W3C `active = false`): their streams keep their history and
    /// counters but send no reports.
    send_inactive: Vec<(TransceiverId, usize)>,
    receive: HashMap<u32, Receiving>,
    /// Receive streams not created because [`MAX_RECEIVE_STREAMS`] were live.
    pub(crate) receive_streams_refused: u64,
    /// Frame events waiting to be read (at most [`MAX_PENDING_FRAMES`]).
    frames: VecDeque<ReceivedFrameEvent>,
    /// Frame events dropped because [`MAX_PENDING_FRAMES`] were waiting.
    pub(crate) frames_dropped: u64,
    /// Keyframe requests the send streams took from PLI/FIR, not yet collected (at most one per
    /// send stream: the engine merges requests until polled).
    keyframe_requests: Vec<(TransceiverId, usize, KeyframeRequestKind)>,
}

/// One received media SSRC: its transceiver, layer and engine.
#[derive(Debug)]
struct Receiving {
    transceiver: TransceiverId,
    rid: Option<String>,
    stream: ReceiveStream,
}

/// A packet the engines want sent: RTP (retransmission) or an RTCP compound.
pub(crate) struct StreamOutput {
    pub(crate) data: Vec<u8>,
    pub(crate) rtcp: bool,
}

impl Streams {
    /// The wall-clock mapping for SR/RR NTP fields; without one, the first `now` seen counts
    /// as NTP time zero plus 70 years (only differences between our own timestamps matter for
    /// RTT, and lip sync needs consistency, not accuracy).
    pub(crate) fn set_clock(&mut self, clock: NtpClock) {
        self.clock = Some(clock);
    }

    fn clock(&mut self, now: Instant) -> NtpClock {
        *self
            .clock
            .get_or_insert_with(|| NtpClock::new(now, Duration::from_secs(70 * 365 * 86_400)))
    }

    /// Records a packet encoding `layer` of `t`'s sender sent (for retransmission and sender
    /// reports).
    pub(crate) fn on_sent(
        &mut self,
        now: Instant,
        t: &Transceiver,
        layer: usize,
        packet: &RtpPacket<'_>,
    ) {
        let clock = self.clock(now);
        let Some(l) = t.sender.encodings.get(layer) else {
            return;
        };
        let stream = self.send.entry((t.id, layer)).or_insert_with(|| {
            let codec = t
                .codecs
                .iter()
                .find(|c| c.payload_type == packet.header.payload_type);
            let mut config = SendConfig::new(
                l.ssrc,
                packet.header.payload_type,
                codec.map_or(90_000, |c| c.clock_rate),
                clock,
            );
            config.rtx = codec
                .and_then(|c| c.rtx_payload_type)
                .map(|payload_type| RtxConfig {
                    ssrc: l.rtx_ssrc,
                    payload_type,
                });
            config.rtx_initial_sequence = l.sequence.wrapping_mul(7).wrapping_add(1);
            SendStream::new(config)
        });
        stream.handle_sent(now, packet);
    }

    /// Feeds a received packet (as it arrived: RTX still wrapped) of `t` whose media SSRC is
    /// `media_ssrc`, of simulcast layer `rid` if known.
    pub(crate) fn on_received(
        &mut self,
        now: Instant,
        t: &Transceiver,
        media_ssrc: u32,
        rid: Option<&str>,
        packet: &RtpPacket<'_>,
    ) -> Option<PacketVerdict> {
        if !self.receive.contains_key(&media_ssrc) {
            // Created by a media packet: its payload type names the codec (inside RED, the
            // primary block's; a stream does not start on an FEC packet).
            if packet.header.ssrc != media_ssrc {
                return None;
            }
            let mut pt = packet.header.payload_type;
            if t.codecs
                .iter()
                .any(|c| c.payload_type == pt && c.name.eq_ignore_ascii_case("red"))
            {
                pt = red_primary(packet.payload)?.0;
            }
            let c = t.codecs.iter().find(|c| c.payload_type == pt)?;
            let codec = c.rtp_codec()?;
            if self.receive.len() >= MAX_RECEIVE_STREAMS {
                self.receive_streams_refused += 1;
                return None;
            }
            let clock = self.clock(now);
            let mut config =
                ReceiveConfig::new(media_ssrc, codec, c.payload_type, t.sender.ssrc, clock);
            config.clock_rate = c.clock_rate;
            config.nack = c.has_feedback("nack", None);
            let rtx_ssrc = t
                .receiver
                .remote_rtx
                .iter()
                .find(|(m, _)| *m == media_ssrc)
                .map(|(_, r)| *r);
            config.rtx = c
                .rtx_payload_type
                .zip(rtx_ssrc)
                .map(|(payload_type, ssrc)| RtxConfig { ssrc, payload_type });
            config.red = red_codec(t, c.clock_rate).map(|red| RedConfig {
                payload_type: red.payload_type,
                rtx_payload_type: red.rtx_payload_type,
                ulpfec_payload_type: t
                    .codecs
                    .iter()
                    .find(|u| u.name.eq_ignore_ascii_case("ulpfec") && u.clock_rate == c.clock_rate)
                    .map(|u| u.payload_type),
            });
            let r = Receiving {
                transceiver: t.id,
                rid: rid.map(str::to_string),
                stream: ReceiveStream::new(config, now),
            };
            self.receive.insert(media_ssrc, r);
        }
        let r = self.receive.get_mut(&media_ssrc)?;
        let ssrc = packet.header.ssrc;
        if ssrc != media_ssrc && !r.stream.accepts_ssrc(ssrc) {
            // An RTX SSRC not signalled (simulcast names none): learned from the
            // repaired-rid or FID that tied it to this stream.
            let pt = packet.header.payload_type;
            if t.codecs.iter().any(|c| c.rtx_payload_type == Some(pt)) {
                // The RTX format of the media codec: the stream knows RED's by itself.
                let media_pt = r.stream.config().payload_type;
                let payload_type = t
                    .codecs
                    .iter()
                    .find(|c| c.payload_type == media_pt)
                    .and_then(|c| c.rtx_payload_type)
                    .unwrap_or(pt);
                r.stream.set_rtx(RtxConfig { ssrc, payload_type });
            }
        }
        if r.rid.is_none() && rid.is_some() {
            r.rid = rid.map(str::to_string);
        }
        let verdict = r.stream.handle_rtp(now, packet);
        drain_events(r, media_ssrc, &mut self.frames, &mut self.frames_dropped);
        Some(verdict)
    }

    /// Padding of about `bytes` bytes for a bandwidth probe from the send stream of `id`'s
    /// encoding `layer` (see [`SendStream::generate_padding`]); empty before it sent media.
    pub(crate) fn padding(
        &mut self,
        now: Instant,
        (id, layer): (TransceiverId, usize),
        bytes: usize,
        media_sequence: u16,
    ) -> Vec<OutgoingPacket> {
        self.send
            .get_mut(&(id, layer))
            .map(|s| s.generate_padding(now, bytes, media_sequence))
            .unwrap_or_default()
    }

    /// Whether the send stream of `id`'s encoding `layer` exists and retransmits over RTX.
    pub(crate) fn sends_with_rtx(&self, id: TransceiverId, layer: usize) -> Option<bool> {
        self.send
            .get(&(id, layer))
            .map(|s| s.config().rtx.is_some())
    }

    /// Feeds an RTCP packet to every stream it may concern (they check the SSRCs).
    pub(crate) fn on_rtcp(&mut self, now: Instant, packet: &RtcpPacket) {
        for s in self.send.values_mut() {
            s.handle_rtcp(now, packet);
        }
        for r in self.receive.values_mut() {
            r.stream.handle_rtcp(now, packet);
        }
    }

    /// Drives the timers due at `now`.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        for (key, s) in &mut self.send {
            if !self.send_inactive.contains(key) && s.poll_timeout().is_some_and(|t| t <= now) {
                s.handle_timeout(now);
            }
        }
        for (ssrc, r) in &mut self.receive {
            if r.stream.poll_timeout().is_some_and(|t| t <= now) {
                r.stream.handle_timeout(now);
            }
            drain_events(r, *ssrc, &mut self.frames, &mut self.frames_dropped);
        }
    }

    /// The earliest timer.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let send = self
            .send
            .iter()
            .filter(|(key, _)| !self.send_inactive.contains(key))
            .filter_map(|(_, s)| s.poll_timeout());
        let recv = self
            .receive
            .values()
            .filter_map(|r| r.stream.poll_timeout());
        send.chain(recv).min()
    }

    /// Retransmissions and RTCP the engines want sent now.
    pub(crate) fn poll_output(&mut self, now: Instant, out: &mut Vec<StreamOutput>) {
        for (key, s) in &mut self.send {
            if self.send_inactive.contains(key) {
                continue;
            }
            while let Some(p) = s.poll_retransmit(now) {
                if let Ok(data) = p.to_bytes() {
                    out.push(StreamOutput { data, rtcp: false });
                }
            }
            while let Some(SendEvent::KeyframeRequested { fir }) = s.poll_event() {
                let kind = if fir {
                    KeyframeRequestKind::Fir
                } else {
                    KeyframeRequestKind::Pli
                };
                self.keyframe_requests.push((key.0, key.1, kind));
            }
            while let Some(packets) = s.poll_rtcp(now) {
                push_rtcp(&packets, out);
            }
        }
        for r in self.receive.values_mut() {
            while let Some(packets) = r.stream.poll_rtcp(now) {
                push_rtcp(&packets, out);
            }
        }
    }

    /// Forgets the streams of a stopped transceiver (and its unread frames).
    pub(crate) fn remove(&mut self, id: TransceiverId) {
        self.send.retain(|(t, _), _| *t != id);
        self.send_inactive.retain(|(t, _)| *t != id);
        self.receive.retain(|_, r| r.transceiver != id);
        self.frames.retain(|f| f.transceiver != id);
    }

    /// The keyframe requests for the senders since the last call.
    pub(crate) fn take_keyframe_requests(
        &mut self,
    ) -> Vec<(TransceiverId, usize, KeyframeRequestKind)> {
        std::mem::take(&mut self.keyframe_requests)
    }

    /// The next frame event of any receive stream, in the order they were produced.
    pub(crate) fn poll_frame(&mut self) -> Option<ReceivedFrameEvent> {
        self.frames.pop_front()
    }

    /// Send statistics of `id`'s sender, once it sent.
    pub(crate) fn send_stats(&self, id: TransceiverId) -> Option<SendStats> {
        self.send.get(&(id, 0)).map(SendStream::stats)
    }

    /// Send statistics of every encoding of `id`'s sender that sent, by encoding index.
    pub(crate) fn send_layer_stats(&self, id: TransceiverId) -> Vec<(usize, SendStats)> {
        let mut v: Vec<(usize, SendStats)> = self
            .send
            .iter()
            .filter(|((t, _), _)| *t == id)
            .map(|((_, layer), s)| (*layer, s.stats()))
            .collect();
        v.sort_by_key(|(layer, _)| *layer);
        v
    }

    /// W3C `active`: an inactive encoding's stream is not driven (no sender reports, no
    /// retransmissions) until it is active again.
    pub(crate) fn set_send_active(&mut self, id: TransceiverId, layer: usize, active: bool) {
        self.send_inactive.retain(|k| *k != (id, layer));
        if !active {
            self.send_inactive.push((id, layer));
        }
    }

    /// Receive statistics of every stream of `id`, by SSRC.
    pub(crate) fn receive_stats(&self, id: TransceiverId) -> Vec<(u32, ReceiveStats)> {
        self.receive
            .iter()
            .filter(|(_, r)| r.transceiver == id)
            .map(|(ssrc, r)| (*ssrc, r.stream.stats()))
            .collect()
    }

    /// The simulcast layer of the received media SSRC `ssrc`, if it has one.
    pub(crate) fn receive_rid(&self, ssrc: u32) -> Option<&str> {
        self.receive.get(&ssrc).and_then(|r| r.rid.as_deref())
    }
}

/// Moves a stream's frame events into the bounded queue the receivers read.
fn drain_events(
    r: &mut Receiving,
    ssrc: u32,
    frames: &mut VecDeque<ReceivedFrameEvent>,
    dropped: &mut u64,
) {
    while let Some(event) = r.stream.poll_event() {
        if frames.len() >= MAX_PENDING_FRAMES {
            *dropped += 1;
            continue;
        }
        frames.push_back(ReceivedFrameEvent {
            transceiver: r.transceiver,
            ssrc,
            rid: r.rid.clone(),
            event,
        });
    }
}

fn push_rtcp(packets: &[RtcpPacket], out: &mut Vec<StreamOutput>) {
    if let Ok(data) = write_compound(packets) {
        out.push(StreamOutput { data, rtcp: true });
    }
}
