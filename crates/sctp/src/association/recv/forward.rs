//! FORWARD-TSN and I-FORWARD-TSN on the receive side: the cumulative TSN jumps over abandoned
//! data and ordered streams skip the abandoned sequence numbers.

use std::collections::VecDeque;

use crate::chunk::{SkippedMessage, SkippedStream};
use crate::event::Event;
use crate::tsn::unwrap_tsn;

use super::*;

impl Receiver {
    /// Applies a FORWARD-TSN (RFC 3758 §3.6); returns bytes delivered into `events`.
    pub fn forward_tsn(
        &mut self,
        new_cum: u32,
        skipped: &[SkippedStream],
        events: &mut VecDeque<Event>,
    ) -> usize {
        if !self.jump_to(new_cum) {
            return 0;
        }
        let mut n = 0;
        for s in skipped {
            n += self.skip_ordered(s.stream_id, u32::from(s.ssn), false, events);
        }
        n
    }

    /// Applies an I-FORWARD-TSN (RFC 8260 §2.3.2); returns bytes delivered into `events`.
    pub fn iforward_tsn(
        &mut self,
        new_cum: u32,
        skipped: &[SkippedMessage],
        events: &mut VecDeque<Event>,
    ) -> usize {
        if !self.jump_to(new_cum) {
            return 0;
        }
        let mut n = 0;
        for s in skipped {
            // Interleaved messages are skipped by identifier, never by TSN: fragments of
            // messages still in flight may lie below the new cumulative TSN.
            let doomed: Vec<(u16, bool, u32)> = self
                .imsgs
                .range((s.stream_id, s.unordered, 0)..=(s.stream_id, s.unordered, u32::MAX))
                .map(|(k, _)| *k)
                .filter(|k| {
                    if s.unordered {
                        k.2 == s.mid
                    } else {
                        crate::tsn::tsn_le(k.2, s.mid)
                    }
                })
                .collect();
            for k in doomed {
                if let Some(m) = self.imsgs.remove(&k) {
                    self.buffered -= m.len;
                }
            }
            if !s.unordered {
                n += self.skip_ordered(s.stream_id, s.mid, true, events);
            }
        }
        n
    }

    /// Moves the cumulative TSN to `new_cum`, discarding what it passes over; false when the
    /// new value is stale or out of the window.
    pub(super) fn jump_to(&mut self, new_cum: u32) -> bool {
        let nc = unwrap_tsn(self.cum, new_cum);
        if nc <= self.cum || nc - self.cum > MAX_TSN_AHEAD {
            return false;
        }
        if let Some(p) = self.partial.take() {
            // Its next fragment (cum + 1) was abandoned, so the whole message was.
            self.buffered -= p.len;
        }
        while let Some(&f) = self.ooo.first() {
            if f > nc {
                break;
            }
            self.ooo.pop_first();
        }
        while let Some(entry) = self.frags.first_entry() {
            if *entry.key() > nc {
                break;
            }
            let f = entry.remove();
            self.buffered -= f.data.len();
        }
        self.cum = nc;
        self.mark_received_after_jump();
        true
    }

    /// Skips ordered messages of `stream` up to `seq` (SSN, or MID when `wide`), delivering
    /// complete ones up to it and then any that became in order.
    pub(super) fn skip_ordered(
        &mut self,
        stream: u16,
        seq: u32,
        wide: bool,
        events: &mut VecDeque<Event>,
    ) -> usize {
        let Some(st) = self.streams.get_mut(&stream) else {
            // Nothing pending: remember the skip so later messages are in order.
            let st = InStream {
                next: u64::from(seq) + 1,
                ..Default::default()
            };
            self.streams.insert(stream, st);
            return 0;
        };
        let Some(skip) = st.unwrap_seq(seq, wide) else {
            return 0;
        };
        let mut n = 0;
        while let Some(e) = st.pending.first_entry() {
            if *e.key() > skip {
                break;
            }
            let m = e.remove();
            self.buffered -= m.data.len();
            n += m.data.len();
            events.push_back(Event::StreamData {
                stream,
                ppid: m.ppid,
                data: m.data,
                unordered: false,
            });
        }
        st.next = skip + 1;
        n + Self::drain_stream(st, stream, &mut self.buffered, events)
    }
}
