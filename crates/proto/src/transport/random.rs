//! Randomness for ICE credentials and the sub-layers' seeds.

use rtcio_ice::{Credentials, RandomSource};

/// The randomness used in production: OpenSSL's CSPRNG (ICE passwords and STUN transaction IDs
/// must be unpredictable).
pub(crate) struct OsRandom;

impl RandomSource for OsRandom {
    fn fill_bytes(&mut self, buf: &mut [u8]) {
        if openssl::rand::rand_bytes(buf).is_err() {
            // OpenSSL's RNG only fails when it cannot seed, which leaves nothing safe to do.
            panic!("OpenSSL random generator failed");
        }
    }
}

/// The ICE characters (RFC 8445 §5.3) used for ufrag and pwd.
const ICE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_ice_string(rng: &mut dyn RandomSource, len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ICE_CHARS[(*b as usize) % ICE_CHARS.len()] as char)
        .collect()
}

/// Fresh ICE credentials: an 8-character ufrag and a 24-character password (RFC 8445 §5.3
/// asks for at least 24 bits and 128 bits of randomness).
pub(crate) fn random_credentials(rng: &mut dyn RandomSource) -> Credentials {
    Credentials::new(random_ice_string(rng, 8), random_ice_string(rng, 24))
}

/// A ChaCha-free fork of the parent's randomness for the ICE agent: 32 seed bytes drawn from
/// the parent CSPRNG, expanded with SHA-256 in counter mode so the agent never blocks on it.
pub(crate) struct SeededFork {
    seed: [u8; 32],
    counter: u64,
    buf: [u8; 32],
    used: usize,
}

impl SeededFork {
    pub(crate) fn new(seed: [u8; 32]) -> Self {
        SeededFork {
            seed,
            counter: 0,
            buf: [0; 32],
            used: 32,
        }
    }
}

impl RandomSource for SeededFork {
    fn fill_bytes(&mut self, out: &mut [u8]) {
        for b in out {
            if self.used == self.buf.len() {
                let mut input = [0u8; 40];
                input[..32].copy_from_slice(&self.seed);
                input[32..].copy_from_slice(&self.counter.to_le_bytes());
                self.buf = openssl::sha::sha256(&input);
                self.counter += 1;
                self.used = 0;
            }
            *b = self.buf[self.used];
            self.used += 1;
        }
    }
}
