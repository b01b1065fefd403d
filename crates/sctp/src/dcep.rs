//! The Data Channel Establishment Protocol (RFC 8832) and the data channel PPIDs (RFC 8831).

use std::fmt;

/// Payload protocol identifiers of WebRTC data channels (RFC 8831 §8, RFC 8832 §8.1).
pub mod ppid {
    /// DCEP messages.
    pub const DCEP: u32 = 50;
    /// A UTF-8 string message.
    pub const STRING: u32 = 51;
    /// Deprecated: part of a binary message (no browser sends it any more).
    pub const BINARY_PARTIAL: u32 = 52;
    /// A binary message.
    pub const BINARY: u32 = 53;
    /// Deprecated: part of a string message.
    pub const STRING_PARTIAL: u32 = 54;
    /// An empty string (sent as one ignored byte, RFC 8831 §6.6).
    pub const STRING_EMPTY: u32 = 56;
    /// An empty binary message (sent as one ignored byte).
    pub const BINARY_EMPTY: u32 = 57;
}

/// DCEP message types (RFC 8832 §8.2.1).
const DATA_CHANNEL_ACK: u8 = 0x02;
const DATA_CHANNEL_OPEN: u8 = 0x03;
const OPEN_HEADER_LEN: usize = 12;

/// Reliability of a channel (RFC 8832 §5.1 `Channel Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelType {
    /// Reliable; ordered unless `unordered`.
    Reliable {
        /// Delivery in any order.
        unordered: bool,
    },
    /// Abandoned after `reliability_parameter` retransmissions.
    PartialReliableRexmit {
        /// Delivery in any order.
        unordered: bool,
    },
    /// Abandoned after `reliability_parameter` milliseconds.
    PartialReliableTimed {
        /// Delivery in any order.
        unordered: bool,
    },
}

impl ChannelType {
    fn to_byte(self) -> u8 {
        let (base, unordered) = match self {
            ChannelType::Reliable { unordered } => (0x00, unordered),
            ChannelType::PartialReliableRexmit { unordered } => (0x01, unordered),
            ChannelType::PartialReliableTimed { unordered } => (0x02, unordered),
        };
        if unordered { base | 0x80 } else { base }
    }

    fn from_byte(b: u8) -> Option<ChannelType> {
        let unordered = b & 0x80 != 0;
        match b & 0x7f {
            0x00 => Some(ChannelType::Reliable { unordered }),
            0x01 => Some(ChannelType::PartialReliableRexmit { unordered }),
            0x02 => Some(ChannelType::PartialReliableTimed { unordered }),
            _ => None,
        }
    }

    /// Whether messages may be delivered out of order.
    pub fn unordered(self) -> bool {
        match self {
            ChannelType::Reliable { unordered }
            | ChannelType::PartialReliableRexmit { unordered }
            | ChannelType::PartialReliableTimed { unordered } => unordered,
        }
    }
}

/// DATA_CHANNEL_OPEN (RFC 8832 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelOpen {
    /// Reliability and ordering.
    pub channel_type: ChannelType,
    /// Priority (RFC 8832 §5.1: 128 below normal, 256 normal, 512 high, 1024 extra high).
    pub priority: u16,
    /// Retransmissions or milliseconds, per `channel_type`; 0 for reliable channels.
    pub reliability_parameter: u32,
    /// The channel label.
    pub label: String,
    /// The sub-protocol.
    pub protocol: String,
}

/// A DCEP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcepMessage {
    /// DATA_CHANNEL_OPEN.
    Open(DataChannelOpen),
    /// DATA_CHANNEL_ACK.
    Ack,
}

/// Why a DCEP message did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DcepError {
    /// The message ended before its fields did.
    Truncated,
    /// An unknown message type.
    UnknownMessageType(u8),
    /// An unknown channel type.
    UnknownChannelType(u8),
    /// Label or protocol is not UTF-8.
    NotUtf8,
}

impl fmt::Display for DcepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DcepError::Truncated => write!(f, "DCEP message truncated"),
            DcepError::UnknownMessageType(t) => write!(f, "unknown DCEP message type {t:#04x}"),
            DcepError::UnknownChannelType(t) => write!(f, "unknown DCEP channel type {t:#04x}"),
            DcepError::NotUtf8 => write!(f, "DCEP label or protocol is not UTF-8"),
        }
    }
}

impl std::error::Error for DcepError {}

impl DcepMessage {
    /// Parses a DCEP message (the payload of a PPID 50 message).
    pub fn decode(buf: &[u8]) -> Result<DcepMessage, DcepError> {
        match buf.first() {
            None => Err(DcepError::Truncated),
            Some(&DATA_CHANNEL_ACK) => Ok(DcepMessage::Ack),
            Some(&DATA_CHANNEL_OPEN) => decode_open(buf).map(DcepMessage::Open),
            Some(&t) => Err(DcepError::UnknownMessageType(t)),
        }
    }

    /// Serializes the message.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            DcepMessage::Ack => vec![DATA_CHANNEL_ACK],
            DcepMessage::Open(open) => {
                // Labels and protocols longer than 65535 bytes are refused by the channel
                // layer before they get here; truncating keeps the length fields honest.
                let label = &open.label.as_bytes()[..open.label.len().min(0xffff)];
                let protocol = &open.protocol.as_bytes()[..open.protocol.len().min(0xffff)];
                let mut out = Vec::with_capacity(OPEN_HEADER_LEN + label.len() + protocol.len());
                out.push(DATA_CHANNEL_OPEN);
                out.push(open.channel_type.to_byte());
                out.extend_from_slice(&open.priority.to_be_bytes());
                out.extend_from_slice(&open.reliability_parameter.to_be_bytes());
                out.extend_from_slice(&(label.len() as u16).to_be_bytes());
                out.extend_from_slice(&(protocol.len() as u16).to_be_bytes());
                out.extend_from_slice(label);
                out.extend_from_slice(protocol);
                out
            }
        }
    }
}

fn decode_open(buf: &[u8]) -> Result<DataChannelOpen, DcepError> {
    let header = buf.get(..OPEN_HEADER_LEN).ok_or(DcepError::Truncated)?;
    let channel_type =
        ChannelType::from_byte(header[1]).ok_or(DcepError::UnknownChannelType(header[1]))?;
    let priority = u16::from_be_bytes([header[2], header[3]]);
    let reliability_parameter = u32::from_be_bytes([header[4], header[5], header[6], header[7]]);
    let label_len = usize::from(u16::from_be_bytes([header[8], header[9]]));
    let protocol_len = usize::from(u16::from_be_bytes([header[10], header[11]]));
    let rest = &buf[OPEN_HEADER_LEN..];
    let label = rest.get(..label_len).ok_or(DcepError::Truncated)?;
    let protocol = rest
        .get(label_len..label_len + protocol_len)
        .ok_or(DcepError::Truncated)?;
    Ok(DataChannelOpen {
        channel_type,
        priority,
        reliability_parameter,
        label: String::from_utf8(label.to_vec()).map_err(|_| DcepError::NotUtf8)?,
        protocol: String::from_utf8(protocol.to_vec()).map_err(|_| DcepError::NotUtf8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_round_trips_with_unicode_label() {
        let open = DcepMessage::Open(DataChannelOpen {
            channel_type: ChannelType::PartialReliableTimed { unordered: true },
            priority: 256,
            reliability_parameter: 1500,
            label: "chat ✓".into(),
            protocol: "json".into(),
        });
        let bytes = open.encode();
        assert_eq!(bytes[1], 0x82);
        assert_eq!(DcepMessage::decode(&bytes).unwrap(), open);
    }

    #[test]
    fn ack_and_errors() {
        assert_eq!(DcepMessage::decode(&[2]).unwrap(), DcepMessage::Ack);
        assert_eq!(DcepMessage::decode(&[]), Err(DcepError::Truncated));
        assert_eq!(
            DcepMessage::decode(&[9]),
            Err(DcepError::UnknownMessageType(9))
        );
        assert_eq!(DcepMessage::decode(&[3, 0, 0]), Err(DcepError::Truncated));
        let mut bad_type = vec![3, 0x05];
        bad_type.extend_from_slice(&[0; 10]);
        assert_eq!(
            DcepMessage::decode(&bad_type),
            Err(DcepError::UnknownChannelType(5))
        );
        // Lengths pointing past the end.
        let overrun = [3, 0, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, b'a'];
        assert_eq!(DcepMessage::decode(&overrun), Err(DcepError::Truncated));
        let not_utf8 = [3, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff];
        assert_eq!(DcepMessage::decode(&not_utf8), Err(DcepError::NotUtf8));
    }
}
