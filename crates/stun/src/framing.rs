//! Cutting STUN and ChannelData messages out of byte streams.
//!
//! * TURN over TCP/TLS (RFC 8656 §12.5) sends STUN messages and ChannelData messages back to back;
//!   both are self-delimiting, and [`turn_frame_len`] tells how long the next one is.
//! * ICE-TCP (RFC 6544) frames every packet with the 16-bit length prefix of RFC 4571:
//!   [`decode_rfc4571`] and [`encode_rfc4571`].

use crate::channel_data::{CHANNEL_DATA_HEADER_LEN, is_valid_channel_number};
use crate::error::StunError;
use crate::header::{HEADER_LEN, Header};

/// The length of the message at the start of a TURN stream buffer: a STUN message (leading bits
/// `00`, 20 + length bytes) or a ChannelData message (leading bits `01`, 4 + length rounded up to
/// four). `Ok(None)` means more bytes are needed to tell; an error means the stream is corrupt
/// and the connection should be closed.
pub fn turn_frame_len(buf: &[u8]) -> Result<Option<usize>, StunError> {
    let Some(&[b0, b1, l0, l1]) = buf.get(..4) else {
        return Ok(None);
    };
    let len = usize::from(u16::from_be_bytes([l0, l1]));
    match b0 >> 6 {
        0b00 => {
            if buf.len() < HEADER_LEN {
                return Ok(None);
            }
            Header::parse(buf)?;
            Ok(Some(HEADER_LEN + len))
        }
        0b01 => {
            let channel = u16::from_be_bytes([b0, b1]);
            if !is_valid_channel_number(channel) {
                return Err(StunError::InvalidChannelNumber(channel));
            }
            Ok(Some(CHANNEL_DATA_HEADER_LEN + len.next_multiple_of(4)))
        }
        _ => Err(StunError::NotStun),
    }
}

/// Reads one RFC 4571 frame from the start of `buf`: returns the packet and the number of bytes
/// consumed (2 + packet length), or `None` if the frame is not complete yet.
pub fn decode_rfc4571(buf: &[u8]) -> Option<(&[u8], usize)> {
    let [l0, l1, rest @ ..] = buf else {
        return None;
    };
    let len = usize::from(u16::from_be_bytes([*l0, *l1]));
    let packet = rest.get(..len)?;
    Some((packet, 2 + len))
}

/// Appends `packet` with its RFC 4571 length prefix. Fails if it is longer than 65535 bytes.
pub fn encode_rfc4571(packet: &[u8], out: &mut Vec<u8>) -> Result<(), StunError> {
    let len =
        u16::try_from(packet.len()).map_err(|_| StunError::MessageTooLong { len: packet.len() })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(packet);
    Ok(())
}
