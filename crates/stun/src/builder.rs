//! Building STUN messages: attributes are appended in order, then MESSAGE-INTEGRITY,
//! MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are computed over what precedes them with the length
//! field adjusted as RFC 8489 §14.5–§14.7 require.
//!
//! ```
//! use rtcio_stun::{Attribute, Class, Message, MessageBuilder, Method, TransactionId, integrity};
//!
//! let key = integrity::short_term_key("remote-ice-pwd");
//! let mut builder = MessageBuilder::new(Class::Request, Method::BINDING, TransactionId::new([7; 12]));
//! builder
//!     .add(&Attribute::Username("remote:local"))?
//!     .add(&Attribute::Priority(0x6e00_01ff))?
//!     .add(&Attribute::IceControlling(42))?
//!     .add_message_integrity(&key)?
//!     .add_fingerprint()?;
//! let bytes = builder.build();
//!
//! let msg = Message::decode(&bytes)?;
//! msg.verify_integrity(&key)?;
//! msg.verify_fingerprint()?;
//! assert_eq!(msg.ice_controlling(), Some(42));
//! # Ok::<(), rtcio_stun::StunError>(())
//! ```

use crate::attr::{Attribute, AttributeType};
use crate::error::StunError;
use crate::header::{Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, message_type};
use crate::integrity::{self, Mac, SHA1_MAC_LEN};

/// Largest message body (the 16-bit length field, rounded down to a multiple of four).
const MAX_BODY: usize = 0xFFFC;

/// Which attributes may still be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Open,
    AfterIntegrity,
    AfterIntegritySha256,
    Closed,
}

/// Builds one STUN message into a `Vec<u8>`. The header's length field is kept up to date after
/// every attribute, so [`MessageBuilder::as_bytes`] is always a valid message.
#[derive(Debug, Clone)]
pub struct MessageBuilder {
    buf: Vec<u8>,
    transaction_id: TransactionId,
    stage: Stage,
    padding: u8,
}

impl MessageBuilder {
    /// Starts a message with no attributes.
    pub fn new(class: Class, method: Method, transaction_id: TransactionId) -> Self {
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(&message_type(class, method).to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&MAGIC_COOKIE.to_be_bytes());
        buf.extend_from_slice(transaction_id.as_bytes());
        Self {
            buf,
            transaction_id,
            stage: Stage::Open,
            padding: 0,
        }
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        self.transaction_id
    }

    /// Sets the byte used to pad attribute values to four bytes (zero by default, as RFC 8489
    /// requires). Only for reproducing old test vectors such as RFC 5769's, which pad with spaces.
    pub fn padding_byte(&mut self, byte: u8) -> &mut Self {
        self.padding = byte;
        self
    }

    /// Appends an attribute. MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT given
    /// here are copied verbatim (use the `add_*` methods to compute them); the ordering rules
    /// still apply: nothing but MESSAGE-INTEGRITY-SHA256 and FINGERPRINT after MESSAGE-INTEGRITY,
    /// nothing after FINGERPRINT.
    pub fn add(&mut self, attr: &Attribute<'_>) -> Result<&mut Self, StunError> {
        let attr_type = attr.attr_type();
        let next = self.next_stage(attr_type)?;
        let start = self.buf.len();
        self.buf.extend_from_slice(&attr_type.0.to_be_bytes());
        self.buf.extend_from_slice(&[0, 0]);
        let tid = self.transaction_id;
        if let Err(kind) = attr.encode_value(&tid, &mut self.buf) {
            self.buf.truncate(start);
            return Err(StunError::InvalidAttribute { attr_type, kind });
        }
        self.finish_attribute(start, attr_type)?;
        self.stage = next;
        Ok(self)
    }

    /// Appends MESSAGE-INTEGRITY: HMAC-SHA1 with `key` over the message so far, with the length
    /// field counting the attribute itself.
    pub fn add_message_integrity(&mut self, key: &[u8]) -> Result<&mut Self, StunError> {
        self.add_mac(
            Mac::Sha1,
            AttributeType::MESSAGE_INTEGRITY,
            key,
            SHA1_MAC_LEN,
        )
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 (the full 32-byte HMAC-SHA256).
    pub fn add_message_integrity_sha256(&mut self, key: &[u8]) -> Result<&mut Self, StunError> {
        self.add_mac(
            Mac::Sha256,
            AttributeType::MESSAGE_INTEGRITY_SHA256,
            key,
            32,
        )
    }

    fn add_mac(
        &mut self,
        mac: Mac,
        attr_type: AttributeType,
        key: &[u8],
        mac_len: usize,
    ) -> Result<&mut Self, StunError> {
        let next = self.next_stage(attr_type)?;
        let body = self.buf.len() - HEADER_LEN;
        self.set_length(body + 4 + mac_len)?;
        let computed = integrity::hmac(mac, key, &[&self.buf]);
        let value = match computed {
            Ok(value) if value.len() == mac_len => value,
            other => {
                self.set_length(body)?;
                return Err(other
                    .err()
                    .unwrap_or(StunError::Crypto("short HMAC".into())));
            }
        };
        let start = self.buf.len();
        self.buf.extend_from_slice(&attr_type.0.to_be_bytes());
        self.buf.extend_from_slice(&[0, 0]);
        self.buf.extend_from_slice(&value);
        self.finish_attribute(start, attr_type)?;
        self.stage = next;
        Ok(self)
    }

    /// Appends FINGERPRINT: CRC-32 of the message so far (length counting the attribute) XOR
    /// 0x5354554E. Nothing can be added afterwards.
    pub fn add_fingerprint(&mut self) -> Result<&mut Self, StunError> {
        let attr_type = AttributeType::FINGERPRINT;
        let next = self.next_stage(attr_type)?;
        self.set_length(self.buf.len() - HEADER_LEN + 8)?;
        let crc = integrity::fingerprint(&[&self.buf]);
        self.add(&Attribute::Fingerprint(crc))?;
        self.stage = next;
        Ok(self)
    }

    /// The message as built so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The finished message.
    pub fn build(self) -> Vec<u8> {
        self.buf
    }

    /// The stage after adding `attr_type`, or an error if it may not be added now.
    fn next_stage(&self, attr_type: AttributeType) -> Result<Stage, StunError> {
        let next = match attr_type {
            AttributeType::FINGERPRINT => Stage::Closed,
            AttributeType::MESSAGE_INTEGRITY_SHA256 => Stage::AfterIntegritySha256,
            AttributeType::MESSAGE_INTEGRITY => Stage::AfterIntegrity,
            _ => Stage::Open,
        };
        let allowed = match next {
            Stage::Open => self.stage == Stage::Open,
            _ => next > self.stage,
        };
        if self.stage == Stage::Closed {
            Err(StunError::AttributeAfterFingerprint)
        } else if !allowed {
            Err(StunError::MisplacedAttribute(attr_type))
        } else {
            Ok(next)
        }
    }

    /// Patches the attribute length at `start`, pads, and updates the message length; on error
    /// the attribute is removed again.
    fn finish_attribute(
        &mut self,
        start: usize,
        attr_type: AttributeType,
    ) -> Result<(), StunError> {
        let value_len = self.buf.len() - start - 4;
        let Ok(len16) = u16::try_from(value_len) else {
            self.buf.truncate(start);
            return Err(StunError::AttributeTooLong {
                attr_type,
                len: value_len,
            });
        };
        self.buf[start + 2..start + 4].copy_from_slice(&len16.to_be_bytes());
        let padded = self.buf.len().next_multiple_of(4);
        self.buf.resize(padded, self.padding);
        if let Err(err) = self.set_length(self.buf.len() - HEADER_LEN) {
            self.buf.truncate(start);
            let _ = self.set_length(start - HEADER_LEN);
            return Err(err);
        }
        Ok(())
    }

    /// Writes the message length field.
    fn set_length(&mut self, body: usize) -> Result<(), StunError> {
        if body > MAX_BODY {
            return Err(StunError::MessageTooLong { len: body });
        }
        // `body` fits: checked against MAX_BODY above.
        self.buf[2..4].copy_from_slice(&(body as u16).to_be_bytes());
        Ok(())
    }
}
