//! Statistics with the W3C webrtc-stats field names (in snake case): `inbound-rtp` and
//! `remote-outbound-rtp` for a [`ReceiveStream`](super::ReceiveStream), `outbound-rtp` and
//! `remote-inbound-rtp` for a [`SendStream`](super::SendStream), plus counters of input the
//! engine dropped.

use std::time::Duration;

use crate::rtcp::NtpTime;

/// `RTCInboundRtpStreamStats` fields this engine knows, plus drop counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboundRtpStats {
    /// `ssrc`.
    pub ssrc: u32,
    /// `packetsReceived`: unique packets, retransmissions included, duplicates not.
    pub packets_received: u64,
    /// `packetsLost`: expected minus received (RFC 3550 cumulative loss).
    pub packets_lost: i64,
    /// `jitter` in seconds (RFC 3550 interarrival jitter).
    pub jitter: f64,
    /// `bytesReceived`: payload bytes, padding excluded.
    pub bytes_received: u64,
    /// `headerBytesReceived`: RTP header and padding bytes.
    pub header_bytes_received: u64,
    /// `retransmittedPacketsReceived`: packets recovered through RTX (a subset of
    /// `packetsReceived`).
    pub retransmitted_packets_received: u64,
    /// `retransmittedBytesReceived`: payload bytes of those.
    pub retransmitted_bytes_received: u64,
    /// `packetsDiscarded`: packets that arrived after the jitter buffer had released or given
    /// up on their place.
    pub packets_discarded: u64,
    /// `packetsDuplicated` (removed from the spec, still useful): duplicates dropped.
    pub packets_duplicated: u64,
    /// `nackCount`: NACK packets sent.
    pub nack_count: u64,
    /// `pliCount`: PLI packets sent.
    pub pli_count: u64,
    /// `firCount`: FIR packets sent.
    pub fir_count: u64,
    /// `framesReceived`: complete frames delivered.
    pub frames_received: u64,
    /// `framesDropped`: frames discarded before delivery (incomplete, or undecodable while
    /// waiting for a keyframe, or not drained by the application).
    pub frames_dropped: u64,
    /// `keyFramesDecoded` stand-in: keyframes delivered.
    pub key_frames_received: u64,
    /// Gaps (runs of missing packets) the jitter buffer gave up on; each emits a
    /// [`ReceiveEvent::FrameLost`](super::ReceiveEvent::FrameLost).
    pub gaps_given_up: u64,
    /// Packets the jitter buffer gave up on (declared lost for good).
    pub packets_given_up: u64,
    /// Sequence numbers asked for in NACKs (one NACK packet can ask for many).
    pub nacked_packets: u64,
    /// Missing packets no longer asked for after the retry limit or the NACK list bound.
    pub nacks_abandoned: u64,
    /// Packets dropped for an SSRC or payload type this stream does not carry, or a malformed
    /// RTX payload.
    pub packets_invalid: u64,
    /// Packets dropped for a sequence jump larger than [`MAX_DROPOUT`](super::MAX_DROPOUT)
    /// (until two consecutive ones confirm it, as RFC 3550 appendix A.1 does).
    pub sequence_jumps_dropped: u64,
    /// Sequence resynchronizations after a confirmed jump.
    pub sequence_resyncs: u64,
    /// Padding-only packets (bandwidth probes): on the RTX SSRC dropped, on the media SSRC kept
    /// in the sequence and skipped by frame assembly.
    pub padding_packets_received: u64,
    /// `fecPacketsReceived`: RED packets whose primary block is ULPFEC (RFC 2198, RFC 5109).
    pub fec_packets_received: u64,
    /// `fecPacketsDiscarded`: FEC packets whose payload was not used; all of them, since this
    /// engine does no FEC recovery (NACK/RTX repairs losses instead).
    pub fec_packets_discarded: u64,
}

/// `RTCRemoteOutboundRtpStreamStats`: what the sender said in its SRs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemoteOutboundRtpStats {
    /// `packetsSent` from the last SR.
    pub packets_sent: u64,
    /// `bytesSent` from the last SR.
    pub bytes_sent: u64,
    /// `remoteTimestamp`: the last SR's NTP time.
    pub remote_timestamp: Option<NtpTime>,
    /// `reportsSent`: SRs received.
    pub reports_sent: u64,
    /// `roundTripTime` from XR DLRR (RFC 3611), if the sender answers RRTR.
    pub round_trip_time: Option<Duration>,
    /// `totalRoundTripTime`.
    pub total_round_trip_time: Duration,
    /// `roundTripTimeMeasurements`.
    pub round_trip_time_measurements: u64,
}

/// Everything a [`ReceiveStream`](super::ReceiveStream) reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceiveStats {
    /// The `inbound-rtp` stats.
    pub inbound: InboundRtpStats,
    /// The `remote-outbound-rtp` stats.
    pub remote_outbound: RemoteOutboundRtpStats,
}

/// `RTCOutboundRtpStreamStats` fields this engine knows, plus drop counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutboundRtpStats {
    /// `ssrc`.
    pub ssrc: u32,
    /// `packetsSent`: original packets (retransmissions not included).
    pub packets_sent: u64,
    /// `bytesSent`: payload bytes of those.
    pub bytes_sent: u64,
    /// `headerBytesSent`.
    pub header_bytes_sent: u64,
    /// `retransmittedPacketsSent`.
    pub retransmitted_packets_sent: u64,
    /// `retransmittedBytesSent`: payload bytes, the RTX OSN field excluded.
    pub retransmitted_bytes_sent: u64,
    /// `nackCount`: NACK packets received.
    pub nack_count: u64,
    /// `pliCount`: PLI packets received.
    pub pli_count: u64,
    /// `firCount`: FIR packets received (new requests only, not repeats).
    pub fir_count: u64,
    /// Sequence numbers asked for that were no longer (or never) in the history.
    pub nacked_unknown: u64,
    /// Requests ignored because the packet was resent less than an RTT ago.
    pub nacked_too_soon: u64,
    /// Requests dropped because a NACK named more than
    /// [`MAX_NACKED_PER_FEEDBACK`](super::MAX_NACKED_PER_FEEDBACK) packets or the queue was full.
    pub nacked_dropped: u64,
    /// rtcio's own (W3C has no padding field): history packets resent over RTX as bandwidth
    /// probe padding ("redundant payload"), not counted as retransmissions.
    pub redundant_packets_sent: u64,
    /// Bytes of those on the wire (RTP header and payload, before SRTP).
    pub redundant_bytes_sent: u64,
    /// rtcio's own: padding-only packets sent for bandwidth probes (on the RTX SSRC, or the
    /// media SSRC without RTX).
    pub padding_packets_sent: u64,
    /// Bytes of those on the wire (RTP header and padding, before SRTP).
    pub padding_bytes_sent: u64,
}

/// `RTCRemoteInboundRtpStreamStats`: what the receiver said in its report blocks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RemoteInboundRtpStats {
    /// `packetsLost` (cumulative, from the last report block).
    pub packets_lost: i64,
    /// `fractionLost` in `[0, 1]` over the last report interval.
    pub fraction_lost: f64,
    /// `jitter` in seconds.
    pub jitter: f64,
    /// `roundTripTime` from LSR/DLSR.
    pub round_trip_time: Option<Duration>,
    /// `totalRoundTripTime`.
    pub total_round_trip_time: Duration,
    /// `roundTripTimeMeasurements`.
    pub round_trip_time_measurements: u64,
    /// Report blocks received about this stream.
    pub reports_received: u64,
}

/// Everything a [`SendStream`](super::SendStream) reports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendStats {
    /// The `outbound-rtp` stats.
    pub outbound: OutboundRtpStats,
    /// The `remote-inbound-rtp` stats.
    pub remote_inbound: RemoteInboundRtpStats,
}
