//! [`MediaSession`]: the transceivers of a peer connection, their negotiation, and the
//! SRTP-protected RTP/RTCP path.
//!
//! The peer connection hands it the descriptions as they are applied and the RTP/RTCP packets
//! the transport unprotected (SRTP lives in the transport stack); it hands back m-sections to
//! write, events, received packets and plain RTP/RTCP packets for the transport to protect and
//! send. Received packets wait in bounded queues ([`MAX_PENDING_RTP`], [`MAX_PENDING_RTCP`]);
//! overflow is dropped and counted.

use std::collections::VecDeque;
use std::time::Instant;

use rtcio_rtp::rtcp::{Pli, RtcpPacket, parse_compound, write_compound};
use rtcio_rtp::stream::PacketVerdict;
use rtcio_rtp::{ExtensionMap, ExtensionValues, RtpHeader, RtpPacket};
use rtcio_sdp::{Direction, MediaDescription, Msid, RidDirection, SessionDescription};

use super::TrackKind;
use super::codec::{CodecParameters, negotiate};
use super::extension::{self, ExtensionIds};
use super::router::{PacketIds, Router, RouterStats};
use super::section::{MediaSection, RemoteMedia};
use super::simulcast::{self, RtcpParameters, SendEncoding, SendParameters};
use super::streams::{ReceivedFrameEvent, StreamOutput, Streams};
use super::transceiver::{
    SendLayer, SenderTrack, Transceiver, TransceiverId, answer_direction, from_flags,
};
use crate::peer::Error;

/// Most received RTP packets waiting to be read; more are dropped and counted. At 1200 bytes
/// each this is under 5 MiB, about a second of 30 Mbit/s video.
pub const MAX_PENDING_RTP: usize = 4096;
/// Most received RTCP packets waiting to be read.
pub const MAX_PENDING_RTCP: usize = 1024;
/// Most transceivers a connection holds (each is an m-section; browsers cap similarly).
pub const MAX_TRANSCEIVERS: usize = 256;

/// A received RTP packet, unprotected and routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRtp {
    /// The transceiver whose receiver it belongs to.
    pub transceiver: TransceiverId,
    /// The header (for a repaired RTX packet: the original SSRC, payload type and sequence
    /// number, RFC 4588 §4).
    pub header: RtpHeader,
    /// The payload, without padding.
    pub payload: Vec<u8>,
    /// The known header extensions.
    pub extensions: ExtensionValues,
    /// Whether it arrived as an RTX retransmission.
    pub retransmission: bool,
    /// The simulcast layer (rid, RFC 8852) its SSRC is bound to, when the transceiver receives
    /// simulcast.
    pub rid: Option<String>,
}

/// A received RTCP packet, unprotected, with the transceiver it concerns when known: the
/// sender for feedback about what we send (NACK, PLI, FIR), the receiver for reports about
/// what we receive (SR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRtcp {
    /// The transceiver, if the packet names one of its SSRCs.
    pub transceiver: Option<TransceiverId>,
    /// The packet.
    pub packet: RtcpPacket,
}

/// A plain RTP or RTCP packet to protect and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaTransmit {
    /// The packet.
    pub data: Vec<u8>,
    /// RTCP (protected as SRTCP) rather than RTP.
    pub rtcp: bool,
    /// The pacing priority of an RTP packet: its track's kind, or a retransmission.
    pub priority: rtcio_bwe::PacketKind,
}

/// What a sender sends: the fields of an RTP packet the application chooses.
#[derive(Debug, Clone, Copy)]
pub struct RtpWrite<'a> {
    /// Payload type; `None` for the first negotiated codec.
    pub payload_type: Option<u8>,
    /// The marker bit.
    pub marker: bool,
    /// The RTP timestamp.
    pub timestamp: u32,
    /// The payload.
    pub payload: &'a [u8],
}

/// Media-layer events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// W3C `track`: the transceiver's receiver started receiving.
    Track(TransceiverId),
    /// The receiver's track ended (`mute`/removal: the peer stopped sending or the transceiver
    /// stopped).
    TrackEnded(TransceiverId),
    /// The peer asked the transceiver's sender for a keyframe (PLI or a new FIR naming its
    /// SSRC); requests arriving together are merged into one.
    KeyframeRequested {
        /// The sender's transceiver.
        transceiver: TransceiverId,
        /// PLI or FIR.
        kind: super::streams::KeyframeRequestKind,
        /// The simulcast encoding asked for (`None` without simulcast).
        rid: Option<String>,
    },
}

/// Counters of media input dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaDrops {
    /// Unprotected packets that did not parse as RTP or RTCP.
    pub malformed: u64,
    /// Routing failures.
    pub routing: RouterStats,
    /// RTX packets whose media stream is unknown or that are too short.
    pub rtx_unrepairable: u64,
    /// Packets for a transceiver that does not receive.
    pub not_receiving: u64,
    /// Received packets dropped because the application did not read them.
    pub queue_full: u64,
    /// Frame events dropped because the application did not read them
    /// ([`MAX_PENDING_FRAMES`](super::streams::MAX_PENDING_FRAMES)).
    pub frames_dropped: u64,
    /// Padding-only packets (the peer's bandwidth probes): used by the stream engine, not
    /// handed to the application.
    pub padding: u64,
    /// Copies of packets that had arrived already (network duplicates, the peer's redundant
    /// RTX probe payloads): not handed to the application again.
    pub duplicates: u64,
}

/// The media half of a peer connection.
#[derive(Debug)]
pub struct MediaSession {
    transceivers: Vec<Transceiver>,
    next_id: u32,
    ext_ids: ExtensionIds,
    router: Router,
    cname: String,
    ext_map: ExtensionMap,
    rtp_in: VecDeque<ReceivedRtp>,
    rtcp_in: VecDeque<ReceivedRtcp>,
    out: VecDeque<MediaTransmit>,
    events: VecDeque<MediaEvent>,
    drops: MediaDrops,
    packets_sent: u64,
    /// Packets written for an encoding that is inactive or not negotiated (not sent).
    layer_packets_not_sent: u64,
    /// NACK/RTX, reports and loss accounting per stream.
    streams: Streams,
    /// W3C synchronization and contributing sources per receiver.
    sources: super::sources::Sources,
    /// The time of the latest call that carried one (packets are handled "now").
    now: Option<Instant>,
}

/// The random values a new transceiver needs, drawn by the caller.
#[derive(Debug, Clone, Copy)]
pub struct SenderSeed {
    /// Media SSRC.
    pub ssrc: u32,
    /// RTX SSRC.
    pub rtx_ssrc: u32,
    /// Initial sequence number (RFC 3550 §5.1: random).
    pub sequence: u16,
}

impl MediaSession {
    /// An empty session whose RTCP CNAME is `cname`.
    pub fn new(cname: String) -> MediaSession {
        MediaSession {
            transceivers: Vec::new(),
            next_id: 1,
            ext_ids: ExtensionIds::default(),
            router: Router::default(),
            cname,
            ext_map: ExtensionMap::new(),
            rtp_in: VecDeque::new(),
            rtcp_in: VecDeque::new(),
            out: VecDeque::new(),
            events: VecDeque::new(),
            drops: MediaDrops::default(),
            packets_sent: 0,
            layer_packets_not_sent: 0,
            streams: Streams::default(),
            sources: Default::default(),
            now: None,
        }
    }

    // ---- transceivers -----------------------------------------------------------------------

    /// Every transceiver, in creation order (W3C `getTransceivers`).
    pub fn transceivers(&self) -> &[Transceiver] {
        &self.transceivers
    }

    /// One transceiver.
    pub fn transceiver(&self, id: TransceiverId) -> Option<&Transceiver> {
        self.transceivers.iter().find(|t| t.id == id)
    }

    fn get_mut(&mut self, id: TransceiverId) -> Result<&mut Transceiver, Error> {
        self.transceivers
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| Error::InvalidAccess(format!("no transceiver {}", id.0)))
    }

    /// W3C `addTransceiver`.
    pub fn add_transceiver(
        &mut self,
        kind: TrackKind,
        direction: Direction,
        track: Option<SenderTrack>,
        seed: SenderSeed,
    ) -> Result<TransceiverId, Error> {
        if self.transceivers.len() >= MAX_TRANSCEIVERS {
            return Err(Error::Operation(format!(
                "at most {MAX_TRANSCEIVERS} transceivers"
            )));
        }
        let id = TransceiverId(self.next_id);
        self.next_id += 1;
        let mut t = Transceiver::new(id, kind, direction, seed.ssrc, seed.rtx_ssrc, seed.sequence);
        t.sender.track = track;
        self.transceivers.push(t);
        Ok(id)
    }

    /// W3C `addTrack`: reuses a transceiver of the same kind whose sender never had a track
    /// and never sent (one a remote offer created), else adds a `sendrecv` one. Returns the
    /// transceiver and whether negotiation is needed.
    pub fn add_track(
        &mut self,
        kind: TrackKind,
        track: SenderTrack,
        seed: SenderSeed,
    ) -> Result<TransceiverId, Error> {
        if self.transceivers.iter().any(|t| {
            !t.stopped
                && t.sender
                    .track
                    .as_ref()
                    .is_some_and(|s| s.track_id == track.track_id)
        }) {
            return Err(Error::InvalidAccess(format!(
                "track {} already has a sender",
                track.track_id
            )));
        }
        if let Some(t) = self.transceivers.iter_mut().find(|t| {
            t.kind == kind
                && !t.stopped
                && t.sender.track.is_none()
                && !t.from_add_track
                && !t.current_direction.is_some_and(Direction::sends)
        }) {
            t.sender.track = Some(track);
            t.from_add_track = true;
            // W3C addTrack: recvonly becomes sendrecv, inactive becomes sendonly.
            t.direction = from_flags(true, t.direction.receives());
            return Ok(t.id);
        }
        let id = self.add_transceiver(kind, Direction::SendRecv, Some(track), seed)?;
        if let Ok(t) = self.get_mut(id) {
            t.from_add_track = true;
        }
        Ok(id)
    }

    /// W3C `removeTrack`: the sender stops sending; the direction drops its send half.
    pub fn remove_track(&mut self, id: TransceiverId) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        t.sender.track = None;
        t.direction = from_flags(false, t.direction.receives());
        Ok(())
    }

    /// W3C `replaceTrack`: a new track identity on the same sender (no renegotiation).
    pub fn replace_track(
        &mut self,
        id: TransceiverId,
        track: Option<SenderTrack>,
    ) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        if t.stopped {
            return Err(Error::InvalidState("the transceiver is stopped".into()));
        }
        t.sender.track = track;
        Ok(())
    }

    /// W3C `direction` setter.
    pub fn set_direction(&mut self, id: TransceiverId, direction: Direction) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        if t.stopped {
            return Err(Error::InvalidState("the transceiver is stopped".into()));
        }
        t.direction = direction;
        Ok(())
    }

    /// W3C `setCodecPreferences`: codecs (from the defaults of its kind, RED/ulpfec excluded)
    /// in the order to offer them; empty restores the defaults.
    pub fn set_codec_preferences(
        &mut self,
        id: TransceiverId,
        codecs: Vec<CodecParameters>,
    ) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        let defaults = super::codec::default_codecs(t.kind);
        if let Some(bad) = codecs.iter().find(|c| !defaults.contains(c)) {
            return Err(Error::InvalidAccess(format!(
                "codec {} is not a capability",
                bad.name
            )));
        }
        t.codec_preferences = codecs;
        Ok(())
    }

    /// W3C `stop`: the section is rejected at the next negotiation and nothing is sent or
    /// received any more.
    pub fn stop(&mut self, id: TransceiverId) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        if !t.stopped {
            t.stopped = true;
            t.direction = Direction::Inactive;
            t.sender.track = None;
            if std::mem::take(&mut t.receiving) {
                self.events.push_back(MediaEvent::TrackEnded(id));
            }
            self.streams.remove(id);
            self.sources.remove(id);
        }
        Ok(())
    }

    /// Whether the transceivers differ from the current descriptions (W3C "check if negotiation
    /// is needed", media part): a transceiver without mid, a stopped one whose section is
    /// still accepted, or a direction different from the one negotiated.
    pub fn negotiation_needed(&self, local: Option<&SessionDescription>) -> bool {
        self.transceivers.iter().any(|t| {
            let Some(mid) = &t.mid else {
                return !t.stopped;
            };
            let section = local.and_then(|d| d.media_by_mid(mid));
            match section {
                None => !t.stopped,
                Some(m) if t.stopped => m.port != 0,
                Some(m) => {
                    let written = m.direction().unwrap_or(Direction::SendRecv);
                    let msid_changed = t.direction.sends() && m.msids().next().is_none();
                    written != t.direction && Some(written) != t.current_direction
                        || m.port == 0
                        || msid_changed && t.sender.track.is_some()
                }
            }
        })
    }

    // ---- negotiation ------------------------------------------------------------------------

    /// Transceivers that need a new m-section in the next offer (no mid, not stopped).
    pub fn unassociated(&self) -> Vec<TransceiverId> {
        self.transceivers
            .iter()
            .filter(|t| t.mid.is_none() && !t.stopped)
            .map(|t| t.id)
            .collect()
    }

    /// The transceiver with `mid`.
    pub fn by_mid(&self, mid: &str) -> Option<&Transceiver> {
        self.transceivers
            .iter()
            .find(|t| t.mid.as_deref() == Some(mid))
    }

    /// Associates a transceiver with the mid an offer gives it.
    pub fn set_mid(&mut self, id: TransceiverId, mid: String) {
        if let Ok(t) = self.get_mut(id) {
            t.mid = Some(mid);
        }
    }

    fn msid_of(t: &Transceiver) -> Option<Msid> {
        t.sender.track.as_ref().map(|tr| Msid {
            stream_id: tr.stream_ids.first().cloned().unwrap_or_else(|| "-".into()),
            track_id: Some(tr.track_id.clone()),
        })
    }

    fn ssrcs_of(
        &self,
        t: &Transceiver,
        direction: Direction,
        rtx: bool,
    ) -> Option<(u32, Option<u32>, String)> {
        direction.sends().then(|| {
            (
                t.sender.ssrc,
                rtx.then_some(t.sender.rtx_ssrc),
                self.cname.clone(),
            )
        })
    }

    /// The m-section an offer writes for transceiver `id` under `mid` (its own, or the one
    /// the offer gives it).
    pub fn offer_section(&self, id: TransceiverId, mid: &str) -> Option<MediaSection> {
        let t = self.transceiver(id)?;
        let mid = mid.to_string();
        let codecs = t.capabilities();
        let rtx = codecs.iter().any(|c| c.rtx_payload_type.is_some());
        let encodings: Vec<_> = t
            .sender
            .encodings
            .iter()
            .map(|l| l.encoding.clone())
            .collect();
        let (rids, simulcast) = t
            .direction
            .sends()
            .then(|| simulcast::offer_send(&encodings))
            .flatten()
            .map_or((Vec::new(), None), |(r, s)| (r, Some(s)));
        Some(MediaSection {
            mid,
            kind: t.kind,
            direction: t.direction,
            extmaps: self.ext_ids.offer(t.kind),
            msid: Self::msid_of(t),
            ssrcs: self.ssrcs_of(t, t.direction, rtx),
            codecs,
            rids,
            simulcast,
        })
    }

    /// Applies a remote offer's media sections (before answering): each section is matched to
    /// the transceiver with its mid, else to an `addTrack` transceiver of its kind without mid,
    /// else a new `recvonly` transceiver is created (W3C `setRemoteDescription`). Returns the
    /// (section index, transceiver) pairs; sections we cannot take are left out.
    pub fn apply_remote_offer(
        &mut self,
        sdp: &SessionDescription,
        mut seed: impl FnMut() -> SenderSeed,
    ) -> Vec<(usize, TransceiverId)> {
        let mut out = Vec::new();
        for (i, m) in sdp.media.iter().enumerate() {
            let (Some(mid), Some(remote)) = (m.mid(), RemoteMedia::read(m)) else {
                continue;
            };
            self.ext_ids.adopt(&remote.extmaps);
            let id = if let Some(t) = self.by_mid(mid) {
                t.id
            } else if m.port == 0 && !m.bundle_only() {
                continue;
            } else if let Some(t) = self.transceivers.iter_mut().find(|t| {
                t.mid.is_none() && !t.stopped && t.kind == remote.kind && t.from_add_track
            }) {
                t.mid = Some(mid.to_string());
                t.id
            } else {
                match self.add_transceiver(remote.kind, Direction::RecvOnly, None, seed()) {
                    Ok(id) => {
                        self.set_mid(id, mid.to_string());
                        id
                    }
                    Err(_) => continue,
                }
            };
            // Port 0 rejects a section, unless it is `a=bundle-only` (RFC 9143 §7.2: offered
            // only within the BUNDLE group, as Firefox offers its second same-kind section).
            let rejected = m.port == 0 && !m.bundle_only();
            let mut track = false;
            if let Ok(t) = self.get_mut(id) {
                set_remote_receiver(t, &remote);
                // W3C setRemoteDescription(offer): a section the peer sends on adds the remote
                // track now (the `track` event), before the answer is created.
                if !rejected && remote.direction.sends() && !t.stopped && !t.receiving {
                    t.receiving = true;
                    track = true;
                }
            }
            if track {
                self.events.push_back(MediaEvent::Track(id));
            }
            if rejected {
                continue;
            }
            out.push((i, id));
        }
        out
    }

    /// The m-section our answer writes for transceiver `id` and the offered section `offer`;
    /// `None` if no codec is common (the section is then rejected).
    pub fn answer_section(
        &self,
        id: TransceiverId,
        offer: &MediaDescription,
    ) -> Option<MediaSection> {
        let t = self.transceiver(id)?;
        let remote = RemoteMedia::read(offer)?;
        if t.stopped {
            return None;
        }
        let codecs = negotiate(&t.capabilities(), &remote.codecs);
        if codecs.iter().all(CodecParameters::is_pass_through) {
            return None;
        }
        let direction = answer_direction(t.direction, remote.direction);
        let rtx = codecs.iter().any(|c| c.rtx_payload_type.is_some());
        let (rids, simulcast) = direction
            .receives()
            .then(|| simulcast::answer_recv(&remote, &codecs))
            .flatten()
            .map_or((Vec::new(), None), |(r, s)| (r, Some(s)));
        Some(MediaSection {
            mid: t.mid.clone()?,
            kind: t.kind,
            direction,
            extmaps: extension::answer(t.kind, &remote.extmaps),
            msid: Self::msid_of(t),
            ssrcs: self.ssrcs_of(t, direction, rtx),
            codecs,
            rids,
            simulcast,
        })
    }

    /// Applies a completed offer/answer exchange: for every media section, the negotiated
    /// codecs, extensions, direction and the peer's SSRCs. `local_is_offer` says which side
    /// offered. Fires `track` for receivers that start receiving.
    pub fn apply_negotiation(
        &mut self,
        local: &SessionDescription,
        remote: &SessionDescription,
        local_is_offer: bool,
    ) {
        for lm in &local.media {
            let Some(mid) = lm.mid() else { continue };
            let Some(idx) = self
                .transceivers
                .iter()
                .position(|t| t.mid.as_deref() == Some(mid))
            else {
                continue;
            };
            let rm = remote.media_by_mid(mid);
            let (Some(local_media), Some(remote_media)) =
                (RemoteMedia::read(lm), rm.and_then(RemoteMedia::read))
            else {
                continue;
            };
            let accepted = lm.port != 0 && rm.is_some_and(|m| m.port != 0 || m.bundle_only());
            let t = &mut self.transceivers[idx];
            if !accepted {
                // A rejected section stops its transceiver (RFC 8829 §5.10, W3C).
                t.stopped = true;
                t.current_direction = None;
                if std::mem::take(&mut t.receiving) {
                    self.events.push_back(MediaEvent::TrackEnded(t.id));
                }
                continue;
            }
            let (answer, direction) = if local_is_offer {
                (&remote_media, remote_media.direction.reverse())
            } else {
                (&local_media, local_media.direction)
            };
            t.codecs = negotiate(&t.capabilities(), &answer.codecs);
            t.extmaps = answer.extmaps.clone();
            t.current_direction = Some(direction);
            set_remote_receiver(t, &remote_media);
            t.receiver.rids = simulcast::layers(&local_media, RidDirection::Recv)
                .into_iter()
                .map(|l| l.rid)
                .collect();
            if t.sender.encodings.len() > 1 {
                // RFC 8829 §5.10: the layers the answer receives; without simulcast in it,
                // only the first encoding is sent (W3C drops the others).
                let answer_side = if local_is_offer {
                    &remote_media
                } else {
                    &local_media
                };
                let taken = simulcast::layers(answer_side, RidDirection::Recv);
                if taken.is_empty() {
                    t.sender.encodings.truncate(1);
                    t.sender.encodings[0].negotiated = true;
                } else {
                    for l in &mut t.sender.encodings {
                        l.negotiated = taken.iter().any(|x| {
                            Some(x.rid.as_str()) == l.encoding.rid.as_deref() && !x.paused
                        });
                    }
                }
            }
            let receives = direction.receives();
            if receives && !t.receiving {
                t.receiving = true;
                self.events.push_back(MediaEvent::Track(t.id));
            } else if !receives && t.receiving {
                t.receiving = false;
                self.events.push_back(MediaEvent::TrackEnded(t.id));
            }
        }
        self.ext_ids.adopt(
            &remote
                .media
                .iter()
                .flat_map(|m| m.extmaps().cloned())
                .collect::<Vec<_>>(),
        );
        let all: Vec<_> = self
            .transceivers
            .iter()
            .filter(|t| !t.stopped)
            .flat_map(|t| t.extmaps.iter().cloned())
            .collect();
        self.ext_map = extension::map_of(&all);
        self.router.update(&self.transceivers);
    }

    // ---- SRTP and the packet path -----------------------------------------------------------

    /// Handles an unprotected RTP packet: parse, route, repair RTX, queue.
    pub fn handle_rtp(&mut self, plain: &[u8]) {
        let Ok(packet) = RtpPacket::parse(plain) else {
            self.drops.malformed += 1;
            return;
        };
        let extensions = self.ext_map.read(&packet.header);
        let original = packet.header.clone();
        let mut header = packet.header;
        let ids = PacketIds {
            ssrc: header.ssrc,
            payload_type: header.payload_type,
            mid: extensions.mid.as_deref(),
            rid: extensions.rid.as_deref(),
            repaired_rid: extensions.repaired_rid.as_deref(),
        };
        let Some(binding) = self.router.route(&self.transceivers, ids) else {
            return;
        };
        // An RTX stream repairs its FID partner, else the media SSRC of its rid, else the only
        // SSRC the receiver has seen.
        let repairs = binding.repairs.or_else(|| {
            binding
                .rid
                .as_deref()
                .and_then(|rid| self.router.rid_ssrc(binding.transceiver, rid))
        });
        let Some(t) = self
            .transceivers
            .iter_mut()
            .find(|t| t.id == binding.transceiver)
        else {
            return;
        };
        if !t.current_direction.is_some_and(Direction::receives) {
            self.drops.not_receiving += 1;
            return;
        }
        let mut payload = packet.payload;
        if let Some(now) = self.now {
            let rtx = t
                .codecs
                .iter()
                .any(|c| c.rtx_payload_type == Some(header.payload_type));
            let media_ssrc = if rtx {
                repairs.or(t.receiver.remote_ssrcs.first().copied())
            } else {
                Some(header.ssrc)
            };
            if let Some(media_ssrc) = media_ssrc {
                let wire = RtpPacket {
                    header: original,
                    payload,
                    padding: packet.padding,
                };
                let rid = binding.rid.as_deref();
                match self.streams.on_received(now, t, media_ssrc, rid, &wire) {
                    Some(PacketVerdict::Duplicate) => {
                        self.drops.duplicates += 1;
                        return;
                    }
                    Some(PacketVerdict::Padding) => {
                        self.drops.padding += 1;
                        return;
                    }
                    _ => {}
                }
            }
        }
        if payload.is_empty() && packet.padding > 0 {
            // Padding-only on the media SSRC (a probe from a sender without RTX).
            self.drops.padding += 1;
            return;
        }
        let apt = t
            .codecs
            .iter()
            .find(|c| c.rtx_payload_type == Some(header.payload_type))
            .map(|c| c.payload_type);
        let retransmission = apt.is_some();
        if let Some(apt) = apt {
            // RFC 4588 §4: the original sequence number leads the payload; the media SSRC is
            // the FID partner, or the only SSRC the receiver has seen.
            let media_ssrc = repairs.or(t.receiver.remote_ssrcs.first().copied());
            let (Some(media_ssrc), Some(osn)) = (media_ssrc, payload.get(..2)) else {
                self.drops.rtx_unrepairable += 1;
                return;
            };
            header.sequence_number = u16::from_be_bytes([osn[0], osn[1]]);
            header.payload_type = apt;
            header.ssrc = media_ssrc;
            payload = &payload[2..];
        } else if !t.receiver.remote_ssrcs.contains(&header.ssrc)
            && t.receiver.remote_ssrcs.len() < super::section::MAX_REMOTE_SSRCS_PER_SECTION
        {
            // Learned from the MID (unsignalled SSRC): the media SSRC RTX repairs and PLI names.
            t.receiver.remote_ssrcs.push(header.ssrc);
        }
        if let Some(now) = self.now {
            self.sources.on_packet(now, t.id, &header, &extensions);
        }
        if self.rtp_in.len() >= MAX_PENDING_RTP {
            self.drops.queue_full += 1;
            return;
        }
        self.rtp_in.push_back(ReceivedRtp {
            transceiver: t.id,
            header,
            payload: payload.to_vec(),
            extensions,
            retransmission,
            rid: binding.rid,
        });
    }

    /// Handles an unprotected RTCP compound packet: parse, attribute, queue.
    pub fn handle_rtcp(&mut self, plain: &[u8]) {
        let Ok(compound) = parse_compound(plain) else {
            self.drops.malformed += 1;
            return;
        };
        if let Some(now) = self.now {
            for packet in &compound.packets {
                self.streams.on_rtcp(now, packet);
            }
            self.collect_stream_output(now);
        }
        for packet in compound.packets {
            let transceiver = match &packet {
                RtcpPacket::Pli(p) => self.sender_of(p.media_ssrc),
                RtcpPacket::Nack(n) => self.sender_of(n.media_ssrc),
                RtcpPacket::Fir(f) => f.entries.first().and_then(|e| self.sender_of(e.ssrc)),
                RtcpPacket::SenderReport(sr) => self.router.binding(sr.ssrc).map(|b| b.transceiver),
                _ => None,
            };
            if self.rtcp_in.len() >= MAX_PENDING_RTCP {
                self.drops.queue_full += 1;
                continue;
            }
            self.rtcp_in.push_back(ReceivedRtcp {
                transceiver,
                packet,
            });
        }
    }

    fn sender_of(&self, ssrc: u32) -> Option<TransceiverId> {
        self.transceivers
            .iter()
            .find(|t| {
                t.sender
                    .encodings
                    .iter()
                    .any(|l| l.ssrc == ssrc || l.rtx_ssrc == ssrc)
            })
            .map(|t| t.id)
    }

    /// Sends an RTP packet on transceiver `id`'s sender: SSRC, sequence number, payload type
    /// (first negotiated codec unless given) and the MID extension are filled in.
    pub fn write_rtp(&mut self, id: TransceiverId, w: RtpWrite<'_>) -> Result<(), Error> {
        self.write_rtp_layer(id, None, w)
    }

    /// [`write_rtp`](Self::write_rtp) on the encoding named `rid` (`None`: the first), which
    /// also writes the rid extension when the sender sends simulcast. A packet for an
    /// encoding that is inactive, or that the answer did not take, is not sent (W3C
    /// `active`, JSEP §5.10 fallback to the first encoding).
    pub fn write_rtp_layer(
        &mut self,
        id: TransceiverId,
        rid: Option<&str>,
        w: RtpWrite<'_>,
    ) -> Result<(), Error> {
        let t = self
            .transceiver(id)
            .ok_or_else(|| Error::InvalidAccess(format!("no transceiver {}", id.0)))?;
        if !t.can_send() {
            return Err(Error::InvalidState(
                "the transceiver does not send (direction or negotiation)".into(),
            ));
        }
        let layer = t
            .sender
            .layer_of(rid)
            .ok_or_else(|| Error::InvalidAccess(format!("no encoding with rid {rid:?}")))?;
        let l = &t.sender.encodings[layer];
        if !l.sending() {
            self.layer_packets_not_sent += 1;
            return Ok(());
        }
        let (ssrc, sequence) = (l.ssrc, l.sequence);
        let pt = match w.payload_type {
            Some(pt) if t.has_payload_type(pt) => pt,
            Some(pt) => {
                return Err(Error::InvalidAccess(format!(
                    "payload type {pt} is not negotiated"
                )));
            }
            None => t
                .send_codec()
                .map(|c| c.payload_type)
                .ok_or_else(|| Error::InvalidState("no codec negotiated".into()))?,
        };
        let mut header = RtpHeader {
            marker: w.marker,
            payload_type: pt,
            sequence_number: sequence,
            timestamp: w.timestamp,
            ssrc,
            ..Default::default()
        };
        self.ext_map
            .write(&sender_extensions(t, layer), &mut header);
        let data = rtcio_rtp::packet::write_packet(&header, w.payload, 0)
            .map_err(|e| Error::Operation(format!("RTP packet: {e}")))?;
        if let (Some(now), Some(t)) = (self.now, self.transceivers.iter().find(|t| t.id == id)) {
            let sent = RtpPacket {
                header,
                payload: w.payload,
                padding: 0,
            };
            self.streams.on_sent(now, t, layer, &sent);
        }
        if let Ok(t) = self.get_mut(id) {
            let l = &mut t.sender.encodings[layer];
            l.sequence = l.sequence.wrapping_add(1);
        }
        self.packets_sent += 1;
        let priority = match self.transceiver(id).map(Transceiver::kind) {
            Some(TrackKind::Audio) => rtcio_bwe::PacketKind::Audio,
            _ => rtcio_bwe::PacketKind::Video,
        };
        self.out.push_back(MediaTransmit {
            data,
            rtcp: false,
            priority,
        });
        Ok(())
    }

    /// The length of the RTP header `id`'s sender writes (fixed header and the header
    /// extensions it carries), for fitting payloads to the MTU.
    pub fn rtp_header_len(&self, id: TransceiverId) -> usize {
        let Some(t) = self.transceiver(id) else {
            return RtpHeader::default().wire_len();
        };
        (0..t.sender.encodings.len())
            .map(|layer| {
                let mut header = RtpHeader::default();
                self.ext_map
                    .write(&sender_extensions(t, layer), &mut header);
                header.wire_len()
            })
            .max()
            .unwrap_or(0)
    }

    /// Padding of about `bytes` bytes for a bandwidth probe, as plain RTP packets to send at
    /// once: from a video sender that sent media (one with RTX first), as its stream engine
    /// makes it ([`SendStream::generate_padding`](rtcio_rtp::stream::SendStream::generate_padding)),
    /// with the MID and the congestion-control extensions written like media. Empty when no
    /// video sender sent yet.
    pub fn generate_padding(&mut self, now: Instant, bytes: usize) -> Vec<Vec<u8>> {
        // A sending encoding whose stream exists, RTX first, then the highest layer (the one
        // simulcast gives the most bitrate).
        let mut best = None;
        for t in &self.transceivers {
            if t.kind() != TrackKind::Video || !t.can_send() {
                continue;
            }
            for (layer, l) in t.sender.encodings.iter().enumerate() {
                let Some(rtx) = l
                    .sending()
                    .then(|| self.streams.sends_with_rtx(t.id, layer))
                else {
                    continue;
                };
                if let Some(rtx) = rtx
                    && best.is_none_or(|(r, l, _)| (rtx, layer) > (r, l))
                {
                    best = Some((rtx, layer, t.id));
                }
            }
        }
        let Some((_, layer, id)) = best else {
            return Vec::new();
        };
        let Some(t) = self.transceivers.iter_mut().find(|t| t.id == id) else {
            return Vec::new();
        };
        let l = &t.sender.encodings[layer];
        let (ssrc, sequence) = (l.ssrc, l.sequence);
        let packets = self.streams.padding(now, (id, layer), bytes, sequence);
        let values = sender_extensions(t, layer);
        let mut out = Vec::with_capacity(packets.len());
        for mut p in packets {
            if p.header.ssrc == ssrc {
                t.sender.encodings[layer].sequence = p.header.sequence_number.wrapping_add(1);
            }
            // Redundant payloads carry their original's elements; padding-only packets get
            // them here (the transport stamps transport-cc so the probe counts in feedback).
            self.ext_map.write(&values, &mut p.header);
            if let Ok(data) = p.to_bytes() {
                out.push(data);
            }
        }
        out
    }

    /// Sends RTCP packets as one compound packet.
    pub fn write_rtcp(&mut self, packets: &[RtcpPacket]) -> Result<(), Error> {
        let data = write_compound(packets).map_err(|e| Error::Operation(format!("RTCP: {e}")))?;
        self.out.push_back(MediaTransmit {
            data,
            rtcp: true,
            priority: rtcio_bwe::PacketKind::Audio,
        });
        Ok(())
    }

    /// Asks the peer for a keyframe of what transceiver `id` receives (PLI, RFC 4585 §6.3.1):
    /// of simulcast layer `rid` only, or of every stream with `None`.
    pub fn request_keyframe(&mut self, id: TransceiverId, rid: Option<&str>) -> Result<(), Error> {
        let t = self
            .transceiver(id)
            .ok_or_else(|| Error::InvalidAccess(format!("no transceiver {}", id.0)))?;
        if let Some(rid) = rid {
            let media_ssrc = self.router.rid_ssrc(id, rid).ok_or_else(|| {
                Error::InvalidState(format!("nothing received yet for rid {rid}"))
            })?;
            let pli = RtcpPacket::Pli(Pli {
                sender_ssrc: t.sender.ssrc,
                media_ssrc,
            });
            return self.write_rtcp(&[pli]);
        }
        let media: Vec<u32> = t
            .receiver
            .remote_ssrcs
            .iter()
            .copied()
            .filter(|s| !t.receiver.remote_rtx.iter().any(|(_, rtx)| rtx == s))
            .collect();
        if media.is_empty() {
            return Err(Error::InvalidState("no media received yet".into()));
        }
        let sender_ssrc = t.sender.ssrc;
        let plis: Vec<RtcpPacket> = media
            .into_iter()
            .map(|media_ssrc| {
                RtcpPacket::Pli(Pli {
                    sender_ssrc,
                    media_ssrc,
                })
            })
            .collect();
        self.write_rtcp(&plis)
    }

    /// The time of the latest call that carried one.
    pub fn now(&self) -> Option<Instant> {
        self.now
    }

    /// What the negotiated sections enable for congestion control: the transport-cc and
    /// abs-send-time extension ids (connection-wide under BUNDLE) and whether some codec
    /// negotiated REMB.
    pub fn bwe_negotiation(&self) -> crate::transport::BweNegotiation {
        use rtcio_rtp::ExtensionKind as E;
        let active = || self.transceivers.iter().filter(|t| !t.stopped);
        let fb = |name: &str| active().any(|t| t.codecs.iter().any(|c| c.has_feedback(name, None)));
        crate::transport::BweNegotiation {
            transport_cc: self.ext_map.id(E::TransportCc),
            abs_send_time: self.ext_map.id(E::AbsSendTime),
            remb: fb("goog-remb"),
            sender_ssrc: active().map(|t| t.sender.ssrc).next().unwrap_or(1),
        }
    }

    /// Sets the time for the packets handled next (the peer connection passes each call's
    /// `now`).
    pub fn advance(&mut self, now: Instant) {
        self.now = Some(now);
    }

    /// The wall-clock mapping used for sender/receiver report NTP fields.
    pub fn set_ntp_clock(&mut self, clock: rtcio_rtp::stream::NtpClock) {
        self.streams.set_clock(clock);
    }

    /// Drives the stream engines' timers (reports, NACK retries, keyframe requests).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        self.streams.handle_timeout(now);
        self.collect_stream_output(now);
    }

    /// Moves what the stream engines produced while handling packets (NACKs, answers to
    /// them) into the send queue.
    pub fn flush_streams(&mut self) {
        if let Some(now) = self.now {
            self.collect_stream_output(now);
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.streams.poll_timeout()
    }

    /// Moves the stream engines' retransmissions and RTCP into the send queue.
    fn collect_stream_output(&mut self, now: Instant) {
        let mut out = Vec::new();
        self.streams.poll_output(now, &mut out);
        for StreamOutput { mut data, rtcp } in out {
            // The stream engines' RTP is what they retransmit (NACK answers over RTX).
            if !rtcp {
                self.repair_rid(&mut data);
            }
            self.out.push_back(MediaTransmit {
                data,
                rtcp,
                priority: rtcio_bwe::PacketKind::Retransmission,
            });
        }
        for (transceiver, layer, kind) in self.streams.take_keyframe_requests() {
            // The layer whose SSRC the PLI/FIR named, by rid, when the sender has several.
            let rid = self
                .transceiver(transceiver)
                .filter(|t| t.sender.encodings.len() > 1)
                .and_then(|t| t.sender.encodings.get(layer))
                .and_then(|l| l.encoding.rid.clone());
            self.events.push_back(MediaEvent::KeyframeRequested {
                transceiver,
                kind,
                rid,
            });
        }
    }

    /// RFC 8852 §3.2: an RTX packet names the layer it repairs with the repaired-rid, not the
    /// rid its original carried.
    fn repair_rid(&self, data: &mut Vec<u8>) {
        let Ok(packet) = RtpPacket::parse(data) else {
            return;
        };
        let Some(rid) = self.ext_map.read(&packet.header).rid else {
            return;
        };
        let retransmission = self.transceivers.iter().any(|t| {
            t.sender
                .encodings
                .iter()
                .any(|l| l.rtx_ssrc == packet.header.ssrc)
        });
        if !retransmission {
            return;
        }
        let mut header = packet.header.clone();
        if let Some(rid_id) = self.ext_map.id(rtcio_rtp::ExtensionKind::Rid) {
            header.extensions.retain(|e| e.id != rid_id);
        }
        let repaired = ExtensionValues {
            repaired_rid: Some(rid),
            ..Default::default()
        };
        self.ext_map.write(&repaired, &mut header);
        if let Ok(rewritten) =
            rtcio_rtp::packet::write_packet(&header, packet.payload, packet.padding)
        {
            *data = rewritten;
        }
    }

    /// W3C `addTransceiver(init.sendEncodings)`: the (validated) encodings of `id`'s sender;
    /// the first keeps the sender's SSRCs, each further one takes `seed()`'s.
    pub fn set_send_encodings(
        &mut self,
        id: TransceiverId,
        encodings: Vec<SendEncoding>,
        mut seed: impl FnMut() -> SenderSeed,
    ) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        let first = t.sender.encodings[0].clone();
        let n = encodings.len();
        t.sender.encodings = encodings
            .into_iter()
            .enumerate()
            .map(|(i, encoding)| {
                if i == 0 {
                    return SendLayer {
                        encoding,
                        // One encoding needs no simulcast negotiation.
                        negotiated: n == 1,
                        ..first.clone()
                    };
                }
                let s = seed();
                SendLayer {
                    encoding,
                    ssrc: s.ssrc,
                    rtx_ssrc: s.rtx_ssrc,
                    sequence: s.sequence,
                    negotiated: false,
                }
            })
            .collect();
        Ok(())
    }

    /// W3C `RTCRtpSender.getParameters()`: a new transaction id each call; only the latest
    /// one is accepted by [`set_parameters`](Self::set_parameters).
    pub fn get_parameters(&mut self, id: TransceiverId) -> Result<SendParameters, Error> {
        let t = self.get_mut(id)?;
        t.sender.transaction += 1;
        let t = self.transceiver(id).expect("found above");
        Ok(SendParameters {
            transaction_id: t.sender.transaction.to_string(),
            encodings: t
                .sender
                .encodings
                .iter()
                .map(|l| l.encoding.clone())
                .collect(),
            codecs: t.codecs.clone(),
            header_extensions: t.extmaps.clone(),
            rtcp: RtcpParameters {
                cname: self.cname.clone(),
                reduced_size: true,
            },
        })
    }

    /// W3C `RTCRtpSender.setParameters()`: a stale transaction id is `InvalidStateError`;
    /// changing the number of encodings or their rids is `InvalidModificationError`; `active`,
    /// `maxBitrate`, `scaleResolutionDownBy` and `maxFramerate` apply at once (an inactive
    /// encoding sends neither RTP nor sender reports until it is active again).
    pub fn set_parameters(&mut self, id: TransceiverId, p: SendParameters) -> Result<(), Error> {
        let t = self.get_mut(id)?;
        if p.transaction_id != t.sender.transaction.to_string() || t.sender.transaction == 0 {
            return Err(Error::InvalidState(
                "setParameters needs the transactionId of the latest getParameters".into(),
            ));
        }
        let same_layers = p.encodings.len() == t.sender.encodings.len()
            && p.encodings
                .iter()
                .zip(&t.sender.encodings)
                .all(|(a, b)| a.rid == b.encoding.rid);
        if !same_layers {
            return Err(Error::InvalidModification(
                "the number of encodings and their rids cannot change".into(),
            ));
        }
        let kind = t.kind;
        let encodings = simulcast::validate_encodings(kind, p.encodings)?;
        // W3C: the transaction id is spent.
        t.sender.transaction += 1;
        for (l, e) in t.sender.encodings.iter_mut().zip(encodings) {
            l.encoding = e;
        }
        let active: Vec<bool> = t
            .sender
            .encodings
            .iter()
            .map(|l| l.encoding.active)
            .collect();
        for (layer, active) in active.into_iter().enumerate() {
            self.streams.set_send_active(id, layer, active);
        }
        Ok(())
    }

    /// The share of the congestion controller's `target` (bit/s) each encoding of `id`'s
    /// sender should produce, in `sendEncodings` order: the active, negotiated encodings get
    /// it lowest resolution first, each up to its `maxBitrate`; what the capped ones leave
    /// goes to the next; inactive ones get 0. The last one uncapped takes the rest.
    pub fn encoding_targets(&self, id: TransceiverId, target: u64) -> Vec<u64> {
        let Some(t) = self.transceiver(id) else {
            return Vec::new();
        };
        simulcast::allocate(&t.sender.encodings, target)
    }

    /// Send statistics of each encoding of a transceiver's sender that sent, by encoding
    /// index (W3C outbound-rtp, one per simulcast layer).
    pub fn send_layer_stats(
        &self,
        id: TransceiverId,
    ) -> Vec<(usize, rtcio_rtp::stream::SendStats)> {
        self.streams.send_layer_stats(id)
    }

    /// Packets written for an encoding that is inactive or that the answer did not take, and
    /// so not sent.
    pub fn layer_packets_not_sent(&self) -> u64 {
        self.layer_packets_not_sent
    }

    /// Send statistics of a transceiver's sender (W3C outbound-rtp), once it sent.
    pub fn send_stats(&self, id: TransceiverId) -> Option<rtcio_rtp::stream::SendStats> {
        self.streams.send_stats(id)
    }

    /// The simulcast layer (rid) of the received media SSRC `ssrc`, if it has one.
    pub fn receive_rid(&self, ssrc: u32) -> Option<&str> {
        self.streams.receive_rid(ssrc)
    }

    /// Receive statistics of a transceiver's streams (W3C inbound-rtp), by SSRC.
    pub fn receive_stats(&self, id: TransceiverId) -> Vec<(u32, rtcio_rtp::stream::ReceiveStats)> {
        self.streams.receive_stats(id)
    }

    /// The next plain RTP/RTCP packet for the transport to protect and send.
    pub fn poll_transmit(&mut self) -> Option<MediaTransmit> {
        self.out.pop_front()
    }

    /// The next received RTP packet.
    pub fn poll_rtp(&mut self) -> Option<ReceivedRtp> {
        self.rtp_in.pop_front()
    }

    /// The next received RTCP packet.
    pub fn poll_rtcp(&mut self) -> Option<ReceivedRtcp> {
        self.rtcp_in.pop_front()
    }

    /// The next frame (or frames lost) from a receive stream's jitter buffer: complete frames
    /// in sequence order, with reordered and RTX-repaired packets put back in place.
    pub fn poll_frame(&mut self) -> Option<ReceivedFrameEvent> {
        self.streams.poll_frame()
    }

    /// W3C `getSynchronizationSources()` of `id`'s receiver at `now`.
    pub fn synchronization_sources(
        &self,
        id: TransceiverId,
        now: Instant,
    ) -> Vec<super::sources::ContributingSource> {
        self.sources.synchronization(id, now)
    }

    /// W3C `getContributingSources()` of `id`'s receiver at `now`.
    pub fn contributing_sources(
        &self,
        id: TransceiverId,
        now: Instant,
    ) -> Vec<super::sources::ContributingSource> {
        self.sources.contributing(id, now)
    }

    /// The next media event.
    pub fn poll_event(&mut self) -> Option<MediaEvent> {
        self.events.pop_front()
    }

    /// Drop counters.
    pub fn drops(&self) -> MediaDrops {
        MediaDrops {
            routing: self.router.stats(),
            frames_dropped: self.streams.frames_dropped,
            ..self.drops
        }
    }

    /// RTP packets sent.
    pub fn packets_sent(&self) -> u64 {
        self.packets_sent
    }

    /// Releases everything at close.
    pub fn close(&mut self) {
        self.rtp_in.clear();
        self.rtcp_in.clear();
        self.out.clear();
        for t in &mut self.transceivers {
            t.stopped = true;
            t.current_direction = None;
        }
    }
}

fn set_remote_receiver(t: &mut Transceiver, remote: &RemoteMedia) {
    if let Some(msid) = &remote.msid {
        if let Some(track) = &msid.track_id {
            t.receiver.track_id = track.clone();
        }
        t.receiver.stream_ids = if msid.stream_id == "-" {
            Vec::new()
        } else {
            vec![msid.stream_id.clone()]
        };
    }
    if !remote.ssrcs.is_empty() {
        t.receiver.remote_ssrcs = remote.ssrcs.clone();
        t.receiver.remote_rtx = remote.rtx.clone();
    }
}

/// The header extensions a sender writes on every packet.
fn sender_extensions(t: &Transceiver, layer: usize) -> ExtensionValues {
    // RFC 8852: the rid names the layer; always written, so a receiver binds each SSRC
    // whenever it starts listening.
    let rid = if t.sender.encodings.len() > 1 {
        t.sender
            .encodings
            .get(layer)
            .and_then(|l| l.encoding.rid.clone())
    } else {
        None
    };
    ExtensionValues {
        mid: t.mid.clone(),
        rid,
        // Reserved here; the transport writes the real values as the packet leaves.
        transport_cc: Some(0),
        abs_send_time: Some(rtcio_rtp::ext::AbsSendTime(0)),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcio_sdp::Origin;

    fn seed(n: u32) -> SenderSeed {
        SenderSeed {
            ssrc: 1000 + n,
            rtx_ssrc: 2000 + n,
            sequence: 100,
        }
    }

    fn track(id: &str) -> SenderTrack {
        SenderTrack {
            track_id: id.into(),
            stream_ids: vec!["s".into()],
        }
    }

    fn describe(sections: Vec<MediaDescription>) -> SessionDescription {
        let mut sdp = SessionDescription::new(Origin::new(1, 1));
        for m in sections {
            sdp.push_media(m);
        }
        sdp
    }

    /// Delivers everything `from` sends to `to`.
    fn pump(from: &mut MediaSession, to: &mut MediaSession) {
        while let Some(t) = from.poll_transmit() {
            if t.rtcp {
                to.handle_rtcp(&t.data);
            } else {
                to.handle_rtp(&t.data);
            }
        }
    }

    /// Offer audio+video from `a`, answer from `b` (which adds its own video track between
    /// the offer and the answer), apply both sides, key SRTP.
    fn negotiate_pair() -> (
        MediaSession,
        MediaSession,
        Vec<TransceiverId>,
        Vec<TransceiverId>,
    ) {
        let mut a = MediaSession::new("a".into());
        let mut b = MediaSession::new("b".into());
        let ta = vec![
            a.add_track(TrackKind::Audio, track("a-audio"), seed(1))
                .unwrap(),
            a.add_track(TrackKind::Video, track("a-video"), seed(2))
                .unwrap(),
        ];
        for (i, id) in ta.iter().enumerate() {
            a.set_mid(*id, i.to_string());
        }
        let offer = describe(
            ta.iter()
                .enumerate()
                .map(|(i, id)| a.offer_section(*id, &i.to_string()).unwrap().write(9))
                .collect(),
        );
        let mut n = 10;
        let taken = b.apply_remote_offer(&offer, || {
            n += 1;
            seed(n)
        });
        assert_eq!(taken.len(), 2);
        let tb: Vec<TransceiverId> = taken.iter().map(|(_, id)| *id).collect();
        assert!(
            tb.iter()
                .all(|id| b.transceiver(*id).unwrap().direction() == Direction::RecvOnly)
        );
        // The aiortc gotcha: addTrack after the offer takes the offered transceiver, sendrecv.
        let reused = b
            .add_track(TrackKind::Video, track("b-video"), seed(99))
            .unwrap();
        assert_eq!(reused, tb[1]);
        assert_eq!(
            b.transceiver(reused).unwrap().direction(),
            Direction::SendRecv
        );
        let answer = describe(
            taken
                .iter()
                .map(|(i, id)| b.answer_section(*id, &offer.media[*i]).unwrap().write(9))
                .collect(),
        );
        assert_eq!(answer.media[0].direction(), Some(Direction::RecvOnly));
        assert_eq!(answer.media[1].direction(), Some(Direction::SendRecv));
        b.apply_negotiation(&answer, &offer, false);
        a.apply_negotiation(&offer, &answer, true);
        (a, b, ta, tb)
    }

    #[test]
    fn negotiated_pair_exchanges_rtp_and_feedback() {
        let (mut a, mut b, ta, tb) = negotiate_pair();
        assert_eq!(
            a.transceiver(ta[0]).unwrap().current_direction(),
            Some(Direction::SendOnly)
        );
        assert_eq!(
            a.transceiver(ta[1]).unwrap().current_direction(),
            Some(Direction::SendRecv)
        );
        assert_eq!(b.poll_event(), Some(MediaEvent::Track(tb[0])));
        assert_eq!(b.poll_event(), Some(MediaEvent::Track(tb[1])));
        assert_eq!(a.poll_event(), Some(MediaEvent::Track(ta[1])));
        assert_eq!(b.transceiver(tb[1]).unwrap().receiver().track_id, "a-video");
        // The audio transceiver only receives at b: it cannot send.
        assert!(
            b.write_rtp(
                tb[0],
                RtpWrite {
                    payload_type: None,
                    marker: false,
                    timestamp: 0,
                    payload: b"x"
                }
            )
            .is_err()
        );

        for (i, id) in ta.iter().enumerate() {
            let w = RtpWrite {
                payload_type: None,
                marker: true,
                timestamp: 3000 * i as u32,
                payload: &[i as u8; 50],
            };
            a.write_rtp(*id, w).unwrap();
        }
        pump(&mut a, &mut b);
        let audio = b.poll_rtp().unwrap();
        assert_eq!(audio.transceiver, tb[0]);
        assert_eq!(audio.header.payload_type, 111);
        assert_eq!(audio.header.ssrc, 1001);
        assert_eq!(audio.extensions.mid.as_deref(), Some("0"));
        let video = b.poll_rtp().unwrap();
        assert_eq!((video.transceiver, video.header.payload_type), (tb[1], 96));
        assert_eq!(video.payload, vec![1u8; 50]);
        assert_eq!(video.header.sequence_number, 100);

        // b asks a for a keyframe: a sees a PLI for its video sender.
        b.request_keyframe(tb[1], None).unwrap();
        pump(&mut b, &mut a);
        let pli = a.poll_rtcp().unwrap();
        assert_eq!(pli.transceiver, Some(ta[1]));
        assert!(matches!(
            pli.packet,
            RtcpPacket::Pli(Pli {
                media_ssrc: 1002,
                ..
            })
        ));
        assert_eq!(a.drops(), MediaDrops::default());
    }

    #[test]
    fn simulcast_layers_route_by_rid_and_repaired_rid() {
        let path = format!(
            "{}/../sdp/tests/fixtures/handmade-chromium-simulcast-offer.sdp",
            env!("CARGO_MANIFEST_DIR")
        );
        let offer = SessionDescription::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut b = MediaSession::new("b".into());
        let taken = b.apply_remote_offer(&offer, || seed(1));
        let answer = describe(
            taken
                .iter()
                .map(|(i, id)| b.answer_section(*id, &offer.media[*i]).unwrap().write(9))
                .collect(),
        );
        let video = &answer.media[1];
        assert_eq!(video.simulcast().unwrap().to_string(), "recv q;h;~f");
        assert_eq!(video.rids().count(), 3);
        b.apply_negotiation(&answer, &offer, false);
        let tv = taken[1].1;
        assert_eq!(b.transceiver(tv).unwrap().receiver().rids, ["q", "h", "f"]);
        let t0 = Instant::now();
        b.advance(t0);
        let map = extension::map_of(&video.extmaps().cloned().collect::<Vec<_>>());
        let packet = |ssrc: u32, pt: u8, seq: u16, rid: Option<&str>, rrid: Option<&str>| {
            let mut header = RtpHeader {
                marker: true,
                payload_type: pt,
                sequence_number: seq,
                timestamp: u32::from(seq) * 3000,
                ssrc,
                ..Default::default()
            };
            let values = ExtensionValues {
                mid: Some("1".into()),
                rid: rid.map(Into::into),
                repaired_rid: rrid.map(Into::into),
                ..Default::default()
            };
            map.write(&values, &mut header);
            // A one-packet VP8 keyframe (payload descriptor, then the frame tag and start
            // code); an RTX payload leads with the original sequence number.
            let mut payload = Vec::new();
            if pt == 97 {
                payload.extend_from_slice(&(seq - 1000).to_be_bytes());
            }
            payload.extend_from_slice(&[0x10, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 1, 2, 3, 4]);
            rtcio_rtp::packet::write_packet(&header, &payload, 0).unwrap()
        };
        for seq in 1..=6u16 {
            for (ssrc, rid) in [(100, "q"), (200, "h"), (300, "f")] {
                if ssrc == 200 && seq == 4 {
                    continue; // lost, repaired below
                }
                // Browsers stop sending the rid once the SSRC is known: the binding stays.
                let named = (seq < 3).then_some(rid);
                b.handle_rtp(&packet(ssrc, 96, seq, named, None));
            }
        }
        b.handle_rtp(&packet(201, 97, 1004, None, Some("h")));
        let mut got: Vec<(u32, Option<String>, u16, bool)> = Vec::new();
        while let Some(p) = b.poll_rtp() {
            assert_eq!(p.transceiver, tv);
            got.push((
                p.header.ssrc,
                p.rid,
                p.header.sequence_number,
                p.retransmission,
            ));
        }
        assert_eq!(got.len(), 18);
        for (ssrc, rid) in [(100, "q"), (200, "h"), (300, "f")] {
            assert!(
                got.iter()
                    .filter(|g| g.0 == ssrc)
                    .all(|g| g.1.as_deref() == Some(rid)),
                "{got:?}"
            );
        }
        assert_eq!(got[17], (200, Some("h".into()), 4, true));
        // One stream engine per layer, each with its rid; the RTX repair reached layer h's.
        // Their jitter buffers give frames out once the start latency passed.
        let end = t0 + std::time::Duration::from_secs(1);
        for _ in 0..100 {
            let at = b.poll_timeout().filter(|t| *t < end).unwrap_or(end);
            b.handle_timeout(at);
        }
        let mut frames = [0u32; 3];
        while let Some(f) = b.poll_frame() {
            let i = ["q", "h", "f"]
                .iter()
                .position(|r| Some(*r) == f.rid.as_deref());
            frames[i.expect("a layer's frame")] += 1;
        }
        assert_eq!(frames, [6, 6, 6]);
        let stats = b.receive_stats(tv);
        assert_eq!(stats.len(), 3);
        let h = stats.iter().find(|(ssrc, _)| *ssrc == 200).unwrap();
        assert_eq!(b.receive_rid(200), Some("h"));
        assert_eq!(h.1.inbound.retransmitted_packets_received, 1);
        assert_eq!(h.1.inbound.packets_received, 6);
        // A keyframe request for one layer names that layer's SSRC only.
        while b.poll_transmit().is_some() {}
        b.request_keyframe(tv, Some("h")).unwrap();
        let t = b.poll_transmit().unwrap();
        let plis = parse_compound(&t.data).unwrap().packets;
        assert!(matches!(
            plis[..],
            [RtcpPacket::Pli(Pli {
                media_ssrc: 200,
                ..
            })]
        ));
        assert!(b.request_keyframe(tv, Some("zz")).is_err());
        assert_eq!(b.drops(), MediaDrops::default());
    }

    #[test]
    fn hostile_packets_are_dropped_and_counted() {
        let (mut a, mut b, ta, _) = negotiate_pair();
        // Not RTP (version 1), truncated, RTCP garbage, unroutable SSRC/PT, unknown MID.
        b.handle_rtp(&[0x40, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
        b.handle_rtp(&[0x80, 96, 0]);
        b.handle_rtcp(&[0x80, 200, 0, 40]);
        b.handle_rtp(&[0x80, 77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1]);
        let drops = b.drops();
        assert_eq!(drops.malformed, 3);
        assert_eq!(drops.routing.unroutable, 1);
        assert!(b.poll_rtp().is_none());
        assert!(b.poll_rtcp().is_none());
        // An SSRC flood with a valid MID is bounded by the router.
        for ssrc in 0..(crate::media::router::MAX_SSRC_BINDINGS as u32 + 50) {
            let mut packet = rtcio_rtp::packet::write_packet(
                &RtpHeader {
                    payload_type: 96,
                    ssrc: 50_000 + ssrc,
                    ..Default::default()
                },
                b"x",
                0,
            )
            .unwrap();
            packet[0] &= 0xef; // no extension: routed by SSRC/PT only, VP8 is unique here
            b.handle_rtp(&packet);
        }
        assert!(b.drops().routing.bindings_full >= 50);
        while b.poll_rtp().is_some() {}
        // Unread packets beyond the bound are dropped, not queued.
        for i in 0..(MAX_PENDING_RTP + 10) {
            let w = RtpWrite {
                payload_type: None,
                marker: false,
                timestamp: i as u32,
                payload: b"v",
            };
            a.write_rtp(ta[1], w).unwrap();
            pump(&mut a, &mut b);
        }
        assert_eq!(b.drops().queue_full, 10);
        // An unnegotiated payload type is refused at the sender.
        let w = RtpWrite {
            payload_type: Some(77),
            marker: false,
            timestamp: 0,
            payload: b"v",
        };
        assert!(a.write_rtp(ta[1], w).is_err());
    }

    #[test]
    fn stop_rejects_and_ends_the_track() {
        let (a, mut b, ta, tb) = negotiate_pair();
        while b.poll_event().is_some() {}
        b.stop(tb[1]).unwrap();
        assert_eq!(b.poll_event(), Some(MediaEvent::TrackEnded(tb[1])));
        let mut offer_sections = Vec::new();
        for (i, id) in ta.iter().enumerate() {
            offer_sections.push(a.offer_section(*id, &i.to_string()).unwrap().write(9));
        }
        let offer = describe(offer_sections);
        let taken = b.apply_remote_offer(&offer, || seed(50));
        assert_eq!(taken.len(), 2);
        assert!(b.answer_section(tb[1], &offer.media[1]).is_none());
        assert!(b.transceiver(tb[1]).unwrap().stopped());
        assert!(b.negotiation_needed(None));
    }
}
