//! Just enough of the DTLS record layer (RFC 6347 section 4.1) to classify datagrams without
//! decrypting them.

/// Length of a DTLS 1.2 record header.
pub(crate) const RECORD_HEADER_LEN: usize = 13;

/// `change_cipher_spec` content type.
const CHANGE_CIPHER_SPEC: u8 = 20;
/// `handshake` content type.
const HANDSHAKE: u8 = 22;

/// RFC 7983 demultiplexing: a first byte in 20..=63 designates DTLS.
pub(crate) fn looks_like_dtls(datagram: &[u8]) -> bool {
    datagram.len() >= RECORD_HEADER_LEN && (20..=63).contains(&datagram[0])
}

/// Content types of the well-formed records at the start of a datagram.
fn content_types(datagram: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut rest = datagram;
    std::iter::from_fn(move || {
        let header = rest.get(..RECORD_HEADER_LEN)?;
        let length = usize::from(u16::from_be_bytes([header[11], header[12]]));
        let end = RECORD_HEADER_LEN.checked_add(length)?;
        if end > rest.len() {
            return None;
        }
        let content_type = header[0];
        rest = &rest[end..];
        Some(content_type)
    })
}

/// Whether the datagram carries handshake or change_cipher_spec records, i.e. is (part of) a
/// handshake flight.
pub(crate) fn carries_handshake(datagram: &[u8]) -> bool {
    content_types(datagram).any(|t| t == HANDSHAKE || t == CHANGE_CIPHER_SPEC)
}
