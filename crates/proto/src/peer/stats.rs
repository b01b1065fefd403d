//! `getStats()`: the W3C statistics objects a data-channel connection has (webrtc-stats).
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
        }
    }
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
