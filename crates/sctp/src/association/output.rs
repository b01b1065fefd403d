//! Packet assembly: control chunks, a bundled SACK, FORWARD-TSN, then retransmissions and new
//! DATA, up to the MTU.

use std::time::Instant;

use crate::chunk::Chunk;
use crate::chunk::sack::MAX_GAP_BLOCKS;
use crate::packet::{COMMON_HEADER_LEN, finish_packet};

use super::{Association, State};

impl Association {
    /// Writes the next packet into `out` (cleared first); returns false when there is nothing
    /// to send. Reusing `out` across calls avoids an allocation per packet.
    pub fn poll_transmit_into(&mut self, now: Instant, out: &mut Vec<u8>) -> bool {
        out.clear();
        if let Some(p) = self.packets.pop_front() {
            *out = p;
            self.stats.packets_sent += 1;
            return true;
        }
        if self.terminated || self.peer_tag == 0 {
            return false;
        }
        let established = matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownReceived
                | State::ShutdownSent
                | State::ShutdownAckSent
        );
        if !established {
            return false;
        }
        if self.rc.outstanding.is_none() && self.peer_reconfig {
            self.send_reset_request(now);
        }
        let mtu = self.config.mtu;
        out.reserve(mtu);
        self.header(self.peer_tag).write(out);
        let sending_data = self.tx.has_pending()
            && matches!(
                self.state,
                State::Established | State::ShutdownPending | State::ShutdownReceived
            );
        if self.sack_due || (self.sack_timer.is_some() && (sending_data || !self.ctrl.is_empty())) {
            let rwnd = self.receive_window();
            let max_blocks =
                (mtu.saturating_sub(COMMON_HEADER_LEN + 16 + 4 * 32) / 4).clamp(1, MAX_GAP_BLOCKS);
            let sack = self
                .rx
                .build_sack(rwnd.min(u32::MAX as usize) as u32, max_blocks);
            sack.write(out);
            self.last_rwnd = rwnd;
            self.sack_due = false;
            self.sack_timer = None;
            self.packets_unacked = 0;
        }
        while let Some(c) = self.ctrl.front() {
            let len = c.encoded_len();
            if out.len() + len > mtu {
                if out.len() == COMMON_HEADER_LEN {
                    // Can never fit: drop it rather than stall.
                    self.ctrl.pop_front();
                    continue;
                }
                break;
            }
            if let Some(c) = self.ctrl.pop_front() {
                c.write(out);
            }
        }
        if self.tx.forward_tsn_needed && self.peer_forward_tsn {
            // Sized so the chunk always fits in a packet of its own.
            let room = mtu - COMMON_HEADER_LEN - 8;
            let f = if self.interleaving {
                self.tx.build_iforward_tsn(room / 8).map(Chunk::IForwardTsn)
            } else {
                self.tx.build_forward_tsn(room / 4).map(Chunk::ForwardTsn)
            };
            if let Some(f) = f
                && out.len() + f.encoded_len() <= mtu
            {
                f.write(out);
                self.tx.forward_tsn_needed = false;
            }
        }
        if sending_data {
            self.tx
                .write_data(now, out, self.rto.rto(), &mut self.events);
        }
        if out.len() == COMMON_HEADER_LEN {
            out.clear();
            return false;
        }
        finish_packet(out);
        self.stats.packets_sent += 1;
        true
    }

    /// Returns the next packet to send, if any.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.poll_transmit_into(now, &mut out).then_some(out)
    }
}
