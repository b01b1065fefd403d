//! Per-stream packet index tracking: highest index seen and the replay window (RFC 3711 §3.3.2).

use crate::Error;

/// Largest supported replay window, in packets.
pub const MAX_REPLAY_WINDOW: u16 = 1024;
const WORDS: usize = MAX_REPLAY_WINDOW as usize / 64;

/// A sliding window over packet indices.
///
/// The bitmap is a ring of [`MAX_REPLAY_WINDOW`] bits addressed by `index % 1024`; the configured
/// `size` (64..=1024) bounds how far behind the highest index a packet is still accepted.
#[derive(Debug, Clone)]
pub(crate) struct ReplayWindow {
    highest: Option<u64>,
    bits: [u64; WORDS],
}

impl ReplayWindow {
    /// An empty window: nothing seen yet.
    pub(crate) fn new() -> Self {
        Self {
            highest: None,
            bits: [0; WORDS],
        }
    }

    /// The highest accepted index, if any.
    pub(crate) fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Forgets history and treats `index` as the highest index seen.
    pub(crate) fn reset_to(&mut self, index: u64) {
        self.bits = [0; WORDS];
        self.highest = Some(index);
        self.set(index);
    }

    /// Whether `index` may be accepted: new, or inside the window and not seen.
    pub(crate) fn check(&self, index: u64, size: u16) -> Result<(), Error> {
        let Some(highest) = self.highest else {
            return Ok(());
        };
        if index > highest {
            return Ok(());
        }
        if highest - index >= u64::from(size) {
            return Err(Error::TooOld);
        }
        if self.get(index) {
            Err(Error::Replayed)
        } else {
            Ok(())
        }
    }

    /// Records `index` as accepted (call after [`Self::check`] and authentication succeeded).
    pub(crate) fn accept(&mut self, index: u64) {
        match self.highest {
            None => self.reset_to(index),
            Some(highest) if index > highest => {
                let advance = index - highest;
                if advance >= u64::from(MAX_REPLAY_WINDOW) {
                    self.bits = [0; WORDS];
                } else {
                    for i in highest + 1..index {
                        self.clear(i);
                    }
                }
                self.highest = Some(index);
                self.set(index);
            }
            Some(_) => self.set(index),
        }
    }

    fn slot(index: u64) -> (usize, u64) {
        let bit = (index % u64::from(MAX_REPLAY_WINDOW)) as usize;
        (bit / 64, 1u64 << (bit % 64))
    }

    fn get(&self, index: u64) -> bool {
        let (word, mask) = Self::slot(index);
        self.bits[word] & mask != 0
    }

    fn set(&mut self, index: u64) {
        let (word, mask) = Self::slot(index);
        self.bits[word] |= mask;
    }

    fn clear(&mut self, index: u64) {
        let (word, mask) = Self::slot(index);
        self.bits[word] &= !mask;
    }
}
