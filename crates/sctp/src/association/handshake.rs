//! Association setup: INIT, INIT-ACK with the State Cookie, COOKIE-ECHO and COOKIE-ACK, including
//! the INIT collision of RFC 9260 §5.2.1 (both WebRTC peers may send INIT).

use std::time::Instant;

use crate::chunk::{Chunk, CookieEchoChunk, InitChunk, forward_tsn, idata, iforward_tsn, reconfig};
use crate::event::Event;

use super::cookie::StateCookie;
use super::recv::Receiver;
use super::{Association, State};

impl Association {
    /// Our INIT (or INIT-ACK, with a cookie) parameters.
    pub(super) fn our_init(&self, cookie: Option<bytes::Bytes>) -> InitChunk {
        let mut supported_extensions = vec![forward_tsn::TYPE, reconfig::TYPE];
        if self.config.enable_interleaving {
            // RFC 8260 §2.2: I-DATA, and I-FORWARD-TSN since PR-SCTP is supported.
            supported_extensions.push(idata::TYPE);
            supported_extensions.push(iforward_tsn::TYPE);
        }
        InitChunk {
            initiate_tag: self.local_tag,
            a_rwnd: self.config.max_receive_buffer.min(u32::MAX as usize) as u32,
            num_outbound_streams: self.config.num_outbound_streams,
            num_inbound_streams: self.config.max_inbound_streams,
            initial_tsn: self.local_initial_tsn,
            state_cookie: cookie,
            forward_tsn_supported: true,
            supported_extensions,
            unrecognized: Vec::new(),
        }
    }

    fn elapsed_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_millis() as u64
    }

    pub(super) fn handle_init(&mut self, now: Instant, init: InitChunk) {
        if matches!(self.state, State::ShutdownAckSent) {
            return;
        }
        // In every state we answer with our own tag and initial TSN: unchanged from our INIT in
        // COOKIE-WAIT/COOKIE-ECHOED (§5.2.1), and the current ones once established, so a
        // retransmitted INIT finds the same association.
        let cookie = StateCookie {
            created_ms: self.elapsed_ms(now),
            local_tag: self.local_tag,
            peer_tag: init.initiate_tag,
            local_initial_tsn: self.local_initial_tsn,
            peer_initial_tsn: init.initial_tsn,
            peer_a_rwnd: init.a_rwnd,
            peer_outbound_streams: init.num_outbound_streams,
            peer_inbound_streams: init.num_inbound_streams,
            peer_forward_tsn: init.forward_tsn_supported || init.supports(forward_tsn::TYPE),
            peer_reconfig: init.supports(reconfig::TYPE),
            peer_idata: init.supports(idata::TYPE),
        };
        let mut ack = self.our_init(Some(cookie.encode(&self.secret)));
        ack.unrecognized = init.unrecognized;
        self.queue_packet(init.initiate_tag, &[Chunk::InitAck(ack)]);
    }

    pub(super) fn handle_init_ack(&mut self, now: Instant, ack: InitChunk) {
        if self.state != State::CookieWait {
            return;
        }
        let Some(cookie) = ack.state_cookie.clone() else {
            self.stats.chunks_malformed += 1;
            return;
        };
        self.peer_tag = ack.initiate_tag;
        self.cookie_echo = Some(cookie.clone());
        self.peer_init = Some(ack);
        self.queue_packet(
            self.peer_tag,
            &[Chunk::CookieEcho(CookieEchoChunk { cookie })],
        );
        self.state = State::CookieEchoed;
        self.t1 = Some(now + self.rto.rto());
        self.t1_count = 0;
    }

    pub(super) fn handle_cookie_echo(&mut self, now: Instant, vtag: u32, cookie: &[u8]) {
        let Some(c) = StateCookie::decode(&self.secret, cookie) else {
            self.stats.packets_dropped += 1;
            return;
        };
        if vtag != c.local_tag || c.local_tag != self.local_tag {
            self.stats.packets_dropped += 1;
            return;
        }
        let age = self.elapsed_ms(now).saturating_sub(c.created_ms);
        if u128::from(age) > self.config.cookie_lifetime.as_millis() {
            self.stats.packets_dropped += 1;
            return;
        }
        match self.state {
            State::Closed | State::CookieWait | State::CookieEchoed if !self.terminated => {
                self.peer_tag = c.peer_tag;
                self.establish(
                    now,
                    c.peer_initial_tsn,
                    c.peer_a_rwnd,
                    c.peer_outbound_streams,
                    c.peer_inbound_streams,
                    c.peer_forward_tsn,
                    c.peer_reconfig,
                    c.peer_idata,
                );
                self.ctrl.push_front(Chunk::CookieAck);
            }
            _ if c.peer_tag == self.peer_tag && !self.terminated => {
                // Our COOKIE-ACK was lost (§5.2.4 case D).
                self.ctrl.push_front(Chunk::CookieAck);
            }
            _ => {
                // A peer restart (§5.2.4 case A) is not supported.
                self.stats.packets_dropped += 1;
            }
        }
    }

    pub(super) fn handle_cookie_ack(&mut self, now: Instant) {
        if self.state != State::CookieEchoed {
            return;
        }
        let Some(p) = self.peer_init.take() else {
            return;
        };
        let fwd = p.forward_tsn_supported || p.supports(forward_tsn::TYPE);
        self.establish(
            now,
            p.initial_tsn,
            p.a_rwnd,
            p.num_outbound_streams,
            p.num_inbound_streams,
            fwd,
            p.supports(reconfig::TYPE),
            p.supports(idata::TYPE),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn establish(
        &mut self,
        now: Instant,
        peer_initial_tsn: u32,
        peer_a_rwnd: u32,
        peer_os: u16,
        peer_mis: u16,
        peer_forward_tsn: bool,
        peer_reconfig: bool,
        peer_idata: bool,
    ) {
        self.state = State::Established;
        self.t1 = None;
        self.init = None;
        self.cookie_echo = None;
        self.peer_forward_tsn = peer_forward_tsn;
        self.peer_reconfig = peer_reconfig;
        self.outbound_streams = self.config.num_outbound_streams.min(peer_mis);
        self.inbound_streams = self.config.max_inbound_streams.min(peer_os);
        self.rx = Receiver::new(peer_initial_tsn, self.config.max_message_size);
        self.interleaving = self.config.enable_interleaving && peer_idata;
        self.tx
            .set_peer(peer_a_rwnd, peer_forward_tsn, self.interleaving);
        self.rc.peer_next_req_seq = peer_initial_tsn;
        self.error_count = 0;
        self.hb_timer = self
            .config
            .heartbeat_interval
            .map(|i| now + i + self.rto.rto());
        self.events.push_back(Event::Connected);
    }
}
