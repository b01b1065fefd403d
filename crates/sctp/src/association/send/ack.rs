//! SACK processing (RFC 9260 §6.2.1, §7.2): cumulative and gap acks, RTT samples, fast
//! retransmit and recovery, congestion window growth, T3-rtx expiry and PR-SCTP abandonment.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::chunk::SackChunk;
use crate::tsn::unwrap_tsn;

use super::*;

impl Sender {
    /// Processes a SACK.
    pub fn handle_sack(&mut self, now: Instant, sack: &SackChunk, rto: Duration) -> SackOutcome {
        let mut res = SackOutcome::default();
        let cum = unwrap_tsn(self.cum_ack, sack.cumulative_tsn_ack);
        if cum < self.cum_ack || cum >= self.next_tsn {
            res.ignored = true;
            return res;
        }
        let flight_before = self.flight;
        let cum_advanced = cum > self.cum_ack;
        res.cum_advanced = cum_advanced;
        let mut rtt_from: Option<Instant> = None;
        let mut highest_newly_acked: Option<u64> = None;
        while self.cum_ack < cum {
            let Some(s) = self.outstanding.pop_front() else {
                break;
            };
            self.cum_ack += 1;
            match s.state {
                SentState::InFlight => {
                    self.flight -= s.data.len();
                    res.bytes_acked += s.data.len();
                    if s.tx_count == 1 {
                        rtt_from = Some(s.sent_at);
                    }
                    highest_newly_acked = Some(self.cum_ack);
                }
                SentState::RtxPending => {
                    self.rtx.remove(&self.cum_ack);
                    res.bytes_acked += s.data.len();
                    highest_newly_acked = Some(self.cum_ack);
                }
                SentState::Acked | SentState::Abandoned => {}
            }
        }
        for g in &sack.gap_ack_blocks {
            let first = cum + u64::from(g.start);
            let last = cum + u64::from(g.end);
            for tsn in first..=last {
                let idx = (tsn - self.cum_ack - 1) as usize;
                let Some(s) = self.outstanding.get_mut(idx) else {
                    break;
                };
                match s.state {
                    SentState::InFlight => {
                        self.flight -= s.data.len();
                        if s.tx_count == 1 {
                            rtt_from = Some(s.sent_at);
                        }
                    }
                    SentState::RtxPending => {
                        self.rtx.remove(&tsn);
                    }
                    SentState::Acked | SentState::Abandoned => continue,
                }
                s.state = SentState::Acked;
                res.bytes_acked += s.data.len();
                highest_newly_acked = Some(tsn);
            }
        }
        res.rtt = rtt_from.map(|t| now.saturating_duration_since(t));

        // Missing reports (HTNA, RFC 9260 §7.2.4) and fast retransmit.
        if let Some(h) = highest_newly_acked {
            let end = h.saturating_sub(self.cum_ack + 1) as usize;
            let mut enter_recovery = false;
            for idx in 0..end.min(self.outstanding.len()) {
                let Some(s) = self.outstanding.get_mut(idx) else {
                    break;
                };
                if s.state != SentState::InFlight || s.fast_retransmitted {
                    continue;
                }
                s.missing = s.missing.saturating_add(1);
                if s.missing >= 3 {
                    s.fast_retransmitted = true;
                    enter_recovery = true;
                    let tsn = self.cum_ack + 1 + idx as u64;
                    if self.pr_supported && s.should_abandon(now) {
                        let id = s.msg_id;
                        self.abandon(idx, id);
                    } else {
                        self.flight -= s.data.len();
                        s.state = SentState::RtxPending;
                        self.rtx.insert(tsn);
                    }
                }
            }
            if enter_recovery {
                self.fast_retransmit_now = true;
                if self.fast_recovery_exit.is_none() {
                    self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
                    self.cwnd = self.ssthresh;
                    self.partial_bytes_acked = 0;
                    self.fast_recovery_exit = Some(self.next_tsn - 1);
                }
            }
        }
        if self.fast_recovery_exit.is_some_and(|e| self.cum_ack >= e) {
            self.fast_recovery_exit = None;
        }

        // Congestion window (RFC 9260 §7.2.1, §7.2.2).
        if cum_advanced && self.fast_recovery_exit.is_none() {
            if self.cwnd <= self.ssthresh {
                if flight_before >= self.cwnd {
                    self.cwnd += res.bytes_acked.min(self.mtu);
                }
            } else {
                self.partial_bytes_acked += res.bytes_acked;
                if self.partial_bytes_acked >= self.cwnd && flight_before >= self.cwnd {
                    self.partial_bytes_acked -= self.cwnd;
                    self.cwnd += self.mtu;
                }
            }
        }
        if self.flight == 0 {
            self.partial_bytes_acked = 0;
        }
        self.peer_rwnd = (sack.a_rwnd as usize).saturating_sub(self.flight);

        // T3-rtx (RFC 9260 §6.3.2).
        if self.outstanding.is_empty() {
            self.t3 = None;
        } else if cum_advanced {
            self.t3 = Some(now + rto);
        }
        self.advance_peer_ack_point();
        res
    }

    /// Marks every fragment of message `id` around outstanding index `idx` abandoned, and drops
    /// its unsent remainder.
    pub(super) fn abandon(&mut self, idx: usize, id: u64) {
        self.abandoned_messages += 1;
        let base = self.cum_ack + 1;
        let mark = |s: &mut Sent, tsn: u64, flight: &mut usize, rtx: &mut BTreeSet<u64>| {
            match s.state {
                SentState::InFlight => *flight -= s.data.len(),
                SentState::RtxPending => {
                    rtx.remove(&tsn);
                }
                SentState::Acked | SentState::Abandoned => {}
            }
            s.state = SentState::Abandoned;
        };
        let mut i = idx;
        loop {
            match self.outstanding.get_mut(i) {
                Some(s) if s.msg_id == id => {
                    mark(s, base + i as u64, &mut self.flight, &mut self.rtx)
                }
                _ => break,
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        let mut i = idx + 1;
        while let Some(s) = self.outstanding.get_mut(i) {
            if s.msg_id != id {
                break;
            }
            mark(s, base + i as u64, &mut self.flight, &mut self.rtx);
            i += 1;
        }
        let sid = self.outstanding.get(idx).map(|s| s.stream);
        if let Some(sid) = sid
            && let Some(st) = self.streams.get_mut(&sid)
            && st.queue.front().is_some_and(|m| m.id == id)
            && let Some(m) = st.queue.pop_front()
        {
            let rest = m.data.len() - m.offset;
            st.buffered -= rest;
            self.queued_bytes -= rest;
            if self.current == Some(sid) {
                self.current = None;
                if st.queue.is_empty() {
                    st.scheduled = false;
                } else {
                    self.rr.push_back(sid);
                }
            }
            // With interleaving the stream stays in the round robin; an empty queue is
            // noticed when its turn comes.
        }
        self.forward_tsn_needed = true;
    }

    pub(super) fn advance_peer_ack_point(&mut self) {
        if self.adv_ack < self.cum_ack {
            self.adv_ack = self.cum_ack;
        }
        let mut idx = (self.adv_ack - self.cum_ack) as usize;
        while let Some(s) = self.outstanding.get(idx) {
            if !matches!(s.state, SentState::Abandoned | SentState::Acked) {
                break;
            }
            idx += 1;
        }
        // Only move past a prefix that ends in an abandoned chunk.
        let mut end = idx;
        while end > (self.adv_ack - self.cum_ack) as usize {
            if self
                .outstanding
                .get(end - 1)
                .is_some_and(|s| s.state == SentState::Abandoned)
            {
                break;
            }
            end -= 1;
        }
        self.adv_ack = self.cum_ack + end as u64;
        self.forward_tsn_needed = self.adv_ack > self.cum_ack;
    }

    /// T3-rtx expired (RFC 9260 §6.3.3): collapse cwnd and mark everything outstanding for
    /// retransmission; `rto` is the already backed-off RTO.
    pub fn on_t3_expired(&mut self, now: Instant, rto: Duration) {
        self.ssthresh = (self.cwnd / 2).max(4 * self.mtu);
        self.cwnd = self.mtu;
        self.partial_bytes_acked = 0;
        self.fast_recovery_exit = None;
        let base = self.cum_ack + 1;
        for idx in 0..self.outstanding.len() {
            let Some(s) = self.outstanding.get_mut(idx) else {
                break;
            };
            if s.state != SentState::InFlight && s.state != SentState::RtxPending {
                continue;
            }
            if self.pr_supported && s.should_abandon(now) {
                let id = s.msg_id;
                self.abandon(idx, id);
                continue;
            }
            if s.state == SentState::InFlight {
                self.flight -= s.data.len();
                s.state = SentState::RtxPending;
                self.rtx.insert(base + idx as u64);
            }
        }
        self.advance_peer_ack_point();
        self.t3 = if self.outstanding.is_empty() {
            None
        } else {
            Some(now + rto)
        };
    }
}
