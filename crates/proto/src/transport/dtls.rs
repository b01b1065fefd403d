//! The DTLS layer of the stack: started with a role and the peer's fingerprints.

use std::time::Instant;

use rtcio_dtls::{
    Certificate, DtlsConfig, DtlsRole, DtlsTransport, DtlsTransportState, Fingerprint,
};

use super::TransportStack;
use crate::peer::Error;

impl TransportStack {
    /// ORTC `RTCDtlsTransport.start(remoteParameters)`: creates the DTLS transport with our
    /// `certificate`, checking the peer's certificate against `remote_fingerprints`. The client
    /// sends its first flight once ICE has a pair to carry it. Called again (renegotiation) it
    /// only replaces the fingerprints, which DTLS checks.
    pub fn start_dtls(
        &mut self,
        now: Instant,
        role: DtlsRole,
        certificate: &Certificate,
        remote_fingerprints: Vec<Fingerprint>,
    ) -> Result<(), Error> {
        if self.dtls_stopped {
            return Err(Error::InvalidState("the DTLS transport is stopped".into()));
        }
        self.last_now = Some(now);
        if let Some(dtls) = self.dtls.as_mut() {
            dtls.set_remote_fingerprints(now, remote_fingerprints);
            self.process(now);
            return Ok(());
        }
        let mut config = DtlsConfig::new(role, certificate.clone());
        config.remote_fingerprints = remote_fingerprints;
        config.mtu = self.config.mtu;
        config.initial_retransmit_timeout = self.config.dtls_initial_retransmit_timeout;
        let dtls = DtlsTransport::new(config)
            .map_err(|e| Error::Operation(format!("DTLS setup failed: {e}")))?;
        self.dtls = Some(dtls);
        self.data.set_dtls_role(role);
        self.maybe_start_dtls(now);
        self.replay_early_dtls(now);
        self.process(now);
        Ok(())
    }

    /// The DTLS client starts its handshake once ICE has a pair to carry it, so the first
    /// flight is not lost; the server is ready at once.
    pub(super) fn maybe_start_dtls(&mut self, now: Instant) {
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        if self.dtls_started {
            return;
        }
        if dtls.role() == DtlsRole::Server || self.selected.is_some() {
            dtls.start(now);
            self.dtls_started = true;
        }
    }

    /// ORTC `RTCDtlsTransport.stop()`: stops SCTP above it, sends close_notify and releases
    /// the DTLS state.
    pub fn stop_dtls(&mut self, now: Instant) {
        if self.dtls_stopped {
            return;
        }
        self.stop_sctp(now);
        self.last_now = Some(now);
        self.dtls_stopped = true;
        self.early_dtls.clear();
        self.early_dtls_bytes = 0;
        let Some(dtls) = self.dtls.as_mut() else {
            return;
        };
        let was = dtls.state();
        dtls.close();
        self.drain_dtls_transmits();
        self.dtls = None;
        self.srtp_stop();
        if was != DtlsTransportState::Closed {
            self.events
                .push_back(super::TransportEvent::DtlsStateChange(
                    DtlsTransportState::Closed,
                ));
        }
    }

    /// The DTLS transport's state: `None` before [`start_dtls`](Self::start_dtls), `Closed`
    /// after [`stop_dtls`](Self::stop_dtls).
    pub fn dtls_state(&self) -> Option<DtlsTransportState> {
        match &self.dtls {
            Some(d) => Some(d.state()),
            None if self.dtls_stopped => Some(DtlsTransportState::Closed),
            None => None,
        }
    }

    /// The DTLS role, once started.
    pub fn dtls_role(&self) -> Option<DtlsRole> {
        self.dtls.as_ref().map(|d| d.role())
    }

    /// The DTLS transport, once started (remote certificate, SRTP keying material).
    pub fn dtls_transport(&self) -> Option<&DtlsTransport> {
        self.dtls.as_ref()
    }
}
