//! RED, the RTP payload for redundant audio data (RFC 2198), as browsers use it for video:
//! a carrier of ULPFEC whose primary block is the media.

/// The primary block of a RED payload (RFC 2198 section 3): its payload type and data, after
/// the redundant blocks the 4-byte headers announce; `None` if the headers run past the end.
/// Browsers wrap video in RED (as the carrier of ULPFEC) when it is negotiated.
pub fn red_primary(payload: &[u8]) -> Option<(u8, &[u8])> {
    let mut at = 0;
    let mut redundant = 0;
    loop {
        let b = *payload.get(at)?;
        if b & 0x80 == 0 {
            return Some((b & 0x7f, payload.get(at + 1 + redundant..)?));
        }
        let len = payload.get(at + 2..at + 4)?;
        redundant += usize::from(len[0] & 0x03) << 8 | usize::from(len[1]);
        at += 4;
    }
}
