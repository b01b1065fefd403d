//! Packet demultiplexing for a single 5-tuple (RFC 7983, updating RFC 5764 §5.1.2), with the
//! TURN ChannelData range of RFC 8656 and the RTP/RTCP split of RFC 5761 §4.
//!
//! The first byte decides:
//!
//! | first byte  | protocol                      |
//! |-------------|-------------------------------|
//! | 0..=3       | STUN (confirmed by the magic cookie) |
//! | 16..=19     | ZRTP                          |
//! | 20..=63     | DTLS                          |
//! | 64..=79     | TURN ChannelData              |
//! | 128..=191   | RTP or RTCP                   |
//! | otherwise   | drop                          |

/// What a received datagram is, by RFC 7983's first-byte ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// A STUN message: first byte 0..=3 and the magic cookie present with a consistent length.
    Stun,
    /// ZRTP (RFC 6189): first byte 16..=19.
    Zrtp,
    /// DTLS: first byte 20..=63 (record content types).
    Dtls,
    /// A TURN ChannelData message (RFC 8656 §12): first byte 64..=79, i.e. channel numbers
    /// 0x4000..=0x4FFF. RFC 7983 calls this range "TURN Channel".
    ChannelData,
    /// RTP or RTCP (version 2): first byte 128..=191; tell them apart with [`is_rtcp`].
    RtpRtcp,
    /// Anything else, including a first byte of 0..=3 without a valid STUN header, and the
    /// empty datagram. RFC 7983 says to drop it.
    Unknown,
}

/// Classifies a datagram by its first byte (RFC 7983 §7). STUN is additionally confirmed with
/// [`rtcio_stun::is_stun`] (leading zero bits, magic cookie, length matching the datagram), so
/// that stray bytes in 0..=3 are not handed to the STUN stack.
pub fn classify(packet: &[u8]) -> PacketKind {
    let Some(&first) = packet.first() else {
        return PacketKind::Unknown;
    };
    match first {
        0..=3 if rtcio_stun::is_stun(packet) => PacketKind::Stun,
        16..=19 => PacketKind::Zrtp,
        20..=63 => PacketKind::Dtls,
        64..=79 => PacketKind::ChannelData,
        128..=191 => PacketKind::RtpRtcp,
        _ => PacketKind::Unknown,
    }
}

/// Whether an RTP/RTCP packet (see [`PacketKind::RtpRtcp`]) is RTCP: RFC 5761 §4 has RTCP
/// packet types 192..=223 in the second byte, a range RTP payload types (with the marker bit)
/// must avoid when RTP and RTCP share a port. Packets shorter than two bytes are not RTCP.
pub fn is_rtcp(packet: &[u8]) -> bool {
    matches!(packet.get(1), Some(192..=223))
}
