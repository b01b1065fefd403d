//! Data Channel Establishment Protocol messages (RFC 8832 §5) and the data channel PPIDs
//! (RFC 8831 §8).

use crate::error::ParseError;
use crate::wire::Reader;

/// PPID of DCEP messages.
pub const PPID_DCEP: u32 = 50;
/// PPID of a non-empty UTF-8 string message.
pub const PPID_STRING: u32 = 51;
/// PPID of partial binary messages (deprecated; still accepted).
pub const PPID_BINARY_PARTIAL: u32 = 52;
/// PPID of a non-empty binary message.
pub const PPID_BINARY: u32 = 53;
/// PPID of partial string messages (deprecated; still accepted).
pub const PPID_STRING_PARTIAL: u32 = 54;
/// PPID of an empty string message (sent as one 0 byte, RFC 8831 §6.6).
pub const PPID_STRING_EMPTY: u32 = 56;
/// PPID of an empty binary message (sent as one 0 byte).
pub const PPID_BINARY_EMPTY: u32 = 57;

/// Message type of DATA_CHANNEL_ACK.
pub const MSG_ACK: u8 = 0x02;
/// Message type of DATA_CHANNEL_OPEN.
pub const MSG_OPEN: u8 = 0x03;

/// Most bytes accepted for a label or a protocol.
pub const MAX_STRING_LEN: usize = 65_535;

/// Channel Type of DATA_CHANNEL_OPEN (RFC 8832 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelType {
    /// 0x00: reliable, ordered.
    Reliable,
    /// 0x80: reliable, unordered.
    ReliableUnordered,
    /// 0x01: partially reliable by retransmissions, ordered.
    PartialReliableRexmit,
    /// 0x81: partially reliable by retransmissions, unordered.
    PartialReliableRexmitUnordered,
    /// 0x02: partially reliable by lifetime, ordered.
    PartialReliableTimed,
    /// 0x82: partially reliable by lifetime, unordered.
    PartialReliableTimedUnordered,
}

impl ChannelType {
    /// The wire value.
    pub fn to_u8(self) -> u8 {
        match self {
            ChannelType::Reliable => 0x00,
            ChannelType::ReliableUnordered => 0x80,
            ChannelType::PartialReliableRexmit => 0x01,
            ChannelType::PartialReliableRexmitUnordered => 0x81,
            ChannelType::PartialReliableTimed => 0x02,
            ChannelType::PartialReliableTimedUnordered => 0x82,
        }
    }

    /// From the wire value.
    pub fn from_u8(v: u8) -> Option<Self> {
        Some(match v {
            0x00 => ChannelType::Reliable,
            0x80 => ChannelType::ReliableUnordered,
            0x01 => ChannelType::PartialReliableRexmit,
            0x81 => ChannelType::PartialReliableRexmitUnordered,
            0x02 => ChannelType::PartialReliableTimed,
            0x82 => ChannelType::PartialReliableTimedUnordered,
            _ => return None,
        })
    }

    /// Whether messages are delivered in order.
    pub fn ordered(self) -> bool {
        self.to_u8() & 0x80 == 0
    }
}

/// DATA_CHANNEL_OPEN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataChannelOpen {
    /// Channel type.
    pub channel_type: ChannelType,
    /// Priority (RFC 8831 §6.4 / W3C priorities: 128 below normal, 256 normal, 512, 1024).
    pub priority: u16,
    /// Retransmissions (rexmit types) or lifetime in ms (timed types); ignored when reliable.
    pub reliability_parameter: u32,
    /// Label.
    pub label: String,
    /// Sub-protocol.
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

impl DcepMessage {
    /// Parses a DCEP message (the payload of a PPID 50 message).
    pub fn parse(buf: &[u8]) -> Result<Self, ParseError> {
        let mut r = Reader::new(buf);
        match r.u8()? {
            MSG_ACK => Ok(DcepMessage::Ack),
            MSG_OPEN => {
                let channel_type = ChannelType::from_u8(r.u8()?).ok_or(ParseError::InvalidValue)?;
                let priority = r.u16()?;
                let reliability_parameter = r.u32()?;
                let label_len = r.u16()? as usize;
                let protocol_len = r.u16()? as usize;
                let label = std::str::from_utf8(r.bytes(label_len)?)
                    .map_err(|_| ParseError::InvalidValue)?
                    .to_owned();
                let protocol = std::str::from_utf8(r.bytes(protocol_len)?)
                    .map_err(|_| ParseError::InvalidValue)?
                    .to_owned();
                Ok(DcepMessage::Open(DataChannelOpen {
                    channel_type,
                    priority,
                    reliability_parameter,
                    label,
                    protocol,
                }))
            }
            _ => Err(ParseError::UnknownMessageType),
        }
    }

    /// Serializes the message; labels and protocols longer than 65535 bytes are cut.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            DcepMessage::Ack => vec![MSG_ACK],
            DcepMessage::Open(o) => {
                let label = truncate(&o.label);
                let protocol = truncate(&o.protocol);
                let mut v = Vec::with_capacity(12 + label.len() + protocol.len());
                v.push(MSG_OPEN);
                v.push(o.channel_type.to_u8());
                v.extend_from_slice(&o.priority.to_be_bytes());
                v.extend_from_slice(&o.reliability_parameter.to_be_bytes());
                v.extend_from_slice(&(label.len() as u16).to_be_bytes());
                v.extend_from_slice(&(protocol.len() as u16).to_be_bytes());
                v.extend_from_slice(label);
                v.extend_from_slice(protocol);
                v
            }
        }
    }
}

fn truncate(s: &str) -> &[u8] {
    let b = s.as_bytes();
    &b[..b.len().min(MAX_STRING_LEN)]
}
