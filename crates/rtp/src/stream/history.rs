//! The history of sent packets, kept for retransmission.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::RtpHeader;
use crate::seq::SeqUnwrapper;

/// Upper bound on [`SendConfig::history_packets`](super::SendConfig::history_packets): with
/// packets of at most 64 KiB (one UDP datagram) the history stays under 512 MiB even if a caller
/// sends absurd packets, and under 12 MiB with 1500-byte packets.
pub const MAX_HISTORY_PACKETS: usize = 8192;

/// Default history length in packets (about 5 s of 2 Mbit/s video).
pub const DEFAULT_HISTORY_PACKETS: usize = 1024;

/// Default history age: retransmissions older than this arrive too late for any jitter buffer.
pub const DEFAULT_HISTORY_AGE: Duration = Duration::from_secs(2);

/// A sent packet.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub header: RtpHeader,
    pub payload: Vec<u8>,
    pub sent_at: Instant,
    pub last_resent: Option<Instant>,
    /// Waiting in the retransmission queue.
    pub queued: bool,
    /// Already sent once as probe padding (redundant payload).
    pub padded: bool,
}

/// Sent packets by extended sequence number, bounded by count and age.
#[derive(Debug)]
pub(crate) struct History {
    packets: BTreeMap<u64, Sent>,
    unwrapper: SeqUnwrapper,
    max_packets: usize,
    max_age: Duration,
}

impl History {
    pub fn new(max_packets: usize, max_age: Duration) -> Self {
        Self {
            packets: BTreeMap::new(),
            unwrapper: SeqUnwrapper::new(),
            max_packets: max_packets.clamp(1, MAX_HISTORY_PACKETS),
            max_age,
        }
    }

    pub fn len(&self) -> usize {
        self.packets.len()
    }

    pub fn insert(&mut self, now: Instant, header: RtpHeader, payload: &[u8]) {
        let ext = self.unwrapper.unwrap(header.sequence_number);
        self.packets.insert(
            ext,
            Sent {
                header,
                payload: payload.to_vec(),
                sent_at: now,
                last_resent: None,
                queued: false,
                padded: false,
            },
        );
        self.expire(now);
    }

    /// Drops what is too old or over the count bound.
    pub fn expire(&mut self, now: Instant) {
        while self.packets.len() > self.max_packets {
            self.packets.pop_first();
        }
        while let Some(e) = self.packets.first_entry() {
            if now.saturating_duration_since(e.get().sent_at) <= self.max_age {
                break;
            }
            e.remove();
        }
    }

    /// The extended sequence number of `seq` relative to the newest packet.
    pub fn ext(&self, seq: u16) -> u64 {
        self.unwrapper.peek(seq)
    }

    pub fn get(&self, ext: u64) -> Option<&Sent> {
        self.packets.get(&ext)
    }

    pub fn get_mut(&mut self, ext: u64) -> Option<&mut Sent> {
        self.packets.get_mut(&ext)
    }

    /// The newest packet not yet sent as padding, marked as sent as padding now.
    pub fn take_newest_unpadded(&mut self) -> Option<&Sent> {
        let p = self.packets.values_mut().rev().find(|p| !p.padded)?;
        p.padded = true;
        Some(p)
    }

    /// When the oldest packet expires.
    #[cfg(test)]
    pub fn next_expiry(&self) -> Option<Instant> {
        self.packets
            .first_key_value()
            .map(|(_, p)| p.sent_at + self.max_age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: u16) -> RtpHeader {
        RtpHeader {
            sequence_number: seq,
            ..Default::default()
        }
    }

    #[test]
    fn bounded_by_count_and_age_across_wrap() {
        let t0 = Instant::now();
        let mut h = History::new(4, Duration::from_millis(100));
        for (i, seq) in [65534u16, 65535, 0, 1, 2].into_iter().enumerate() {
            h.insert(t0 + Duration::from_millis(10 * i as u64), header(seq), &[1]);
        }
        assert_eq!(h.len(), 4);
        assert!(h.get_mut(h.ext(65534)).is_none());
        let e = h.ext(0);
        assert_eq!(h.get_mut(e).map(|p| p.header.sequence_number), Some(0));
        h.expire(t0 + Duration::from_millis(125));
        // Sent at 10, 20 ms are older than 100 ms at 125 ms; 30 and 40 remain.
        assert_eq!(h.len(), 2);
        assert_eq!(h.next_expiry(), Some(t0 + Duration::from_millis(130)));
        assert_eq!(
            History::new(usize::MAX, Duration::ZERO).max_packets,
            MAX_HISTORY_PACKETS
        );
    }
}
