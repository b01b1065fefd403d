//! Send side of transport-wide congestion control: transport-wide sequence numbers, the history
//! of what was sent, and transport feedback turned into per-packet results.

use std::collections::VecDeque;
use std::time::Instant;

use rtcio_rtp::rtcp::{MAX_TWCC_PACKETS, PacketStatus, TransportFeedback};

/// Sent packets remembered for feedback. Below 2^15 so that a 16-bit sequence number in
/// feedback maps to at most one remembered packet.
pub const MAX_HISTORY_PACKETS: usize = 16_384;

/// What the receiver said about one sent packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PacketResult {
    /// Transport-wide sequence number, unwrapped (monotonic; its low 16 bits are the wire
    /// value).
    pub seq: u64,
    /// When the packet was sent.
    pub send_time: Instant,
    /// Its size in bytes as given to [`TwccSender::on_packet_sent`].
    pub size: usize,
    /// Arrival time in µs on the receiver's clock (only differences mean something), or `None`
    /// if the feedback reported it lost.
    pub arrival_us: Option<i64>,
    /// The probe cluster it belonged to, if any.
    pub probe: Option<u32>,
}

/// Counters of the send side; hostile or stale feedback shows up here instead of in the
/// estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TwccSenderStats {
    /// Packets given to [`TwccSender::on_packet_sent`].
    pub packets_sent: u64,
    /// Sends whose sequence number was already sent or too far behind (ignored).
    pub sends_out_of_order: u64,
    /// Feedback messages processed.
    pub feedbacks: u64,
    /// Feedback dropped whole: no statuses, more than [`MAX_TWCC_PACKETS`], or nothing sent yet.
    pub feedbacks_invalid: u64,
    /// Feedback that told nothing new (duplicates, stale, or only unknown packets).
    pub feedbacks_stale: u64,
    /// Statuses for sequence numbers never sent or no longer remembered.
    pub unknown_statuses: u64,
    /// Statuses repeating what an earlier feedback said.
    pub duplicate_statuses: u64,
    /// Packets reported received.
    pub reported_received: u64,
    /// Packets reported lost (and not later reported received).
    pub reported_lost: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// A sequence number skipped by the sender (allocated but never sent).
    Unsent,
    Unreported,
    Lost,
    Received,
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    send_time: Instant,
    size: usize,
    fate: Fate,
    probe: Option<u32>,
}

/// Transport-wide sequence numbers and the bounded history of sent packets.
#[derive(Debug, Clone)]
pub struct TwccSender {
    next_seq: u64,
    /// Unwrapped sequence number of `history[0]`.
    base: u64,
    history: VecDeque<Sent>,
    /// Last reference time seen, unwrapped (64 ms ticks).
    reference: Option<i64>,
    stats: TwccSenderStats,
}

impl Default for TwccSender {
    fn default() -> Self {
        Self::new()
    }
}

impl TwccSender {
    /// A sender whose first sequence number is 0.
    pub fn new() -> Self {
        Self {
            // Starting one wrap in keeps unwrapping of slightly older numbers above zero.
            next_seq: 1 << 16,
            base: 0,
            history: VecDeque::new(),
            reference: None,
            stats: TwccSenderStats::default(),
        }
    }

    /// The next transport-wide sequence number, to be written into the transport-cc header
    /// extension of the packet about to leave (allocate when the packet leaves the pacer, so
    /// sequence numbers follow the send order).
    pub fn next_seq(&mut self) -> u16 {
        let s = self.next_seq as u16;
        self.next_seq += 1;
        s
    }

    /// Unwraps `seq` against the newest remembered packet (or the next to allocate).
    fn unwrap_sent(&self, seq: u16) -> u64 {
        let reference = if self.history.is_empty() {
            self.next_seq
        } else {
            self.base + self.history.len() as u64
        };
        let ahead = seq.wrapping_sub(reference as u16);
        if ahead < 0x8000 {
            reference + u64::from(ahead)
        } else {
            reference.saturating_sub(u64::from((reference as u16).wrapping_sub(seq)))
        }
    }

    /// Records that the packet carrying transport-wide sequence number `seq` left at `now`
    /// with `size` bytes (the whole datagram as it goes on the wire, or the RTP packet: be
    /// consistent).
    pub fn on_packet_sent(&mut self, now: Instant, seq: u16, size: usize) {
        self.on_sent(now, seq, size, None);
    }

    /// Like [`TwccSender::on_packet_sent`] for a packet of probe cluster `probe`.
    pub fn on_probe_packet_sent(&mut self, now: Instant, seq: u16, size: usize, probe: u32) {
        self.on_sent(now, seq, size, Some(probe));
    }

    fn on_sent(&mut self, now: Instant, seq: u16, size: usize, probe: Option<u32>) {
        self.stats.packets_sent += 1;
        let ext = self.unwrap_sent(seq);
        let end = self.base + self.history.len() as u64;
        let sent = Sent {
            send_time: now,
            size,
            fate: Fate::Unreported,
            probe,
        };
        if self.history.is_empty() {
            self.base = ext;
            self.history.push_back(sent);
        } else if ext >= end {
            let gap = ext - end;
            if gap >= MAX_HISTORY_PACKETS as u64 {
                self.history.clear();
                self.base = ext;
            } else {
                let unsent = Sent {
                    fate: Fate::Unsent,
                    ..sent
                };
                self.history
                    .extend(std::iter::repeat_n(unsent, gap as usize));
            }
            self.history.push_back(sent);
        } else {
            match ext
                .checked_sub(self.base)
                .and_then(|i| self.history.get_mut(i as usize))
            {
                Some(slot) if slot.fate == Fate::Unsent => *slot = sent,
                _ => self.stats.sends_out_of_order += 1,
            }
        }
        while self.history.len() > MAX_HISTORY_PACKETS {
            self.history.pop_front();
            self.base += 1;
        }
        self.next_seq = self.next_seq.max(self.base + self.history.len() as u64);
    }

    /// Reads one feedback message and appends what it says about remembered packets to `out`,
    /// in sequence order. Each packet is reported once as received (and at most once as lost
    /// before that); repeats, unknown sequence numbers and malformed feedback are counted.
    pub fn on_feedback(&mut self, fb: &TransportFeedback, out: &mut Vec<PacketResult>) {
        self.stats.feedbacks += 1;
        let n = fb.statuses.len();
        if n == 0 || n > MAX_TWCC_PACKETS || self.history.is_empty() {
            self.stats.feedbacks_invalid += 1;
            return;
        }
        // The reference time is 24 bits of 64 ms ticks: unwrap it against the last one.
        let raw = i64::from(fb.reference_time) & 0xff_ffff;
        let reference = match self.reference {
            None => raw,
            Some(last) => {
                let d = (raw - last).rem_euclid(1 << 24);
                last + if d >= 1 << 23 { d - (1 << 24) } else { d }
            }
        };
        self.reference = Some(reference);
        // `arrivals()` counts from the sign-extended 24-bit reference; shift to the unwrapped one.
        let shift = reference
            .saturating_sub(i64::from(fb.reference_time))
            .saturating_mul(64_000);
        let last = self.base + self.history.len() as u64 - 1;
        let behind = u64::from((last as u16).wrapping_sub(fb.base_seq));
        let first = last.checked_sub(behind);
        let before = out.len();
        for (i, (status, (_, arrival))) in fb.statuses.iter().zip(fb.arrivals()).enumerate() {
            let slot = first
                .map(|f| f + i as u64)
                .filter(|s| *s <= last)
                .and_then(|s| s.checked_sub(self.base))
                .and_then(|i| self.history.get_mut(i as usize));
            let Some(slot) = slot.filter(|s| s.fate != Fate::Unsent) else {
                self.stats.unknown_statuses += 1;
                continue;
            };
            let seq = first.unwrap_or(0) + i as u64;
            let received = !matches!(status, PacketStatus::NotReceived);
            match (received, slot.fate) {
                (true, Fate::Received) | (false, Fate::Lost | Fate::Received) => {
                    self.stats.duplicate_statuses += 1;
                    continue;
                }
                (true, fate) => {
                    if fate == Fate::Lost {
                        self.stats.reported_lost = self.stats.reported_lost.saturating_sub(1);
                    }
                    slot.fate = Fate::Received;
                    self.stats.reported_received += 1;
                }
                (false, _) => {
                    slot.fate = Fate::Lost;
                    self.stats.reported_lost += 1;
                }
            }
            out.push(PacketResult {
                seq,
                send_time: slot.send_time,
                size: slot.size,
                probe: slot.probe,
                arrival_us: arrival.map(|t| t.saturating_add(shift)),
            });
        }
        if out.len() == before {
            self.stats.feedbacks_stale += 1;
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> TwccSenderStats {
        self.stats
    }

    /// Packets currently remembered (at most [`MAX_HISTORY_PACKETS`]).
    pub fn history_len(&self) -> usize {
        self.history.len()
    }
}
