//! Handshake progress, peer authentication and final-flight repetition.

use std::time::Instant;

use super::{DtlsTransport, is_would_block};
use crate::error::DtlsError;
use crate::event::Phase;
use crate::fingerprint::{Fingerprint, HashAlgorithm};
use crate::srtp;

impl DtlsTransport {
    pub(super) fn drive_handshake(&mut self, now: Instant) {
        let result = self.stream.do_handshake();
        let flight = self.collect_output();
        match result {
            Ok(()) => {
                self.timer.disarm();
                // Output in the completing call means we sent the handshake's last flight.
                if !flight.is_empty() {
                    self.stats.handshake_flights_sent += 1;
                }
                self.final_flight = flight;
                self.stats.handshake_duration = self
                    .started_at
                    .map(|start| now.saturating_duration_since(start));
                self.on_handshake_complete(now);
            }
            Err(e) if is_would_block(e.code()) => {
                if !flight.is_empty() {
                    self.stats.handshake_flights_sent += 1;
                    self.timer.arm(now, flight);
                }
            }
            Err(e) => match self.rejected_certificate.get() {
                Some(der) => {
                    let error = self.mismatch(der);
                    self.fail(error);
                }
                None => self.fail(DtlsError::Handshake(e.to_string())),
            },
        }
    }

    fn on_handshake_complete(&mut self, now: Instant) {
        let der = self
            .stream
            .ssl()
            .peer_certificate()
            .and_then(|cert| cert.to_der().ok());
        let Some(der) = der else {
            self.fail(DtlsError::NoPeerCertificate);
            return;
        };
        self.remote_certificate = Some(der);
        self.set_phase(Phase::HandshakeDone);
        if !self.remote_fingerprints.is_empty() {
            self.authenticate_peer(now);
        }
    }

    /// RFC 8122 section 5: the certificate must match one of the signalled fingerprints.
    pub(super) fn authenticate_peer(&mut self, _now: Instant) {
        let Some(der) = self.remote_certificate.as_deref() else {
            return;
        };
        if !self
            .remote_fingerprints
            .iter()
            .any(|fp| fp.matches_der(der))
        {
            let algorithm = self
                .remote_fingerprints
                .first()
                .map_or(HashAlgorithm::Sha256, |fp| fp.algorithm);
            let actual = Fingerprint::of_der(algorithm, der);
            let expected = std::mem::take(&mut self.remote_fingerprints);
            self.fail(DtlsError::FingerprintMismatch { expected, actual });
            return;
        }
        match srtp::export(self.stream.ssl(), self.role) {
            Ok(material) => self.keying_material = material,
            Err(e) => {
                self.fail(e);
                return;
            }
        }
        self.set_phase(Phase::Connected);
        self.read_application_data();
    }

    fn mismatch(&self, der: &[u8]) -> DtlsError {
        let algorithm = self
            .remote_fingerprints
            .first()
            .map_or(HashAlgorithm::Sha256, |fp| fp.algorithm);
        DtlsError::FingerprintMismatch {
            expected: self.remote_fingerprints.clone(),
            actual: Fingerprint::of_der(algorithm, der),
        }
    }

    /// RFC 6347 section 4.2.4: a peer repeating its last flight did not get our final one.
    pub(super) fn resend_final_flight(&mut self) {
        if self.final_flight.is_empty()
            || self.stats.final_flight_resends >= u64::from(self.max_final_flight_resends)
        {
            return;
        }
        self.stats.final_flight_resends += 1;
        for datagram in self.final_flight.clone() {
            self.queue_transmit(datagram);
        }
    }
}
