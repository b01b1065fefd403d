//! [`ReceiveStream`]: everything between received RTP packets of one SSRC and decodable frames.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::jitter::{Insert, JitterBuffer, Pop, Stored};
use super::nack::NackList;
use super::report::{LastSr, Reception};
use super::stats::{ReceiveStats, RemoteOutboundRtpStats};
use super::{DEFAULT_RTT, NtpClock, RtxConfig};
use crate::RtpPacket;
use crate::codec::{Codec, EncodedFrame, FrameAssembler};
use crate::red::red_primary;
use crate::rtcp::{
    ExtendedReport, Fir, FirEntry, MAX_NACK_PAIRS, Nack, NtpTime, Pli, ReceiverReport, ReportBlock,
    RtcpPacket, SenderReport, XrBlock,
};
use crate::seq::SeqUnwrapper;

/// Largest forward sequence jump accepted from one packet (RFC 3550 appendix A.1's
/// `MAX_DROPOUT`). A larger jump is dropped unless the next packet continues it, which then
/// restarts the sequence.
pub const MAX_DROPOUT: u64 = 3000;

/// Most events queued for the application; when full, the oldest frame is dropped and counted
/// in `framesDropped`.
pub const MAX_PENDING_EVENTS: usize = 64;

/// Sequence numbers (counting back from the highest) whose arrival is remembered, so that a
/// copy of a packet already released from the jitter buffer (a bandwidth probe's redundant
/// RTX payload) counts as a duplicate rather than a late arrival.
pub const RECEIVED_WINDOW: u64 = 1024;

/// Most NACK packets in one RTCP compound (each holds up to [`MAX_NACK_PAIRS`] pairs).
const MAX_NACKS_PER_COMPOUND: usize = 4;

/// How a [`ReceiveStream`] is set up.
#[derive(Debug, Clone)]
pub struct ReceiveConfig {
    /// The media SSRC received.
    pub ssrc: u32,
    /// The codec of its payload type.
    pub codec: Codec,
    /// The media payload type.
    pub payload_type: u8,
    /// The RTP clock rate (defaults to the codec's).
    pub clock_rate: u32,
    /// The RTX stream repairing it, if negotiated.
    pub rtx: Option<RtxConfig>,
    /// The RED format this codec may arrive wrapped in, if negotiated.
    pub red: Option<RedConfig>,
    /// The SSRC this side's RTCP is sent from (the sender SSRC of RR, NACK, PLI, FIR).
    pub local_ssrc: u32,
    /// The caller's wall-clock mapping, for XR receiver reference times.
    pub clock: NtpClock,
    /// How long the jitter buffer waits for a missing packet before the frames it touches are
    /// declared lost. Complete frames behind no gap leave at once.
    pub latency: Duration,
    /// Whether to send NACKs (negotiated `nack` feedback).
    pub nack: bool,
    /// How many times one missing packet is asked for at most.
    pub max_nack_retries: u32,
    /// Ask for keyframes with FIR (RFC 5104) instead of PLI.
    pub use_fir: bool,
    /// Least time between two keyframe requests (raised to 1.5 RTT when the RTT is longer).
    pub keyframe_request_interval: Duration,
    /// Interval between receiver reports (RFC 3550's timing simplified: fixed, no randomization).
    pub rtcp_interval: Duration,
}

impl ReceiveConfig {
    /// Defaults for `ssrc` carrying `codec` with `payload_type`, reported on from `local_ssrc`:
    /// NACK on for video, 300 ms latency for video and 60 ms for audio, 10 NACKs per packet,
    /// PLI at most every 250 ms, RR every second.
    pub fn new(
        ssrc: u32,
        codec: Codec,
        payload_type: u8,
        local_ssrc: u32,
        clock: NtpClock,
    ) -> Self {
        let video = !codec.is_audio();
        Self {
            ssrc,
            codec,
            payload_type,
            clock_rate: codec.clock_rate(),
            rtx: None,
            red: None,
            local_ssrc,
            clock,
            latency: Duration::from_millis(if video { 300 } else { 60 }),
            nack: video,
            max_nack_retries: 10,
            use_fir: false,
            keyframe_request_interval: Duration::from_millis(250),
            rtcp_interval: Duration::from_secs(1),
        }
    }
}

/// RED (RFC 2198) as browsers send it around video: each packet carries one primary block,
/// either media of the stream's codec or ULPFEC (RFC 5109), in the media sequence space.
///
/// Frames are assembled from the primary block; redundant blocks are skipped and ULPFEC
/// blocks only fill their sequence number (counted in `fec_packets_received` and
/// `fec_packets_discarded`): FEC recovery is not done, losses are repaired with NACK/RTX.
/// Sequence numbers, NACK, RTX and statistics work on the packets as they arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RedConfig {
    /// The RED payload type.
    pub payload_type: u8,
    /// The RTX payload type whose `apt` is the RED payload type, if negotiated.
    pub rtx_payload_type: Option<u8>,
    /// The ULPFEC payload type (primary blocks of it are FEC), if negotiated.
    pub ulpfec_payload_type: Option<u8>,
}

/// A frame leaving the jitter buffer, with the sender's wall-clock time for lip sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFrame {
    /// The frame.
    pub frame: EncodedFrame,
    /// When the sender captured it, on the sender's NTP clock, from the last SR's NTP↔RTP
    /// mapping; `None` before the first SR.
    pub sender_ntp_time: Option<NtpTime>,
    /// When its last packet arrived (the latest arrival among its packets, retransmissions
    /// included): when it could first have been delivered.
    pub arrival: Instant,
    /// When its first packet arrived (the earliest arrival among its packets); with
    /// [`arrival`](Self::arrival), how long the frame took to cross the network.
    pub first_arrival: Instant,
}

/// What a [`ReceiveStream`] tells the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiveEvent {
    /// A whole frame, in order. Video frames are only delivered when decodable: after a loss,
    /// delta frames are dropped until the next keyframe.
    Frame(ReceivedFrame),
    /// The jitter buffer gave up on `count` packets from `first_sequence` on: the frames they
    /// belonged to are lost. For video, a keyframe is requested and awaited.
    FrameLost {
        /// First sequence number given up on.
        first_sequence: u16,
        /// How many consecutive packets.
        count: u64,
    },
    /// Delivery of video stopped until a keyframe arrives (after a loss, a broken frame, a
    /// sequence restart, or a delta frame first); PLI or FIR requests are being sent.
    KeyframeNeeded,
}

/// What [`ReceiveStream::handle_rtp`] did with a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacketVerdict {
    /// Stored in the jitter buffer (or released already).
    Accepted,
    /// A retransmission recovered a missing packet.
    Recovered,
    /// Seen before; dropped.
    Duplicate,
    /// Its place was already released or given up on; dropped.
    Late,
    /// A sequence jump over [`MAX_DROPOUT`] not (yet) confirmed; dropped.
    SequenceJump,
    /// The SSRC is neither the media nor the RTX SSRC; dropped.
    UnknownSsrc,
    /// The payload type is not this stream's; dropped.
    UnknownPayloadType,
    /// An RTX packet too short to hold the original sequence number, or a RED payload whose
    /// block headers run past its end; dropped.
    Malformed,
    /// A padding-only RTX packet (a bandwidth probe); dropped.
    Padding,
}

/// The receive side of one media SSRC. See the [module documentation](super).
#[derive(Debug)]
pub struct ReceiveStream {
    config: ReceiveConfig,
    unwrapper: SeqUnwrapper,
    started: bool,
    /// A confirmed jump needs this sequence number next.
    probation: Option<u16>,
    /// Lowest extended sequence number seen while the jitter buffer waits to start.
    lowest: u64,
    reception: Reception,
    jitter: JitterBuffer,
    nacks: NackList,
    assembler: FrameAssembler,
    events: VecDeque<ReceiveEvent>,
    /// Delta frames are dropped until a keyframe.
    waiting_keyframe: bool,
    /// Keyframe requests are being sent.
    keyframe_needed: bool,
    last_keyframe_request: Option<Instant>,
    fir_seq: u8,
    /// The next FIR starts a new request (a new command sequence number).
    new_keyframe_request: bool,
    rtt: Duration,
    last_sr: Option<(SenderReport, Instant)>,
    next_report: Option<Instant>,
    /// Arrivals of the last [`RECEIVED_WINDOW`] extended sequence numbers, bit `ext % 1024`.
    received: Box<[u64; (RECEIVED_WINDOW / 64) as usize]>,
    stats: ReceiveStats,
    /// The RTP timestamp of the frame being assembled and the earliest and latest arrival of
    /// its packets so far.
    frame_arrivals: Option<(u32, Instant, Instant)>,
}

impl ReceiveStream {
    /// A stream that has received nothing yet; `now` is the origin of its arrival clock.
    pub fn new(config: ReceiveConfig, now: Instant) -> Self {
        Self {
            unwrapper: SeqUnwrapper::new(),
            started: false,
            probation: None,
            lowest: 0,
            reception: Reception::new(config.clock_rate, now),
            jitter: JitterBuffer::new(config.latency),
            nacks: NackList::new(config.max_nack_retries),
            assembler: FrameAssembler::new(config.codec),
            events: VecDeque::new(),
            waiting_keyframe: !config.codec.is_audio(),
            keyframe_needed: false,
            last_keyframe_request: None,
            fir_seq: 0,
            new_keyframe_request: false,
            rtt: DEFAULT_RTT,
            last_sr: None,
            next_report: None,
            received: Box::new([0; (RECEIVED_WINDOW / 64) as usize]),
            stats: ReceiveStats::default(),
            frame_arrivals: None,
            config,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ReceiveConfig {
        &self.config
    }

    /// The media SSRC.
    pub fn ssrc(&self) -> u32 {
        self.config.ssrc
    }

    /// True if `ssrc` is this stream's media or RTX SSRC (for demultiplexing).
    pub fn accepts_ssrc(&self, ssrc: u32) -> bool {
        ssrc == self.config.ssrc || self.config.rtx.is_some_and(|r| r.ssrc == ssrc)
    }

    /// Sets the RTX stream that repairs this one, once known (RFC 4588; with simulcast the
    /// RTX SSRC is often only learned from a packet's repaired-rid, RFC 8852).
    pub fn set_rtx(&mut self, rtx: RtxConfig) {
        self.config.rtx = Some(rtx);
    }

    /// The RTT used for NACK timing: measured through XR, set by [`ReceiveStream::set_rtt`], or
    /// [`DEFAULT_RTT`].
    pub fn rtt(&self) -> Duration {
        self.rtt
    }

    /// Changes how long missing packets are waited for (for instance from a playout-delay
    /// extension); applies to the current gap too.
    pub fn set_latency(&mut self, latency: Duration) {
        self.config.latency = latency;
        self.jitter.set_latency(latency);
    }

    /// Sets the RTT (for instance measured by the send side of the same connection).
    pub fn set_rtt(&mut self, rtt: Duration) {
        self.rtt = rtt;
    }

    /// Feeds a received RTP packet of the media or RTX SSRC.
    pub fn handle_rtp(&mut self, now: Instant, packet: &RtpPacket<'_>) -> PacketVerdict {
        let verdict = self.classify_and_store(now, packet);
        if verdict == PacketVerdict::Accepted && packet.payload.is_empty() && packet.padding > 0 {
            // Padding-only on the media SSRC (a probe from a sender without RTX): it holds its
            // place in the sequence (no NACK), and the assembler skips it.
            self.stats.inbound.padding_packets_received += 1;
        }
        match verdict {
            PacketVerdict::Accepted | PacketVerdict::Recovered => self.drain(now),
            PacketVerdict::Duplicate => self.stats.inbound.packets_duplicated += 1,
            PacketVerdict::Late => self.stats.inbound.packets_discarded += 1,
            PacketVerdict::SequenceJump => self.stats.inbound.sequence_jumps_dropped += 1,
            PacketVerdict::Padding => self.stats.inbound.padding_packets_received += 1,
            PacketVerdict::UnknownSsrc
            | PacketVerdict::UnknownPayloadType
            | PacketVerdict::Malformed => self.stats.inbound.packets_invalid += 1,
        }
        verdict
    }

    fn classify_and_store(&mut self, now: Instant, packet: &RtpPacket<'_>) -> PacketVerdict {
        let h = &packet.header;
        let red = self.config.red;
        let red_pt = red.map(|r| r.payload_type);
        let (mut header, payload, rtx) = if h.ssrc == self.config.ssrc {
            if h.payload_type != self.config.payload_type && Some(h.payload_type) != red_pt {
                return PacketVerdict::UnknownPayloadType;
            }
            (h.clone(), packet.payload, false)
        } else if let Some(rtx) = self.config.rtx.filter(|r| r.ssrc == h.ssrc) {
            // RTX of a RED packet has its own payload type (`apt` = RED).
            let original = if red.is_some_and(|r| r.rtx_payload_type == Some(h.payload_type)) {
                red_pt
            } else if h.payload_type == rtx.payload_type {
                Some(self.config.payload_type)
            } else {
                None
            };
            let Some(original) = original else {
                return PacketVerdict::UnknownPayloadType;
            };
            match packet.payload {
                [] => return PacketVerdict::Padding,
                [_] => return PacketVerdict::Malformed,
                [a, b, rest @ ..] => {
                    let mut header = h.clone();
                    header.ssrc = self.config.ssrc;
                    header.payload_type = original;
                    header.sequence_number = u16::from_be_bytes([*a, *b]);
                    (header, rest, true)
                }
            }
        } else {
            return PacketVerdict::UnknownSsrc;
        };
        // The primary block of RED is what the assembler sees; an ULPFEC one only fills its
        // sequence number (an empty payload). A malformed one is dropped, so that its place
        // stays a gap: it may have held media. Padding-only packets (probes) have no block.
        let mut media = payload;
        let mut fec = false;
        if let Some(red) = red.filter(|r| r.payload_type == header.payload_type)
            && !(payload.is_empty() && packet.padding > 0)
        {
            match red_primary(payload) {
                Some((pt, block)) if pt == self.config.payload_type => media = block,
                Some((pt, _)) if red.ulpfec_payload_type == Some(pt) => {
                    media = &[];
                    fec = true;
                }
                Some(_) => return PacketVerdict::UnknownPayloadType,
                None => return PacketVerdict::Malformed,
            }
            header.payload_type = self.config.payload_type;
        }
        let seq = header.sequence_number;
        let ext = self.unwrapper.peek(seq);
        if self.started {
            let highest = self.reception.highest;
            if ext > highest + MAX_DROPOUT {
                if rtx || self.probation != Some(seq) {
                    if !rtx {
                        self.probation = Some(seq.wrapping_add(1));
                    }
                    return PacketVerdict::SequenceJump;
                }
                self.resync(now, ext);
            }
            match self.jitter.check(ext) {
                Insert::Late if self.was_received(ext) => return PacketVerdict::Duplicate,
                Insert::Late => return PacketVerdict::Late,
                Insert::Duplicate => return PacketVerdict::Duplicate,
                Insert::Stored => {}
            }
            if self.config.nack {
                if ext > highest + 1 {
                    self.nacks.add_range(now, highest + 1, ext, self.rtt);
                } else if ext < self.lowest && !self.jitter.started() {
                    // Reordered before the first packet: what lies between was unknown until
                    // now and may be lost too.
                    self.nacks.add_range(now, ext + 1, self.lowest, self.rtt);
                }
                if let Some(before) = self.nacks.take_unrecoverable() {
                    // Released by the drain that follows: FrameLost and a keyframe request now.
                    self.jitter.give_up_before(before);
                }
            }
            self.lowest = self.lowest.min(ext);
        } else {
            self.lowest = ext;
        }
        self.probation = None;
        self.started = true;
        self.unwrapper.unwrap(seq);
        self.mark_received(ext);
        let was_missing = self.nacks.remove(now, ext, rtx);
        self.reception.on_packet(ext);
        if !rtx {
            self.reception.on_timing(now, header.timestamp);
        }
        let s = &mut self.stats.inbound;
        let payload_len = payload.len() as u64;
        s.bytes_received += payload_len;
        s.header_bytes_received += header.wire_len() as u64 + u64::from(packet.padding);
        if rtx {
            s.retransmitted_packets_received += 1;
            s.retransmitted_bytes_received += payload_len;
        }
        if fec {
            s.fec_packets_received += 1;
            s.fec_packets_discarded += 1;
        }
        self.jitter.insert(
            ext,
            Stored {
                header,
                payload: media.to_vec(),
                arrival: now,
            },
        );
        if rtx && was_missing {
            PacketVerdict::Recovered
        } else {
            PacketVerdict::Accepted
        }
    }

    /// Whether `ext` arrived already (as far as [`RECEIVED_WINDOW`] reaches back).
    fn was_received(&self, ext: u64) -> bool {
        let highest = self.reception.highest;
        ext + RECEIVED_WINDOW > highest
            && ext <= highest
            && self.received[(ext % RECEIVED_WINDOW / 64) as usize] & (1 << (ext % 64)) != 0
    }

    /// Records the arrival of `ext`, forgetting what falls out of the window above it.
    fn mark_received(&mut self, ext: u64) {
        let highest = self.reception.highest;
        if self.started && ext > highest {
            // Clear the bits of the sequence numbers skipped between the old and new highest.
            for e in (highest + 1..ext).take(RECEIVED_WINDOW as usize) {
                self.received[(e % RECEIVED_WINDOW / 64) as usize] &= !(1 << (e % 64));
            }
        }
        self.received[(ext % RECEIVED_WINDOW / 64) as usize] |= 1 << (ext % 64);
    }

    /// A confirmed sequence jump: the old sequence is over.
    fn resync(&mut self, now: Instant, ext: u64) {
        self.stats.inbound.sequence_resyncs += 1;
        let dropped = self.jitter.reset(ext);
        self.stats.inbound.packets_given_up += dropped as u64;
        self.nacks.clear();
        self.reception.resync(ext);
        self.received.fill(0);
        self.assembler = FrameAssembler::new(self.config.codec);
        self.lose_continuity(now);
    }

    /// Releases whatever the jitter buffer lets go at `now`.
    fn drain(&mut self, now: Instant) {
        while let Some(pop) = self.jitter.pop(now) {
            match pop {
                Pop::Packet(p) => self.assemble(now, p),
                Pop::Skipped { first, count } => {
                    self.nacks.drop_before(first + count);
                    let s = &mut self.stats.inbound;
                    s.gaps_given_up += 1;
                    s.packets_given_up += count;
                    self.push_event(ReceiveEvent::FrameLost {
                        first_sequence: first as u16,
                        count,
                    });
                    self.lose_continuity(now);
                }
            }
        }
    }

    /// Video after a loss: deliver nothing until a keyframe, and ask for one.
    fn lose_continuity(&mut self, _now: Instant) {
        if self.config.codec.is_audio() {
            return;
        }
        if !self.keyframe_needed {
            self.push_event(ReceiveEvent::KeyframeNeeded);
            self.new_keyframe_request = true;
        }
        self.waiting_keyframe = true;
        self.keyframe_needed = true;
    }

    fn assemble(&mut self, now: Instant, p: Stored) {
        let dropped_before = self.assembler.dropped_frames();
        let ts = p.header.timestamp;
        // A frame without a marker ends at the next frame's first packet: keep its times too.
        let previous = self.frame_arrivals;
        self.frame_arrivals = match previous {
            Some((t, first, last)) if t == ts => {
                Some((t, first.min(p.arrival), last.max(p.arrival)))
            }
            _ => Some((ts, p.arrival, p.arrival)),
        };
        let packet = RtpPacket {
            header: p.header,
            payload: &p.payload,
            padding: 0,
        };
        self.assembler.handle_packet(&packet);
        let broken = self.assembler.dropped_frames() - dropped_before;
        if broken > 0 {
            self.stats.inbound.frames_dropped += broken;
            self.lose_continuity(now);
        }
        while let Some(frame) = self.assembler.poll_frame() {
            if self.waiting_keyframe && !frame.keyframe {
                self.stats.inbound.frames_dropped += 1;
                self.lose_continuity(now);
                continue;
            }
            if frame.keyframe && !self.config.codec.is_audio() {
                self.waiting_keyframe = false;
                self.keyframe_needed = false;
                self.stats.inbound.key_frames_received += 1;
            }
            self.stats.inbound.frames_received += 1;
            let sender_ntp_time = self.sender_ntp_time(frame.rtp_timestamp);
            let (first_arrival, arrival) = [self.frame_arrivals, previous]
                .into_iter()
                .flatten()
                .find(|(t, _, _)| *t == frame.rtp_timestamp)
                .map_or((p.arrival, p.arrival), |(_, first, last)| (first, last));
            self.push_event(ReceiveEvent::Frame(ReceivedFrame {
                frame,
                sender_ntp_time,
                arrival,
                first_arrival,
            }));
        }
    }

    fn push_event(&mut self, event: ReceiveEvent) {
        if self.events.len() >= MAX_PENDING_EVENTS {
            if let Some(i) = self
                .events
                .iter()
                .position(|e| matches!(e, ReceiveEvent::Frame(_)))
            {
                self.events.remove(i);
                self.stats.inbound.frames_dropped += 1;
            } else {
                self.events.pop_front();
            }
        }
        self.events.push_back(event);
    }

    /// The sender's NTP time for RTP timestamp `ts`, extrapolated from the last SR (RFC 3550
    /// section 6.4.1: the SR pairs an NTP time with the RTP time of the same instant).
    pub fn sender_ntp_time(&self, ts: u32) -> Option<NtpTime> {
        let (sr, _) = self.last_sr.as_ref()?;
        let ticks = i128::from(ts.wrapping_sub(sr.rtp_time) as i32);
        let delta = (ticks << 32) / i128::from(self.config.clock_rate.max(1));
        let ntp = i128::from(sr.ntp_time.0) + delta;
        Some(NtpTime(ntp as u64))
    }

    /// The decoder asks for a keyframe (it lost sync or just started): a PLI (or FIR) is sent,
    /// repeated until a keyframe arrives.
    pub fn request_keyframe(&mut self, _now: Instant) {
        self.new_keyframe_request |= !self.keyframe_needed;
        self.keyframe_needed = true;
    }

    /// Feeds one RTCP packet from the remote side (an SR of the media SSRC, an XR DLRR for
    /// the local SSRC); others are ignored. Returns whether the packet was used.
    pub fn handle_rtcp(&mut self, now: Instant, packet: &RtcpPacket) -> bool {
        match packet {
            RtcpPacket::SenderReport(sr) if sr.ssrc == self.config.ssrc => {
                self.handle_sr(now, sr);
                true
            }
            RtcpPacket::ExtendedReport(xr) if xr.ssrc == self.config.ssrc => {
                let arrival = self.config.clock.ntp(now);
                let mut used = false;
                for block in &xr.blocks {
                    let XrBlock::Dlrr(items) = block else {
                        continue;
                    };
                    for item in items.iter().filter(|i| i.ssrc == self.config.local_ssrc) {
                        if let Some(rtt) = item.round_trip_time(arrival) {
                            self.rtt = rtt;
                            let r = &mut self.stats.remote_outbound;
                            r.round_trip_time = Some(rtt);
                            r.total_round_trip_time += rtt;
                            r.round_trip_time_measurements += 1;
                            used = true;
                        }
                    }
                }
                used
            }
            _ => false,
        }
    }

    /// Records a sender report of the media SSRC: lip-sync mapping, LSR/DLSR for the next
    /// report block, remote-outbound stats.
    pub fn handle_sr(&mut self, now: Instant, sr: &SenderReport) {
        let r = &mut self.stats.remote_outbound;
        r.packets_sent = u64::from(sr.packet_count);
        r.bytes_sent = u64::from(sr.octet_count);
        r.remote_timestamp = Some(sr.ntp_time);
        r.reports_sent += 1;
        let mut stored = sr.clone();
        stored.reports.clear();
        stored.profile_extension.clear();
        self.last_sr = Some((stored, now));
    }

    /// The report block about this stream as of `now`, starting a new fraction-lost interval;
    /// `None` before the first packet. [`ReceiveStream::poll_rtcp`] uses it; a caller gathering
    /// the blocks of several streams into one RR may call it instead.
    pub fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        if !self.started {
            return None;
        }
        let last_sr = self.last_sr.as_ref().map(|(sr, at)| LastSr {
            middle_32: sr.ntp_time.middle_32(),
            arrival: *at,
        });
        Some(self.reception.report_block(self.config.ssrc, now, last_sr))
    }

    /// The next RTCP compound to send, if any is due: an RR (with this stream's report block
    /// and an XR receiver reference time every `rtcp_interval`, without blocks otherwise, so
    /// every compound starts with an RR as RFC 3550 wants), NACKs for missing packets due for a
    /// request, and a PLI or FIR while a keyframe is needed.
    pub fn poll_rtcp(&mut self, now: Instant) -> Option<Vec<RtcpPacket>> {
        if !self.started {
            return None;
        }
        let report_due = self.next_report.is_none_or(|t| now >= t);
        let lost = if self.config.nack {
            self.nacks.due(now, self.rtt)
        } else {
            Vec::new()
        };
        if let Some(before) = self.nacks.take_unrecoverable() {
            // A packet ran out of requests: waiting out the latency cannot bring it back, so
            // the gap is skipped and the keyframe request joins this compound.
            self.jitter.give_up_before(before);
            self.drain(now);
        }
        let keyframe = self.keyframe_needed && self.keyframe_request_due(now);
        if !report_due && lost.is_empty() && !keyframe {
            return None;
        }
        let mut rr = ReceiverReport {
            ssrc: self.config.local_ssrc,
            ..Default::default()
        };
        let mut out = Vec::new();
        if report_due {
            self.next_report = Some(now + self.config.rtcp_interval);
            rr.reports.extend(self.report_block(now));
            out.push(RtcpPacket::ReceiverReport(rr));
            out.push(RtcpPacket::ExtendedReport(ExtendedReport {
                ssrc: self.config.local_ssrc,
                blocks: vec![XrBlock::Rrtr {
                    ntp_time: self.config.clock.ntp(now),
                }],
            }));
        } else {
            out.push(RtcpPacket::ReceiverReport(rr));
        }
        self.stats.inbound.nacked_packets += lost.len() as u64;
        let per_nack = MAX_NACK_PAIRS;
        let nack = Nack::from_lost(self.config.local_ssrc, self.config.ssrc, &lost);
        for pairs in nack.pairs.chunks(per_nack).take(MAX_NACKS_PER_COMPOUND) {
            self.stats.inbound.nack_count += 1;
            out.push(RtcpPacket::Nack(Nack {
                pairs: pairs.to_vec(),
                ..nack.clone()
            }));
        }
        if keyframe {
            self.last_keyframe_request = Some(now);
            if self.config.use_fir {
                self.stats.inbound.fir_count += 1;
                if std::mem::take(&mut self.new_keyframe_request) {
                    self.fir_seq = self.fir_seq.wrapping_add(1);
                }
                out.push(RtcpPacket::Fir(Fir {
                    sender_ssrc: self.config.local_ssrc,
                    entries: vec![FirEntry {
                        ssrc: self.config.ssrc,
                        seq_nr: self.fir_seq,
                    }],
                }));
            } else {
                self.stats.inbound.pli_count += 1;
                out.push(RtcpPacket::Pli(Pli {
                    sender_ssrc: self.config.local_ssrc,
                    media_ssrc: self.config.ssrc,
                }));
            }
        }
        Some(out)
    }

    fn keyframe_request_interval(&self) -> Duration {
        self.config
            .keyframe_request_interval
            .max(self.rtt + self.rtt / 2)
    }

    fn keyframe_request_due(&self, now: Instant) -> bool {
        self.last_keyframe_request
            .is_none_or(|t| now >= t + self.keyframe_request_interval())
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ReceiveEvent> {
        self.events.pop_front()
    }

    /// When [`ReceiveStream::handle_timeout`] (then `poll_rtcp`) should run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !self.started {
            return None;
        }
        let keyframe = self
            .keyframe_needed
            .then(|| {
                self.last_keyframe_request
                    .map(|t| t + self.keyframe_request_interval())
            })
            .flatten();
        [
            self.next_report,
            self.jitter.deadline(),
            self.config
                .nack
                .then(|| self.nacks.next_deadline())
                .flatten(),
            keyframe,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Timers: gives up on overdue gaps (NACKs and reports are produced by `poll_rtcp`).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.drain(now);
    }

    /// The stats as of now.
    pub fn stats(&self) -> ReceiveStats {
        let mut s = self.stats.clone();
        s.inbound.ssrc = self.config.ssrc;
        s.inbound.packets_received = self.reception.received;
        s.inbound.packets_lost = self.reception.lost();
        s.inbound.jitter = self.reception.jitter_seconds();
        s.inbound.nacks_abandoned = self.nacks.gave_up + self.nacks.overflowed;
        s
    }

    /// The remote-outbound stats alone.
    pub fn remote_outbound_stats(&self) -> &RemoteOutboundRtpStats {
        &self.stats.remote_outbound
    }

    /// Packets held in the jitter buffer (at most [`MAX_JITTER_PACKETS`](super::MAX_JITTER_PACKETS)).
    pub fn buffered_packets(&self) -> usize {
        self.jitter.len()
    }

    /// Missing packets being asked for (at most [`MAX_NACK_ENTRIES`](super::MAX_NACK_ENTRIES)).
    pub fn missing_packets(&self) -> usize {
        self.nacks.len()
    }
}
