//! [`SendStream`]: the sender side of one media SSRC (history, retransmission, reports).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::history::{DEFAULT_HISTORY_AGE, DEFAULT_HISTORY_PACKETS, History};
use super::stats::SendStats;
use super::{DEFAULT_RTT, NtpClock, RtxConfig, to_ntp_short};
use crate::packet::write_packet;
use crate::rtcp::{DlrrItem, ExtendedReport, ReportBlock, RtcpPacket, SenderReport, XrBlock};
use crate::{RtpError, RtpHeader, RtpPacket};

/// Most sequence numbers taken from one NACK; the rest are dropped and counted (a parsed NACK
/// names at most 4352, a hostile caller-built one any number).
pub const MAX_NACKED_PER_FEEDBACK: usize = 1024;

/// Most retransmissions waiting for the rate limiter; requests beyond are dropped and counted.
pub const MAX_PENDING_RETRANSMISSIONS: usize = 1024;

/// Most padding bytes one padding-only packet carries: RFC 3550's padding count is one byte, and
/// the count byte itself is part of the padding.
pub const MAX_PADDING_PACKET_BYTES: usize = 255;

/// Most packets one [`SendStream::generate_padding`] call makes (bounds the work and the burst
/// a single request can cause).
pub const MAX_PADDING_PACKETS: usize = 16;

/// The rate limiter's bucket holds this much time's worth of its rate, so a burst of NACKs after
/// a loss burst is answered at once.
const RETRANSMIT_BURST: Duration = Duration::from_millis(250);

/// How a [`SendStream`] is set up.
#[derive(Debug, Clone)]
pub struct SendConfig {
    /// The media SSRC.
    pub ssrc: u32,
    /// The media payload type.
    pub payload_type: u8,
    /// The RTP clock rate.
    pub clock_rate: u32,
    /// The RTX stream to retransmit on; without it, packets are resent as they were.
    pub rtx: Option<RtxConfig>,
    /// First RTX sequence number (RFC 3550 wants it random; the caller draws it).
    pub rtx_initial_sequence: u16,
    /// The caller's wall-clock mapping, for SR NTP times.
    pub clock: NtpClock,
    /// Packets kept for retransmission, at most [`MAX_HISTORY_PACKETS`](super::MAX_HISTORY_PACKETS).
    pub history_packets: usize,
    /// Age after which a packet is no longer retransmitted.
    pub history_age: Duration,
    /// Interval between sender reports.
    pub rtcp_interval: Duration,
    /// Retransmission rate limit in bits per second (headers included).
    pub max_retransmit_bitrate: u64,
}

impl SendConfig {
    /// Defaults: no RTX, [`DEFAULT_HISTORY_PACKETS`] packets for at most
    /// [`DEFAULT_HISTORY_AGE`], an SR every second, retransmissions up to 2 Mbit/s.
    pub fn new(ssrc: u32, payload_type: u8, clock_rate: u32, clock: NtpClock) -> Self {
        Self {
            ssrc,
            payload_type,
            clock_rate,
            rtx: None,
            rtx_initial_sequence: 0,
            clock,
            history_packets: DEFAULT_HISTORY_PACKETS,
            history_age: DEFAULT_HISTORY_AGE,
            rtcp_interval: Duration::from_secs(1),
            max_retransmit_bitrate: 2_000_000,
        }
    }
}

/// An RTP packet to send (before SRTP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingPacket {
    /// The header (for RTX: the RTX SSRC, payload type and sequence number).
    pub header: RtpHeader,
    /// The payload (for RTX: the original sequence number, then the original payload).
    pub payload: Vec<u8>,
    /// RFC 3550 padding bytes after the payload, the count byte included (0: none). Only
    /// padding-only probe packets carry any.
    pub padding: u8,
}

impl OutgoingPacket {
    /// The serialized packet.
    pub fn to_bytes(&self) -> Result<Vec<u8>, RtpError> {
        write_packet(&self.header, &self.payload, self.padding)
    }

    /// Bytes on the wire (header, payload and padding), before SRTP.
    pub fn wire_len(&self) -> usize {
        self.header.wire_len() + self.payload.len() + usize::from(self.padding)
    }
}

/// What a [`SendStream`] tells the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendEvent {
    /// The receiver asked for a keyframe (PLI, or FIR when `fir`): the encoder should make the
    /// next frame one. Requests arriving before this event is polled are merged into it.
    KeyframeRequested {
        /// The request was a FIR (RFC 5104) rather than a PLI.
        fir: bool,
    },
}

/// The send side of one media SSRC. See the [module documentation](super).
#[derive(Debug)]
pub struct SendStream {
    config: SendConfig,
    history: History,
    queue: VecDeque<u64>,
    rtx_sequence: u16,
    tokens: f64,
    last_refill: Option<Instant>,
    rtt: Option<Duration>,
    keyframe_request: Option<bool>,
    last_fir: Option<(u32, u8)>,
    last_rtp: Option<(u32, Instant)>,
    packet_count: u32,
    octet_count: u32,
    next_sr: Option<Instant>,
    /// The last XR receiver reference time: reporter, compact NTP time, arrival.
    rrtr: Option<(u32, u32, Instant)>,
    stats: SendStats,
}

impl SendStream {
    /// A stream that has sent nothing yet.
    pub fn new(config: SendConfig) -> Self {
        Self {
            history: History::new(config.history_packets, config.history_age),
            queue: VecDeque::new(),
            rtx_sequence: config.rtx_initial_sequence,
            tokens: 0.0,
            last_refill: None,
            rtt: None,
            keyframe_request: None,
            last_fir: None,
            last_rtp: None,
            packet_count: 0,
            octet_count: 0,
            next_sr: None,
            rrtr: None,
            stats: SendStats::default(),
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SendConfig {
        &self.config
    }

    /// The measured RTT (from report blocks), if any.
    pub fn rtt(&self) -> Option<Duration> {
        self.rtt
    }

    /// Records a media packet the caller sent (after building it, before SRTP): it enters the
    /// history and the counters. Packets of another SSRC are ignored (returns false).
    pub fn handle_sent(&mut self, now: Instant, packet: &RtpPacket<'_>) -> bool {
        let h = &packet.header;
        if h.ssrc != self.config.ssrc {
            return false;
        }
        let s = &mut self.stats.outbound;
        s.packets_sent += 1;
        s.bytes_sent += packet.payload.len() as u64;
        s.header_bytes_sent += h.wire_len() as u64 + u64::from(packet.padding);
        self.packet_count = self.packet_count.wrapping_add(1);
        self.octet_count = self.octet_count.wrapping_add(packet.payload.len() as u32);
        self.last_rtp = Some((h.timestamp, now));
        self.next_sr.get_or_insert(now);
        if !packet.payload.is_empty() {
            self.history.insert(now, h.clone(), packet.payload);
        }
        true
    }

    /// Feeds one RTCP packet from the remote side: NACK, PLI and FIR for this SSRC, report
    /// blocks about it (in SR or RR), XR receiver reference times. Returns whether it was used.
    pub fn handle_rtcp(&mut self, now: Instant, packet: &RtcpPacket) -> bool {
        let ssrc = self.config.ssrc;
        match packet {
            RtcpPacket::Nack(n) if n.media_ssrc == ssrc => {
                self.stats.outbound.nack_count += 1;
                let mut lost = n.lost();
                for seq in lost.by_ref().take(MAX_NACKED_PER_FEEDBACK) {
                    self.handle_nacked(now, seq);
                }
                self.stats.outbound.nacked_dropped += lost.count() as u64;
                true
            }
            RtcpPacket::Pli(p) if p.media_ssrc == ssrc => {
                self.stats.outbound.pli_count += 1;
                self.keyframe_request.get_or_insert(false);
                true
            }
            RtcpPacket::Fir(f) => {
                let mut used = false;
                for e in f.entries.iter().filter(|e| e.ssrc == ssrc) {
                    used = true;
                    // RFC 5104 section 4.3.1.2: a repeated sequence number is a retransmission
                    // of the same request, not a new one.
                    if self.last_fir != Some((f.sender_ssrc, e.seq_nr)) {
                        self.last_fir = Some((f.sender_ssrc, e.seq_nr));
                        self.stats.outbound.fir_count += 1;
                        self.keyframe_request = Some(true);
                    }
                }
                used
            }
            RtcpPacket::ReceiverReport(rr) => self.handle_blocks(now, &rr.reports),
            RtcpPacket::SenderReport(sr) => self.handle_blocks(now, &sr.reports),
            RtcpPacket::ExtendedReport(xr) => {
                let mut used = false;
                for b in &xr.blocks {
                    if let XrBlock::Rrtr { ntp_time } = b {
                        self.rrtr = Some((xr.ssrc, ntp_time.middle_32(), now));
                        used = true;
                    }
                }
                used
            }
            _ => false,
        }
    }

    fn handle_nacked(&mut self, now: Instant, seq: u16) {
        let ext = self.history.ext(seq);
        let rtt = self.rtt.unwrap_or(DEFAULT_RTT);
        let queue_full = self.queue.len() >= MAX_PENDING_RETRANSMISSIONS;
        let s = &mut self.stats.outbound;
        let Some(p) = self.history.get_mut(ext) else {
            s.nacked_unknown += 1;
            return;
        };
        if p.queued || p.last_resent.is_some_and(|t| now < t + rtt) {
            s.nacked_too_soon += 1;
            return;
        }
        if queue_full {
            s.nacked_dropped += 1;
            return;
        }
        p.queued = true;
        self.queue.push_back(ext);
    }

    fn handle_blocks(&mut self, now: Instant, blocks: &[ReportBlock]) -> bool {
        let mut used = false;
        for b in blocks.iter().filter(|b| b.ssrc == self.config.ssrc) {
            used = true;
            let r = &mut self.stats.remote_inbound;
            r.reports_received += 1;
            r.packets_lost = i64::from(b.cumulative_lost);
            r.fraction_lost = f64::from(b.fraction_lost) / 256.0;
            r.jitter = f64::from(b.jitter) / f64::from(self.config.clock_rate.max(1));
            if let Some(rtt) = b.round_trip_time(self.config.clock.ntp(now)) {
                self.rtt = Some(rtt);
                r.round_trip_time = Some(rtt);
                r.total_round_trip_time += rtt;
                r.round_trip_time_measurements += 1;
            }
        }
        used
    }

    /// The rate limit in bytes per second and the bucket size.
    fn bucket(&self) -> (f64, f64) {
        let rate = (self.config.max_retransmit_bitrate as f64 / 8.0).max(1.0);
        (rate, rate * RETRANSMIT_BURST.as_secs_f64())
    }

    fn refill(&mut self, now: Instant) {
        let (rate, cap) = self.bucket();
        let elapsed = self
            .last_refill
            .map_or(RETRANSMIT_BURST, |t| now.saturating_duration_since(t));
        self.tokens = (self.tokens + rate * elapsed.as_secs_f64()).min(cap);
        self.last_refill = Some(now);
    }

    /// The bytes a retransmission of `p` costs, and the tokens needed before it may leave: its
    /// cost, or a full bucket for a packet larger than the bucket (it then leaves the bucket in
    /// debt rather than never).
    fn cost(&self, header_len: usize, payload_len: usize) -> (f64, f64) {
        let cost = (header_len + payload_len + 2) as f64;
        (cost, cost.min(self.bucket().1))
    }

    /// The next retransmission to send, if one is queued and the rate limit allows it now:
    /// an RTX packet (RFC 4588 section 4) or, without RTX, the original packet again.
    pub fn poll_retransmit(&mut self, now: Instant) -> Option<OutgoingPacket> {
        self.history.expire(now);
        self.refill(now);
        while let Some(&ext) = self.queue.front() {
            let Some(p) = self.history.get(ext) else {
                // Expired while queued.
                self.queue.pop_front();
                self.stats.outbound.nacked_unknown += 1;
                continue;
            };
            let (cost, needed) = self.cost(p.header.wire_len(), p.payload.len());
            if self.tokens < needed {
                return None;
            }
            self.tokens -= cost;
            self.queue.pop_front();
            let Some(p) = self.history.get_mut(ext) else {
                continue; // checked above
            };
            p.queued = false;
            p.last_resent = Some(now);
            let payload_len = p.payload.len() as u64;
            let out = match self.config.rtx {
                Some(rtx) => {
                    let mut header = p.header.clone();
                    header.ssrc = rtx.ssrc;
                    header.payload_type = rtx.payload_type;
                    header.sequence_number = self.rtx_sequence;
                    self.rtx_sequence = self.rtx_sequence.wrapping_add(1);
                    let mut payload = Vec::with_capacity(p.payload.len() + 2);
                    payload.extend_from_slice(&p.header.sequence_number.to_be_bytes());
                    payload.extend_from_slice(&p.payload);
                    OutgoingPacket {
                        header,
                        payload,
                        padding: 0,
                    }
                }
                None => OutgoingPacket {
                    header: p.header.clone(),
                    payload: p.payload.clone(),
                    padding: 0,
                },
            };
            self.stats.outbound.retransmitted_packets_sent += 1;
            self.stats.outbound.retransmitted_bytes_sent += payload_len;
            return Some(out);
        }
        None
    }

    /// Packets of about `bytes` bytes in all (at least one packet, at most
    /// [`MAX_PADDING_PACKETS`]) for a bandwidth probe, sent at once by the caller:
    ///
    /// - with RTX, recent history packets not yet used this way, as RTX retransmissions
    ///   ("redundant payload": the bytes may still help a receiver that lost the original),
    ///   then padding-only RTX packets (RFC 4588 §4 with RFC 3550 padding and no OSN);
    /// - without RTX, padding-only packets on the media SSRC, numbered from `media_sequence`
    ///   on (the caller advances its media sequence by the packets of the media SSRC returned).
    ///
    /// Nothing before the first media packet (the receiver would have no stream to put them
    /// in). Padding bypasses the retransmission rate limit: the pacer that asks for it paces it.
    pub fn generate_padding(
        &mut self,
        now: Instant,
        bytes: usize,
        media_sequence: u16,
    ) -> Vec<OutgoingPacket> {
        let mut out = Vec::new();
        let Some((timestamp, _)) = self.last_rtp else {
            return out;
        };
        self.history.expire(now);
        let mut left = bytes.max(1);
        if let Some(rtx) = self.config.rtx {
            while out.len() < MAX_PADDING_PACKETS {
                let Some(p) = self.history.take_newest_unpadded() else {
                    break;
                };
                let mut header = p.header.clone();
                header.ssrc = rtx.ssrc;
                header.payload_type = rtx.payload_type;
                header.sequence_number = self.rtx_sequence;
                self.rtx_sequence = self.rtx_sequence.wrapping_add(1);
                let mut payload = Vec::with_capacity(p.payload.len() + 2);
                payload.extend_from_slice(&p.header.sequence_number.to_be_bytes());
                payload.extend_from_slice(&p.payload);
                let packet = OutgoingPacket {
                    header,
                    payload,
                    padding: 0,
                };
                let s = &mut self.stats.outbound;
                s.redundant_packets_sent += 1;
                s.redundant_bytes_sent += packet.wire_len() as u64;
                left = left.saturating_sub(packet.wire_len());
                out.push(packet);
                if left == 0 {
                    return out;
                }
            }
        }
        let mut sequence = media_sequence;
        while left > 0 && out.len() < MAX_PADDING_PACKETS {
            let mut header = RtpHeader {
                payload_type: self.config.payload_type,
                timestamp,
                ssrc: self.config.ssrc,
                ..Default::default()
            };
            match self.config.rtx {
                Some(rtx) => {
                    header.ssrc = rtx.ssrc;
                    header.payload_type = rtx.payload_type;
                    header.sequence_number = self.rtx_sequence;
                    self.rtx_sequence = self.rtx_sequence.wrapping_add(1);
                }
                None => {
                    header.sequence_number = sequence;
                    sequence = sequence.wrapping_add(1);
                    // Part of the media stream's sequence: counted in the SR's packet count.
                    self.packet_count = self.packet_count.wrapping_add(1);
                }
            }
            let padding = left.clamp(1, MAX_PADDING_PACKET_BYTES) as u8;
            let packet = OutgoingPacket {
                header,
                payload: Vec::new(),
                padding,
            };
            let s = &mut self.stats.outbound;
            s.padding_packets_sent += 1;
            s.padding_bytes_sent += packet.wire_len() as u64;
            left = left.saturating_sub(packet.wire_len());
            out.push(packet);
        }
        out
    }

    /// The next keyframe request, if any.
    pub fn poll_event(&mut self) -> Option<SendEvent> {
        self.keyframe_request
            .take()
            .map(|fir| SendEvent::KeyframeRequested { fir })
    }

    /// The next RTCP compound to send, if one is due: an SR every `rtcp_interval` once media
    /// flows (the first right after the first packet, for early lip sync), with an XR DLRR
    /// answering the receiver's last reference time.
    pub fn poll_rtcp(&mut self, now: Instant) -> Option<Vec<RtcpPacket>> {
        let due = self.next_sr.is_some_and(|t| now >= t);
        let (ts, at) = self.last_rtp?;
        if !due {
            return None;
        }
        self.next_sr = Some(now + self.config.rtcp_interval);
        let elapsed = now.saturating_duration_since(at);
        let ticks = elapsed.as_nanos() * u128::from(self.config.clock_rate) / 1_000_000_000;
        let mut out = vec![RtcpPacket::SenderReport(SenderReport {
            ssrc: self.config.ssrc,
            ntp_time: self.config.clock.ntp(now),
            rtp_time: ts.wrapping_add(ticks as u32),
            packet_count: self.packet_count,
            octet_count: self.octet_count,
            ..Default::default()
        })];
        if let Some((ssrc, last_rr, arrival)) = self.rrtr {
            out.push(RtcpPacket::ExtendedReport(ExtendedReport {
                ssrc: self.config.ssrc,
                blocks: vec![XrBlock::Dlrr(vec![DlrrItem {
                    ssrc,
                    last_rr,
                    delay_since_last_rr: to_ntp_short(now.saturating_duration_since(arrival)),
                }])],
            }));
        }
        Some(out)
    }

    /// When [`SendStream::handle_timeout`] (then `poll_rtcp`/`poll_retransmit`) should run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let retransmit = self.queue.front().and_then(|&ext| {
            let last = self.last_refill?;
            let p = self.history.get(ext)?;
            let (_, needed) = self.cost(p.header.wire_len(), p.payload.len());
            let missing = (needed - self.tokens).max(0.0);
            // Rounded up (plus a microsecond against float error) so that the bucket is
            // really full enough when the timer fires.
            let micros = (missing / self.bucket().0 * 1e6).ceil() as u64 + 1;
            Some(last + Duration::from_micros(micros))
        });
        [self.next_sr, retransmit].into_iter().flatten().min()
    }

    /// Timers: expires old history.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.history.expire(now);
    }

    /// The stats as of now.
    pub fn stats(&self) -> SendStats {
        let mut s = self.stats.clone();
        s.outbound.ssrc = self.config.ssrc;
        s
    }

    /// Retransmissions waiting for the rate limiter (at most [`MAX_PENDING_RETRANSMISSIONS`]).
    pub fn pending_retransmissions(&self) -> usize {
        self.queue.len()
    }

    /// Packets in the history (at most the configured `history_packets`).
    pub fn history_len(&self) -> usize {
        self.history.len()
    }
}
