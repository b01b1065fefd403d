//! [`Session`]: the two directions of a DTLS-SRTP association.

use crate::{Config, Error, ProtectionProfile, SrtpContext};

/// Which end of the DTLS handshake this endpoint was (RFC 5764 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// DTLS client: sends with the client write key.
    Client,
    /// DTLS server: sends with the server write key.
    Server,
}

/// An outbound and an inbound [`SrtpContext`] keyed from DTLS-SRTP keying material.
#[derive(Debug)]
pub struct Session {
    /// Protects what this endpoint sends.
    pub outbound: SrtpContext,
    /// Unprotects what the peer sends.
    pub inbound: SrtpContext,
}

impl Session {
    /// Keys both directions from master keys and salts already assigned to directions (as the
    /// DTLS transport hands them over): `local_*` protects, `remote_*` unprotects.
    pub fn new(
        profile: ProtectionProfile,
        local_key: &[u8],
        local_salt: &[u8],
        remote_key: &[u8],
        remote_salt: &[u8],
        config: Config,
    ) -> Result<Self, Error> {
        Ok(Self {
            outbound: SrtpContext::with_config(profile, local_key, local_salt, config)?,
            inbound: SrtpContext::with_config(profile, remote_key, remote_salt, config)?,
        })
    }

    /// Splits the exported keying material (label `EXTRACTOR-dtls_srtp`, length
    /// [`ProtectionProfile::keying_material_len`]) into
    /// `client_key || server_key || client_salt || server_salt` and keys both directions.
    pub fn from_keying_material(
        profile: ProtectionProfile,
        material: &[u8],
        role: Role,
        config: Config,
    ) -> Result<Self, Error> {
        if material.len() != profile.keying_material_len() {
            return Err(Error::InvalidKeyLength {
                what: "DTLS-SRTP keying material",
                expected: profile.keying_material_len(),
                actual: material.len(),
            });
        }
        let (keys, salts) = material.split_at(2 * profile.master_key_len());
        let (client_key, server_key) = keys.split_at(profile.master_key_len());
        let (client_salt, server_salt) = salts.split_at(profile.master_salt_len());
        let client = SrtpContext::with_config(profile, client_key, client_salt, config)?;
        let server = SrtpContext::with_config(profile, server_key, server_salt, config)?;
        Ok(match role {
            Role::Client => Self {
                outbound: client,
                inbound: server,
            },
            Role::Server => Self {
                outbound: server,
                inbound: client,
            },
        })
    }
}
