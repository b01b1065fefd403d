//! Just enough of the DTLS record layer (RFC 6347 section 4.1) to classify datagrams without
//! decrypting them.

/// Length of a DTLS 1.2 record header.
pub(crate) const RECORD_HEADER_LEN: usize = 13;

/// `handshake` content type.
const HANDSHAKE: u8 = 22;

/// RFC 7983 demultiplexing: a first byte in 20..=63 designates DTLS.
pub(crate) fn looks_like_dtls(datagram: &[u8]) -> bool {
    datagram.len() >= RECORD_HEADER_LEN && (20..=63).contains(&datagram[0])
}

/// (content type, epoch) of the well-formed records at the start of a datagram.
fn records(datagram: &[u8]) -> impl Iterator<Item = (u8, u16)> + '_ {
    let mut rest = datagram;
    std::iter::from_fn(move || {
        let header = rest.get(..RECORD_HEADER_LEN)?;
        let length = usize::from(u16::from_be_bytes([header[11], header[12]]));
        let end = RECORD_HEADER_LEN.checked_add(length)?;
        if end > rest.len() {
            return None;
        }
        let content_type = header[0];
        let epoch = u16::from_be_bytes([header[3], header[4]]);
        rest = &rest[end..];
        Some((content_type, epoch))
    })
}

/// Whether the datagram carries an encrypted handshake record (epoch 1 or later): in DTLS 1.2
/// without renegotiation that is only ever a Finished message, so after the handshake it means
/// the peer is repeating its final flight.
pub(crate) fn carries_encrypted_handshake(datagram: &[u8]) -> bool {
    records(datagram).any(|(content_type, epoch)| content_type == HANDSHAKE && epoch > 0)
}

/// Overwrites the sequence number of every epoch-0 record in `datagram` with consecutive values
/// taken from `next`.
///
/// Epoch-0 records are plaintext and unauthenticated, so their numbers can be chosen by us. Each
/// (re)transmission of a flight gets fresh numbers, as RFC 6347 section 4.2.4 requires: the peer
/// may have accepted a record at the record layer and then discarded it (OpenSSL drops a
/// ChangeCipherSpec that overtakes the handshake messages before it), and an identical copy
/// would be refused as a replay forever.
pub(crate) fn renumber_plaintext_records(datagram: &mut [u8], next: &mut u64) {
    let mut offset = 0usize;
    while let Some(header) = datagram
        .get(offset..)
        .and_then(|r| r.get(..RECORD_HEADER_LEN))
    {
        let length = usize::from(u16::from_be_bytes([header[11], header[12]]));
        let epoch = u16::from_be_bytes([header[3], header[4]]);
        if epoch == 0 {
            let seq = next.to_be_bytes();
            if let Some(field) = datagram.get_mut(offset + 5..offset + 11) {
                field.copy_from_slice(&seq[2..]);
            }
            *next = next.wrapping_add(1) & SEQUENCE_MASK;
        }
        offset = match offset.checked_add(RECORD_HEADER_LEN + length) {
            Some(end) => end,
            None => return,
        };
    }
}

/// Record sequence numbers are 48 bits.
const SEQUENCE_MASK: u64 = (1 << 48) - 1;
