//! Congestion control on the SRTP path (issue 10): transport-wide sequence numbers stamped on
//! outgoing RTP as it is protected, arrivals of incoming RTP recorded and answered with
//! transport-wide feedback (or REMB from abs-send-time when the peer has no transport-cc), and
//! the peer's feedback fed to the send-side estimator whose target bitrate the encoders follow.
//!
//! RTP leaves through a leaky-bucket [`Pacer`] at the estimator's pacing rate once feedback is
//! negotiated and the first has arrived: audio at once, retransmissions before new video, the
//! queue bounded ([`PacerConfig::max_queue_packets`](rtcio_bwe::PacerConfig)) with drops counted.
//!
//! Probing (rtcio-bwe's prober): two clusters at 3× and 6× the start rate with the first packet,
//! one at twice each successful result (so the estimate climbs to the capacity in a few round
//! trips), and one at 2× the target every 5 s while the path is calm — which also finds capacity
//! that came back after a drop, and checks the estimate when the application sends far less than
//! it. The pacer sends a cluster at its rate, queued media first; when none waits it asks for
//! padding, which this layer queues as [`PaddingRequest`]s for the media layer (the peer
//! connection asks the senders' stream engines: redundant RTX payloads, else padding-only
//! packets) and sends back through [`TransportStack::send_probe_padding`] with the cluster's tag,
//! stamped with transport-wide sequence numbers like media. Padding exists only inside probe
//! clusters: an application that sends enough media fills them itself.
//!
//! It lives in the transport because transport-cc numbers every RTP packet of the 5-tuple, across
//! all m-sections of the bundle, and the sequence number must be the one the packet leaves with.

use std::collections::VecDeque;
use std::time::Instant;

use rtcio_bwe::{
    BweConfig, BweStats, Paced, Pacer, PacerConfig, PacerStats, PacketKind, RembEstimator,
    SendSideBwe, TwccReceiver,
};
use rtcio_rtp::ext::AbsSendTime;
use rtcio_rtp::rtcp::{RtcpPacket, parse_compound, write_compound};

use super::{MediaPacket, TransportStack};
use crate::peer::Error;

/// Report sources whose last extended highest sequence number is kept (to count the packets
/// a receiver report's fraction lost covers); reports about further sources are not used.
pub const MAX_REPORT_SOURCES: usize = 32;

/// Padding requests waiting for the media layer; more are dropped and counted (the pacer asks
/// for at most a probe cluster's worth, so this is never reached when they are served).
pub const MAX_PENDING_PADDING: usize = 64;

/// The pacer wants about `bytes` bytes of padding sent now for probe cluster `probe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaddingRequest {
    /// Bytes to send.
    pub bytes: usize,
    /// The probe cluster, for [`TransportStack::send_probe_padding`].
    pub probe: u32,
}

/// What the offer/answer exchange negotiated for congestion control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BweNegotiation {
    /// The RTP header extension id of transport-wide-cc, when negotiated.
    pub transport_cc: Option<u8>,
    /// The RTP header extension id of abs-send-time, when negotiated.
    pub abs_send_time: Option<u8>,
    /// Whether some codec negotiated `a=rtcp-fb … goog-remb`.
    pub remb: bool,
    /// The SSRC our feedback is sent from (one of our senders, or any if we only receive).
    pub sender_ssrc: u32,
}

/// Counters of the congestion-control path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BweCounters {
    /// Transport-wide feedback messages sent.
    pub feedback_sent: u64,
    /// Transport-wide feedback messages received.
    pub feedback_received: u64,
    /// REMB messages sent.
    pub remb_sent: u64,
    /// REMB messages received.
    pub remb_received: u64,
    /// RTP packets stamped with a transport-wide sequence number.
    pub packets_stamped: u64,
    /// Received RTP packets whose arrival was recorded.
    pub arrivals: u64,
    /// Feedback we could not serialize or protect (dropped).
    pub feedback_dropped: u64,
    /// Probe clusters handed to the pacer.
    pub probe_clusters: u64,
    /// RTP packets sent as part of a probe cluster (media and padding).
    pub probe_packets_sent: u64,
    /// Bytes of those (plain RTP).
    pub probe_bytes_sent: u64,
    /// Padding packets sent for probes (redundant RTX payloads and padding-only packets).
    pub padding_packets_sent: u64,
    /// Bytes of those (plain RTP).
    pub padding_bytes_sent: u64,
    /// Padding requests dropped: [`MAX_PENDING_PADDING`] were waiting.
    pub padding_requests_dropped: u64,
}

/// The congestion-control state of a transport.
#[derive(Debug, Default)]
pub(crate) struct BweLayer {
    negotiation: BweNegotiation,
    /// Send side: created with the first packet sent once feedback is negotiated.
    send: Option<SendSideBwe>,
    /// Paces RTP at the send side's pacing rate (created with it); holds plain packets.
    pacer: Option<Pacer<Vec<u8>>>,
    /// Receive side of transport-cc: created with the first packet (its SSRC is the media SSRC
    /// the feedback names).
    twcc_receiver: Option<TwccReceiver>,
    /// Receive side without transport-cc: REMB from abs-send-time.
    remb: Option<RembEstimator>,
    /// The zero of the abs-send-time we write.
    epoch: Option<Instant>,
    /// Per reported source: the extended highest sequence number of its last report block.
    report_seqs: Vec<(u32, u32)>,
    /// The pacer's padding requests, for the media layer (at most [`MAX_PENDING_PADDING`]).
    padding: VecDeque<PaddingRequest>,
    /// The probe cluster of the packet being sent, if it belongs to one.
    probe_tag: Option<u32>,
    counters: BweCounters,
}

impl BweLayer {
    fn feedback_enabled(&self) -> bool {
        self.negotiation.transport_cc.is_some() || self.negotiation.remb
    }
}

impl TransportStack {
    /// Applies what a completed offer/answer negotiated: which feedback to send and accept.
    pub fn configure_bwe(&mut self, negotiation: BweNegotiation) {
        let bwe = &mut self.bwe;
        bwe.negotiation = negotiation;
        if negotiation.transport_cc.is_none() {
            bwe.twcc_receiver = None;
        }
        if !bwe.feedback_enabled() {
            bwe.send = None;
            bwe.pacer = None;
        }
    }

    /// The send-side estimate in bit/s: what the encoders should produce together, once
    /// transport-cc or REMB is negotiated (the start rate until feedback arrives).
    pub fn target_bitrate(&self) -> Option<u64> {
        match &self.bwe.send {
            Some(send) => Some(send.target_bitrate()),
            None if self.bwe.feedback_enabled() => Some(BweConfig::default().start_bitrate),
            None => None,
        }
    }

    /// The send-side estimator and its pacer, created at the first packet sent once feedback
    /// is negotiated.
    fn bwe_send(&mut self, now: Instant) -> Option<&mut SendSideBwe> {
        if !self.bwe.feedback_enabled() {
            return None;
        }
        let bwe = &mut self.bwe;
        let send = bwe
            .send
            .get_or_insert_with(|| SendSideBwe::new(BweConfig::default(), now));
        bwe.pacer
            .get_or_insert_with(|| Pacer::new(PacerConfig::default(), send.pacing_rate()));
        Some(send)
    }

    /// Sends a plain RTP packet through the pacer (at once when no feedback is negotiated):
    /// `kind` orders it (audio unpaced, retransmissions before video).
    pub fn send_media_paced(
        &mut self,
        now: Instant,
        data: Vec<u8>,
        kind: PacketKind,
    ) -> Result<(), Error> {
        // Pacing starts with the first feedback: a peer that negotiated feedback but sends none
        // would otherwise hold us at 2.5 × the start rate with up to 2 s of queue.
        let c = self.bwe.counters;
        let heard = c.feedback_received + c.remb_received > 0;
        if self.bwe_send(now).is_none() || !self.srtp_ready() || !heard {
            return self.send_media_at(now, MediaPacket { data, rtcp: false });
        }
        if let Some(pacer) = self.bwe.pacer.as_mut() {
            // A full queue drops the oldest least important packet (counted by the pacer).
            let _ = pacer.enqueue(now, kind, data.len(), data);
        }
        self.bwe_drain_pacer(now);
        Ok(())
    }

    /// Sends what the pacer lets go at `now`; its padding requests wait for the media layer.
    fn bwe_drain_pacer(&mut self, now: Instant) {
        while let Some(paced) = self.bwe.pacer.as_mut().and_then(|p| p.poll_send(now)) {
            match paced {
                Paced::Packet { item, probe, .. } => {
                    self.bwe.probe_tag = probe;
                    // A failure (no pair, queue full) is counted below, like UDP loss.
                    let _ = self.send_media_at(
                        now,
                        MediaPacket {
                            data: item,
                            rtcp: false,
                        },
                    );
                    self.bwe.probe_tag = None;
                }
                Paced::Padding { size, probe } => {
                    if self.bwe.padding.len() >= MAX_PENDING_PADDING {
                        self.bwe.counters.padding_requests_dropped += 1;
                    } else {
                        let bytes = size;
                        self.bwe.padding.push_back(PaddingRequest { bytes, probe });
                    }
                }
            }
        }
    }

    /// The next padding request of the pacer: make about `bytes` bytes of RTP padding now and
    /// send it with [`send_probe_padding`](Self::send_probe_padding). Requests nobody serves
    /// leave the probe short (its result then shows less, never more, than the path carries).
    pub fn poll_padding_request(&mut self) -> Option<PaddingRequest> {
        self.bwe.padding.pop_front()
    }

    /// Sends a plain RTP padding packet (made for a [`PaddingRequest`]) at once, outside the
    /// pacer, counted in probe cluster `probe`.
    pub fn send_probe_padding(
        &mut self,
        now: Instant,
        data: Vec<u8>,
        probe: u32,
    ) -> Result<(), Error> {
        let c = &mut self.bwe.counters;
        c.padding_packets_sent += 1;
        c.padding_bytes_sent += data.len() as u64;
        self.bwe.probe_tag = Some(probe);
        let r = self.send_media_at(now, MediaPacket { data, rtcp: false });
        self.bwe.probe_tag = None;
        r
    }

    /// Hands the estimator's new probe clusters to the pacer.
    fn bwe_start_probes(&mut self, now: Instant) {
        let BweLayer {
            send: Some(send),
            pacer: Some(pacer),
            counters,
            ..
        } = &mut self.bwe
        else {
            return;
        };
        while let Some(cluster) = send.poll_probe() {
            pacer.start_probe(now, cluster);
            counters.probe_clusters += 1;
        }
    }

    /// The pacer's counters (enqueued, sent, dropped per kind), once it exists.
    pub fn pacer_stats(&self) -> Option<PacerStats> {
        self.bwe.pacer.as_ref().map(Pacer::stats)
    }

    /// The estimator's state (target, delay- and loss-based parts, acknowledged rate, RTT).
    pub fn bwe_stats(&self) -> Option<BweStats> {
        self.bwe.send.as_ref().map(SendSideBwe::stats)
    }

    /// Counters of feedback sent and received.
    pub fn bwe_counters(&self) -> BweCounters {
        self.bwe.counters
    }

    /// Stamps an outgoing plain RTP packet with its send time (abs-send-time) and the next
    /// transport-wide sequence number, in the elements the media layer reserved, and records
    /// it as sent.
    pub(super) fn bwe_on_rtp_sent(&mut self, now: Instant, packet: &mut [u8], wire_len: usize) {
        if let Some(id) = self.bwe.negotiation.abs_send_time
            && let Some((offset, 3)) = find_extension(packet, id)
        {
            // Any clock will do: the receiver only uses differences (64 s period).
            let epoch = *self.bwe.epoch.get_or_insert(now);
            let us = now.saturating_duration_since(epoch).as_micros();
            let abs = AbsSendTime::from_micros(u64::try_from(us).unwrap_or(u64::MAX));
            packet[offset..offset + 3].copy_from_slice(&abs.to_bytes());
        }
        let Some(id) = self.bwe.negotiation.transport_cc else {
            return;
        };
        let Some((offset, 2)) = find_extension(packet, id) else {
            return;
        };
        let tag = self.bwe.probe_tag;
        let Some(send) = self.bwe_send(now) else {
            return;
        };
        let seq = send.next_twcc_seq();
        packet[offset..offset + 2].copy_from_slice(&seq.to_be_bytes());
        match tag {
            Some(cluster) => send.on_probe_packet_sent(now, seq, wire_len, cluster),
            None => send.on_packet_sent(now, seq, wire_len),
        }
        let c = &mut self.bwe.counters;
        if tag.is_some() {
            c.probe_packets_sent += 1;
            c.probe_bytes_sent += wire_len as u64;
        }
        c.packets_stamped += 1;
        // The first packet starts the initial probes.
        self.bwe_start_probes(now);
    }

    /// Records the arrival of an incoming plain RTP packet of `wire_len` bytes.
    pub(super) fn bwe_on_rtp_received(&mut self, now: Instant, packet: &[u8], wire_len: usize) {
        let Some(ssrc) = packet.get(8..12) else {
            return;
        };
        let ssrc = u32::from_be_bytes([ssrc[0], ssrc[1], ssrc[2], ssrc[3]]);
        let neg = self.bwe.negotiation;
        if let Some(id) = neg.transport_cc {
            let Some((offset, 2)) = find_extension(packet, id) else {
                return;
            };
            let seq = u16::from_be_bytes([packet[offset], packet[offset + 1]]);
            self.bwe
                .twcc_receiver
                .get_or_insert_with(|| TwccReceiver::new(now, neg.sender_ssrc, ssrc))
                .on_packet(now, seq);
            self.bwe.counters.arrivals += 1;
            self.bwe_send_feedback(now);
        } else if neg.remb
            && let Some(id) = neg.abs_send_time
            && let Some((offset, 3)) = find_extension(packet, id)
            && let Ok(abs) = AbsSendTime::parse(&packet[offset..offset + 3])
        {
            self.bwe
                .remb
                .get_or_insert_with(|| {
                    RembEstimator::new(BweConfig::default(), now, neg.sender_ssrc)
                })
                .on_packet(now, ssrc, abs, wire_len);
            self.bwe.counters.arrivals += 1;
        }
    }

    /// Feeds transport-wide feedback and REMB from an incoming plain RTCP compound packet to
    /// the estimator. The packet still goes to the media layer as it is.
    pub(super) fn bwe_on_rtcp_received(&mut self, now: Instant, packet: &[u8]) {
        let transport_cc = self.bwe.negotiation.transport_cc.is_some();
        if self.bwe_send(now).is_none() {
            return;
        }
        let BweLayer {
            send: Some(send),
            report_seqs,
            ..
        } = &mut self.bwe
        else {
            return;
        };
        // Malformed compounds are counted by the media layer, which parses them again.
        let Ok(compound) = parse_compound(packet) else {
            return;
        };
        let (mut feedback, mut rembs) = (0, 0);
        for p in &compound.packets {
            match p {
                RtcpPacket::TransportFeedback(fb) if transport_cc => {
                    send.on_feedback(now, fb);
                    feedback += 1;
                }
                // REMB only counts when there is no transport-wide feedback (it would fight it).
                RtcpPacket::Remb(r) if !transport_cc => {
                    send.on_remb(now, r.bitrate);
                    rembs += 1;
                }
                // Loss for the loss-based cap when there is no transport-wide feedback (the
                // estimator ignores it otherwise).
                RtcpPacket::ReceiverReport(rr) if !transport_cc => {
                    for block in &rr.reports {
                        report_loss(report_seqs, send, now, block);
                    }
                }
                RtcpPacket::SenderReport(sr) if !transport_cc => {
                    for block in &sr.reports {
                        report_loss(report_seqs, send, now, block);
                    }
                }
                _ => {}
            }
        }
        self.bwe.counters.feedback_received += feedback;
        self.bwe.counters.remb_received += rembs;
        self.bwe_update_pacing(now);
        // Feedback ends probes (follow-ups of a successful one, periodic ones).
        self.bwe_start_probes(now);
        self.bwe_drain_pacer(now);
    }

    fn bwe_update_pacing(&mut self, now: Instant) {
        if let (Some(send), Some(pacer)) = (self.bwe.send.as_ref(), self.bwe.pacer.as_mut()) {
            pacer.set_pacing_rate(now, send.pacing_rate());
        }
    }

    /// Drives the feedback timers and sends what is due.
    pub(super) fn bwe_handle_timeout(&mut self, now: Instant) {
        if let Some(send) = self.bwe.send.as_mut()
            && send.poll_timeout().is_some_and(|t| t <= now)
        {
            send.handle_timeout(now);
            self.bwe_update_pacing(now);
        }
        self.bwe_drain_pacer(now);
        self.bwe_send_feedback(now);
    }

    /// When [`bwe_handle_timeout`](Self::bwe_handle_timeout) is due.
    pub(super) fn bwe_poll_timeout(&self) -> Option<Instant> {
        if !self.srtp_ready() {
            return None;
        }
        let b = &self.bwe;
        [
            b.send.as_ref().and_then(SendSideBwe::poll_timeout),
            b.twcc_receiver
                .as_ref()
                .and_then(TwccReceiver::poll_timeout),
            b.remb.as_ref().and_then(RembEstimator::poll_timeout),
            b.pacer.as_ref().and_then(Pacer::poll_timeout),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Protects and queues the feedback that is due at `now`.
    fn bwe_send_feedback(&mut self, now: Instant) {
        let mut packets = Vec::new();
        if let Some(r) = self.bwe.twcc_receiver.as_mut() {
            while let Some(fb) = r.poll_feedback(now) {
                packets.push(RtcpPacket::TransportFeedback(fb));
            }
        }
        if let Some(r) = self.bwe.remb.as_mut()
            && let Some(remb) = r.poll_remb(now)
        {
            packets.push(RtcpPacket::Remb(remb));
        }
        for p in packets {
            let remb = matches!(p, RtcpPacket::Remb(_));
            let sent = write_compound(std::slice::from_ref(&p))
                .ok()
                .is_some_and(|data| self.send_rtcp_now(data));
            let c = &mut self.bwe.counters;
            match (sent, remb) {
                (false, _) => c.feedback_dropped += 1,
                (true, true) => c.remb_sent += 1,
                (true, false) => c.feedback_sent += 1,
            }
        }
    }
}

/// Feeds one report block's fraction lost with the number of packets it covers (the growth of
/// the extended highest sequence number since the previous block about the same source).
fn report_loss(
    seqs: &mut Vec<(u32, u32)>,
    send: &mut SendSideBwe,
    now: Instant,
    block: &rtcio_rtp::rtcp::ReportBlock,
) {
    let highest = block.extended_highest_seq;
    match seqs.iter().position(|(ssrc, _)| *ssrc == block.ssrc) {
        Some(i) => {
            let last = &mut seqs[i].1;
            let packets = highest.wrapping_sub(*last);
            *last = highest;
            // A reordered (older) or absurd report covers nothing.
            if packets > 0 && packets < 1 << 20 {
                send.on_receiver_report(now, block.fraction_lost, u64::from(packets));
            }
        }
        None if seqs.len() < MAX_REPORT_SOURCES => seqs.push((block.ssrc, highest)),
        None => {}
    }
}

/// The offset and length of header extension element `id` in a plain RTP packet (RFC 8285
/// one-byte or two-byte form), if present.
pub(crate) fn find_extension(packet: &[u8], id: u8) -> Option<(usize, usize)> {
    let first = *packet.first()?;
    if first & 0x10 == 0 {
        return None;
    }
    let start = 12 + 4 * usize::from(first & 0x0f);
    let header = packet.get(start..start + 4)?;
    let profile = u16::from_be_bytes([header[0], header[1]]);
    let words = usize::from(u16::from_be_bytes([header[2], header[3]]));
    let body_start = start + 4;
    let body = packet.get(body_start..body_start + 4 * words)?;
    let two_byte = profile & 0xfff0 == 0x1000;
    if profile != 0xBEDE && !two_byte {
        return None;
    }
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == 0 {
            i += 1;
            continue;
        }
        let (eid, len, hdr) = if two_byte {
            (b, usize::from(*body.get(i + 1)?), 2)
        } else {
            if b >> 4 == 15 {
                return None;
            }
            (b >> 4, usize::from(b & 0x0f) + 1, 1)
        };
        let value = i + hdr;
        if value + len > body.len() {
            return None;
        }
        if eid == id {
            return Some((body_start + value, len));
        }
        i = value + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcio_rtp::{ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader};

    #[test]
    fn finds_elements_in_both_forms_and_rejects_truncation() {
        let mut map = ExtensionMap::new();
        map.insert(3, ExtensionKind::TransportCc);
        map.insert(4, ExtensionKind::Mid);
        let values = ExtensionValues {
            mid: Some("0".into()),
            transport_cc: Some(0x1234),
            ..Default::default()
        };
        let mut header = RtpHeader::default();
        map.write(&values, &mut header);
        let packet = rtcio_rtp::packet::write_packet(&header, &[1, 2, 3], 0).unwrap();
        let (off, len) = find_extension(&packet, 3).unwrap();
        assert_eq!((len, &packet[off..off + 2]), (2, &[0x12, 0x34][..]));
        assert_eq!(find_extension(&packet, 5), None);
        // Every truncation of the header is refused, never a panic.
        for cut in 0..20 {
            assert_eq!(find_extension(&packet[..cut], 3), None);
        }
        // The two-byte form (an id above 14 forces it).
        let mut map = ExtensionMap::new();
        map.insert(20, ExtensionKind::TransportCc);
        let mut header = RtpHeader::default();
        map.write(&values, &mut header);
        let packet = rtcio_rtp::packet::write_packet(&header, &[], 0).unwrap();
        let (off, len) = find_extension(&packet, 20).unwrap();
        assert_eq!((len, &packet[off..off + 2]), (2, &[0x12, 0x34][..]));
    }
}
