//! The SCTP layer of the stack: the association over DTLS and the data channels on it.

use std::time::Instant;

use rtcio_dtls::DtlsTransportState;

use super::{
    ChannelCounters, ChannelId, ChannelInfo, DataChannelInit, Message, SctpParameters,
    SctpTransportState, TransportStack,
};
use crate::peer::Error;

impl TransportStack {
    /// ORTC `RTCSctpTransport.start(remoteCaps, remotePort)`: sets the ports and the peer's
    /// message limit. The association starts as soon as DTLS is connected (both sides send
    /// INIT, as browsers do; RFC 9260 §5.2.1 resolves the collision). Until it does, a later
    /// call replaces the parameters (renegotiation).
    pub fn start_sctp(&mut self, now: Instant, params: SctpParameters) -> Result<(), Error> {
        if self.data.is_stopped() {
            return Err(Error::InvalidState("the SCTP transport is stopped".into()));
        }
        self.last_now = Some(now);
        self.data.set_remote(params);
        if self.dtls_state() == Some(DtlsTransportState::Connected) {
            self.data.start_sctp(now);
        }
        self.process(now);
        Ok(())
    }

    /// ORTC `RTCSctpTransport.stop()`: aborts the association, closes every channel and
    /// releases their buffers.
    pub fn stop_sctp(&mut self, now: Instant) {
        if self.data.is_stopped() {
            return;
        }
        self.last_now = Some(now);
        self.data.close_all();
        self.flush_sctp(now);
        self.data.release();
        while let Some(e) = self.data.poll_event() {
            self.events.push_back(e);
        }
    }

    /// Encrypts whatever SCTP has to send now (the ABORT of a stop) into DTLS records.
    fn flush_sctp(&mut self, now: Instant) {
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        if dtls.state() != DtlsTransportState::Connected {
            return;
        }
        while let Some(packet) = self.data.poll_transmit(now) {
            if dtls.send(&packet).is_err() {
                break;
            }
        }
    }

    /// `RTCSctpTransport.state`.
    pub fn sctp_state(&self) -> SctpTransportState {
        self.data.state()
    }

    /// The SCTP parameters given to [`start_sctp`](Self::start_sctp).
    pub fn sctp_parameters(&self) -> Option<SctpParameters> {
        self.data.remote()
    }

    /// The largest message the peer accepts (`RTCSctpTransport.maxMessageSize`), once known.
    pub fn sctp_max_message_size(&self) -> Option<u64> {
        // RFC 8841 §6: 0 means the peer sets no limit.
        self.data.remote().map(|r| match r.remote_max_message_size {
            0 => u64::MAX,
            n => n,
        })
    }

    /// The largest message we accept (what we advertise).
    pub fn local_max_message_size(&self) -> u64 {
        self.config.max_message_size
    }

    /// Whether any data channel was ever created (JSEP then needs a data section).
    pub fn has_data_channels(&self) -> bool {
        self.data.wanted()
    }

    /// W3C `createDataChannel` (ORTC `new RTCDataChannel(transport, parameters)`). The channel
    /// opens once the association is up.
    pub fn create_data_channel(
        &mut self,
        now: Instant,
        label: &str,
        init: DataChannelInit,
    ) -> Result<ChannelId, Error> {
        self.last_now = Some(now);
        let id = self.data.create(now, label, init)?;
        self.process(now);
        Ok(id)
    }

    /// Sends a message on a channel: text (`binary == false`, UTF-8) or binary.
    pub fn channel_send(
        &mut self,
        now: Instant,
        id: ChannelId,
        data: &[u8],
        binary: bool,
    ) -> Result<(), Error> {
        self.last_now = Some(now);
        let limit = self.sctp_max_message_size();
        self.data.send(now, id, data, binary, limit)
    }

    /// The next received message of a channel, if any.
    pub fn channel_recv(&mut self, id: ChannelId) -> Option<Message> {
        let m = self.data.recv(id);
        // Reading made room: take more from the association (whose window then reopens).
        if let Some(now) = self.last_now {
            self.data.pump(now);
            self.process(now);
        }
        m
    }

    /// Starts closing a channel (`RTCDataChannel.close()`).
    pub fn channel_close(&mut self, now: Instant, id: ChannelId) {
        self.last_now = Some(now);
        self.data.close(now, id);
        self.process(now);
    }

    /// Sets a channel's `bufferedAmountLowThreshold`.
    pub fn set_buffered_amount_low_threshold(&mut self, id: ChannelId, threshold: u64) {
        self.data.set_buffered_amount_low_threshold(id, threshold);
    }

    /// A channel's attributes and state.
    pub fn channel_info(&self, id: ChannelId) -> Option<ChannelInfo> {
        self.data.info(id)
    }

    /// Every channel, open or not.
    pub fn channels(&self) -> Vec<ChannelId> {
        self.data.ids()
    }

    /// Channels opened and closed so far (`dataChannelsOpened`, `dataChannelsClosed`).
    pub fn channels_opened_closed(&self) -> (u32, u32) {
        (self.data.opened, self.data.closed)
    }

    /// Traffic counters of every channel not yet forgotten.
    pub(crate) fn channel_counters(&self) -> Vec<(ChannelId, ChannelInfo, ChannelCounters)> {
        self.data.counters()
    }
}
