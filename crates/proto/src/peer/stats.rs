//! `getStats()`: the W3C statistics objects of a connection (webrtc-stats): transport, ICE,
//! certificates, data channels, and per RTP stream inbound/outbound, their remote views and
//! the codecs in use.
//!
//! Field names follow the W3C dictionaries in snake case; the async and Python layers print
//! them in camelCase. Timestamps are the caller's: the core has no wall clock.

use rtcio_ice::{CandidateKind, PairState};

/// One statistics object (W3C `RTCStats` and its subtypes).
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// `id`, unique within the report and stable across reports.
    pub id: String,
    /// The subtype and its fields.
    pub kind: StatsKind,
}

impl Stats {
    /// The W3C `type` string.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            StatsKind::PeerConnection { .. } => "peer-connection",
            StatsKind::Transport { .. } => "transport",
            StatsKind::CandidatePair { .. } => "candidate-pair",
            StatsKind::LocalCandidate(_) => "local-candidate",
            StatsKind::RemoteCandidate(_) => "remote-candidate",
            StatsKind::Certificate { .. } => "certificate",
            StatsKind::DataChannel { .. } => "data-channel",
            StatsKind::InboundRtp { .. } => "inbound-rtp",
            StatsKind::OutboundRtp { .. } => "outbound-rtp",
            StatsKind::RemoteInboundRtp { .. } => "remote-inbound-rtp",
            StatsKind::RemoteOutboundRtp { .. } => "remote-outbound-rtp",
            StatsKind::Codec { .. } => "codec",
            StatsKind::MediaSource { .. } => "media-source",
        }
    }
}

impl Stats {
    /// The ids of the other objects this one names (`transportId`, `codecId`, `remoteId`,
    /// `localId`, `mediaSourceId`, a transport's pair and certificates, a pair's candidates).
    pub fn references(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        match &self.kind {
            StatsKind::Transport {
                selected_candidate_pair_id,
                local_certificate_id,
                remote_certificate_id,
                ..
            } => {
                ids.extend(selected_candidate_pair_id.as_deref());
                ids.push(local_certificate_id);
                ids.extend(remote_certificate_id.as_deref());
            }
            StatsKind::CandidatePair {
                transport_id,
                local_candidate_id,
                remote_candidate_id,
                ..
            } => ids.extend([
                transport_id.as_str(),
                local_candidate_id,
                remote_candidate_id,
            ]),
            StatsKind::LocalCandidate(c) | StatsKind::RemoteCandidate(c) => {
                ids.push(&c.transport_id)
            }
            StatsKind::InboundRtp {
                transport_id,
                codec_id,
                remote_id,
                ..
            } => {
                ids.extend([transport_id.as_str(), remote_id]);
                ids.extend(codec_id.as_deref());
            }
            StatsKind::OutboundRtp {
                transport_id,
                codec_id,
                remote_id,
                media_source_id,
                ..
            } => {
                ids.extend([transport_id.as_str(), remote_id]);
                ids.extend(codec_id.as_deref());
                ids.extend(media_source_id.as_deref());
            }
            StatsKind::RemoteInboundRtp { local_id, .. }
            | StatsKind::RemoteOutboundRtp { local_id, .. } => ids.push(local_id),
            StatsKind::Codec { transport_id, .. } => ids.push(transport_id),
            StatsKind::PeerConnection { .. }
            | StatsKind::Certificate { .. }
            | StatsKind::DataChannel { .. }
            | StatsKind::MediaSource { .. } => {}
        }
        ids
    }
}

/// The W3C stats selection algorithm (`RTCRtpSender.getStats()`, `RTCRtpReceiver.getStats()`,
/// `getStats(selector)`): the objects `is_root` picks out of `report` and every object they
/// reference, directly or not, in report order.
pub(crate) fn select(report: Vec<Stats>, is_root: impl Fn(&Stats) -> bool) -> Vec<Stats> {
    let mut wanted: Vec<String> = report
        .iter()
        .filter(|s| is_root(s))
        .map(|s| s.id.clone())
        .collect();
    let mut i = 0;
    while i < wanted.len() {
        if let Some(s) = report.iter().find(|s| s.id == wanted[i]) {
            for r in s.references() {
                if !wanted.iter().any(|w| w == r) {
                    wanted.push(r.to_string());
                }
            }
        }
        i += 1;
    }
    report
        .into_iter()
        .filter(|s| wanted.contains(&s.id))
        .collect()
}

/// A candidate as `RTCIceCandidateStats` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CandidateStats {
    /// `transportId`.
    pub transport_id: String,
    /// `address`.
    pub address: String,
    /// `port`.
    pub port: u16,
    /// `protocol` (`udp`).
    pub protocol: &'static str,
    /// `candidateType` (`host`, `srflx`, `prflx`, `relay`).
    pub candidate_type: &'static str,
    /// `priority`.
    pub priority: u32,
    /// `foundation`.
    pub foundation: String,
}

/// The W3C stats subtypes rtcio reports.
#[derive(Debug, Clone, PartialEq)]
pub enum StatsKind {
    /// `RTCPeerConnectionStats`.
    PeerConnection {
        /// `dataChannelsOpened`.
        data_channels_opened: u32,
        /// `dataChannelsClosed`.
        data_channels_closed: u32,
    },
    /// `RTCTransportStats`.
    Transport {
        /// `packetsSent`.
        packets_sent: u64,
        /// `packetsReceived`.
        packets_received: u64,
        /// `bytesSent`.
        bytes_sent: u64,
        /// `bytesReceived`.
        bytes_received: u64,
        /// `iceRole` (`controlling`, `controlled`, `unknown`).
        ice_role: &'static str,
        /// `iceLocalUsernameFragment`.
        ice_local_username_fragment: String,
        /// `iceState`.
        ice_state: &'static str,
        /// `dtlsState`.
        dtls_state: &'static str,
        /// `dtlsRole` (`client`, `server`, `unknown`).
        dtls_role: &'static str,
        /// `selectedCandidatePairId`.
        selected_candidate_pair_id: Option<String>,
        /// `localCertificateId`.
        local_certificate_id: String,
        /// `remoteCertificateId`.
        remote_certificate_id: Option<String>,
        /// `selectedCandidatePairChanges`.
        selected_candidate_pair_changes: u32,
    },
    /// `RTCIceCandidatePairStats`.
    CandidatePair {
        /// `transportId`.
        transport_id: String,
        /// `localCandidateId`.
        local_candidate_id: String,
        /// `remoteCandidateId`.
        remote_candidate_id: String,
        /// `state` (`frozen`, `waiting`, `in-progress`, `succeeded`, `failed`).
        state: &'static str,
        /// `nominated`.
        nominated: bool,
        /// `packetsSent`.
        packets_sent: u64,
        /// `packetsReceived`.
        packets_received: u64,
        /// `bytesSent`.
        bytes_sent: u64,
        /// `bytesReceived`.
        bytes_received: u64,
        /// `requestsSent`.
        requests_sent: u64,
        /// `requestsReceived`.
        requests_received: u64,
        /// `responsesSent`.
        responses_sent: u64,
        /// `responsesReceived`.
        responses_received: u64,
        /// `consentRequestsSent`.
        consent_requests_sent: u64,
        /// `currentRoundTripTime` in seconds.
        current_round_trip_time: Option<f64>,
        /// `totalRoundTripTime` in seconds.
        total_round_trip_time: f64,
        /// `availableOutgoingBitrate` in bit/s: the congestion controller's target, on the
        /// nominated pair once transport-cc or REMB is negotiated.
        available_outgoing_bitrate: Option<u64>,
    },
    /// `RTCIceCandidateStats` of a local candidate.
    LocalCandidate(CandidateStats),
    /// `RTCIceCandidateStats` of a remote candidate.
    RemoteCandidate(CandidateStats),
    /// `RTCCertificateStats`.
    Certificate {
        /// `fingerprint` (upper-case colon hex).
        fingerprint: String,
        /// `fingerprintAlgorithm`.
        fingerprint_algorithm: String,
        /// `base64Certificate` (DER).
        base64_certificate: String,
    },
    /// `RTCDataChannelStats`.
    DataChannel {
        /// `label`.
        label: String,
        /// `protocol`.
        protocol: String,
        /// `dataChannelIdentifier`.
        data_channel_identifier: Option<u16>,
        /// `state`.
        state: &'static str,
        /// `messagesSent`.
        messages_sent: u64,
        /// `bytesSent`.
        bytes_sent: u64,
        /// `messagesReceived`.
        messages_received: u64,
        /// `bytesReceived`.
        bytes_received: u64,
    },
    /// `RTCInboundRtpStreamStats`: one received media SSRC.
    InboundRtp {
        /// `kind` (`audio`, `video`).
        kind: &'static str,
        /// `mid`.
        mid: Option<String>,
        /// `rid`: the simulcast layer, when the transceiver receives simulcast.
        rid: Option<String>,
        /// `transportId`.
        transport_id: String,
        /// `codecId`, when the payload type is known.
        codec_id: Option<String>,
        /// `remoteId` (the remote-outbound-rtp object).
        remote_id: String,
        /// `ssrc`, `packetsReceived`, `packetsLost`, `jitter` (seconds), `nackCount`,
        /// `pliCount`, `firCount`, … as the stream engine counts them.
        stats: Box<rtcio_rtp::stream::InboundRtpStats>,
    },
    /// `RTCOutboundRtpStreamStats`: one sent media SSRC.
    OutboundRtp {
        /// `kind`.
        kind: &'static str,
        /// `mid`.
        mid: Option<String>,
        /// `rid`: the encoding's, when the sender sends simulcast.
        rid: Option<String>,
        /// `active`: the encoding is sent (negotiated and W3C `active`).
        active: bool,
        /// `mediaSourceId`, when the sender has a track.
        media_source_id: Option<String>,
        /// `transportId`.
        transport_id: String,
        /// `codecId`.
        codec_id: Option<String>,
        /// `remoteId` (the remote-inbound-rtp object).
        remote_id: String,
        /// `ssrc`, `packetsSent`, `bytesSent`, `retransmittedPacketsSent`, `nackCount`,
        /// `pliCount`, `firCount`, ….
        stats: Box<rtcio_rtp::stream::OutboundRtpStats>,
        /// `targetBitrate` in bit/s: this encoding's part of its sender's equal share of the
        /// congestion controller's target (see `encoding_target_bitrates`), once transport-cc
        /// or REMB is negotiated.
        target_bitrate: Option<u64>,
    },
    /// `RTCRemoteInboundRtpStreamStats`: the peer's receiver reports about what we send.
    RemoteInboundRtp {
        /// `kind`.
        kind: &'static str,
        /// `ssrc`.
        ssrc: u32,
        /// `localId` (the outbound-rtp object).
        local_id: String,
        /// `packetsLost`, `fractionLost`, `jitter`, `roundTripTime`, ….
        stats: Box<rtcio_rtp::stream::RemoteInboundRtpStats>,
    },
    /// `RTCRemoteOutboundRtpStreamStats`: the peer's sender reports about what we receive.
    RemoteOutboundRtp {
        /// `kind`.
        kind: &'static str,
        /// `ssrc`.
        ssrc: u32,
        /// `localId` (the inbound-rtp object).
        local_id: String,
        /// `packetsSent`, `bytesSent`, `remoteTimestamp`, `roundTripTime`, ….
        stats: Box<rtcio_rtp::stream::RemoteOutboundRtpStats>,
    },
    /// `RTCAudioSourceStats` / `RTCVideoSourceStats`: the track attached to a sender. rtcio is
    /// given encoded frames, so only what the core sees is reported: for video, the frames
    /// handed to `send_frame` (a simulcast frame counted once); raw-sample fields (audio level,
    /// width and height before encoding) are the encoder's and absent.
    MediaSource {
        /// `kind`.
        kind: &'static str,
        /// `trackIdentifier`.
        track_identifier: String,
        /// `frames` (video, once frames were sent with `send_frame`).
        frames: Option<u64>,
        /// `framesPerSecond` over the last second (video, as `frames`).
        frames_per_second: Option<f64>,
    },
    /// `RTCCodecStats`: a negotiated codec.
    Codec {
        /// `transportId`.
        transport_id: String,
        /// `payloadType`.
        payload_type: u8,
        /// `mimeType`.
        mime_type: String,
        /// `clockRate`.
        clock_rate: u32,
        /// `channels`.
        channels: Option<u16>,
        /// `sdpFmtpLine`.
        sdp_fmtp_line: Option<String>,
    },
}

pub(crate) const TRANSPORT_ID: &str = "T01";

pub(crate) fn pair_state_name(s: PairState) -> &'static str {
    match s {
        PairState::Frozen => "frozen",
        PairState::Waiting => "waiting",
        PairState::InProgress => "in-progress",
        PairState::Succeeded => "succeeded",
        PairState::Failed => "failed",
    }
}

pub(crate) fn candidate_stats(c: &rtcio_ice::Candidate) -> CandidateStats {
    CandidateStats {
        transport_id: TRANSPORT_ID.into(),
        address: c.addr.ip().to_string(),
        port: c.addr.port(),
        protocol: "udp",
        candidate_type: match c.kind {
            CandidateKind::Host => "host",
            CandidateKind::ServerReflexive => "srflx",
            CandidateKind::PeerReflexive => "prflx",
            CandidateKind::Relayed => "relay",
        },
        priority: c.priority,
        foundation: c.foundation.clone(),
    }
}

/// A stable id for a candidate: its kind and address.
pub(crate) fn candidate_id(prefix: &str, c: &rtcio_ice::Candidate) -> String {
    format!("{prefix}-{}-{}", c.kind.as_str(), c.addr)
}

pub(crate) fn base64(data: &[u8]) -> String {
    openssl::base64::encode_block(data)
}

impl super::PeerConnection {
    /// The send-side bandwidth estimate in bit/s that the encoders should share (transport-cc
    /// feedback or REMB from the peer), once either is negotiated.
    pub fn target_bitrate(&self) -> Option<u64> {
        self.stack.target_bitrate()
    }

    /// The estimator's state and the congestion-control feedback counters.
    pub fn bwe_stats(&self) -> (Option<rtcio_bwe::BweStats>, crate::transport::BweCounters) {
        (self.stack.bwe_stats(), self.stack.bwe_counters())
    }

    /// The pacer's counters (per kind: enqueued, sent, dropped), once media was sent with
    /// feedback negotiated.
    pub fn pacer_stats(&self) -> Option<rtcio_bwe::PacerStats> {
        self.stack.pacer_stats()
    }
}
