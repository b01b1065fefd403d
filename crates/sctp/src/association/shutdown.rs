//! Graceful SHUTDOWN (RFC 9260 §9.2) once all outstanding data is acknowledged.

use std::time::Instant;

use crate::chunk::{self, Chunk, ShutdownChunk};
use crate::event::CloseReason;

use super::{Association, State};

impl Association {
    /// Starts a graceful SHUTDOWN once all queued data is acknowledged.
    pub fn shutdown(&mut self, now: Instant) {
        match self.state {
            State::Established => {
                self.state = State::ShutdownPending;
                self.progress_shutdown(now);
            }
            State::Closed | State::CookieWait | State::CookieEchoed if !self.terminated => {
                self.terminate(CloseReason::Shutdown);
            }
            _ => {}
        }
    }

    pub(super) fn handle_shutdown(&mut self, now: Instant, s: ShutdownChunk) {
        match self.state {
            State::Established | State::ShutdownPending | State::ShutdownReceived => {
                let sack = chunk::SackChunk {
                    cumulative_tsn_ack: s.cumulative_tsn_ack,
                    a_rwnd: self.config.max_receive_buffer as u32,
                    ..Default::default()
                };
                self.tx.handle_sack(now, &sack, self.rto.rto());
                self.state = State::ShutdownReceived;
                self.progress_shutdown(now);
            }
            State::ShutdownSent => {
                self.ctrl.push_back(Chunk::ShutdownAck);
                self.state = State::ShutdownAckSent;
                self.t2 = Some(now + self.rto.rto());
            }
            _ => {}
        }
    }

    pub(super) fn handle_shutdown_ack(&mut self) {
        if matches!(self.state, State::ShutdownSent | State::ShutdownAckSent) {
            self.queue_packet(
                self.peer_tag,
                &[Chunk::ShutdownComplete {
                    tag_reflected: false,
                }],
            );
            self.terminate(CloseReason::Shutdown);
        }
    }

    pub(super) fn progress_shutdown(&mut self, now: Instant) {
        if self.terminated || !self.tx.is_idle() {
            return;
        }
        match self.state {
            State::ShutdownPending => {
                self.ctrl.push_back(Chunk::Shutdown(ShutdownChunk {
                    cumulative_tsn_ack: self.rx.cumulative_tsn(),
                }));
                self.state = State::ShutdownSent;
                self.t2 = Some(now + self.rto.rto());
            }
            State::ShutdownReceived => {
                self.ctrl.push_back(Chunk::ShutdownAck);
                self.state = State::ShutdownAckSent;
                self.t2 = Some(now + self.rto.rto());
            }
            _ => {}
        }
    }
}
