//! I-DATA reassembly (RFC 8260): fragments keyed by stream, U bit and MID, ordered by FSN.

use std::collections::{BTreeMap, VecDeque};

use bytes::{Bytes, BytesMut};

use crate::chunk::IDataChunk;
use crate::event::Event;
use crate::tsn::unwrap_tsn;

use super::*;

impl Receiver {
    /// Stores a new I-DATA chunk (already checked with [`Receiver::check`]) and delivers the
    /// message it completes; returns the bytes added to `events`.
    pub fn accept_idata(&mut self, chunk: IDataChunk, events: &mut VecDeque<Event>) -> usize {
        let t = unwrap_tsn(self.cum, chunk.tsn);
        self.mark_received(t);
        let (stream, unordered, mid) = (chunk.stream_id, chunk.unordered, chunk.mid);
        let len = chunk.payload.len();
        if chunk.beginning && chunk.ending {
            if len > self.max_message_size {
                self.dropped_messages += 1;
                return 0;
            }
            let msg = Message {
                ppid: chunk.ppid_or_fsn,
                data: chunk.payload,
            };
            return self.deliver(stream, mid, true, unordered, msg, events);
        }
        let fsn = if chunk.beginning {
            0
        } else {
            chunk.ppid_or_fsn
        };
        let m = self
            .imsgs
            .entry((stream, unordered, mid))
            .or_insert_with(|| IMessage {
                ppid: None,
                last_fsn: None,
                frags: BTreeMap::new(),
                len: 0,
                oversize: false,
            });
        if m.frags.contains_key(&fsn) {
            self.dropped_messages += 1;
            return 0;
        }
        if chunk.beginning {
            m.ppid = Some(chunk.ppid_or_fsn);
        }
        if chunk.ending {
            m.last_fsn = Some(fsn);
        }
        if !m.oversize && m.len + len > self.max_message_size {
            m.oversize = true;
            self.buffered -= m.len;
            m.len = 0;
            for v in m.frags.values_mut() {
                *v = Bytes::new();
            }
        }
        if m.oversize {
            m.frags.insert(fsn, Bytes::new());
        } else {
            m.len += len;
            self.buffered += len;
            m.frags.insert(fsn, chunk.payload);
        }
        let complete = match (m.ppid, m.last_fsn) {
            (Some(_), Some(last)) => {
                m.frags.len() as u64 == u64::from(last) + 1
                    && m.frags.last_key_value().is_some_and(|(k, _)| *k == last)
            }
            _ => false,
        };
        if !complete {
            return 0;
        }
        let Some(m) = self.imsgs.remove(&(stream, unordered, mid)) else {
            return 0;
        };
        self.buffered -= m.len;
        if m.oversize {
            self.dropped_messages += 1;
            return 0;
        }
        let mut buf = BytesMut::with_capacity(m.len);
        for part in m.frags.values() {
            buf.extend_from_slice(part);
        }
        let msg = Message {
            ppid: m.ppid.unwrap_or(0),
            data: buf.freeze(),
        };
        self.deliver(stream, mid, true, unordered, msg, events)
    }
}
