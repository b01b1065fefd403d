//! The media API of the peer connection: transceivers (W3C `addTransceiver`, `addTrack`,
//! `removeTrack`, `replaceTrack`, `stop`, `direction`) and the RTP/RTCP packet path between the
//! [`MediaSession`](crate::media::MediaSession) and the transport stack's SRTP.

use std::time::Instant;

use rtcio_rtp::rtcp::RtcpPacket;

use super::*;

/// How `addTransceiver` sets up a transceiver (W3C `RTCRtpTransceiverInit`).
#[derive(Debug, Clone)]
pub struct TransceiverInit {
    /// The initial direction (default `sendrecv`).
    pub direction: Direction,
    /// The track to send, if any.
    pub track: Option<SenderTrack>,
    /// W3C `sendEncodings`: several (each with a rid) send simulcast; empty means one default
    /// encoding. Checked as [`validate_encodings`](crate::media::simulcast::validate_encodings).
    pub send_encodings: Vec<crate::media::SendEncoding>,
}

impl Default for TransceiverInit {
    fn default() -> Self {
        TransceiverInit {
            direction: Direction::SendRecv,
            track: None,
            send_encodings: Vec::new(),
        }
    }
}

impl PeerConnection {
    /// W3C `addTransceiver(kind, init)`. Fires `negotiationneeded`.
    pub fn add_transceiver(
        &mut self,
        kind: TrackKind,
        init: TransceiverInit,
    ) -> Result<TransceiverId, Error> {
        self.check_open()?;
        let encodings = crate::media::simulcast::validate_encodings(kind, init.send_encodings)?;
        let seed = sender_seed(&mut self.stack);
        let id = self
            .media
            .add_transceiver(kind, init.direction, init.track, seed)?;
        let stack = &mut self.stack;
        self.media
            .set_send_encodings(id, encodings, || sender_seed(stack))?;
        self.need_negotiation();
        Ok(id)
    }

    /// W3C `addTrack`: takes a transceiver a remote offer created for this kind if there is
    /// one (so an answer given after it is `sendrecv`), else adds one. Fires
    /// `negotiationneeded`.
    pub fn add_track(
        &mut self,
        kind: TrackKind,
        track: SenderTrack,
    ) -> Result<TransceiverId, Error> {
        self.check_open()?;
        let seed = sender_seed(&mut self.stack);
        let id = self.media.add_track(kind, track, seed)?;
        self.need_negotiation();
        Ok(id)
    }

    /// W3C `removeTrack(sender)`. Fires `negotiationneeded`.
    pub fn remove_track(&mut self, id: TransceiverId) -> Result<(), Error> {
        self.check_open()?;
        self.media.remove_track(id)?;
        self.need_negotiation();
        Ok(())
    }

    /// W3C `RTCRtpSender.replaceTrack`: no renegotiation.
    pub fn replace_track(
        &mut self,
        id: TransceiverId,
        track: Option<SenderTrack>,
    ) -> Result<(), Error> {
        self.check_open()?;
        self.media.replace_track(id, track)
    }

    /// W3C `RTCRtpTransceiver.direction = …`. Fires `negotiationneeded` when it changes.
    pub fn set_transceiver_direction(
        &mut self,
        id: TransceiverId,
        direction: Direction,
    ) -> Result<(), Error> {
        self.check_open()?;
        let before = self.media.transceiver(id).map(|t| t.direction());
        self.media.set_direction(id, direction)?;
        if before != Some(direction) {
            self.need_negotiation();
        }
        Ok(())
    }

    /// W3C `RTCRtpTransceiver.stop()`. Fires `negotiationneeded`.
    pub fn stop_transceiver(&mut self, id: TransceiverId) -> Result<(), Error> {
        self.check_open()?;
        self.media.stop(id)?;
        self.packetizers.remove(id);
        self.pump_media();
        self.need_negotiation();
        Ok(())
    }

    /// W3C `RTCRtpTransceiver.setCodecPreferences`.
    pub fn set_codec_preferences(
        &mut self,
        id: TransceiverId,
        codecs: Vec<crate::media::CodecParameters>,
    ) -> Result<(), Error> {
        self.media.set_codec_preferences(id, codecs)
    }

    /// W3C `getTransceivers()`.
    pub fn transceivers(&self) -> &[Transceiver] {
        self.media.transceivers()
    }

    /// One transceiver.
    pub fn transceiver(&self, id: TransceiverId) -> Option<&Transceiver> {
        self.media.transceiver(id)
    }

    /// Sends an RTP packet from transceiver `id`'s sender (SSRC, sequence number, payload type
    /// and MID filled in), protected with SRTP.
    pub fn write_rtp(
        &mut self,
        now: Instant,
        id: TransceiverId,
        packet: RtpWrite<'_>,
    ) -> Result<(), Error> {
        self.check_media_ready()?;
        self.media.advance(now);
        self.media.write_rtp(id, packet)?;
        self.flush_media()
    }

    /// Sends an encoded frame from transceiver `id`'s sender: packetized for `frame.codec`
    /// (one of the negotiated codecs; its payload type), each packet fitting the MTU with the
    /// RTP header, the SRTP tag and a possible RTX retransmission; video's marker on the last
    /// packet, audio's on the first packet after the sender started. The packets go out as
    /// [`write_rtp`](Self::write_rtp)'s do (history for NACK, pacing).
    pub fn send_frame(
        &mut self,
        now: Instant,
        id: TransceiverId,
        frame: crate::media::FrameWrite<'_>,
    ) -> Result<(), Error> {
        self.send_frame_layer(now, id, None, frame)
    }

    /// [`send_frame`](Self::send_frame) on the encoding (simulcast layer) named `rid`; `None`
    /// is the first. Not sent while that encoding is inactive or was not negotiated.
    pub fn send_frame_layer(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Option<&str>,
        frame: crate::media::FrameWrite<'_>,
    ) -> Result<(), Error> {
        use crate::media::packetize::{MAX_SRTP_TAG, RTX_OVERHEAD};
        self.check_media_ready()?;
        let t = self
            .media
            .transceiver(id)
            .ok_or_else(|| Error::InvalidAccess(format!("no transceiver {}", id.0)))?;
        if !t.can_send() {
            return Err(Error::InvalidState(
                "the transceiver does not send (direction or negotiation)".into(),
            ));
        }
        let overhead = self.media.rtp_header_len(id) + MAX_SRTP_TAG + RTX_OVERHEAD;
        let max_payload = self.config.mtu.saturating_sub(overhead);
        let layer = t
            .sender()
            .layer_of(rid)
            .ok_or_else(|| Error::InvalidAccess(format!("no encoding with rid {rid:?}")))?;
        let packets = self.packetizers.packetize(t, layer, frame, max_payload)?;
        self.track_sources.on_frame(id, now, frame.timestamp);
        self.media.advance(now);
        for p in &packets {
            let w = RtpWrite {
                payload_type: Some(p.payload_type),
                marker: p.marker,
                timestamp: frame.timestamp,
                payload: &p.payload,
            };
            if let Err(e) = self.media.write_rtp_layer(id, rid, w) {
                let _ = self.flush_media();
                return Err(e);
            }
        }
        self.flush_media()
    }

    /// [`write_rtp`](Self::write_rtp) on the encoding named `rid` (`None`: the first); not
    /// sent while that encoding is inactive or was not negotiated.
    pub fn write_rtp_layer(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Option<&str>,
        packet: RtpWrite<'_>,
    ) -> Result<(), Error> {
        self.check_media_ready()?;
        self.media.advance(now);
        self.media.write_rtp_layer(id, rid, packet)?;
        self.flush_media()
    }

    /// W3C `RTCRtpSender.getParameters()`.
    pub fn get_parameters(
        &mut self,
        id: TransceiverId,
    ) -> Result<crate::media::SendParameters, Error> {
        self.media.get_parameters(id)
    }

    /// W3C `RTCRtpSender.setParameters()` (see
    /// [`MediaSession::set_parameters`](crate::media::MediaSession::set_parameters)).
    pub fn set_parameters(
        &mut self,
        id: TransceiverId,
        parameters: crate::media::SendParameters,
    ) -> Result<(), Error> {
        self.check_open()?;
        self.media.set_parameters(id, parameters)
    }

    /// The bit rate (bit/s) each encoding of `id`'s sender should produce, in `sendEncodings`
    /// order: this sender's share of the congestion controller's target spread over its
    /// sending encodings, lowest resolution first, each up to its `maxBitrate`. `None` until
    /// the congestion controller has a target.
    pub fn encoding_target_bitrates(&self, id: TransceiverId) -> Option<Vec<u64>> {
        let share = self.sender_target_share()?;
        Some(self.media.encoding_targets(id, share))
    }

    /// W3C targetBitrate of one sender: the transport's target shared equally by the senders
    /// that send.
    fn sender_target_share(&self) -> Option<u64> {
        let sending = self
            .media
            .transceivers()
            .iter()
            .filter(|t| self.media.send_stats(t.id()).is_some())
            .count() as u64;
        self.stack.target_bitrate().map(|b| b / sending.max(1))
    }

    /// Sends RTCP packets as one SRTCP compound packet.
    pub fn write_rtcp(&mut self, now: Instant, packets: &[RtcpPacket]) -> Result<(), Error> {
        self.check_media_ready()?;
        self.media.advance(now);
        self.media.write_rtcp(packets)?;
        self.flush_media()
    }

    /// Asks the peer for a keyframe of what transceiver `id` receives (PLI): of simulcast
    /// layer `rid` only, or of every stream it receives with `None`.
    pub fn request_keyframe(
        &mut self,
        now: Instant,
        id: TransceiverId,
        rid: Option<&str>,
    ) -> Result<(), Error> {
        self.check_media_ready()?;
        self.media.advance(now);
        self.media.request_keyframe(id, rid)?;
        self.flush_media()
    }

    /// The next received RTP packet (bounded queue; see
    /// [`MAX_PENDING_RTP`](crate::media::session::MAX_PENDING_RTP)).
    pub fn poll_rtp(&mut self) -> Option<ReceivedRtp> {
        self.media.poll_rtp()
    }

    /// The next received RTCP packet.
    pub fn poll_rtcp(&mut self) -> Option<ReceivedRtcp> {
        self.media.poll_rtcp()
    }

    /// The next frame a receiver's stream engine completed (reordered and RTX-repaired
    /// packets put back in sequence), or frames it declared lost; bounded queue, see
    /// [`MAX_PENDING_FRAMES`](crate::media::MAX_PENDING_FRAMES). Independent of
    /// [`poll_rtp`](Self::poll_rtp), which keeps handing out every packet as it arrived.
    pub fn poll_frame(&mut self) -> Option<crate::media::ReceivedFrameEvent> {
        self.media.poll_frame()
    }

    /// W3C `RTCRtpReceiver.getSynchronizationSources()`: the SSRCs transceiver `id` received
    /// from in the last 10 s before `now`, most recent first, with the audio level, RTP
    /// timestamp and arrival time of each one's latest packet.
    pub fn synchronization_sources(
        &self,
        id: TransceiverId,
        now: Instant,
    ) -> Vec<crate::media::ContributingSource> {
        self.media.synchronization_sources(id, now)
    }

    /// W3C `RTCRtpReceiver.getContributingSources()`: the CSRCs (sources a mixer combined)
    /// in the packets transceiver `id` received in the last 10 s before `now`.
    pub fn contributing_sources(
        &self,
        id: TransceiverId,
        now: Instant,
    ) -> Vec<crate::media::ContributingSource> {
        self.media.contributing_sources(id, now)
    }

    /// W3C `RTCRtpSender.getStats()`: transceiver `id`'s outbound-rtp objects (one per
    /// encoding) and what they reference (media-source, codec, remote-inbound-rtp, transport,
    /// the selected pair and its candidates, certificates).
    pub fn sender_stats_report(&self, id: TransceiverId) -> Vec<Stats> {
        self.rtp_stats_report(id, false)
    }

    /// W3C `RTCRtpReceiver.getStats()`: transceiver `id`'s inbound-rtp objects (one per
    /// simulcast layer) and what they reference.
    pub fn receiver_stats_report(&self, id: TransceiverId) -> Vec<Stats> {
        self.rtp_stats_report(id, true)
    }

    /// The stats selection rooted at transceiver `id`'s inbound-rtp (`inbound`) or
    /// outbound-rtp objects, found by its mid; empty before it has one.
    fn rtp_stats_report(&self, id: TransceiverId, inbound: bool) -> Vec<Stats> {
        let Some(mid) = self.media.transceiver(id).and_then(|t| t.mid()) else {
            return Vec::new();
        };
        stats::select(self.stats(), |s| match &s.kind {
            StatsKind::InboundRtp { mid: Some(m), .. } => inbound && m == mid,
            StatsKind::OutboundRtp { mid: Some(m), .. } => !inbound && m == mid,
            _ => false,
        })
    }

    /// Media input dropped and counted (routing, malformed, unread), plus SRTP's counters.
    pub fn media_drop_stats(&self) -> (MediaDrops, crate::transport::SrtpStats) {
        (self.media.drops(), self.stack.srtp_stats())
    }

    /// The RTP statistics objects of `getStats()`: inbound-rtp, outbound-rtp, their remote
    /// views and the codecs they use.
    pub(super) fn media_stats(&self, out: &mut Vec<Stats>) {
        use stats::TRANSPORT_ID;
        let mut codecs: Vec<(String, Stats)> = Vec::new();
        let mut codec_id = |t: &Transceiver, pt: u8| -> Option<String> {
            let c = t.codecs().iter().find(|c| c.payload_type == pt)?;
            let id = format!("C{}_{pt}", t.mid().unwrap_or("-"));
            if !codecs.iter().any(|(i, _)| *i == id) {
                codecs.push((
                    id.clone(),
                    Stats {
                        id: id.clone(),
                        kind: StatsKind::Codec {
                            transport_id: TRANSPORT_ID.into(),
                            payload_type: pt,
                            mime_type: c.mime_type(t.kind()),
                            clock_rate: c.clock_rate,
                            channels: c.channels,
                            sdp_fmtp_line: c.fmtp.clone(),
                        },
                    },
                ));
            }
            Some(id)
        };
        let target_share = self.sender_target_share();
        for t in self.media.transceivers() {
            let kind = t.kind().as_str();
            let mid = t.mid().map(str::to_string);
            let targets = target_share.map(|b| self.media.encoding_targets(t.id(), b));
            // W3C: a media-source object per track attached to a sender.
            let media_source_id = t.sender().track.as_ref().map(|track| {
                let id = format!("SO{}", t.id().raw());
                let video = t.kind() == TrackKind::Video;
                let now = self.media.now();
                out.push(Stats {
                    id: id.clone(),
                    kind: StatsKind::MediaSource {
                        kind,
                        track_identifier: track.track_id.clone(),
                        frames: self.track_sources.frames(t.id()).filter(|_| video),
                        frames_per_second: now
                            .and_then(|now| self.track_sources.frames_per_second(t.id(), now))
                            .filter(|_| video),
                    },
                });
                id
            });
            for (layer, s) in self.media.send_layer_stats(t.id()) {
                let ssrc = s.outbound.ssrc;
                let (id, remote_id) = (format!("OT{ssrc}"), format!("RI{ssrc}"));
                let codec = t.send_codec().map(|c| c.payload_type);
                let encoding = t.sender().encodings().get(layer);
                let simulcast = t.sender().encodings().len() > 1;
                out.push(Stats {
                    id: id.clone(),
                    kind: StatsKind::OutboundRtp {
                        kind,
                        mid: mid.clone(),
                        rid: encoding
                            .filter(|_| simulcast)
                            .and_then(|l| l.encoding.rid.clone()),
                        active: encoding.is_some_and(|l| l.sending()),
                        media_source_id: media_source_id.clone(),
                        transport_id: TRANSPORT_ID.into(),
                        codec_id: codec.and_then(|pt| codec_id(t, pt)),
                        remote_id: remote_id.clone(),
                        stats: Box::new(s.outbound),
                        target_bitrate: targets.as_ref().and_then(|v| v.get(layer).copied()),
                    },
                });
                // W3C: the remote objects exist once the peer reported (RR / SR).
                if s.remote_inbound.reports_received > 0 {
                    out.push(Stats {
                        id: remote_id,
                        kind: StatsKind::RemoteInboundRtp {
                            kind,
                            ssrc,
                            local_id: id,
                            stats: Box::new(s.remote_inbound),
                        },
                    });
                }
            }
            for (ssrc, s) in self.media.receive_stats(t.id()) {
                let (id, remote_id) = (format!("IT{ssrc}"), format!("RO{ssrc}"));
                let codec = t.codecs().iter().find(|c| !c.is_pass_through());
                out.push(Stats {
                    id: id.clone(),
                    kind: StatsKind::InboundRtp {
                        kind,
                        mid: mid.clone(),
                        rid: self.media.receive_rid(ssrc).map(str::to_string),
                        transport_id: TRANSPORT_ID.into(),
                        codec_id: codec.and_then(|c| codec_id(t, c.payload_type)),
                        remote_id: remote_id.clone(),
                        stats: Box::new(s.inbound),
                    },
                });
                if s.remote_outbound.reports_sent == 0 {
                    continue;
                }
                out.push(Stats {
                    id: remote_id,
                    kind: StatsKind::RemoteOutboundRtp {
                        kind,
                        ssrc,
                        local_id: id,
                        stats: Box::new(s.remote_outbound),
                    },
                });
            }
        }
        out.extend(codecs.into_iter().map(|(_, s)| s));
    }

    fn check_media_ready(&self) -> Result<(), Error> {
        self.check_open()?;
        if !self.stack.srtp_ready() {
            return Err(Error::InvalidState(
                "media needs a connected DTLS transport with SRTP".into(),
            ));
        }
        Ok(())
    }

    fn flush_media(&mut self) -> Result<(), Error> {
        let mut result = Ok(());
        while let Some(t) = self.media.poll_transmit() {
            // Keep draining on failure: what cannot be sent now is dropped, like UDP loss.
            let packet = MediaPacket {
                data: t.data,
                rtcp: t.rtcp,
            };
            let r = match self.media.now() {
                Some(now) if !packet.rtcp => {
                    self.stack.send_media_paced(now, packet.data, t.priority)
                }
                Some(now) => self.stack.send_media_at(now, packet),
                None => self.stack.send_media(packet),
            };
            if result.is_ok() {
                result = r;
            }
        }
        self.serve_padding();
        result
    }

    /// Makes the padding the pacer's probe clusters ask for (the senders' stream engines) and
    /// sends it at once, tagged with its cluster.
    fn serve_padding(&mut self) {
        while let Some(req) = self.stack.poll_padding_request() {
            let Some(now) = self.media.now() else {
                continue;
            };
            for data in self.media.generate_padding(now, req.bytes) {
                // A failure (no pair) is like UDP loss: the probe's result shows less.
                let _ = self.stack.send_probe_padding(now, data, req.probe);
            }
        }
    }

    /// Drives the media stream engines' timers (reports, NACK retries).
    pub(super) fn media_timeout(&mut self, now: Instant) {
        if self.stack.srtp_ready() && self.media.poll_timeout().is_some_and(|t| t <= now) {
            self.media.handle_timeout(now);
            let _ = self.flush_media();
            self.media_events();
        }
    }

    /// When the media stream engines need [`media_timeout`](Self::media_timeout).
    pub(super) fn media_poll_timeout(&self) -> Option<Instant> {
        if self.stack.srtp_ready() {
            self.media.poll_timeout()
        } else {
            None
        }
    }

    /// The wall-clock mapping for RTCP sender/receiver report NTP times (the async layer
    /// reads the system clock once and passes it; without it NTP times are consistent but not
    /// wall-clock).
    pub fn set_ntp_clock(&mut self, clock: rtcio_rtp::stream::NtpClock) {
        self.media.set_ntp_clock(clock);
    }

    /// W3C outbound-rtp figures of a transceiver's sender, once it sent.
    pub fn sender_stats(&self, id: TransceiverId) -> Option<rtcio_rtp::stream::SendStats> {
        self.media.send_stats(id)
    }

    /// W3C inbound-rtp figures of a transceiver's received streams, by SSRC.
    pub fn receiver_stats(&self, id: TransceiverId) -> Vec<(u32, rtcio_rtp::stream::ReceiveStats)> {
        self.media.receive_stats(id)
    }

    /// Moves unprotected packets from the stack into the media session and its events out.
    pub(super) fn pump_media(&mut self) {
        while let Some(p) = self.stack.poll_media() {
            if p.rtcp {
                self.media.handle_rtcp(&p.data);
            } else {
                self.media.handle_rtp(&p.data);
            }
        }
        if self.stack.srtp_ready() {
            self.media.flush_streams();
            let _ = self.flush_media();
        }
        self.media_events();
    }

    /// Turns the media session's events into the connection's.
    pub(super) fn media_events(&mut self) {
        while let Some(e) = self.media.poll_event() {
            self.events.push_back(match e {
                MediaEvent::Track(id) => Event::Track(id),
                MediaEvent::TrackEnded(id) => Event::TrackEnded(id),
                MediaEvent::KeyframeRequested {
                    transceiver,
                    kind,
                    rid,
                } => Event::KeyframeRequested {
                    transceiver,
                    kind,
                    rid,
                },
            });
        }
        let target = self.stack.target_bitrate();
        if target != self.target_bitrate {
            self.target_bitrate = target;
            self.events
                .push_back(Event::TargetBitrateChanged(target.unwrap_or(0)));
        }
    }

    /// An offer/answer exchange completed: apply it to the transceivers.
    pub(super) fn apply_media_negotiation(&mut self, local_is_offer: bool) {
        if let (Some(local), Some(remote)) = (&self.current_local, &self.current_remote) {
            self.media
                .apply_negotiation(&local.sdp, &remote.sdp, local_is_offer);
            self.stack.configure_bwe(self.media.bwe_negotiation());
        }
        self.pump_media();
    }
}
