//! TURN ChannelData messages (RFC 8656 §12.4, §12.5): a 4-byte header (channel number, length)
//! followed by application data.
//!
//! Over UDP the message is the datagram and padding is optional; over TCP/TLS each message is
//! padded to a multiple of four bytes so the next one starts aligned. [`Framing`] picks the rule.

use crate::error::StunError;

/// Length of the ChannelData header.
pub const CHANNEL_DATA_HEADER_LEN: usize = 4;

/// The lowest channel number a client may bind (RFC 8656 §12).
pub const MIN_CHANNEL_NUMBER: u16 = 0x4000;

/// The highest channel number a client may bind (RFC 8656 §12).
pub const MAX_CHANNEL_NUMBER: u16 = 0x4FFF;

/// Whether `channel` is in the range RFC 8656 allows for ChannelBind and ChannelData.
pub const fn is_valid_channel_number(channel: u16) -> bool {
    channel >= MIN_CHANNEL_NUMBER && channel <= MAX_CHANNEL_NUMBER
}

/// How ChannelData messages are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// UDP (or DTLS): one message per datagram, padding optional and not sent.
    Datagram,
    /// TCP or TLS: messages back to back, each padded to a multiple of four bytes.
    Stream,
}

/// A ChannelData message borrowing its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelData<'a> {
    channel: u16,
    data: &'a [u8],
}

impl<'a> ChannelData<'a> {
    /// A message for `channel` (0x4000..=0x4FFF) carrying `data` (at most 65535 bytes).
    pub fn new(channel: u16, data: &'a [u8]) -> Result<Self, StunError> {
        if !is_valid_channel_number(channel) {
            return Err(StunError::InvalidChannelNumber(channel));
        }
        if data.len() > usize::from(u16::MAX) {
            return Err(StunError::MessageTooLong { len: data.len() });
        }
        Ok(Self { channel, data })
    }

    /// The channel number.
    pub fn channel(&self) -> u16 {
        self.channel
    }

    /// The application data.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Decodes a datagram holding one ChannelData message. The datagram may be longer than the
    /// length field by up to three padding bytes, which are ignored; anything else is an error.
    pub fn decode(buf: &'a [u8]) -> Result<Self, StunError> {
        let (msg, len) = Self::decode_header(buf)?;
        let actual = buf.len() - CHANNEL_DATA_HEADER_LEN;
        if actual < len || actual - len > 3 {
            return Err(StunError::LengthMismatch {
                declared: len,
                actual,
            });
        }
        Ok(msg)
    }

    /// Decodes the first ChannelData message of a stream buffer. Returns `Ok(None)` if more bytes
    /// are needed, otherwise the message and how many bytes it used (padding included).
    pub fn decode_stream(buf: &'a [u8]) -> Result<Option<(Self, usize)>, StunError> {
        if buf.len() < CHANNEL_DATA_HEADER_LEN {
            return Ok(None);
        }
        let (msg, len) = Self::decode_header(buf)?;
        let total = CHANNEL_DATA_HEADER_LEN + len.next_multiple_of(4);
        if buf.len() < total {
            Ok(None)
        } else {
            Ok(Some((msg, total)))
        }
    }

    /// Parses the header and takes as much data as is there (up to the length field).
    fn decode_header(buf: &'a [u8]) -> Result<(Self, usize), StunError> {
        let [c0, c1, l0, l1, rest @ ..] = buf else {
            return Err(StunError::TruncatedChannelData { len: buf.len() });
        };
        let channel = u16::from_be_bytes([*c0, *c1]);
        if !is_valid_channel_number(channel) {
            return Err(StunError::InvalidChannelNumber(channel));
        }
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        let data = rest.get(..len).unwrap_or(rest);
        Ok((Self { channel, data }, len))
    }

    /// The encoded size under `framing`.
    pub fn encoded_len(&self, framing: Framing) -> usize {
        let len = CHANNEL_DATA_HEADER_LEN + self.data.len();
        match framing {
            Framing::Datagram => len,
            Framing::Stream => len.next_multiple_of(4),
        }
    }

    /// Appends the message to `out`, zero-padded under [`Framing::Stream`].
    pub fn encode(&self, framing: Framing, out: &mut Vec<u8>) {
        let total = out.len() + self.encoded_len(framing);
        out.extend_from_slice(&self.channel.to_be_bytes());
        // `new` and the decoders guarantee the data fits the 16-bit length.
        out.extend_from_slice(&(self.data.len() as u16).to_be_bytes());
        out.extend_from_slice(self.data);
        out.resize(total, 0);
    }
}
