//! SRTP keyed from the DTLS exporter (RFC 5764 §4.2): what protects and unprotects media once
//! DTLS is connected.

use rtcio_dtls::SrtpKeyingMaterial;
use rtcio_srtp::{Config, ProtectionProfile, Session};

/// Counters of SRTP/SRTCP packets that failed to unprotect (dropped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpDrops {
    /// Failed authentication or malformed packets.
    pub unprotect_failed: u64,
    /// Replayed or too old (outside the replay window).
    pub replayed: u64,
}

/// The two SRTP directions of a DTLS-SRTP association.
#[derive(Debug)]
pub struct SrtpTransport {
    session: Session,
    drops: SrtpDrops,
}

impl SrtpTransport {
    /// Keys both directions from the exporter output as the DTLS transport assigned it.
    pub fn new(km: &SrtpKeyingMaterial) -> Result<SrtpTransport, rtcio_srtp::Error> {
        let profile = ProtectionProfile::from_id(km.profile.id())
            .ok_or(rtcio_srtp::Error::UnsupportedProfile(km.profile.id()))?;
        let session = Session::new(
            profile,
            &km.local_key,
            &km.local_salt,
            &km.remote_key,
            &km.remote_salt,
            Config::default(),
        )?;
        Ok(SrtpTransport {
            session,
            drops: SrtpDrops::default(),
        })
    }

    /// Drop counters.
    pub fn drops(&self) -> SrtpDrops {
        self.drops
    }

    /// Protects an RTP packet in place.
    pub fn protect_rtp(&mut self, packet: &mut Vec<u8>) -> Result<(), rtcio_srtp::Error> {
        self.session.outbound.protect_rtp_in_place(packet)
    }

    /// Protects an RTCP compound packet in place.
    pub fn protect_rtcp(&mut self, packet: &mut Vec<u8>) -> Result<(), rtcio_srtp::Error> {
        self.session.outbound.protect_rtcp_in_place(packet)
    }

    /// Unprotects an SRTP packet; `None` (counted) if it does not authenticate or is replayed.
    pub fn unprotect_rtp(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(packet.len());
        let r = self.session.inbound.unprotect_rtp(packet, &mut out);
        self.keep(r).then_some(out)
    }

    /// Unprotects an SRTCP packet; `None` (counted) if it does not authenticate or is replayed.
    pub fn unprotect_rtcp(&mut self, packet: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(packet.len());
        let r = self.session.inbound.unprotect_rtcp(packet, &mut out);
        self.keep(r).then_some(out)
    }

    fn keep(&mut self, r: Result<(), rtcio_srtp::Error>) -> bool {
        match r {
            Ok(()) => true,
            Err(rtcio_srtp::Error::Replayed | rtcio_srtp::Error::TooOld) => {
                self.drops.replayed += 1;
                false
            }
            Err(_) => {
                self.drops.unprotect_failed += 1;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcio_dtls::{DtlsRole, SrtpProfile};

    fn pair(profile: SrtpProfile) -> (SrtpTransport, SrtpTransport) {
        let material: Vec<u8> = (0..profile.keying_material_len() as u8).collect();
        let km = |role| SrtpKeyingMaterial::from_exported(profile, role, &material).unwrap();
        (
            SrtpTransport::new(&km(DtlsRole::Client)).unwrap(),
            SrtpTransport::new(&km(DtlsRole::Server)).unwrap(),
        )
    }

    #[test]
    fn both_profiles_round_trip_and_count_forgeries_and_replays() {
        for profile in [SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmHmacSha1_80] {
            let (mut client, mut server) = pair(profile);
            let rtp = vec![0x80, 96, 0, 1, 0, 0, 0, 9, 0, 0, 0, 7, 1, 2, 3];
            let mut p = rtp.clone();
            client.protect_rtp(&mut p).unwrap();
            assert_eq!(server.unprotect_rtp(&p), Some(rtp.clone()));
            assert_eq!(server.unprotect_rtp(&p), None);
            // A fresh index with a broken tag (a same-index forgery is caught as a replay).
            let mut forged = rtp.clone();
            forged[3] = 2;
            client.protect_rtp(&mut forged).unwrap();
            *forged.last_mut().unwrap() ^= 1;
            assert_eq!(server.unprotect_rtp(&forged), None);
            // The client does not accept its own packets (different keys per direction).
            assert_eq!(client.unprotect_rtp(&p), None);
            let rtcp = vec![0x81, 201, 0, 1, 0, 0, 0, 7];
            let mut c = rtcp.clone();
            server.protect_rtcp(&mut c).unwrap();
            assert_eq!(client.unprotect_rtcp(&c), Some(rtcp));
            assert_eq!(
                server.drops(),
                SrtpDrops {
                    unprotect_failed: 1,
                    replayed: 1
                }
            );
            assert_eq!(client.drops().unprotect_failed, 1);
        }
    }
}
