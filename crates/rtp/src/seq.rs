//! Unwrapping of wrapping counters: RTP sequence numbers (u16) and RTP timestamps (u32) into
//! monotonic 64-bit values.
//!
//! Each new value is placed at the extended value closest to the previously unwrapped one (so a
//! jump of less than half the counter range either way is read as a step forward or a
//! reordering, never as a wrap). The first value keeps roll-over count zero; a value that would
//! need a negative roll-over count (a reordered packet from before the first one, across a wrap)
//! is returned with roll-over count zero too.

/// Unwraps a counter of `bits` bits relative to the last extended value.
fn unwrap(last: Option<u64>, value: u64, bits: u32) -> u64 {
    let Some(last) = last else { return value };
    let range = 1i128 << bits;
    let mut delta = (i128::from(value) - i128::from(last)).rem_euclid(range);
    if delta >= range / 2 {
        delta -= range;
    }
    let ext = i128::from(last) + delta;
    u64::try_from(ext).unwrap_or(value)
}

/// Turns 16-bit RTP sequence numbers into a monotonic 64-bit sequence (RFC 3550 appendix A.1's
/// extended sequence number, without its probation logic).
#[derive(Debug, Clone, Default)]
pub struct SeqUnwrapper {
    last: Option<u64>,
}

impl SeqUnwrapper {
    /// An unwrapper that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The extended value of `seq`, which becomes the reference for the next call.
    pub fn unwrap(&mut self, seq: u16) -> u64 {
        let v = unwrap(self.last, u64::from(seq), 16);
        self.last = Some(v);
        v
    }

    /// The extended value `seq` would get, without updating the reference.
    pub fn peek(&self, seq: u16) -> u64 {
        unwrap(self.last, u64::from(seq), 16)
    }
}

/// Turns 32-bit RTP timestamps into a monotonic 64-bit timeline.
#[derive(Debug, Clone, Default)]
pub struct TimestampUnwrapper {
    last: Option<u64>,
}

impl TimestampUnwrapper {
    /// An unwrapper that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The extended value of `ts`, which becomes the reference for the next call.
    pub fn unwrap(&mut self, ts: u32) -> u64 {
        let v = unwrap(self.last, u64::from(ts), 32);
        self.last = Some(v);
        v
    }

    /// The extended value `ts` would get, without updating the reference.
    pub fn peek(&self, ts: u32) -> u64 {
        unwrap(self.last, u64::from(ts), 32)
    }
}

/// True if sequence number `a` is newer than `b` in RFC 1982 serial number arithmetic.
pub fn seq_newer(a: u16, b: u16) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000
}
