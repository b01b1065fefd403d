//! Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs, and unwrapping into
//! monotonically increasing 64-bit values for ordered containers.

/// `a < b` in 32-bit serial number arithmetic.
#[inline]
pub fn tsn_lt(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) < (1 << 31)
}

/// `a <= b` in 32-bit serial number arithmetic.
#[inline]
pub fn tsn_le(a: u32, b: u32) -> bool {
    a == b || tsn_lt(a, b)
}

/// `a < b` in 16-bit serial number arithmetic.
#[inline]
pub fn ssn_lt(a: u16, b: u16) -> bool {
    a != b && b.wrapping_sub(a) < (1 << 15)
}

/// Maps a wire TSN to a 64-bit value near a 64-bit reference (the nearest in serial order).
#[inline]
pub fn unwrap_tsn(reference: u64, tsn: u32) -> u64 {
    let low = reference as u32;
    let delta = tsn.wrapping_sub(low) as i32 as i64;
    (reference as i64).wrapping_add(delta) as u64
}
