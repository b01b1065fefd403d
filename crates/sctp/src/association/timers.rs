//! Timers (T1-init/T1-cookie, T3-rtx, delayed SACK, T2-shutdown, heartbeat, RE-CONFIG) and
//! the error counter that declares a peer dead.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::chunk::{self, AbortChunk, Chunk, HeartbeatChunk, ShutdownChunk};
use crate::event::CloseReason;

use super::{Association, State};

impl Association {
    /// When `handle_timeout` must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.terminated {
            return None;
        }
        [
            self.t1,
            self.t2,
            self.tx.t3,
            self.sack_timer,
            self.hb_timer,
            self.rc.timer,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Fires every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.terminated {
            return;
        }
        if self.t1.is_some_and(|t| t <= now) {
            self.t1_count += 1;
            if self.t1_count > self.config.max_init_retransmits {
                self.terminate(CloseReason::HandshakeTimeout);
                return;
            }
            self.rto.back_off();
            match self.state {
                State::CookieWait => {
                    if let Some(init) = self.init.clone() {
                        self.queue_packet(0, &[Chunk::Init(init)]);
                    }
                }
                State::CookieEchoed => {
                    if let Some(cookie) = self.cookie_echo.clone() {
                        let c = Chunk::CookieEcho(chunk::CookieEchoChunk { cookie });
                        self.queue_packet(self.peer_tag, &[c]);
                    }
                }
                _ => {}
            }
            self.t1 = Some(now + self.rto.rto());
        }
        if self.tx.t3.is_some_and(|t| t <= now) {
            self.stats.t3_expirations += 1;
            if self.count_error() {
                return;
            }
            self.rto.back_off();
            self.tx.on_t3_expired(now, self.rto.rto());
        }
        if self.sack_timer.is_some_and(|t| t <= now) {
            self.sack_timer = None;
            self.sack_due = true;
        }
        if self.t2.is_some_and(|t| t <= now) {
            if self.count_error() {
                return;
            }
            self.rto.back_off();
            match self.state {
                State::ShutdownSent => self.ctrl.push_back(Chunk::Shutdown(ShutdownChunk {
                    cumulative_tsn_ack: self.rx.cumulative_tsn(),
                })),
                State::ShutdownAckSent => self.ctrl.push_back(Chunk::ShutdownAck),
                _ => {}
            }
            self.t2 = Some(now + self.rto.rto());
        }
        if self.hb_timer.is_some_and(|t| t <= now) {
            if self.hb_outstanding.is_some() && self.count_error() {
                return;
            }
            self.send_heartbeat(now);
        }
        if self.rc.timer.is_some_and(|t| t <= now) {
            self.rto.back_off();
            self.resend_reconfig(now);
        }
    }

    /// Counts an unanswered retransmission; true when the association was declared dead.
    pub(super) fn count_error(&mut self) -> bool {
        self.error_count += 1;
        if self.error_count > self.config.max_retransmits {
            self.abort_with(CloseReason::TooManyRetransmissions);
            return true;
        }
        false
    }

    pub(super) fn abort_with(&mut self, reason: CloseReason) {
        if self.peer_tag != 0 {
            self.queue_packet(self.peer_tag, &[Chunk::Abort(AbortChunk::default())]);
        }
        self.terminate(reason);
    }

    pub(super) fn send_heartbeat(&mut self, now: Instant) {
        let nonce = u64::from(self.random_u32()) << 32 | u64::from(self.random_u32());
        let micros = now.saturating_duration_since(self.epoch).as_micros() as u64;
        let mut info = Vec::with_capacity(16);
        info.extend_from_slice(&nonce.to_be_bytes());
        info.extend_from_slice(&micros.to_be_bytes());
        self.ctrl.push_back(Chunk::Heartbeat(HeartbeatChunk {
            info: Bytes::from(info),
        }));
        self.hb_outstanding = Some(nonce);
        self.hb_timer = self
            .config
            .heartbeat_interval
            .map(|i| now + i + self.rto.rto());
    }

    pub(super) fn handle_heartbeat_ack(&mut self, now: Instant, hb: &HeartbeatChunk) {
        let Some(nonce) = self.hb_outstanding else {
            return;
        };
        let Some(info) = hb.info.get(..16) else {
            return;
        };
        let (n, t) = info.split_at(8);
        let n = u64::from_be_bytes(n.try_into().unwrap_or([0; 8]));
        let t = u64::from_be_bytes(t.try_into().unwrap_or([0; 8]));
        if n != nonce {
            return;
        }
        self.hb_outstanding = None;
        self.error_count = 0;
        // The peer echoes the time back; it could alter it, so never trust it to be sane.
        if let Some(sent) = self.epoch.checked_add(Duration::from_micros(t))
            && sent <= now
        {
            self.rto.on_measurement(now - sent);
        }
    }
}
