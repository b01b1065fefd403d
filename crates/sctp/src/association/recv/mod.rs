//! Receive side: TSN tracking, duplicate detection, reassembly, per-stream ordering, SACK
//! generation and FORWARD-TSN handling.

mod forward;
mod idata;
mod sack;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::{Bytes, BytesMut};

use crate::chunk::DataChunk;
use crate::chunk::sack::MAX_DUP_TSNS;
use crate::event::Event;
use crate::hash::StreamMap;
use crate::tsn::unwrap_tsn;

/// DATA with a TSN further than this beyond the cumulative TSN is dropped (gap ack offsets are
/// 16 bits).
const MAX_TSN_AHEAD: u64 = 65_535;

/// What became of one received DATA chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataOutcome {
    /// A new TSN, accepted (possibly delivered).
    New,
    /// A TSN seen before.
    Duplicate,
    /// Not accepted (no buffer space or TSN out of window); not acknowledged.
    Dropped,
}

#[derive(Debug)]
struct Fragment {
    stream: u16,
    ssn: u16,
    ppid: u32,
    unordered: bool,
    beginning: bool,
    ending: bool,
    data: Bytes,
}

/// An I-DATA message being reassembled by fragment sequence number.
#[derive(Debug)]
struct IMessage {
    ppid: Option<u32>,
    last_fsn: Option<u32>,
    frags: BTreeMap<u32, Bytes>,
    len: usize,
    oversize: bool,
}

/// A message whose fragments so far all arrived in sequence.
#[derive(Debug)]
struct Partial {
    stream: u16,
    ssn: u16,
    ppid: u32,
    unordered: bool,
    first_tsn: u64,
    next_tsn: u64,
    len: usize,
    /// Larger than the maximum message size: fragments are counted, not kept.
    oversize: bool,
    parts: Vec<Bytes>,
}

#[derive(Debug)]
struct Message {
    ppid: u32,
    data: Bytes,
}

#[derive(Debug, Default)]
struct InStream {
    /// Next expected SSN, unwrapped.
    next: u64,
    /// Complete ordered messages waiting for earlier SSNs.
    pending: BTreeMap<u64, Message>,
}

impl InStream {
    /// Unwraps an SSN (16 bits) or, with `wide`, an I-DATA MID (32 bits) near `next`;
    /// `None` when it lies behind.
    fn unwrap_seq(&self, seq: u32, wide: bool) -> Option<u64> {
        let d = if wide {
            i64::from(seq.wrapping_sub(self.next as u32) as i32)
        } else {
            i64::from((seq as u16).wrapping_sub(self.next as u16) as i16)
        };
        if d < 0 {
            None
        } else {
            Some(self.next + d as u64)
        }
    }
}

/// Receive-side state of an association.
#[derive(Debug)]
pub struct Receiver {
    cum: u64,
    ooo: BTreeSet<u64>,
    frags: BTreeMap<u64, Fragment>,
    partial: Option<Partial>,
    imsgs: BTreeMap<(u16, bool, u32), IMessage>,
    streams: StreamMap<InStream>,
    /// Bytes held in reassembly and ordering queues.
    pub buffered: usize,
    dups: Vec<u32>,
    max_message_size: usize,
    /// Messages dropped by reassembly (too large or malformed).
    pub dropped_messages: u64,
}

impl Receiver {
    /// Starts expecting `peer_initial_tsn`.
    pub fn new(peer_initial_tsn: u32, max_message_size: usize) -> Self {
        Receiver {
            cum: (1u64 << 32) + u64::from(peer_initial_tsn) - 1,
            ooo: BTreeSet::new(),
            frags: BTreeMap::new(),
            partial: None,
            imsgs: BTreeMap::new(),
            streams: StreamMap::default(),
            buffered: 0,
            dups: Vec::new(),
            max_message_size,
            dropped_messages: 0,
        }
    }

    /// The cumulative TSN (last TSN received in sequence), as on the wire.
    pub fn cumulative_tsn(&self) -> u32 {
        self.cum as u32
    }

    /// Whether some TSNs above the cumulative TSN were received (a gap exists).
    pub fn has_gaps(&self) -> bool {
        !self.ooo.is_empty()
    }

    /// Whether duplicates wait to be reported.
    pub fn has_dups(&self) -> bool {
        !self.dups.is_empty()
    }

    /// Whether `tsn` (wire value) is at or below the cumulative TSN.
    pub fn is_acked(&self, tsn: u32) -> bool {
        unwrap_tsn(self.cum, tsn) <= self.cum
    }

    fn mark_received(&mut self, tsn: u64) {
        if tsn == self.cum + 1 {
            self.cum = tsn;
            while self.ooo.first() == Some(&(self.cum + 1)) {
                self.ooo.pop_first();
                self.cum += 1;
            }
        } else {
            self.ooo.insert(tsn);
        }
    }

    /// Classifies a DATA chunk's TSN before anything is stored.
    pub fn check(&mut self, tsn: u32) -> DataOutcome {
        let t = unwrap_tsn(self.cum, tsn);
        if t <= self.cum || self.ooo.contains(&t) {
            if self.dups.len() < MAX_DUP_TSNS {
                self.dups.push(tsn);
            }
            return DataOutcome::Duplicate;
        }
        if t - self.cum > MAX_TSN_AHEAD {
            return DataOutcome::Dropped;
        }
        DataOutcome::New
    }

    /// Whether a higher TSN than `tsn` was already received (it fills a hole).
    pub fn fills_hole(&self, tsn: u32) -> bool {
        let t = unwrap_tsn(self.cum, tsn);
        self.ooo.last().is_some_and(|&h| h > t)
    }

    /// Whether the chunk is the next in sequence.
    pub fn is_next(&self, tsn: u32) -> bool {
        unwrap_tsn(self.cum, tsn) == self.cum + 1
    }

    /// Marks a new TSN received without storing its data (DATA for an invalid stream).
    pub fn accept_discarded(&mut self, tsn: u32) {
        let t = unwrap_tsn(self.cum, tsn);
        self.mark_received(t);
    }

    /// Stores a new DATA chunk (already checked with [`Receiver::check`]) and delivers every
    /// message it completes into `events`; returns the bytes added to `events`.
    pub fn accept(&mut self, chunk: DataChunk, events: &mut VecDeque<Event>) -> usize {
        let t = unwrap_tsn(self.cum, chunk.tsn);
        let in_order = t == self.cum + 1;
        self.mark_received(t);
        if chunk.beginning && chunk.ending {
            if chunk.payload.len() > self.max_message_size {
                self.dropped_messages += 1;
                return 0;
            }
            return self.deliver(
                chunk.stream_id,
                u32::from(chunk.ssn),
                false,
                chunk.unordered,
                Message {
                    ppid: chunk.ppid,
                    data: chunk.payload,
                },
                events,
            );
        }
        if in_order && self.frags.is_empty() {
            match self.accept_in_order(t, chunk, events) {
                Ok(n) => return n,
                Err(c) => return self.accept_out_of_order(t, c, events),
            }
        }
        self.accept_out_of_order(t, chunk, events)
    }

    /// Fast path for fragments arriving in sequence with nothing held out of order: they are
    /// collected in `partial` without touching the reassembly map. Gives the chunk back when it
    /// does not continue the partial message.
    fn accept_in_order(
        &mut self,
        t: u64,
        chunk: DataChunk,
        events: &mut VecDeque<Event>,
    ) -> Result<usize, DataChunk> {
        if chunk.beginning {
            if let Some(old) = self.partial.take() {
                // The previous message never ended: a broken peer.
                self.buffered -= old.len;
                self.dropped_messages += 1;
            }
            self.buffered += chunk.payload.len();
            self.partial = Some(Partial {
                stream: chunk.stream_id,
                ssn: chunk.ssn,
                ppid: chunk.ppid,
                unordered: chunk.unordered,
                first_tsn: t,
                next_tsn: t + 1,
                len: chunk.payload.len(),
                oversize: false,
                parts: vec![chunk.payload],
            });
            return Ok(0);
        }
        let Some(p) = self.partial.as_mut() else {
            return Err(chunk);
        };
        if p.next_tsn != t || p.stream != chunk.stream_id || p.unordered != chunk.unordered {
            return Err(chunk);
        }
        if !p.oversize && p.len + chunk.payload.len() > self.max_message_size {
            // Keep following the message so its remaining fragments are discarded too.
            p.oversize = true;
            self.buffered -= p.len;
            p.len = 0;
            p.parts.clear();
        }
        p.next_tsn += 1;
        if !p.oversize {
            p.len += chunk.payload.len();
            self.buffered += chunk.payload.len();
            p.parts.push(chunk.payload);
        }
        if !chunk.ending {
            return Ok(0);
        }
        let Some(p) = self.partial.take() else {
            return Ok(0);
        };
        self.buffered -= p.len;
        if p.oversize {
            self.dropped_messages += 1;
            return Ok(0);
        }
        let mut buf = BytesMut::with_capacity(p.len);
        for part in &p.parts {
            buf.extend_from_slice(part);
        }
        let msg = Message {
            ppid: p.ppid,
            data: buf.freeze(),
        };
        Ok(self.deliver(p.stream, u32::from(p.ssn), false, p.unordered, msg, events))
    }

    /// Moves the partial message into the reassembly map (something arrived out of order).
    fn spill_partial(&mut self) {
        let Some(p) = self.partial.take() else {
            return;
        };
        if p.oversize {
            self.dropped_messages += 1;
            return;
        }
        for (i, data) in p.parts.into_iter().enumerate() {
            self.frags.insert(
                p.first_tsn + i as u64,
                Fragment {
                    stream: p.stream,
                    ssn: p.ssn,
                    ppid: p.ppid,
                    unordered: p.unordered,
                    beginning: i == 0,
                    ending: false,
                    data,
                },
            );
        }
    }

    fn accept_out_of_order(
        &mut self,
        t: u64,
        chunk: DataChunk,
        events: &mut VecDeque<Event>,
    ) -> usize {
        self.spill_partial();
        self.buffered += chunk.payload.len();
        self.frags.insert(
            t,
            Fragment {
                stream: chunk.stream_id,
                ssn: chunk.ssn,
                ppid: chunk.ppid,
                unordered: chunk.unordered,
                beginning: chunk.beginning,
                ending: chunk.ending,
                data: chunk.payload,
            },
        );
        self.try_assemble(t, events)
    }

    fn try_assemble(&mut self, t: u64, events: &mut VecDeque<Event>) -> usize {
        let Some(first) = self.frags.get(&t) else {
            return 0;
        };
        let (stream, unordered) = (first.stream, first.unordered);
        let mut end = None;
        for (expect, (&k, f)) in (t..).zip(self.frags.range(t..)) {
            if k != expect || f.stream != stream || f.unordered != unordered {
                break;
            }
            if k != t && f.beginning {
                break;
            }
            if f.ending {
                end = Some(k);
                break;
            }
        }
        let Some(end) = end else { return 0 };
        let mut start = None;
        let mut expect = t;
        for (&k, f) in self.frags.range(..=t).rev() {
            if k != expect || f.stream != stream || f.unordered != unordered {
                break;
            }
            if k != t && f.ending {
                break;
            }
            if f.beginning {
                start = Some(k);
                break;
            }
            expect -= 1;
        }
        let Some(start) = start else { return 0 };
        let mut total = 0usize;
        let mut parts = Vec::with_capacity((end - start + 1) as usize);
        for k in start..=end {
            if let Some(f) = self.frags.remove(&k) {
                total += f.data.len();
                parts.push(f);
            }
        }
        self.buffered -= total;
        let Some(head) = parts.first() else { return 0 };
        let (ssn, ppid) = (head.ssn, head.ppid);
        if total > self.max_message_size {
            self.dropped_messages += 1;
            return 0;
        }
        let mut buf = BytesMut::with_capacity(total);
        for p in &parts {
            buf.extend_from_slice(&p.data);
        }
        let msg = Message {
            ppid,
            data: buf.freeze(),
        };
        self.deliver(stream, u32::from(ssn), false, unordered, msg, events)
    }

    #[allow(clippy::too_many_arguments)]
    fn deliver(
        &mut self,
        stream: u16,
        seq: u32,
        wide: bool,
        unordered: bool,
        msg: Message,
        events: &mut VecDeque<Event>,
    ) -> usize {
        if unordered {
            let n = msg.data.len();
            events.push_back(Event::StreamData {
                stream,
                ppid: msg.ppid,
                data: msg.data,
                unordered: true,
            });
            return n;
        }
        let st = self.streams.entry(stream).or_default();
        let Some(s) = st.unwrap_seq(seq, wide) else {
            self.dropped_messages += 1;
            return 0;
        };
        if s != st.next {
            if st.pending.contains_key(&s) {
                self.dropped_messages += 1;
                return 0;
            }
            self.buffered += msg.data.len();
            st.pending.insert(s, msg);
            return 0;
        }
        let mut n = msg.data.len();
        events.push_back(Event::StreamData {
            stream,
            ppid: msg.ppid,
            data: msg.data,
            unordered: false,
        });
        st.next += 1;
        n += Self::drain_stream(st, stream, &mut self.buffered, events);
        n
    }

    fn drain_stream(
        st: &mut InStream,
        stream: u16,
        buffered: &mut usize,
        events: &mut VecDeque<Event>,
    ) -> usize {
        let mut n = 0;
        while let Some(m) = st.pending.remove(&st.next) {
            *buffered -= m.data.len();
            n += m.data.len();
            events.push_back(Event::StreamData {
                stream,
                ppid: m.ppid,
                data: m.data,
                unordered: false,
            });
            st.next += 1;
        }
        n
    }

    fn mark_received_after_jump(&mut self) {
        while self.ooo.first() == Some(&(self.cum + 1)) {
            self.ooo.pop_first();
            self.cum += 1;
        }
    }

    /// Resets the SSNs of incoming streams (all when `streams` is empty).
    pub fn reset_streams(&mut self, streams: &[u16]) {
        let drop = |st: InStream, buffered: &mut usize| {
            for m in st.pending.values() {
                *buffered -= m.data.len();
            }
        };
        if streams.is_empty() {
            for (_, st) in self.streams.drain() {
                drop(st, &mut self.buffered);
            }
        } else {
            for s in streams {
                if let Some(st) = self.streams.remove(s) {
                    drop(st, &mut self.buffered);
                }
            }
        }
    }
}
