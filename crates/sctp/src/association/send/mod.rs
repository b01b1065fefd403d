//! Send side: per-stream queues with round-robin scheduling, fragmentation, the retransmission
//! queue, SACK processing, congestion control (RFC 9260 §7), T3-rtx bookkeeping and PR-SCTP
//! abandonment (RFC 3758).

mod ack;
mod forward;
mod reset;

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::chunk::data::{self, FLAG_B, FLAG_E, FLAG_U};
use crate::chunk::idata;
use crate::error::Error;
use crate::event::Event;
use crate::hash::StreamMap;
use crate::packet::COMMON_HEADER_LEN;
use crate::wire::pad4;

use super::Reliability;

/// Priority of streams nobody configured (W3C "low", the default of data channels).
pub const DEFAULT_PRIORITY: u16 = 256;
/// Bytes per turn per unit of priority: a default stream sends 4 KiB per round.
const QUANTUM_PER_PRIORITY: i64 = 16;

/// A fragment smaller than this is not started at the end of a packet that already has chunks.
const MIN_FRAGMENT: usize = 256;

#[derive(Debug)]
struct OutMessage {
    id: u64,
    ppid: u32,
    data: Bytes,
    offset: usize,
    unordered: bool,
    /// SSN (DATA) or MID (I-DATA), assigned with the first fragment.
    seq: u32,
    /// Next fragment sequence number (I-DATA).
    fsn: u32,
    max_retransmits: Option<u16>,
    expires: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResetState {
    None,
    /// No new messages; the request goes out once the queue is drained.
    Pending,
    /// A RE-CONFIG request for this stream is outstanding.
    Requested,
}

#[derive(Debug)]
struct OutStream {
    queue: VecDeque<OutMessage>,
    next_ssn: u16,
    next_mid_ordered: u32,
    next_mid_unordered: u32,
    buffered: usize,
    low_threshold: usize,
    reset: ResetState,
    scheduled: bool,
    /// Scheduling weight (the DCEP priority: 128, 256, 512, 1024).
    priority: u16,
    /// Deficit round robin: bytes this stream may still send in its current turn.
    deficit: i64,
}

impl Default for OutStream {
    fn default() -> Self {
        OutStream {
            queue: VecDeque::new(),
            next_ssn: 0,
            next_mid_ordered: 0,
            next_mid_unordered: 0,
            buffered: 0,
            low_threshold: 0,
            reset: ResetState::None,
            scheduled: false,
            priority: DEFAULT_PRIORITY,
            deficit: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SentState {
    InFlight,
    Acked,
    RtxPending,
    Abandoned,
}

#[derive(Debug)]
struct Sent {
    stream: u16,
    /// SSN (DATA) or MID (I-DATA).
    seq: u32,
    /// PPID on the first fragment; for I-DATA the FSN on the others.
    ppid: u32,
    flags: u8,
    data: Bytes,
    sent_at: Instant,
    tx_count: u16,
    state: SentState,
    missing: u8,
    fast_retransmitted: bool,
    msg_id: u64,
    max_retransmits: Option<u16>,
    expires: Option<Instant>,
}

impl Sent {
    fn should_abandon(&self, now: Instant) -> bool {
        self.max_retransmits.is_some_and(|m| self.tx_count > m)
            || self.expires.is_some_and(|e| e <= now)
    }
}

/// A skipped entry of a FORWARD-TSN: (stream, unordered, SSN or MID).
type SkipEntry = (u16, bool, u32);

/// Result of processing one SACK.
#[derive(Debug, Default)]
pub struct SackOutcome {
    /// Bytes of DATA acknowledged for the first time.
    pub bytes_acked: usize,
    /// An RTT measurement (Karn's algorithm: only from chunks sent once).
    pub rtt: Option<Duration>,
    /// The SACK was ignored (stale or bogus).
    pub ignored: bool,
    /// The cumulative TSN ack advanced (possibly only over abandoned chunks).
    pub cum_advanced: bool,
}

/// Send-side state of an association.
#[derive(Debug)]
pub struct Sender {
    mtu: usize,
    max_send_buffer: usize,
    streams: StreamMap<OutStream>,
    rr: VecDeque<u16>,
    current: Option<u16>,
    queued_bytes: usize,
    next_msg_id: u64,
    outstanding: VecDeque<Sent>,
    next_tsn: u64,
    cum_ack: u64,
    flight: usize,
    rtx: BTreeSet<u64>,
    peer_rwnd: usize,
    cwnd: usize,
    ssthresh: usize,
    partial_bytes_acked: usize,
    fast_recovery_exit: Option<u64>,
    fast_retransmit_now: bool,
    adv_ack: u64,
    pr_supported: bool,
    interleave: bool,
    pending_resets: usize,
    last_data_sent: Option<Instant>,
    /// A FORWARD-TSN should be sent.
    pub forward_tsn_needed: bool,
    /// T3-rtx expiry.
    pub t3: Option<Instant>,
    /// Chunks retransmitted (statistics).
    pub retransmitted_chunks: u64,
    /// Messages abandoned by PR-SCTP (statistics).
    pub abandoned_messages: u64,
}

impl Sender {
    /// A sender whose first TSN is `initial_tsn`.
    pub fn new(
        initial_tsn: u32,
        mtu: usize,
        max_send_buffer: usize,
        peer_rwnd: u32,
        pr_supported: bool,
    ) -> Self {
        let next_tsn = (1u64 << 32) + u64::from(initial_tsn);
        Sender {
            mtu,
            max_send_buffer,
            streams: StreamMap::default(),
            rr: VecDeque::new(),
            current: None,
            queued_bytes: 0,
            next_msg_id: 0,
            outstanding: VecDeque::new(),
            next_tsn,
            cum_ack: next_tsn - 1,
            flight: 0,
            rtx: BTreeSet::new(),
            peer_rwnd: peer_rwnd as usize,
            // RFC 9260 §7.2.1: min(4*MTU, max(2*MTU, 4404)).
            cwnd: (4 * mtu).min((2 * mtu).max(4404)),
            ssthresh: peer_rwnd as usize,
            partial_bytes_acked: 0,
            fast_recovery_exit: None,
            fast_retransmit_now: false,
            adv_ack: next_tsn - 1,
            pr_supported,
            interleave: false,
            pending_resets: 0,
            last_data_sent: None,
            forward_tsn_needed: false,
            t3: None,
            retransmitted_chunks: 0,
            abandoned_messages: 0,
        }
    }

    /// Updates the peer's receive window and PR-SCTP support once the handshake completed.
    pub fn set_peer(&mut self, peer_rwnd: u32, pr_supported: bool, interleave: bool) {
        self.peer_rwnd = peer_rwnd as usize;
        self.ssthresh = peer_rwnd as usize;
        self.pr_supported = pr_supported;
        self.interleave = interleave;
    }

    fn header_len(&self) -> usize {
        if self.interleave {
            idata::HEADER_LEN
        } else {
            data::HEADER_LEN
        }
    }

    /// Writes a DATA or (when negotiated) I-DATA chunk.
    #[allow(clippy::too_many_arguments)]
    fn write_chunk(
        interleave: bool,
        out: &mut Vec<u8>,
        flags: u8,
        tsn: u64,
        stream: u16,
        seq: u32,
        ppid_or_fsn: u32,
        payload: &[u8],
    ) {
        if interleave {
            idata::write_idata(out, flags, tsn as u32, stream, seq, ppid_or_fsn, payload);
        } else {
            data::write_data(
                out,
                flags,
                tsn as u32,
                stream,
                seq as u16,
                ppid_or_fsn,
                payload,
            );
        }
    }

    /// The last TSN assigned to a DATA chunk, as on the wire.
    pub fn last_assigned_tsn(&self) -> u32 {
        (self.next_tsn - 1) as u32
    }

    /// Congestion window, bytes.
    pub fn cwnd(&self) -> usize {
        self.cwnd
    }

    /// Bytes in flight.
    pub fn flight_size(&self) -> usize {
        self.flight
    }

    /// Bytes queued on `stream` and not yet sent.
    pub fn buffered_amount(&self, stream: u16) -> usize {
        self.streams.get(&stream).map_or(0, |s| s.buffered)
    }

    /// Bytes queued on all streams and not yet sent.
    pub fn total_buffered(&self) -> usize {
        self.queued_bytes
    }

    /// Sets the threshold at or below which [`Event::BufferedAmountLow`] is reported.
    pub fn set_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.streams.entry(stream).or_default().low_threshold = threshold;
    }

    /// Nothing queued, nothing outstanding.
    pub fn is_idle(&self) -> bool {
        self.queued_bytes == 0 && self.outstanding.is_empty() && self.current.is_none()
    }

    /// Whether DATA waits to be transmitted or retransmitted.
    pub fn has_pending(&self) -> bool {
        !self.rtx.is_empty() || !self.rr.is_empty() || self.current.is_some()
    }

    /// Queues a message.
    pub fn enqueue(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: Bytes,
        rel: Reliability,
    ) -> Result<(), Error> {
        if self.queued_bytes + data.len() > self.max_send_buffer {
            return Err(Error::BufferFull);
        }
        let st = self.streams.entry(stream).or_default();
        if st.reset != ResetState::None {
            return Err(Error::StreamResetting);
        }
        let pr = self.pr_supported;
        let msg = OutMessage {
            id: self.next_msg_id,
            ppid,
            offset: 0,
            unordered: !rel.ordered,
            seq: 0,
            fsn: 0,
            max_retransmits: if pr { rel.max_retransmits } else { None },
            expires: if pr {
                rel.max_lifetime.map(|d| now + d)
            } else {
                None
            },
            data,
        };
        self.next_msg_id += 1;
        self.queued_bytes += msg.data.len();
        st.buffered += msg.data.len();
        st.queue.push_back(msg);
        if !st.scheduled {
            st.scheduled = true;
            self.rr.push_back(stream);
        }
        Ok(())
    }

    /// Appends retransmissions, then new DATA, to the packet being built in `out`; returns the
    /// number of DATA chunks written.
    pub fn write_data(
        &mut self,
        now: Instant,
        out: &mut Vec<u8>,
        rto: Duration,
        events: &mut VecDeque<Event>,
    ) -> usize {
        let mtu = self.mtu;
        let header_len = self.header_len();
        let interleave = self.interleave;
        let mut written = 0;
        self.decay_idle_cwnd(now, rto);
        while let Some(&tsn) = self.rtx.first() {
            let idx = tsn.saturating_sub(self.cum_ack + 1) as usize;
            let Some(s) = self.outstanding.get_mut(idx).filter(|_| tsn > self.cum_ack) else {
                self.rtx.pop_first();
                continue;
            };
            if s.state != SentState::RtxPending {
                self.rtx.pop_first();
                continue;
            }
            if !(self.fast_retransmit_now || self.flight < self.cwnd) {
                break;
            }
            let len = pad4(header_len + s.data.len());
            if out.len() + len > mtu {
                break;
            }
            Self::write_chunk(
                interleave, out, s.flags, tsn, s.stream, s.seq, s.ppid, &s.data,
            );
            s.tx_count = s.tx_count.saturating_add(1);
            s.sent_at = now;
            s.state = SentState::InFlight;
            s.missing = 0;
            self.flight += s.data.len();
            self.retransmitted_chunks += 1;
            self.rtx.pop_first();
            written += 1;
        }
        self.fast_retransmit_now = false;
        if self.rtx.is_empty() {
            written += self.write_new_data(now, out, events);
        }
        if written > 0 {
            self.last_data_sent = Some(now);
            if self.t3.is_none() {
                self.t3 = Some(now + rto);
            }
        }
        written
    }

    /// RFC 9260 §7.2.1: an idle sender halves cwnd (down to 4 MTU) per RTO without sending.
    fn decay_idle_cwnd(&mut self, now: Instant, rto: Duration) {
        let Some(last) = self.last_data_sent else {
            return;
        };
        if self.flight > 0 || rto.is_zero() {
            return;
        }
        let idle = now.saturating_duration_since(last);
        let periods = (idle.as_nanos() / rto.as_nanos()).min(16) as u32;
        if periods > 0 {
            self.cwnd = (self.cwnd >> periods).max(4 * self.mtu);
            self.last_data_sent = Some(now);
        }
    }

    fn write_new_data(
        &mut self,
        now: Instant,
        out: &mut Vec<u8>,
        events: &mut VecDeque<Event>,
    ) -> usize {
        let mtu = self.mtu;
        let header_len = self.header_len();
        let interleave = self.interleave;
        let mut written = 0;
        loop {
            let room = mtu.saturating_sub(out.len());
            if room < header_len + 4 {
                break;
            }
            let from_rr = self.current.is_none();
            let sid = match self.current {
                Some(s) => s,
                None => match self.next_stream(now, events) {
                    Some(s) => s,
                    None => break,
                },
            };
            let Some(st) = self.streams.get_mut(&sid) else {
                self.current = None;
                continue;
            };
            let Some(msg) = st.queue.front_mut() else {
                self.current = None;
                st.scheduled = false;
                continue;
            };
            let remaining = msg.data.len() - msg.offset;
            let max_payload = room - header_len;
            let take = remaining.min(max_payload);
            let packet_has_chunks = out.len() > COMMON_HEADER_LEN;
            let too_small = take < remaining && take < MIN_FRAGMENT && packet_has_chunks;
            let window_closed =
                !(self.flight < self.cwnd && (take <= self.peer_rwnd || self.flight == 0));
            if too_small || window_closed {
                // Keep the stream's turn when it was taken from the round robin.
                if from_rr {
                    self.rr.push_front(sid);
                }
                break;
            }
            let mut flags = 0;
            if msg.unordered {
                flags |= FLAG_U;
            }
            if msg.offset == 0 {
                flags |= FLAG_B;
                if interleave {
                    let mid = if msg.unordered {
                        &mut st.next_mid_unordered
                    } else {
                        &mut st.next_mid_ordered
                    };
                    msg.seq = *mid;
                    *mid = mid.wrapping_add(1);
                } else if !msg.unordered {
                    msg.seq = u32::from(st.next_ssn);
                    st.next_ssn = st.next_ssn.wrapping_add(1);
                }
            }
            if take == remaining {
                flags |= FLAG_E;
            }
            let payload = msg.data.slice(msg.offset..msg.offset + take);
            let tsn = self.next_tsn;
            self.next_tsn += 1;
            let ppid_or_fsn = if interleave && msg.offset != 0 {
                msg.fsn
            } else {
                msg.ppid
            };
            msg.fsn = msg.fsn.wrapping_add(1);
            Self::write_chunk(
                interleave,
                out,
                flags,
                tsn,
                sid,
                msg.seq,
                ppid_or_fsn,
                &payload,
            );
            self.outstanding.push_back(Sent {
                stream: sid,
                seq: msg.seq,
                ppid: ppid_or_fsn,
                flags,
                data: payload,
                sent_at: now,
                tx_count: 1,
                state: SentState::InFlight,
                missing: 0,
                fast_retransmitted: false,
                msg_id: msg.id,
                max_retransmits: msg.max_retransmits,
                expires: msg.expires,
            });
            written += 1;
            self.flight += take;
            self.peer_rwnd = self.peer_rwnd.saturating_sub(take);
            msg.offset += take;
            let before = st.buffered;
            st.buffered -= take;
            self.queued_bytes -= take;
            if before > st.low_threshold && st.buffered <= st.low_threshold {
                events.push_back(Event::BufferedAmountLow { stream: sid });
            }
            st.deficit -= take as i64;
            if take == remaining {
                st.queue.pop_front();
                self.current = None;
                if st.queue.is_empty() {
                    st.scheduled = false;
                    st.deficit = 0;
                } else if st.deficit > 0 {
                    // Its turn goes on while its quantum lasts.
                    self.rr.push_front(sid);
                } else {
                    self.rr.push_back(sid);
                }
            } else if interleave {
                // I-DATA: other streams may go between this message's fragments.
                self.current = None;
                if st.deficit > 0 {
                    self.rr.push_front(sid);
                } else {
                    self.rr.push_back(sid);
                }
            } else {
                self.current = Some(sid);
            }
        }
        written
    }

    /// Picks the next stream by deficit round robin weighted by priority (RFC 8831 §6.4),
    /// dropping expired unsent messages.
    fn next_stream(&mut self, now: Instant, events: &mut VecDeque<Event>) -> Option<u16> {
        while let Some(sid) = self.rr.pop_front() {
            let Some(st) = self.streams.get_mut(&sid) else {
                continue;
            };
            while let Some(m) = st.queue.front() {
                if m.offset == 0 && m.expires.is_some_and(|e| e <= now) {
                    let before = st.buffered;
                    st.buffered -= m.data.len();
                    self.queued_bytes -= m.data.len();
                    self.abandoned_messages += 1;
                    st.queue.pop_front();
                    if before > st.low_threshold && st.buffered <= st.low_threshold {
                        events.push_back(Event::BufferedAmountLow { stream: sid });
                    }
                } else {
                    break;
                }
            }
            if st.queue.is_empty() {
                st.scheduled = false;
                st.deficit = 0;
                continue;
            }
            if st.deficit <= 0 {
                // A new turn: top up the quantum. Every stream gains a positive quantum per
                // pass, so this loop ends within two passes over the round robin.
                st.deficit += i64::from(st.priority.max(1)) * QUANTUM_PER_PRIORITY;
                if st.deficit <= 0 && !self.rr.is_empty() {
                    self.rr.push_back(sid);
                    continue;
                }
            }
            return Some(sid);
        }
        None
    }

    /// Sets a stream's scheduling priority (its weight; the DCEP priority values).
    pub fn set_priority(&mut self, stream: u16, priority: u16) {
        self.streams.entry(stream).or_default().priority = priority;
    }

    /// Whether I-DATA is in use.
    pub fn interleaving(&self) -> bool {
        self.interleave
    }
}
