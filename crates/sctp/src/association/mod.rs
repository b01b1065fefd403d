//! The SCTP association state machine (RFC 9260) with PR-SCTP (RFC 3758) and stream reset
//! (RFC 6525), sans-IO.

mod cookie;
mod handshake;
mod input;
mod output;
mod reconfig;
pub mod recv;
pub mod rto;
pub mod send;
mod shutdown;
mod timers;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::chunk::cause::{self, ErrorCause};
use crate::chunk::{AbortChunk, Chunk, InitChunk};
use crate::config::Config;
use crate::error::Error;
use crate::event::{CloseReason, Event};
use crate::packet::CommonHeader;

use reconfig::ReconfigState;
use recv::Receiver;
use rto::Rto;
use send::Sender;

/// Smallest accepted MTU: room for a SACK with a few gap blocks and a useful DATA chunk.
pub const MIN_MTU: usize = 256;

/// Delivery guarantees of one message (RFC 8831 §6.1, RFC 3758).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reliability {
    /// Deliver in stream order.
    pub ordered: bool,
    /// Abandon after this many retransmissions (PR-SCTP "rtx" policy).
    pub max_retransmits: Option<u16>,
    /// Abandon once this long has passed since `send` (PR-SCTP "timed" policy).
    pub max_lifetime: Option<Duration>,
}

impl Reliability {
    /// Reliable, ordered.
    pub const RELIABLE: Reliability = Reliability {
        ordered: true,
        max_retransmits: None,
        max_lifetime: None,
    };

    /// Reliable, unordered.
    pub const UNORDERED: Reliability = Reliability {
        ordered: false,
        max_retransmits: None,
        max_lifetime: None,
    };
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability::RELIABLE
    }
}

/// Association states (RFC 9260 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// No association; an INIT may arrive (or `connect` sends one).
    Closed,
    /// INIT sent.
    CookieWait,
    /// COOKIE-ECHO sent.
    CookieEchoed,
    /// Data flows.
    Established,
    /// Local shutdown requested; waiting for outstanding data.
    ShutdownPending,
    /// SHUTDOWN sent.
    ShutdownSent,
    /// SHUTDOWN received; waiting for outstanding data.
    ShutdownReceived,
    /// SHUTDOWN-ACK sent.
    ShutdownAckSent,
}

/// Counters for diagnostics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets handed to `handle_receive`.
    pub packets_received: u64,
    /// Packets returned by `poll_transmit`.
    pub packets_sent: u64,
    /// Packets dropped whole (checksum, ports, verification tag, parse errors).
    pub packets_dropped: u64,
    /// Chunks that failed to parse.
    pub chunks_malformed: u64,
    /// DATA chunks received for the first time.
    pub data_received: u64,
    /// DATA chunks received again.
    pub data_duplicates: u64,
    /// DATA chunks dropped (window, buffer or stream).
    pub data_dropped: u64,
    /// SACKs ignored as stale or bogus.
    pub sacks_ignored: u64,
    /// T3-rtx expirations.
    pub t3_expirations: u64,
    /// DATA chunks retransmitted.
    pub retransmitted_chunks: u64,
    /// Messages abandoned by PR-SCTP (sent or unsent).
    pub abandoned_messages: u64,
    /// Received messages dropped by reassembly (too large or malformed).
    pub dropped_messages: u64,
}

/// A sans-IO SCTP association.
#[derive(Debug)]
pub struct Association {
    config: Config,
    state: State,
    terminated: bool,
    epoch: Instant,
    secret: [u8; 32],
    rng_counter: u64,
    local_tag: u32,
    peer_tag: u32,
    local_initial_tsn: u32,
    init: Option<InitChunk>,
    peer_init: Option<InitChunk>,
    cookie_echo: Option<Bytes>,
    t1: Option<Instant>,
    t1_count: u32,
    peer_forward_tsn: bool,
    peer_reconfig: bool,
    interleaving: bool,
    outbound_streams: u16,
    inbound_streams: u16,
    tx: Sender,
    rx: Receiver,
    rto: Rto,
    ctrl: VecDeque<Chunk>,
    packets: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
    event_bytes: usize,
    last_rwnd: usize,
    sack_due: bool,
    sack_timer: Option<Instant>,
    packets_unacked: u32,
    t2: Option<Instant>,
    hb_timer: Option<Instant>,
    hb_outstanding: Option<u64>,
    rc: ReconfigState,
    error_count: u32,
    stats: Stats,
}

impl Association {
    /// Creates an association in the CLOSED state.
    ///
    /// `seed` is the only source of randomness: the verification tag, the initial TSN and the
    /// cookie secret are derived from it, so it must be unpredictable (at least 16 random bytes
    /// from the caller's CSPRNG) in production and fixed in tests.
    pub fn new(mut config: Config, now: Instant, seed: &[u8]) -> Self {
        config.mtu = config.mtu.clamp(MIN_MTU, 65_535);
        config.max_message_size = config.max_message_size.min(config.max_receive_buffer);
        config.sack_every = config.sack_every.max(1);
        let secret: [u8; 32] = Sha256::digest(seed).into();
        let mut a = Association {
            tx: Sender::new(0, config.mtu, config.max_send_buffer, 0, false),
            rx: Receiver::new(0, config.max_message_size),
            rto: Rto::new(config.rto_initial, config.rto_min, config.rto_max),
            outbound_streams: config.num_outbound_streams,
            inbound_streams: config.max_inbound_streams,
            last_rwnd: config.max_receive_buffer,
            config,
            state: State::Closed,
            terminated: false,
            epoch: now,
            secret,
            rng_counter: 0,
            local_tag: 0,
            peer_tag: 0,
            local_initial_tsn: 0,
            init: None,
            peer_init: None,
            cookie_echo: None,
            t1: None,
            t1_count: 0,
            peer_forward_tsn: false,
            peer_reconfig: false,
            interleaving: false,
            ctrl: VecDeque::new(),
            packets: VecDeque::new(),
            events: VecDeque::new(),
            event_bytes: 0,
            sack_due: false,
            sack_timer: None,
            packets_unacked: 0,
            t2: None,
            hb_timer: None,
            hb_outstanding: None,
            rc: ReconfigState::new(0),
            error_count: 0,
            stats: Stats::default(),
        };
        while a.local_tag == 0 {
            a.local_tag = a.random_u32();
        }
        a.local_initial_tsn = a.random_u32();
        a.tx = Sender::new(
            a.local_initial_tsn,
            a.config.mtu,
            a.config.max_send_buffer,
            a.config.max_receive_buffer as u32,
            true,
        );
        a.rc = ReconfigState::new(a.local_initial_tsn);
        a
    }

    fn random_u32(&mut self) -> u32 {
        self.rng_counter += 1;
        let mut m =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key");
        m.update(b"rtcio-sctp random");
        m.update(&self.rng_counter.to_be_bytes());
        let out = m.finalize().into_bytes();
        u32::from_be_bytes([out[0], out[1], out[2], out[3]])
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether the association reached ESTABLISHED and has not ended.
    pub fn is_established(&self) -> bool {
        !self.terminated
            && matches!(
                self.state,
                State::Established | State::ShutdownPending | State::ShutdownReceived
            )
    }

    /// Whether the association has ended (a [`Event::Closed`] was queued).
    pub fn is_closed(&self) -> bool {
        self.terminated
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        Stats {
            retransmitted_chunks: self.tx.retransmitted_chunks,
            abandoned_messages: self.tx.abandoned_messages,
            dropped_messages: self.rx.dropped_messages,
            ..self.stats
        }
    }

    /// Bytes held by the receive side: reassembly, ordering and undelivered events.
    pub fn receive_buffered(&self) -> usize {
        self.rx.buffered + self.event_bytes
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Our verification tag.
    pub fn local_tag(&self) -> u32 {
        self.local_tag
    }

    /// Negotiated number of outbound streams.
    pub fn outbound_streams(&self) -> u16 {
        self.outbound_streams
    }

    /// Negotiated number of inbound streams.
    pub fn inbound_streams(&self) -> u16 {
        self.inbound_streams
    }

    /// The peer supports PR-SCTP (FORWARD-TSN).
    pub fn peer_supports_pr(&self) -> bool {
        self.peer_forward_tsn
    }

    /// I-DATA (RFC 8260) is in use: messages of different streams interleave.
    pub fn interleaving(&self) -> bool {
        self.interleaving
    }

    /// Current RTO.
    pub fn rto(&self) -> Duration {
        self.rto.rto()
    }

    /// Smoothed RTT, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.rto.srtt()
    }

    /// Congestion window, bytes.
    pub fn cwnd(&self) -> usize {
        self.tx.cwnd()
    }

    /// Bytes sent and not yet acknowledged.
    pub fn flight_size(&self) -> usize {
        self.tx.flight_size()
    }

    /// Bytes queued on `stream` and not yet transmitted.
    pub fn buffered_amount(&self, stream: u16) -> usize {
        self.tx.buffered_amount(stream)
    }

    /// Bytes queued on all streams and not yet transmitted.
    pub fn total_buffered_amount(&self) -> usize {
        self.tx.total_buffered()
    }

    /// Sets the low-water mark of `stream`: [`Event::BufferedAmountLow`] is reported when its
    /// buffered amount falls from above to at or below it.
    pub fn set_buffered_amount_low_threshold(&mut self, stream: u16, threshold: usize) {
        self.tx.set_low_threshold(stream, threshold);
    }

    /// Sets the scheduling priority of an outgoing stream: streams with queued data share the
    /// link in proportion to it (deficit round robin; the DCEP priorities 128/256/512/1024).
    pub fn set_stream_priority(&mut self, stream: u16, priority: u16) {
        self.tx.set_priority(stream, priority);
    }

    /// Bytes the receive buffer still takes: the a_rwnd we advertise.
    pub fn receive_window(&self) -> usize {
        self.config
            .max_receive_buffer
            .saturating_sub(self.rx.buffered + self.event_bytes)
    }

    /// Sends an INIT (the active side; in WebRTC both sides may do so, RFC 9260 §5.2.1 handles
    /// the collision).
    pub fn connect(&mut self, now: Instant) {
        if self.state != State::Closed || self.terminated {
            return;
        }
        let init = self.our_init(None);
        self.queue_packet(0, &[Chunk::Init(init.clone())]);
        self.init = Some(init);
        self.state = State::CookieWait;
        self.t1 = Some(now + self.rto.rto());
        self.t1_count = 0;
    }

    /// Queues a user message.
    pub fn send(
        &mut self,
        now: Instant,
        stream: u16,
        ppid: u32,
        data: Bytes,
        reliability: Reliability,
    ) -> Result<(), Error> {
        if self.terminated
            || matches!(
                self.state,
                State::ShutdownPending
                    | State::ShutdownSent
                    | State::ShutdownReceived
                    | State::ShutdownAckSent
            )
        {
            return Err(Error::Closed);
        }
        if data.is_empty() {
            return Err(Error::EmptyMessage);
        }
        if data.len() > self.config.max_message_size {
            return Err(Error::MessageTooLarge);
        }
        if stream >= self.outbound_streams {
            return Err(Error::InvalidStream);
        }
        self.tx.enqueue(now, stream, ppid, data, reliability)
    }

    /// Resets outgoing streams (RFC 6525): queued messages are sent first, then an Outgoing
    /// SSN Reset Request goes out; [`Event::OutgoingStreamsReset`] reports completion. The
    /// streams refuse new messages until then.
    pub fn reset_streams(&mut self, streams: &[u16]) -> Result<(), Error> {
        if self.terminated {
            return Err(Error::Closed);
        }
        if self.is_established() && !self.peer_reconfig {
            return Err(Error::InvalidState);
        }
        self.tx.mark_reset(streams);
        Ok(())
    }

    /// Aborts the association: an ABORT with a User-Initiated Abort cause is sent and
    /// [`Event::Closed`] follows.
    pub fn abort(&mut self, reason: &str) {
        if self.terminated {
            return;
        }
        if self.peer_tag != 0 {
            let mut info = reason.as_bytes().to_vec();
            info.truncate(256);
            let abort = AbortChunk {
                tag_reflected: false,
                causes: vec![ErrorCause::with_info(cause::USER_INITIATED_ABORT, info)],
            };
            self.queue_packet(self.peer_tag, &[Chunk::Abort(abort)]);
        }
        self.terminate(CloseReason::LocalAbort);
    }

    fn terminate(&mut self, reason: CloseReason) {
        self.terminated = true;
        self.state = State::Closed;
        self.t1 = None;
        self.t2 = None;
        self.tx.t3 = None;
        self.sack_timer = None;
        self.hb_timer = None;
        self.rc.timer = None;
        self.ctrl.clear();
        self.events.push_back(Event::Closed { reason });
    }

    fn protocol_violation(&mut self, what: &str) {
        if self.peer_tag != 0 {
            let abort = AbortChunk {
                tag_reflected: false,
                causes: vec![ErrorCause::with_info(
                    cause::PROTOCOL_VIOLATION,
                    what.as_bytes().to_vec(),
                )],
            };
            self.queue_packet(self.peer_tag, &[Chunk::Abort(abort)]);
        }
        self.terminate(CloseReason::ProtocolViolation);
    }

    /// Serializes a standalone packet (handshake, ABORT, SHUTDOWN-COMPLETE).
    fn queue_packet(&mut self, vtag: u32, chunks: &[Chunk]) {
        let header = self.header(vtag);
        self.packets
            .push_back(crate::packet::write_packet(&header, chunks));
    }

    fn header(&self, vtag: u32) -> CommonHeader {
        CommonHeader {
            source_port: self.config.local_port,
            destination_port: self.config.remote_port,
            verification_tag: vtag,
        }
    }

    /// Takes the next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        let e = self.events.pop_front()?;
        if let Event::StreamData { data, .. } = &e {
            self.event_bytes -= data.len();
            // Window update: tell the peer when a mostly closed window reopened.
            if self.is_established()
                && self.last_rwnd < self.config.max_receive_buffer / 4
                && self.receive_window() >= self.config.max_receive_buffer / 2
            {
                self.sack_due = true;
            }
        }
        Some(e)
    }
}
