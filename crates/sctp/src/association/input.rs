//! Received packets: validation (checksum, ports, verification tag), chunk dispatch, DATA
//! admission against the receive buffer, SACK processing and out-of-the-blue packets.

use std::time::Instant;

use bytes::Bytes;

use crate::chunk::cause::{self, ErrorCause};
use crate::chunk::{self, AbortChunk, Chunk, ErrorChunk, ShutdownChunk};
use crate::event::CloseReason;
use crate::packet::Packet;

use super::recv::DataOutcome;
use super::{Association, State};

impl Association {
    /// Feeds one received SCTP packet (a DTLS record payload); the bytes are copied once.
    pub fn handle_receive(&mut self, now: Instant, packet: &[u8]) {
        self.handle_receive_bytes(now, Bytes::copy_from_slice(packet));
    }

    /// Feeds one received SCTP packet without copying; DATA payloads keep referencing it.
    pub fn handle_receive_bytes(&mut self, now: Instant, packet: Bytes) {
        self.stats.packets_received += 1;
        let pkt = match Packet::parse(packet) {
            Ok(p) => p,
            Err(_) => {
                self.stats.packets_dropped += 1;
                return;
            }
        };
        if pkt.header.destination_port != self.config.local_port
            || pkt.header.source_port != self.config.remote_port
        {
            self.stats.packets_dropped += 1;
            return;
        }
        let vtag = pkt.header.verification_tag;
        if self.terminated {
            self.out_of_the_blue(vtag, &pkt);
            return;
        }
        let mut chunks = pkt.chunks();
        let mut first = true;
        let mut got_data = false;
        let mut sack_now = false;
        while let Some(raw) = chunks.next_raw() {
            let Ok((ty, flags, value)) = raw else {
                self.stats.chunks_malformed += 1;
                break;
            };
            let tag_ok = match ty {
                chunk::init::TYPE_INIT => first && vtag == 0,
                chunk::abort::TYPE | chunk::shutdown::TYPE_SHUTDOWN_COMPLETE => {
                    if flags & 1 != 0 {
                        vtag == self.peer_tag && self.peer_tag != 0
                    } else {
                        vtag == self.local_tag
                    }
                }
                // Checked against the cookie's contents.
                chunk::cookie::TYPE_COOKIE_ECHO => true,
                _ => vtag == self.local_tag,
            };
            if !tag_ok {
                self.stats.packets_dropped += 1;
                break;
            }
            first = false;
            let parsed = match Chunk::parse(ty, flags, value) {
                Ok(c) => c,
                Err(crate::ParseError::NoUserData) if self.is_established() => {
                    self.stats.chunks_malformed += 1;
                    self.protocol_violation("DATA without user data");
                    return;
                }
                Err(_) => {
                    self.stats.chunks_malformed += 1;
                    break;
                }
            };
            match parsed {
                Chunk::Data(_) | Chunk::ForwardTsn(_) if self.interleaving => {
                    // RFC 8260 §2.2: with I-DATA negotiated, DATA must not be used.
                    self.protocol_violation("DATA with I-DATA negotiated");
                    return;
                }
                Chunk::IData(_) | Chunk::IForwardTsn(_) if !self.interleaving => {
                    // Not negotiated: RFC 8260 §2.2 requires an ABORT.
                    self.protocol_violation("I-DATA not negotiated");
                    return;
                }
                Chunk::IData(d) => {
                    if !matches!(
                        self.state,
                        State::Established | State::ShutdownPending | State::ShutdownSent
                    ) {
                        self.stats.data_dropped += 1;
                        continue;
                    }
                    got_data = true;
                    sack_now |= d.immediate;
                    sack_now |= self.handle_idata(d);
                }
                Chunk::IForwardTsn(f) => {
                    if self.is_established() || self.state == State::ShutdownSent {
                        let n = self.rx.iforward_tsn(
                            f.new_cumulative_tsn,
                            &f.messages,
                            &mut self.events,
                        );
                        self.event_bytes += n;
                        sack_now = true;
                        got_data = true;
                        self.check_deferred_reset();
                    }
                }
                Chunk::Data(d) => {
                    if !matches!(
                        self.state,
                        State::Established | State::ShutdownPending | State::ShutdownSent
                    ) || self.terminated
                    {
                        self.stats.data_dropped += 1;
                        continue;
                    }
                    got_data = true;
                    sack_now |= d.immediate;
                    sack_now |= self.handle_data(d);
                }
                Chunk::Init(init) => {
                    self.handle_init(now, init);
                    // INIT must be alone in its packet.
                    break;
                }
                Chunk::InitAck(ack) => self.handle_init_ack(now, ack),
                Chunk::CookieEcho(c) => self.handle_cookie_echo(now, vtag, &c.cookie),
                Chunk::CookieAck => self.handle_cookie_ack(now),
                Chunk::Sack(s) => self.handle_sack(now, &s),
                Chunk::Heartbeat(hb) => {
                    if self.peer_tag != 0 {
                        self.ctrl.push_back(Chunk::HeartbeatAck(hb));
                    }
                }
                Chunk::HeartbeatAck(hb) => self.handle_heartbeat_ack(now, &hb),
                Chunk::Abort(a) => {
                    self.terminate(CloseReason::PeerAbort(a.causes));
                    return;
                }
                Chunk::Shutdown(s) => self.handle_shutdown(now, s),
                Chunk::ShutdownAck => self.handle_shutdown_ack(),
                Chunk::ShutdownComplete { .. } => {
                    if self.state == State::ShutdownAckSent {
                        self.terminate(CloseReason::Shutdown);
                        return;
                    }
                }
                Chunk::Error(_) => {}
                Chunk::ForwardTsn(f) => {
                    if self.is_established() || self.state == State::ShutdownSent {
                        let n =
                            self.rx
                                .forward_tsn(f.new_cumulative_tsn, &f.streams, &mut self.events);
                        self.event_bytes += n;
                        sack_now = true;
                        got_data = true;
                        self.check_deferred_reset();
                    }
                }
                Chunk::ReConfig(rc) => self.handle_reconfig(now, rc),
                Chunk::Unknown { value, .. } => {
                    let action = ty >> 6;
                    if action & 1 == 1 && self.peer_tag != 0 {
                        // The cause carries the unrecognized chunk (RFC 9260 §3.3.10.6), cut to
                        // keep the ERROR well inside one packet.
                        let value = value.get(..value.len().min(256)).unwrap_or(&[]);
                        let mut info = Vec::with_capacity(4 + value.len());
                        info.extend_from_slice(&[ty, flags]);
                        info.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
                        info.extend_from_slice(value);
                        self.ctrl.push_back(Chunk::Error(ErrorChunk {
                            causes: vec![ErrorCause::with_info(
                                cause::UNRECOGNIZED_CHUNK_TYPE,
                                info,
                            )],
                        }));
                    }
                    if action & 2 == 0 {
                        break;
                    }
                }
            }
            if self.terminated {
                return;
            }
        }
        if got_data {
            if sack_now || self.rx.has_gaps() || self.rx.has_dups() {
                self.sack_due = true;
            } else {
                self.packets_unacked += 1;
                if self.packets_unacked >= self.config.sack_every {
                    self.sack_due = true;
                } else if self.sack_timer.is_none() {
                    self.sack_timer = Some(now + self.config.delayed_ack);
                }
            }
            self.check_deferred_reset();
            if self.state == State::ShutdownSent {
                // RFC 9260 §9.2: answer DATA in SHUTDOWN-SENT with SHUTDOWN.
                self.ctrl.push_back(Chunk::Shutdown(ShutdownChunk {
                    cumulative_tsn_ack: self.rx.cumulative_tsn(),
                }));
            }
        }
        self.progress_shutdown(now);
    }

    /// A packet for an association that no longer exists (RFC 9260 §8.4): answer a
    /// SHUTDOWN-ACK with SHUTDOWN-COMPLETE (our own was lost) and anything else but ABORT,
    /// SHUTDOWN-COMPLETE or INIT with an ABORT, both with the T bit and the packet's tag.
    pub(super) fn out_of_the_blue(&mut self, vtag: u32, pkt: &Packet) {
        self.stats.packets_dropped += 1;
        if vtag != self.local_tag || self.packets.len() >= 16 {
            return;
        }
        let mut shutdown_ack = false;
        let mut iter = pkt.chunks();
        while let Some(Ok((ty, _, _))) = iter.next_raw() {
            match ty {
                chunk::abort::TYPE
                | chunk::shutdown::TYPE_SHUTDOWN_COMPLETE
                | chunk::init::TYPE_INIT => return,
                chunk::shutdown::TYPE_SHUTDOWN_ACK => shutdown_ack = true,
                _ => {}
            }
        }
        let reply = if shutdown_ack {
            Chunk::ShutdownComplete {
                tag_reflected: true,
            }
        } else {
            Chunk::Abort(AbortChunk {
                tag_reflected: true,
                causes: Vec::new(),
            })
        };
        self.queue_packet(vtag, &[reply]);
    }

    /// Returns true when the chunk calls for an immediate SACK.
    pub(super) fn handle_idata(&mut self, d: chunk::IDataChunk) -> bool {
        let Some(in_order) = self.admit(d.tsn, d.stream_id, d.payload.len()) else {
            return true;
        };
        self.stats.data_received += 1;
        let n = self.rx.accept_idata(d, &mut self.events);
        self.event_bytes += n;
        !in_order
    }

    /// Checks a DATA or I-DATA chunk against duplicates, stream bounds and the receive buffer;
    /// `Some(in_order)` when it is to be stored.
    pub(super) fn admit(&mut self, tsn: u32, stream: u16, len: usize) -> Option<bool> {
        match self.rx.check(tsn) {
            DataOutcome::Duplicate => {
                self.stats.data_duplicates += 1;
                return None;
            }
            DataOutcome::Dropped => {
                self.stats.data_dropped += 1;
                return None;
            }
            DataOutcome::New => {}
        }
        let in_order = self.rx.is_next(tsn);
        if stream >= self.inbound_streams {
            self.rx.accept_discarded(tsn);
            let mut info = stream.to_be_bytes().to_vec();
            info.extend_from_slice(&[0, 0]);
            self.ctrl.push_back(Chunk::Error(ErrorChunk {
                causes: vec![ErrorCause::with_info(
                    cause::INVALID_STREAM_IDENTIFIER,
                    info,
                )],
            }));
            self.stats.data_dropped += 1;
            return None;
        }
        let used = self.rx.buffered + self.event_bytes;
        let cap = self.config.max_receive_buffer;
        // RFC 9260 §6.2: with no room, only data filling a hole below the highest TSN held is
        // taken (so reassembly cannot deadlock), still within a hard bound.
        if used + len > cap && !(self.rx.fills_hole(tsn) && used + len <= 2 * cap) {
            self.stats.data_dropped += 1;
            return None;
        }
        Some(in_order)
    }

    /// Returns true when the chunk calls for an immediate SACK.
    pub(super) fn handle_data(&mut self, d: chunk::DataChunk) -> bool {
        let Some(in_order) = self.admit(d.tsn, d.stream_id, d.payload.len()) else {
            return true;
        };
        self.stats.data_received += 1;
        let n = self.rx.accept(d, &mut self.events);
        self.event_bytes += n;
        !in_order
    }

    pub(super) fn handle_sack(&mut self, now: Instant, sack: &chunk::SackChunk) {
        if !matches!(
            self.state,
            State::Established
                | State::ShutdownPending
                | State::ShutdownReceived
                | State::ShutdownSent
        ) {
            return;
        }
        let out = self.tx.handle_sack(now, sack, self.rto.rto());
        if out.ignored {
            self.stats.sacks_ignored += 1;
            return;
        }
        if out.bytes_acked > 0 || out.cum_advanced {
            self.error_count = 0;
        }
        if let Some(r) = out.rtt {
            self.rto.on_measurement(r);
        }
        self.progress_shutdown(now);
    }
}
