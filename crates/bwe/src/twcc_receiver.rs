//! Receive side of transport-wide congestion control: arrival times of transport-wide sequence
//! numbers, reported back in transport feedback every [`FEEDBACK_INTERVAL`] (sooner when many
//! packets are waiting).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rtcio_rtp::SeqUnwrapper;
use rtcio_rtp::rtcp::{PacketStatus, TransportFeedback};

/// Default time between two feedback messages.
pub const FEEDBACK_INTERVAL: Duration = Duration::from_millis(100);
/// Arrivals waiting to be reported that make feedback due at once.
pub const EARLY_FEEDBACK_PACKETS: usize = 250;
/// Sequence numbers one feedback message covers at most (received or not). Keeps a message
/// under ~1100 bytes: 2 bytes of delta per packet at worst plus the status chunks.
pub const MAX_FEEDBACK_SPAN: u64 = 400;
/// Arrivals kept waiting for feedback; more are dropped and counted.
pub const MAX_PENDING_ARRIVALS: usize = 8192;
/// Longest span of arrival times in one message (receive deltas are 16-bit 250 µs ticks).
/// (Two arrivals each within 4 s of the first are at most 8 s apart.)
const MAX_DELTA_SPAN: Duration = Duration::from_secs(4);

/// Counters of the receive side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TwccReceiverStats {
    /// Packets recorded.
    pub packets: u64,
    /// Packets whose sequence number was already reported (arrived too late) and ignored.
    pub late: u64,
    /// Packets whose sequence number was already waiting (duplicates) and ignored.
    pub duplicates: u64,
    /// Packets dropped because [`MAX_PENDING_ARRIVALS`] were waiting.
    pub overflow: u64,
    /// Sequence numbers skipped unreported because a gap exceeded [`MAX_FEEDBACK_SPAN`].
    pub skipped: u64,
    /// Feedback messages produced.
    pub feedbacks: u64,
}

/// Records arrivals and produces transport feedback.
#[derive(Debug, Clone)]
pub struct TwccReceiver {
    sender_ssrc: u32,
    media_ssrc: u32,
    interval: Duration,
    epoch: Instant,
    unwrapper: SeqUnwrapper,
    pending: BTreeMap<u64, Instant>,
    next_report: Option<u64>,
    last_feedback: Option<Instant>,
    fb_count: u8,
    stats: TwccReceiverStats,
}

impl TwccReceiver {
    /// A receiver whose feedback carries `sender_ssrc` (ours) and `media_ssrc` (one of the
    /// peer's sources: informational, sequence numbers are transport-wide).
    pub fn new(now: Instant, sender_ssrc: u32, media_ssrc: u32) -> Self {
        Self {
            sender_ssrc,
            media_ssrc,
            interval: FEEDBACK_INTERVAL,
            epoch: now,
            unwrapper: SeqUnwrapper::new(),
            pending: BTreeMap::new(),
            next_report: None,
            last_feedback: None,
            fb_count: 0,
            stats: TwccReceiverStats::default(),
        }
    }

    /// Changes the feedback interval (clamped to 10 ms–1 s).
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval.clamp(Duration::from_millis(10), Duration::from_secs(1));
    }

    /// Records that the packet carrying transport-wide sequence number `seq` arrived at `now`.
    pub fn on_packet(&mut self, now: Instant, seq: u16) {
        self.stats.packets += 1;
        let ext = self.unwrapper.unwrap(seq);
        if self.next_report.is_some_and(|n| ext < n) {
            self.stats.late += 1;
        } else if self.pending.contains_key(&ext) {
            self.stats.duplicates += 1;
        } else if self.pending.len() >= MAX_PENDING_ARRIVALS {
            self.stats.overflow += 1;
        } else {
            self.pending.insert(ext, now);
        }
    }

    fn due(&self) -> Option<Instant> {
        if self.pending.is_empty() {
            return None;
        }
        match self.last_feedback {
            _ if self.pending.len() >= EARLY_FEEDBACK_PACKETS => Some(self.epoch),
            None => Some(self.epoch),
            Some(t) => Some(t + self.interval),
        }
    }

    /// When [`TwccReceiver::poll_feedback`] next has something to say.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.due()
    }

    /// The next feedback message if one is due at `now`; call until `None`.
    pub fn poll_feedback(&mut self, now: Instant) -> Option<TransportFeedback> {
        if self.due()? > now {
            return None;
        }
        let (&first, &first_at) = self.pending.first_key_value()?;
        let mut start = self.next_report.unwrap_or(first).min(first);
        if first - start >= MAX_FEEDBACK_SPAN {
            self.stats.skipped += first - start;
            start = first;
        }
        let mut batch = Vec::new();
        let mut last = start;
        while let Some(entry) = self.pending.first_entry() {
            let (&seq, &at) = (entry.key(), entry.get());
            let far = at.max(first_at) - at.min(first_at) > MAX_DELTA_SPAN;
            if seq >= start + MAX_FEEDBACK_SPAN || far {
                break;
            }
            entry.remove();
            batch.push((seq as u16, at));
            last = seq;
        }
        self.next_report = Some(last + 1);
        self.last_feedback = Some(now);
        let mut fb = TransportFeedback::from_arrival_instants(
            self.sender_ssrc,
            self.media_ssrc,
            self.fb_count,
            self.epoch,
            &batch,
        )
        .ok()?;
        // Sequence numbers between the last report and the first arrival were lost: say so.
        let missing = (first - start) as usize;
        fb.base_seq = start as u16;
        fb.statuses.splice(
            0..0,
            std::iter::repeat_n(PacketStatus::NotReceived, missing),
        );
        self.fb_count = self.fb_count.wrapping_add(1);
        self.stats.feedbacks += 1;
        Some(fb)
    }

    /// Counters so far.
    pub fn stats(&self) -> TwccReceiverStats {
        self.stats
    }
}
