//! Stream reset (RFC 6525): Outgoing SSN Reset Requests we send when the user resets streams, and
//! the requests and responses we receive.

use std::time::Instant;

use crate::chunk::{Chunk, ReConfigChunk, ReConfigParam, ReconfigResult};
use crate::event::Event;

use super::Association;

/// Most streams listed in one request (keeps the RE-CONFIG chunk well inside the MTU).
const MAX_STREAMS_PER_REQUEST: usize = 256;

/// Reconfiguration sequence numbers and the outstanding/deferred requests.
#[derive(Debug)]
pub struct ReconfigState {
    /// Next request sequence number we use.
    next_req_seq: u32,
    /// Our outstanding request.
    pub outstanding: Option<ReConfigParam>,
    /// Retransmission timer of the outstanding request.
    pub timer: Option<Instant>,
    /// Next request sequence number expected from the peer.
    pub peer_next_req_seq: u32,
    /// Result of the last request performed for the peer (answers retransmissions).
    last_result: ReconfigResult,
    /// A peer request waiting for its last assigned TSN: (seq, TSN, streams).
    deferred: Option<(u32, u32, Vec<u16>)>,
}

impl ReconfigState {
    /// Starts at our initial TSN (RFC 6525 §3.3 / §5.1).
    pub fn new(initial_tsn: u32) -> Self {
        ReconfigState {
            next_req_seq: initial_tsn,
            outstanding: None,
            timer: None,
            peer_next_req_seq: 0,
            last_result: ReconfigResult::SuccessNothingToDo,
            deferred: None,
        }
    }
}

impl Association {
    /// Sends an Outgoing SSN Reset Request for streams whose queues drained.
    pub(super) fn send_reset_request(&mut self, now: Instant) {
        let streams = self.tx.take_resettable(MAX_STREAMS_PER_REQUEST);
        if streams.is_empty() {
            return;
        }
        let req = ReConfigParam::OutgoingSsnReset {
            request_seq: self.rc.next_req_seq,
            response_seq: self.rc.peer_next_req_seq.wrapping_sub(1),
            last_assigned_tsn: self.tx.last_assigned_tsn(),
            streams,
        };
        self.rc.next_req_seq = self.rc.next_req_seq.wrapping_add(1);
        self.ctrl.push_back(Chunk::ReConfig(ReConfigChunk {
            params: vec![req.clone()],
        }));
        self.rc.outstanding = Some(req);
        self.rc.timer = Some(now + self.rto.rto());
    }

    pub(super) fn resend_reconfig(&mut self, now: Instant) {
        match &self.rc.outstanding {
            Some(req) => {
                self.ctrl.push_back(Chunk::ReConfig(ReConfigChunk {
                    params: vec![req.clone()],
                }));
                self.rc.timer = Some(now + self.rto.rto());
            }
            None => self.rc.timer = None,
        }
    }

    fn respond(&mut self, response_seq: u32, result: ReconfigResult) {
        self.ctrl.push_back(Chunk::ReConfig(ReConfigChunk {
            params: vec![ReConfigParam::Response {
                response_seq,
                result,
                next_tsns: None,
            }],
        }));
    }

    /// Sequence number check shared by all requests: `Some(result)` answers a retransmission or
    /// a bad number, `None` means the request is the next one and must be processed.
    fn check_request_seq(&self, seq: u32) -> Option<ReconfigResult> {
        if self.rc.deferred.as_ref().is_some_and(|d| d.0 == seq) {
            Some(ReconfigResult::InProgress)
        } else if seq == self.rc.peer_next_req_seq {
            None
        } else if seq == self.rc.peer_next_req_seq.wrapping_sub(1) {
            Some(self.rc.last_result)
        } else {
            Some(ReconfigResult::ErrorBadSequenceNumber)
        }
    }

    fn perform_incoming_reset(&mut self, seq: u32, streams: Vec<u16>) {
        self.rx.reset_streams(&streams);
        self.rc.peer_next_req_seq = seq.wrapping_add(1);
        self.rc.last_result = ReconfigResult::SuccessPerformed;
        self.respond(seq, ReconfigResult::SuccessPerformed);
        self.events.push_back(Event::IncomingStreamsReset(streams));
    }

    /// Performs a deferred peer request once every TSN it covers has arrived.
    pub(super) fn check_deferred_reset(&mut self) {
        if let Some((_, tsn, _)) = &self.rc.deferred
            && self.rx.is_acked(*tsn)
            && let Some((seq, _, streams)) = self.rc.deferred.take()
        {
            self.perform_incoming_reset(seq, streams);
        }
    }

    pub(super) fn handle_reconfig(&mut self, now: Instant, chunk: ReConfigChunk) {
        if !self.is_established() {
            return;
        }
        for p in chunk.params {
            match p {
                ReConfigParam::OutgoingSsnReset {
                    request_seq,
                    last_assigned_tsn,
                    streams,
                    ..
                } => {
                    if let Some(r) = self.check_request_seq(request_seq) {
                        self.respond(request_seq, r);
                    } else if self.rx.is_acked(last_assigned_tsn) {
                        self.perform_incoming_reset(request_seq, streams);
                    } else if self.rc.deferred.is_none() {
                        self.rc.deferred = Some((request_seq, last_assigned_tsn, streams));
                        self.respond(request_seq, ReconfigResult::InProgress);
                    } else {
                        self.respond(request_seq, ReconfigResult::ErrorRequestAlreadyInProgress);
                    }
                }
                ReConfigParam::IncomingSsnReset {
                    request_seq,
                    streams,
                } => {
                    if let Some(r) = self.check_request_seq(request_seq) {
                        self.respond(request_seq, r);
                        continue;
                    }
                    // The peer wants our outgoing streams reset: comply with our own request.
                    self.tx.mark_reset(&streams);
                    self.rc.peer_next_req_seq = request_seq.wrapping_add(1);
                    self.rc.last_result = ReconfigResult::SuccessPerformed;
                    self.respond(request_seq, ReconfigResult::SuccessPerformed);
                }
                ReConfigParam::SsnTsnReset { request_seq }
                | ReConfigParam::AddOutgoingStreams { request_seq, .. }
                | ReConfigParam::AddIncomingStreams { request_seq, .. } => {
                    if let Some(r) = self.check_request_seq(request_seq) {
                        self.respond(request_seq, r);
                        continue;
                    }
                    self.rc.peer_next_req_seq = request_seq.wrapping_add(1);
                    self.rc.last_result = ReconfigResult::Denied;
                    self.respond(request_seq, ReconfigResult::Denied);
                }
                ReConfigParam::Response {
                    response_seq,
                    result,
                    ..
                } => self.handle_reconfig_response(now, response_seq, result),
            }
        }
    }

    fn handle_reconfig_response(&mut self, now: Instant, seq: u32, result: ReconfigResult) {
        let Some(ReConfigParam::OutgoingSsnReset {
            request_seq,
            streams,
            ..
        }) = &self.rc.outstanding
        else {
            return;
        };
        if *request_seq != seq {
            return;
        }
        match result {
            ReconfigResult::InProgress => {
                // Ask again after an RTO with the same sequence number.
                self.rc.timer = Some(now + self.rto.rto());
            }
            ReconfigResult::SuccessPerformed | ReconfigResult::SuccessNothingToDo => {
                let streams = streams.clone();
                self.tx.complete_reset(&streams);
                self.rc.outstanding = None;
                self.rc.timer = None;
                self.events.push_back(Event::OutgoingStreamsReset(streams));
            }
            _ => {
                // Denied or an error: the streams stay usable, with their SSNs unchanged.
                let streams = streams.clone();
                self.tx.abort_reset(&streams);
                self.rc.outstanding = None;
                self.rc.timer = None;
            }
        }
    }
}
