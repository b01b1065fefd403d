//! Long-term credentials (RFC 8489 §9.2): the realm and nonce a server hands out in 401 and 438
//! responses, the derived key, and the attributes an authenticated request carries.

use rtcio_stun::{Attribute, Message, MessageBuilder, PasswordAlgorithm, StunError, integrity};

/// What the client knows to authenticate with.
#[derive(Debug, Clone)]
pub(crate) struct Auth {
    username: String,
    password: String,
    realm: Option<String>,
    nonce: Option<String>,
    key: Option<Vec<u8>>,
}

impl Auth {
    /// Credentials before any server challenge.
    pub(crate) fn new(username: String, password: String) -> Self {
        Self {
            username,
            password,
            realm: None,
            nonce: None,
            key: None,
        }
    }

    /// The key, once a realm is known.
    pub(crate) fn key(&self) -> Option<&[u8]> {
        self.key.as_deref()
    }

    /// Takes REALM and NONCE from a 401 or 438 response. Returns whether the client can now
    /// authenticate (both present and the key derived).
    pub(crate) fn learn(&mut self, msg: &Message<'_>) -> bool {
        let Some(nonce) = msg.nonce() else {
            return false;
        };
        if let Some(realm) = msg.realm()
            && self.realm.as_deref() != Some(realm)
        {
            match integrity::long_term_key(
                &self.username,
                realm,
                &self.password,
                PasswordAlgorithm::MD5,
            ) {
                Ok(key) => {
                    self.key = Some(key);
                    self.realm = Some(realm.to_string());
                }
                Err(_) => return false,
            }
        }
        self.nonce = Some(nonce.to_string());
        self.key.is_some()
    }

    /// Appends USERNAME, REALM, NONCE and MESSAGE-INTEGRITY if a challenge was seen; returns
    /// whether it did.
    pub(crate) fn sign(&self, builder: &mut MessageBuilder) -> Result<bool, StunError> {
        let (Some(realm), Some(nonce), Some(key)) = (&self.realm, &self.nonce, &self.key) else {
            return Ok(false);
        };
        builder
            .add(&Attribute::Username(&self.username))?
            .add(&Attribute::Realm(realm))?
            .add(&Attribute::Nonce(nonce))?
            .add_message_integrity(key)?;
        Ok(true)
    }
}
