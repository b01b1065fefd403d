//! FORWARD-TSN (RFC 3758) and I-FORWARD-TSN (RFC 8260) for abandoned messages, bounded to what
//! fits in one packet.

use crate::chunk::data::FLAG_U;
use crate::chunk::{ForwardTsnChunk, IForwardTsnChunk, SkippedMessage, SkippedStream};

use super::*;

impl Sender {
    /// Builds the FORWARD-TSN for the current advanced peer ack point, if it is ahead. At most
    /// `max_streams` entries are listed; the new cumulative TSN stops short when more would be
    /// needed (the rest follows in a later FORWARD-TSN).
    pub fn build_forward_tsn(&self, max_streams: usize) -> Option<ForwardTsnChunk> {
        let (new_cum, entries) = self.skipped(max_streams, |s, _| (s.stream, false, s.seq))?;
        let streams = entries
            .into_iter()
            .map(|(stream_id, _, seq)| SkippedStream {
                stream_id,
                ssn: seq as u16,
            })
            .collect();
        Some(ForwardTsnChunk {
            new_cumulative_tsn: new_cum,
            streams,
        })
    }

    /// Builds the I-FORWARD-TSN (RFC 8260 §2.3) for the advanced peer ack point, if ahead;
    /// bounded like [`Sender::build_forward_tsn`].
    pub fn build_iforward_tsn(&self, max_messages: usize) -> Option<IForwardTsnChunk> {
        let (new_cum, entries) =
            self.skipped(max_messages, |s, unordered| (s.stream, unordered, s.seq))?;
        let messages = entries
            .into_iter()
            .map(|(stream_id, unordered, mid)| SkippedMessage {
                stream_id,
                unordered,
                mid,
            })
            .collect();
        Some(IForwardTsnChunk {
            new_cumulative_tsn: new_cum,
            messages,
        })
    }

    /// The new cumulative TSN and the skipped entries up to the advanced peer ack point: one
    /// per ordered stream (its highest sequence number) and, with I-DATA, one per unordered
    /// message. Unordered DATA needs no entry.
    pub(super) fn skipped(
        &self,
        max: usize,
        key: impl Fn(&Sent, bool) -> SkipEntry,
    ) -> Option<(u32, Vec<SkipEntry>)> {
        if self.adv_ack <= self.cum_ack {
            return None;
        }
        let n = (self.adv_ack - self.cum_ack) as usize;
        let mut entries: Vec<SkipEntry> = Vec::new();
        let mut new_cum = self.adv_ack;
        for (i, s) in self.outstanding.iter().take(n).enumerate() {
            if s.state != SentState::Abandoned {
                continue;
            }
            let unordered = s.flags & FLAG_U != 0;
            if unordered && !self.interleave {
                continue;
            }
            let (stream, u, seq) = key(s, unordered);
            let existing = entries
                .iter()
                .position(|e| e.0 == stream && e.1 == u && (!u || e.2 == seq));
            if let Some(e) = existing.and_then(|p| entries.get_mut(p)) {
                if crate::tsn::tsn_lt(e.2, seq) {
                    e.2 = seq;
                }
            } else if entries.len() < max {
                entries.push((stream, u, seq));
            } else {
                new_cum = self.cum_ack + i as u64;
                break;
            }
        }
        if new_cum <= self.cum_ack {
            return None;
        }
        Some((new_cum as u32, entries))
    }
}
