//! Injected randomness: the agent reads no system entropy itself (sans-IO).

/// A source of random bytes for credentials, tie-breakers, transaction IDs and timer jitter.
///
/// Production callers must supply a cryptographically secure generator: STUN transaction IDs
/// and ICE passwords have to be unpredictable (RFC 8489 §6, RFC 8445 §5.3).
pub trait RandomSource {
    /// Fills `buf` with random bytes.
    fn fill_bytes(&mut self, buf: &mut [u8]);

    /// A random `u64`.
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
}

impl<F: FnMut(&mut [u8])> RandomSource for F {
    fn fill_bytes(&mut self, buf: &mut [u8]) {
        self(buf)
    }
}

/// A seeded, deterministic generator (SplitMix64) for simulations and tests.
///
/// It is NOT cryptographically secure: never use it on a real network.
#[derive(Debug, Clone)]
pub struct DeterministicRandom {
    state: u64,
}

impl DeterministicRandom {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> DeterministicRandom {
        DeterministicRandom { state: seed }
    }

    fn step(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl RandomSource for DeterministicRandom {
    fn fill_bytes(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.step().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

const ICE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A random string of `len` ice-chars (RFC 8445 §5.3: ALPHA / DIGIT / "+" / "/"), for
/// `ice-ufrag` (at least 4 chars) and `ice-pwd` (at least 22 chars).
pub fn random_ice_string(rng: &mut dyn RandomSource, len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    // 64 ice-chars: the low 6 bits of a uniform byte pick one without bias.
    bytes
        .iter()
        .map(|b| char::from(ICE_CHARS[usize::from(b & 0x3f)]))
        .collect()
}
