//! ORTC `RTCSctpTransport` (also W3C `RTCPeerConnection.sctp`) and the data channels on it.

use std::fmt;

use rtcio_proto::peer::DataChannelInit;
use rtcio_proto::transport::{DEFAULT_SCTP_PORT, SctpParameters, SctpTransportState};
use serde::{Deserialize, Serialize};

use super::{Chain, RTCDtlsTransport, StateChanges};
use crate::data_channel::RTCDataChannel;
use crate::error::Error;
use crate::peer_connection::Core;

/// ORTC `RTCSctpCapabilities` (JSON field names as aiortc's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RTCSctpCapabilities {
    /// The largest message this side accepts; 0 means no limit.
    pub max_message_size: u64,
}

/// ORTC `RTCDataChannelParameters`: a label and the W3C channel options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RTCDataChannelParameters {
    /// `label`.
    pub label: String,
    /// `ordered`, `maxPacketLifeTime`, `maxRetransmits`, `protocol`, `negotiated`, `id`.
    pub init: DataChannelInit,
}

/// ORTC `RTCSctpTransport`. Cheap to clone: clones share the transport.
#[derive(Clone)]
pub struct RTCSctpTransport {
    chain: Chain,
    dtls: RTCDtlsTransport,
    port: u16,
}

impl fmt::Debug for RTCSctpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RTCSctpTransport")
            .field("state", &self.state())
            .field("port", &self.port)
            .finish()
    }
}

impl RTCSctpTransport {
    /// An SCTP transport over `dtls` on local `port` (aiortc's default is 5000,
    /// [`DEFAULT_SCTP_PORT`]). `InvalidStateError` if the DTLS transport is stopped or already
    /// carries an SCTP transport.
    pub fn new(dtls: &RTCDtlsTransport, port: u16) -> Result<RTCSctpTransport, Error> {
        let inner = dtls.chain.ortc()?;
        {
            let mut st = inner.lock();
            let stopped = matches!(
                st.core.stack.dtls_state(),
                Some(rtcio_dtls::DtlsTransportState::Closed)
            ) || st.core.is_closed();
            if stopped {
                return Err(Error::InvalidState("the DTLS transport is stopped".into()));
            }
            if st.core.sctp_port.is_some() {
                return Err(Error::InvalidState(
                    "the DTLS transport already carries an SCTP transport".into(),
                ));
            }
            st.core.sctp_port = Some(port);
        }
        Ok(RTCSctpTransport {
            chain: dtls.chain.clone(),
            dtls: dtls.clone(),
            port,
        })
    }

    pub(crate) fn view(chain: Chain, dtls: RTCDtlsTransport) -> Self {
        RTCSctpTransport {
            chain,
            dtls,
            port: DEFAULT_SCTP_PORT,
        }
    }

    /// ORTC `transport`: the DTLS transport under it.
    pub fn transport(&self) -> &RTCDtlsTransport {
        &self.dtls
    }

    /// ORTC `port`: the local SCTP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// ORTC `getCapabilities()`: the largest message we accept.
    pub fn capabilities(&self) -> RTCSctpCapabilities {
        RTCSctpCapabilities {
            max_message_size: self.chain.with_stack(|s| s.local_max_message_size()),
        }
    }

    /// W3C `maxMessageSize`: the largest message the peer accepts (`u64::MAX` when it sets no
    /// limit), once known.
    pub fn max_message_size(&self) -> Option<u64> {
        self.chain.with_stack(|s| s.sctp_max_message_size())
    }

    /// W3C `state`.
    pub fn state(&self) -> SctpTransportState {
        self.chain.with_stack(|s| s.sctp_state())
    }

    /// Every state change from now on, ending with `closed`.
    pub fn state_changes(&self) -> Result<StateChanges<SctpTransportState>, Error> {
        Ok(StateChanges {
            rx: self.chain.ortc()?.lock().core.sctp_states.subscribe(),
            terminal: |s| *s == SctpTransportState::Closed,
            done: false,
        })
    }

    /// ORTC `start(remoteCaps, remotePort)`: the association starts as soon as DTLS is
    /// connected (at once if it is), both sides sending INIT (RFC 8841 §9.3). Returns without
    /// waiting for it; channels created meanwhile open when it is up. `InvalidStateError` when
    /// started before or stopped.
    pub async fn start(
        &self,
        remote_caps: RTCSctpCapabilities,
        remote_port: u16,
    ) -> Result<(), Error> {
        let params = SctpParameters {
            local_port: self.port,
            remote_port,
            remote_max_message_size: remote_caps.max_message_size,
        };
        self.chain
            .with_ortc(move |core, now| {
                if core.stack.sctp_parameters().is_some() {
                    return Err(Error::InvalidState("the SCTP transport has started".into()));
                }
                core.stack.start_sctp(now, params)
            })
            .await
    }

    /// ORTC `stop()`: aborts the association and closes every channel on it.
    pub async fn stop(&self) -> Result<(), Error> {
        self.chain
            .with_ortc(|core, now| {
                core.stack.stop_sctp(now);
                Ok(())
            })
            .await
    }

    /// ORTC `new RTCDataChannel(transport, parameters)`: a channel on this transport, opened
    /// with DCEP (or directly when `negotiated`) once the association is up.
    pub async fn create_data_channel(
        &self,
        parameters: RTCDataChannelParameters,
    ) -> Result<RTCDataChannel, Error> {
        let inner = self.chain.ortc()?;
        let (id, signals) = {
            let mut st = inner.lock();
            let id = st.core.stack.create_data_channel(
                std::time::Instant::now(),
                &parameters.label,
                parameters.init,
            )?;
            let signals = st.signals(id);
            st.route_events(inner);
            (id, signals)
        };
        inner.wake_driver();
        Ok(RTCDataChannel::new(inner.clone(), id, signals))
    }

    /// The `datachannel` event: the next channel the peer opened, or `None` once the transport
    /// is closed and every such channel was taken.
    pub async fn next_data_channel(&self) -> Option<RTCDataChannel> {
        let inner = self.chain.ortc().ok()?;
        inner
            .next_event_until(|core| core.stack.sctp_state() == SctpTransportState::Closed)
            .await
    }
}

impl RTCDataChannel {
    /// ORTC `new RTCDataChannel(transport, parameters)` (see
    /// [`RTCSctpTransport::create_data_channel`]).
    pub async fn create(
        transport: &RTCSctpTransport,
        parameters: RTCDataChannelParameters,
    ) -> Result<RTCDataChannel, Error> {
        transport.create_data_channel(parameters).await
    }
}
