//! The SRTP layer of the stack: keyed from the DTLS exporter (RFC 5764 §4.2) once DTLS is
//! connected, it unprotects the RTP/RTCP datagrams the RFC 7983 demultiplexer hands it into a
//! bounded queue for the media layer, and protects what the media layer sends.

use std::collections::VecDeque;
use std::time::Instant;

use rtcio_dtls::{DtlsTransportState, SrtpKeyingMaterial};
use rtcio_srtp::{Config, ProtectionProfile, Session};

use super::TransportStack;
use crate::demux::is_rtcp;
use crate::peer::{Error, Transmit};

/// Most unprotected packets waiting for the media layer; more are dropped and counted. The
/// peer connection drains the queue after every datagram, so only a stalled caller fills it.
pub const MAX_PENDING_MEDIA_IN: usize = 4096;
/// Most protected datagrams waiting to be sent; more are dropped and counted (a sender that
/// outruns the socket loses packets, as UDP would).
pub const MAX_PENDING_MEDIA_OUT: usize = 4096;

/// An unprotected RTP or RTCP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaPacket {
    /// The packet.
    pub data: Vec<u8>,
    /// RTCP rather than RTP (RFC 5761 §4).
    pub rtcp: bool,
}

/// The stack's SRTP state: the keys once DTLS is connected and the two packet queues.
#[derive(Debug, Default)]
pub(crate) struct SrtpLayer {
    transport: Option<SrtpTransport>,
    incoming: VecDeque<MediaPacket>,
    outgoing: VecDeque<Transmit>,
    /// Packets dropped: received before keys, queue overflow either way.
    before_keys: u64,
    queue_full: u64,
}

/// Counters of the SRTP layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpStats {
    /// Unprotect failures.
    pub drops: SrtpDrops,
    /// RTP/RTCP datagrams received before SRTP was keyed.
    pub before_keys: u64,
    /// Packets dropped because a queue was full.
    pub queue_full: u64,
}

impl TransportStack {
    /// Keys SRTP from the DTLS exporter; called when DTLS connects.
    pub(super) fn srtp_start(&mut self) {
        let km = self
            .dtls
            .as_ref()
            .filter(|d| d.state() == DtlsTransportState::Connected)
            .and_then(|d| d.srtp_keying_material());
        // No use_srtp negotiated (a data-only peer): media stays off.
        self.srtp.transport = km.and_then(|km| SrtpTransport::new(km).ok());
    }

    /// Handles an SRTP/SRTCP datagram.
    pub(super) fn srtp_receive(&mut self, now: Instant, data: &[u8]) {
        let Some(srtp) = self.srtp.transport.as_mut() else {
            self.srtp.before_keys += 1;
            self.drops.rtp += 1;
            return;
        };
        let rtcp = is_rtcp(data);
        let wire_len = data.len();
        let plain = if rtcp {
            srtp.unprotect_rtcp(data)
        } else {
            srtp.unprotect_rtp(data)
        };
        let Some(data) = plain else { return };
        if rtcp {
            self.bwe_on_rtcp_received(now, &data);
        } else {
            self.bwe_on_rtp_received(now, &data, wire_len);
        }
        if self.srtp.incoming.len() >= MAX_PENDING_MEDIA_IN {
            self.srtp.queue_full += 1;
            return;
        }
        self.srtp.incoming.push_back(MediaPacket { data, rtcp });
    }

    /// The next protected datagram to send, if any.
    pub(super) fn srtp_poll_transmit(&mut self) -> Option<Transmit> {
        self.srtp.outgoing.pop_front()
    }

    /// Whether SRTP is keyed (DTLS connected with `use_srtp`).
    pub fn srtp_ready(&self) -> bool {
        self.srtp.transport.is_some()
    }

    /// Protects and queues an RTP (`rtcp == false`) or RTCP packet for the selected pair, at
    /// the time of the latest call that carried one.
    pub fn send_media(&mut self, packet: MediaPacket) -> Result<(), Error> {
        match self.last_now {
            Some(now) => self.send_media_at(now, packet),
            None => Err(Error::InvalidState("SRTP is not keyed yet".into())),
        }
    }

    /// Protects and queues an RTP (`rtcp == false`) or RTCP packet for the selected pair,
    /// leaving at `now`: RTP gets its transport-wide sequence number here, when negotiated.
    pub fn send_media_at(&mut self, now: Instant, packet: MediaPacket) -> Result<(), Error> {
        self.last_now = Some(now);
        if !packet.rtcp && self.srtp.transport.is_some() && self.selected.is_some() {
            let mut data = packet.data;
            let len = data.len();
            self.bwe_on_rtp_sent(now, &mut data, len);
            return self.protect_and_queue(MediaPacket { data, rtcp: false });
        }
        self.protect_and_queue(packet)
    }

    /// Protects and queues feedback produced inside the stack; false if it could not be.
    pub(super) fn send_rtcp_now(&mut self, data: Vec<u8>) -> bool {
        let before = self.srtp.queue_full;
        self.protect_and_queue(MediaPacket { data, rtcp: true })
            .is_ok()
            && self.srtp.queue_full == before
    }

    fn protect_and_queue(&mut self, packet: MediaPacket) -> Result<(), Error> {
        let Some((from, to)) = self.selected else {
            return Err(Error::InvalidState("no selected candidate pair".into()));
        };
        let srtp = self
            .srtp
            .transport
            .as_mut()
            .ok_or_else(|| Error::InvalidState("SRTP is not keyed yet".into()))?;
        let mut data = packet.data;
        let r = if packet.rtcp {
            srtp.protect_rtcp(&mut data)
        } else {
            srtp.protect_rtp(&mut data)
        };
        r.map_err(|e| Error::Operation(format!("SRTP protect: {e}")))?;
        if self.srtp.outgoing.len() >= MAX_PENDING_MEDIA_OUT {
            self.srtp.queue_full += 1;
            return Ok(());
        }
        if let Some(agent) = self.ice.as_mut() {
            agent.record_data_sent(from, to, data.len());
        }
        self.srtp.outgoing.push_back(Transmit { from, to, data });
        Ok(())
    }

    /// The next unprotected RTP/RTCP packet received.
    pub fn poll_media(&mut self) -> Option<MediaPacket> {
        self.srtp.incoming.pop_front()
    }

    /// SRTP counters.
    pub fn srtp_stats(&self) -> SrtpStats {
        SrtpStats {
            drops: self
                .srtp
                .transport
                .as_ref()
                .map(|t| t.drops())
                .unwrap_or_default(),
            before_keys: self.srtp.before_keys,
            queue_full: self.srtp.queue_full,
        }
    }

    /// Drops the keys and queues (DTLS stopped).
    pub(super) fn srtp_stop(&mut self) {
        self.srtp = SrtpLayer::default();
        self.bwe = super::bwe::BweLayer::default();
    }
}

/// Counters of SRTP/SRTCP packets that failed to unprotect (dropped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpDrops {
    /// Failed authentication or malformed packets.
    pub unprotect_failed: u64,
    /// Replayed or too old (outside the replay window).
    pub replayed: u64,
}

/// The two SRTP directions of a DTLS-SRTP association.
#[derive(Debug)]
pub struct SrtpTransport {
    session: Session,
    drops: SrtpDrops,
}

impl SrtpTransport {
    /// Keys both directions from the exporter output as the DTLS transport assigned it.
    pub fn new(km: &SrtpKeyingMaterial) -> Result<SrtpTransport, rtcio_srtp::Error> {
        let profile = ProtectionProfile::from_id(km.profile.id())
            .ok_or(rtcio_srtp::Error::UnsupportedProfile(km.profile.id()))?;
        let session = Session::new(
            profile,
            &km.local_key,
            &km.local_salt,
            &km.remote_key,
            &km.remote_salt,
            Config::default(),
        )?;
        Ok(SrtpTransport {
            session,
            drops: SrtpDrops::default(),
        })
    }

    /// Drop counters.
    pub fn drops(&self) -> SrtpDrops {
        self.drops
    }

    /// Protects an RTP packet in place.
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), rtcio_srtp::Error> {
        self.session.outbound.protect_rtp_in_place(packet)
    }

    /// Protects an RTCP compound packet in place.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), rtcio_srtp::Error> {
        self.session.outbound.protect_rtcp_in_place(packet)
    }

    /// Unprotects an SRTP packet; `None` (counted) if it does not authenticate or is replayed.
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(packet.len());
        let r = self.session.inbound.unprotect_rtp(packet, &mut out);
        self.keep(r).then_some(out)
    }

    /// Unprotects an SRTCP packet; `None` (counted) if it does not authenticate or is replayed.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(packet.len());
        let r = self.session.inbound.unprotect_rtcp(packet, &mut out);
        self.keep(r).then_some(out)
    }

    fn keep(&mut self, r: Result<(), rtcio_srtp::Error>) -> bool {
        match r {
            Ok(()) => true,
            Err(rtcio_srtp::Error::Replayed | rtcio_srtp::Error::TooOld) => {
                self.drops.replayed += 1;
                false
            }
            Err(_) => {
                self.drops.unprotect_failed += 1;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcio_dtls::{DtlsRole, SrtpProfile};

    fn pair(profile: SrtpProfile) -> (SrtpTransport, SrtpTransport) {
        let material: Vec<u8> = (0..profile.keying_material_len() as u8).collect();
        let km = |role| SrtpKeyingMaterial::from_exported(profile, role, &material).unwrap();
        (
            SrtpTransport::new(&km(DtlsRole::Client)).unwrap(),
            SrtpTransport::new(&km(DtlsRole::Server)).unwrap(),
        )
    }

    #[test]
    fn both_profiles_round_trip_and_count_forgeries_and_replays() {
        for profile in [SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmHmacSha1_80] {
            let (mut client, mut server) = pair(profile);
            let rtp = vec![0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7, 1, 2, 3];
            let mut p = rtp.clone();
            client.protect_rtp(&mut p).unwrap();
            assert_eq!(server.unprotect_rtp(&p), Some(rtp.clone()));
            assert_eq!(server.unprotect_rtp(&p), None);
            // A fresh index with a broken tag (a same-index forgery is caught as a replay).
            let mut forged = rtp.clone();
            forged[3] = 2;
            client.protect_rtp(&mut forged).unwrap();
            *forged.last_mut().unwrap() ^= 1;
            assert_eq!(server.unprotect_rtp(&forged), None);
            // The client does not accept its own packets (different keys per direction).
            assert_eq!(client.unprotect_rtp(&p), None);
            let rtcp = vec![0x81, 201, 0, 1, 0, 0, 0, 7];
            let mut c = rtcp.clone();
            server.protect_rtcp(&mut c).unwrap();
            assert_eq!(client.unprotect_rtcp(&c), Some(rtcp));
            assert_eq!(
                server.drops(),
                SrtpDrops {
                    unprotect_failed: 1,
                    replayed: 1
                }
            );
            assert_eq!(client.drops().unprotect_failed, 1);
        }
    }
}
