//! The sans-IO DTLS 1.2 transport (W3C `RTCDtlsTransport`).

use std::collections::VecDeque;
use std::time::Instant;

use openssl::ssl::{ErrorCode, SslStream};

mod handshake;

use crate::bio::DatagramBio;
use crate::config::{DtlsConfig, DtlsRole};
use crate::context::{SeenCertificate, build_stream};
use crate::error::DtlsError;
use crate::event::{DtlsEvent, DtlsTransportState, Phase};
use crate::fingerprint::Fingerprint;
use crate::record;
use crate::retransmit::{FlightTimer, TimerAction};
use crate::srtp::{SrtpKeyingMaterial, SrtpProfile};
use crate::stats::DtlsStats;

/// Largest application message (the DTLS plaintext record limit, 2^14 bytes).
pub const MAX_MESSAGE_LEN: usize = 16_384;

/// Largest datagram accepted by `handle_receive`: one maximal ciphertext record and headers.
pub const MAX_DATAGRAM_LEN: usize = MAX_MESSAGE_LEN + 2048 + record::RECORD_HEADER_LEN;

/// A DTLS 1.2 endpoint for one ICE transport: feed it datagrams and time, drain datagrams and
/// events (see the crate documentation for the loop).
pub struct DtlsTransport {
    role: DtlsRole,
    stream: SslStream<DatagramBio>,
    /// Peer certificate the verify callback rejected, if it did.
    rejected_certificate: SeenCertificate,
    phase: Phase,
    remote_fingerprints: Vec<Fingerprint>,
    remote_certificate: Option<Vec<u8>>,
    keying_material: Option<SrtpKeyingMaterial>,
    error: Option<DtlsError>,
    timer: FlightTimer,
    /// Our last handshake flight when we sent the handshake's final flight.
    final_flight: Vec<Vec<u8>>,
    max_final_flight_resends: u32,
    transmit: VecDeque<Vec<u8>>,
    max_transmit: usize,
    /// Next record sequence number for outgoing epoch-0 records (see `record`).
    next_plaintext_sequence: u64,
    events: VecDeque<DtlsEvent>,
    queued_messages: usize,
    max_queued_messages: usize,
    started_at: Option<Instant>,
    /// Plaintext of one record. Never shorter than the longest datagram accepted so far (a
    /// record's plaintext is shorter than the datagram that carried it), so an idle transport
    /// holds about one MTU here instead of the 16 KiB a record may carry.
    read_buf: Vec<u8>,
    stats: DtlsStats,
}

impl std::fmt::Debug for DtlsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DtlsTransport")
            .field("role", &self.role)
            .field("phase", &self.phase)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl DtlsTransport {
    /// Creates a transport in state `New`.
    pub fn new(config: DtlsConfig) -> Result<DtlsTransport, DtlsError> {
        let (stream, rejected_certificate) = build_stream(&config)?;
        Ok(DtlsTransport {
            role: config.role,
            stream,
            rejected_certificate,
            phase: Phase::New,
            remote_fingerprints: config.remote_fingerprints,
            remote_certificate: None,
            keying_material: None,
            error: None,
            timer: FlightTimer::new(
                config.initial_retransmit_timeout,
                config.max_retransmit_timeout,
                config.max_retransmissions,
            ),
            final_flight: Vec::new(),
            // Duplicated datagrams may trigger extra resends: allow two per peer retransmission.
            max_final_flight_resends: config
                .max_retransmissions
                .saturating_add(1)
                .saturating_mul(2),
            transmit: VecDeque::new(),
            max_transmit: config.max_queued_datagrams,
            next_plaintext_sequence: 0,
            events: VecDeque::new(),
            queued_messages: 0,
            max_queued_messages: config.max_queued_messages,
            started_at: None,
            read_buf: Vec::new(),
            stats: DtlsStats::default(),
        })
    }

    /// Starts the handshake: the client sends its ClientHello, the server processes any
    /// ClientHello received while `New`. No effect unless `New`.
    ///
    /// Until the remote fingerprints are known the transport stays `Connecting` after the
    /// handshake, without a timer: the caller bounds that wait.
    pub fn start(&mut self, now: Instant) {
        if self.phase != Phase::New {
            return;
        }
        self.started_at = Some(now);
        self.set_phase(Phase::Handshaking);
        self.drive(now);
    }

    /// Provides the peer's certificate fingerprints from signalling when they were not known at
    /// creation (replacing any given before). If the handshake already completed, the peer is
    /// verified now; otherwise when it completes.
    ///
    /// Fingerprints given in [`DtlsConfig`] are also enforced inside the handshake, so that a
    /// mismatch aborts it with a `handshake_failure` alert the peer sees; fingerprints that arrive
    /// later are checked after the handshake, and a mismatch then fails this side only.
    pub fn set_remote_fingerprints(&mut self, now: Instant, fingerprints: Vec<Fingerprint>) {
        if matches!(self.phase, Phase::Connected | Phase::Closed | Phase::Failed) {
            return;
        }
        self.remote_fingerprints = fingerprints;
        if self.phase == Phase::HandshakeDone && !self.remote_fingerprints.is_empty() {
            self.authenticate_peer(now);
        }
    }

    /// Feeds one received datagram (already demultiplexed as DTLS by the caller).
    pub fn handle_receive(&mut self, now: Instant, datagram: &[u8]) {
        self.stats.datagrams_received += 1;
        self.stats.bytes_received += datagram.len() as u64;
        if matches!(self.phase, Phase::New | Phase::Handshaking) {
            self.stats.handshake_datagrams_received += 1;
            self.stats.handshake_bytes_received += datagram.len() as u64;
        }
        if !record::looks_like_dtls(datagram) || datagram.len() > MAX_DATAGRAM_LEN {
            self.stats.malformed_dropped += 1;
            return;
        }
        if matches!(self.phase, Phase::Closed | Phase::Failed) {
            self.stats.queue_dropped += 1;
            return;
        }
        if matches!(self.phase, Phase::HandshakeDone | Phase::Connected)
            && record::carries_encrypted_handshake(datagram)
        {
            self.resend_final_flight();
        }
        if !self.stream.get_mut().push_incoming(datagram) {
            self.stats.queue_dropped += 1;
            return;
        }
        if self.read_buf.len() < datagram.len() {
            self.read_buf.resize(datagram.len(), 0);
        }
        self.drive(now);
    }

    /// Advances retransmission timers to `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase != Phase::Handshaking {
            return;
        }
        match self.timer.on_timeout(now) {
            TimerAction::Idle => {}
            TimerAction::Retransmit => {
                self.stats.flights_retransmitted += 1;
                let flight = self.timer.flight().to_vec();
                for datagram in flight {
                    self.queue_transmit(datagram);
                }
            }
            TimerAction::GiveUp => self.fail(DtlsError::HandshakeTimeout),
        }
    }

    /// Encrypts one application message into one record (one datagram from `poll_transmit`).
    ///
    /// Records are not fragmented: the caller keeps messages within the path MTU minus the
    /// record overhead (SCTP does).
    pub fn send(&mut self, data: &[u8]) -> Result<(), DtlsError> {
        if self.phase != Phase::Connected {
            return Err(DtlsError::NotConnected);
        }
        if data.len() > MAX_MESSAGE_LEN {
            return Err(DtlsError::MessageTooLarge {
                len: data.len(),
                max: MAX_MESSAGE_LEN,
            });
        }
        if self.transmit.len() >= self.max_transmit {
            return Err(DtlsError::SendQueueFull);
        }
        let result = self.stream.ssl_write(data);
        self.collect_output();
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let error = DtlsError::Protocol(e.to_string());
                self.fail(error.clone());
                Err(error)
            }
        }
    }

    /// Sends close_notify (if a session exists) and moves to `Closed`.
    pub fn close(&mut self) {
        match self.phase {
            Phase::Closed | Phase::Failed => return,
            Phase::Connected | Phase::HandshakeDone => {
                // The outcome only says whether the peer's close_notify arrived yet.
                let _ = self.stream.shutdown();
                self.collect_output();
            }
            Phase::New | Phase::Handshaking => {}
        }
        self.shut_down(Phase::Closed);
    }

    /// Next datagram to send to the peer.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmit.pop_front()
    }

    /// Next event.
    pub fn poll_event(&mut self) -> Option<DtlsEvent> {
        let event = self.events.pop_front()?;
        if matches!(event, DtlsEvent::Data(_)) {
            self.queued_messages -= 1;
        }
        Some(event)
    }

    /// When to call [`DtlsTransport::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Handshaking => self.timer.deadline(),
            _ => None,
        }
    }

    /// Current W3C state.
    pub fn state(&self) -> DtlsTransportState {
        self.phase.state()
    }

    /// Handshake role.
    pub fn role(&self) -> DtlsRole {
        self.role
    }

    /// Why the transport failed, once `Failed`.
    pub fn error(&self) -> Option<&DtlsError> {
        self.error.as_ref()
    }

    /// SRTP keys, once `Connected` with `use_srtp` negotiated.
    pub fn srtp_keying_material(&self) -> Option<&SrtpKeyingMaterial> {
        self.keying_material.as_ref()
    }

    /// Negotiated SRTP profile, once `Connected`.
    pub fn srtp_profile(&self) -> Option<SrtpProfile> {
        self.keying_material.as_ref().map(|k| k.profile)
    }

    /// DER certificate the peer presented, once the handshake completed (W3C
    /// `getRemoteCertificates()`).
    pub fn remote_certificate(&self) -> Option<&[u8]> {
        self.remote_certificate.as_deref()
    }

    /// Counters, including the handshake's cost.
    pub fn stats(&self) -> &DtlsStats {
        &self.stats
    }

    fn drive(&mut self, now: Instant) {
        match self.phase {
            Phase::Handshaking => self.drive_handshake(now),
            Phase::Connected => self.read_application_data(),
            Phase::New | Phase::HandshakeDone | Phase::Closed | Phase::Failed => {}
        }
    }

    fn read_application_data(&mut self) {
        loop {
            match self.stream.ssl_read(&mut self.read_buf) {
                Ok(n) => {
                    if self.queued_messages >= self.max_queued_messages {
                        self.stats.messages_dropped += 1;
                    } else if let Some(data) = self.read_buf.get(..n) {
                        self.queued_messages += 1;
                        self.events.push_back(DtlsEvent::Data(data.to_vec()));
                    }
                }
                Err(e) if is_would_block(e.code()) => {
                    crate::ffi::free_buffers(&mut self.stream);
                    break;
                }
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    // Peer's close_notify: answer with ours (RFC 5246 section 7.2.1).
                    let _ = self.stream.shutdown();
                    self.collect_output();
                    self.shut_down(Phase::Closed);
                    return;
                }
                Err(e) => {
                    self.collect_output();
                    self.fail(DtlsError::Protocol(e.to_string()));
                    return;
                }
            }
        }
        self.collect_output();
    }

    /// Moves what OpenSSL wrote to the transmit queue; returns a copy when handshaking (the
    /// flight to cache for retransmission).
    fn collect_output(&mut self) -> Vec<Vec<u8>> {
        let handshaking = matches!(self.phase, Phase::New | Phase::Handshaking);
        let mut flight = Vec::new();
        while let Some(datagram) = self.stream.get_mut().pop_outgoing() {
            if handshaking {
                flight.push(datagram.clone());
            }
            self.queue_transmit(datagram);
        }
        flight
    }

    fn queue_transmit(&mut self, mut datagram: Vec<u8>) {
        record::renumber_plaintext_records(&mut datagram, &mut self.next_plaintext_sequence);
        self.stats.datagrams_sent += 1;
        self.stats.bytes_sent += datagram.len() as u64;
        if matches!(self.phase, Phase::New | Phase::Handshaking) {
            self.stats.handshake_datagrams_sent += 1;
            self.stats.handshake_bytes_sent += datagram.len() as u64;
        }
        self.transmit.push_back(datagram);
    }

    fn fail(&mut self, error: DtlsError) {
        if matches!(self.phase, Phase::Closed | Phase::Failed) {
            return;
        }
        self.error = Some(error);
        self.shut_down(Phase::Failed);
    }

    fn shut_down(&mut self, phase: Phase) {
        self.timer.disarm();
        self.final_flight.clear();
        let dropped = self.stream.get_mut().clear_incoming();
        self.stats.queue_dropped += dropped as u64;
        self.set_phase(phase);
    }

    fn set_phase(&mut self, phase: Phase) {
        let before = self.phase.state();
        self.phase = phase;
        let after = phase.state();
        if before != after {
            self.events.push_back(DtlsEvent::StateChange(after));
        }
    }
}

fn is_would_block(code: ErrorCode) -> bool {
    code == ErrorCode::WANT_READ || code == ErrorCode::WANT_WRITE
}
