//! Outgoing stream reset bookkeeping (RFC 6525): streams stop taking messages, the request goes
//! out once their queues drain, and SSNs/MIDs restart when the peer performed it.

use super::*;

impl Sender {
    /// Marks streams for reset: they take no new messages from now on.
    pub fn mark_reset(&mut self, streams: &[u16]) {
        for &s in streams {
            let st = self.streams.entry(s).or_default();
            if st.reset == ResetState::None {
                st.reset = ResetState::Pending;
                self.pending_resets += 1;
            }
        }
    }

    /// Streams whose reset may be requested now (queue drained); marks them requested.
    pub fn take_resettable(&mut self, max: usize) -> Vec<u16> {
        let mut v: Vec<u16> = Vec::new();
        if self.pending_resets == 0 {
            return v;
        }
        for (&sid, st) in self.streams.iter_mut() {
            if v.len() == max {
                break;
            }
            if st.reset == ResetState::Pending && st.queue.is_empty() && self.current != Some(sid) {
                st.reset = ResetState::Requested;
                self.pending_resets -= 1;
                v.push(sid);
            }
        }
        v.sort_unstable();
        v
    }

    /// The peer performed the reset: SSNs restart at 0 and the streams take messages again.
    pub fn complete_reset(&mut self, streams: &[u16]) {
        for s in streams {
            if let Some(st) = self.streams.get_mut(s) {
                st.next_ssn = 0;
                st.next_mid_ordered = 0;
                st.next_mid_unordered = 0;
                st.reset = ResetState::None;
                if st.queue.is_empty() && st.low_threshold == 0 {
                    self.streams.remove(s);
                }
            }
        }
    }

    /// The request must be sent again later.
    pub fn retry_reset(&mut self, streams: &[u16]) {
        for s in streams {
            if let Some(st) = self.streams.get_mut(s)
                && st.reset == ResetState::Requested
            {
                st.reset = ResetState::Pending;
                self.pending_resets += 1;
            }
        }
    }

    /// The peer refused the reset: the streams take messages again with their SSNs unchanged.
    pub fn abort_reset(&mut self, streams: &[u16]) {
        for s in streams {
            if let Some(st) = self.streams.get_mut(s)
                && st.reset == ResetState::Requested
            {
                st.reset = ResetState::None;
            }
        }
    }

    /// Whether some streams wait for a reset request.
    pub fn reset_pending(&self) -> bool {
        self.pending_resets > 0
    }
}
