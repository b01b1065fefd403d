//! ORTC `RTCDtlsTransport`: DTLS over an ICE transport, checked against the peer's
//! fingerprints.

use std::fmt;

use rtcio_dtls::{Certificate, DtlsRole, DtlsTransportState, Fingerprint, KeyType};
use rtcio_ice::IceRole;
use serde::{Deserialize, Serialize};

use super::{Chain, RTCIceTransport, StateChanges};
use crate::error::Error;

/// ORTC `RTCDtlsRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RTCDtlsRole {
    /// Decided at `start`: the ICE controlling side is the DTLS server (aiortc's rule).
    #[default]
    Auto,
    /// DTLS client.
    Client,
    /// DTLS server.
    Server,
}

/// ORTC `RTCDtlsFingerprint` (JSON field names as aiortc's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RTCDtlsFingerprint {
    /// Hash function name (`sha-256`).
    pub algorithm: String,
    /// Upper-case hex bytes separated by colons.
    pub value: String,
}

/// ORTC `RTCDtlsParameters` (JSON field names as aiortc's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RTCDtlsParameters {
    /// The certificate fingerprints the peer must present one of.
    pub fingerprints: Vec<RTCDtlsFingerprint>,
    /// The role this side takes.
    #[serde(default)]
    pub role: RTCDtlsRole,
}

/// ORTC `RTCDtlsTransport`. Cheap to clone: clones share the transport.
#[derive(Clone)]
pub struct RTCDtlsTransport {
    pub(crate) chain: Chain,
    ice: RTCIceTransport,
    certificate: Certificate,
}

impl fmt::Debug for RTCDtlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RTCDtlsTransport")
            .field("state", &self.state())
            .finish()
    }
}

impl RTCDtlsTransport {
    /// A DTLS transport over `ice` with the first of `certificates` (an ECDSA P-256 one is
    /// generated when empty). `InvalidStateError` if the ICE transport is stopped or already
    /// carries a DTLS transport.
    pub fn new(
        ice: &RTCIceTransport,
        certificates: Vec<Certificate>,
    ) -> Result<RTCDtlsTransport, Error> {
        let certificate = match certificates.into_iter().next() {
            Some(c) => c,
            None => Certificate::generate(KeyType::EcdsaP256)
                .map_err(|e| Error::Operation(format!("certificate generation failed: {e}")))?,
        };
        let inner = ice.chain.ortc()?;
        {
            let mut st = inner.lock();
            if st.core.is_stopped() {
                return Err(Error::InvalidState("the ICE transport is stopped".into()));
            }
            if st.core.certificate.is_some() {
                return Err(Error::InvalidState(
                    "the ICE transport already carries a DTLS transport".into(),
                ));
            }
            st.core.certificate = Some(certificate.clone());
        }
        Ok(RTCDtlsTransport {
            chain: ice.chain.clone(),
            ice: ice.clone(),
            certificate,
        })
    }

    pub(crate) fn view(chain: Chain, ice: RTCIceTransport, certificate: Certificate) -> Self {
        RTCDtlsTransport {
            chain,
            ice,
            certificate,
        }
    }

    /// ORTC `transport`: the ICE transport under it.
    pub fn transport(&self) -> &RTCIceTransport {
        &self.ice
    }

    /// ORTC `getLocalParameters()`: our certificate's SHA-256 fingerprint, role `auto`.
    pub fn local_parameters(&self) -> RTCDtlsParameters {
        let fp = self.certificate.fingerprint();
        let text = fp.to_string();
        let value = text.split_once(' ').map_or("", |(_, v)| v).to_string();
        RTCDtlsParameters {
            fingerprints: vec![RTCDtlsFingerprint {
                algorithm: fp.algorithm.name().to_string(),
                value,
            }],
            role: RTCDtlsRole::Auto,
        }
    }

    /// ORTC `state`.
    pub fn state(&self) -> DtlsTransportState {
        self.chain
            .with_stack(|s| s.dtls_state())
            .unwrap_or(DtlsTransportState::New)
    }

    /// The role taken at `start`, once started.
    pub fn role(&self) -> Option<DtlsRole> {
        self.chain.with_stack(|s| s.dtls_role())
    }

    /// Every state change from now on, ending with `closed`.
    pub fn state_changes(&self) -> Result<StateChanges<DtlsTransportState>, Error> {
        Ok(StateChanges {
            rx: self.chain.ortc()?.lock().core.dtls_states.subscribe(),
            terminal: |s| matches!(s, DtlsTransportState::Closed),
            done: false,
        })
    }

    /// ORTC `start(remoteParameters)`: runs the handshake and returns once it completed
    /// (`OperationError` if it failed, e.g. on a certificate matching none of the
    /// fingerprints). Needs a started ICE transport (for the `auto` role) and is allowed once
    /// (`InvalidStateError` otherwise). Malformed fingerprints are `SyntaxError`.
    pub async fn start(&self, remote: RTCDtlsParameters) -> Result<(), Error> {
        let fingerprints = remote
            .fingerprints
            .iter()
            .map(|f| {
                format!("{} {}", f.algorithm, f.value)
                    .parse::<Fingerprint>()
                    .map_err(|e| Error::Syntax(format!("fingerprint {}: {e}", f.value)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if fingerprints.is_empty() {
            return Err(Error::InvalidAccess("no remote DTLS fingerprint".into()));
        }
        let certificate = self.certificate.clone();
        self.chain
            .with_ortc(move |core, now| {
                if core.stack.dtls_state().is_some() {
                    return Err(Error::InvalidState("the DTLS transport has started".into()));
                }
                let Some(ice_role) = core.stack.ice_role() else {
                    return Err(Error::InvalidState(
                        "start the ICE transport before the DTLS transport".into(),
                    ));
                };
                let role = match (remote.role, ice_role) {
                    // The remote says what it is; we take the other role.
                    (RTCDtlsRole::Client, _) => DtlsRole::Server,
                    (RTCDtlsRole::Server, _) => DtlsRole::Client,
                    (RTCDtlsRole::Auto, IceRole::Controlling) => DtlsRole::Server,
                    (RTCDtlsRole::Auto, IceRole::Controlled) => DtlsRole::Client,
                };
                core.stack.start_dtls(now, role, &certificate, fingerprints)
            })
            .await?;
        self.chain
            .wait(|core| {
                !matches!(
                    core.stack.dtls_state(),
                    Some(DtlsTransportState::New | DtlsTransportState::Connecting)
                )
            })
            .await?;
        match self.state() {
            DtlsTransportState::Connected => Ok(()),
            s => Err(Error::Operation(format!("DTLS handshake ended {s:?}"))),
        }
    }

    /// ORTC `stop()`: stops the SCTP transport over it and sends close_notify. The ICE
    /// transport keeps running until stopped itself.
    pub async fn stop(&self) -> Result<(), Error> {
        self.chain
            .with_ortc(|core, now| {
                core.stack.stop_dtls(now);
                Ok(())
            })
            .await
    }
}
