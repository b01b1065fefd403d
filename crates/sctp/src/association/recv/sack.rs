//! SACK generation: gap ack blocks from the TSNs held above the cumulative TSN, duplicates.

use crate::chunk::sack::{GapAckBlock, SackChunk};

use super::*;

impl Receiver {
    /// Builds a SACK advertising `a_rwnd`, with at most `max_blocks` gap blocks; drains the
    /// duplicate list.
    pub fn build_sack(&mut self, a_rwnd: u32, max_blocks: usize) -> SackChunk {
        let mut gap_ack_blocks = Vec::new();
        let mut cur: Option<(u64, u64)> = None;
        for &t in &self.ooo {
            let off = t - self.cum;
            if off > u64::from(u16::MAX) {
                break;
            }
            match &mut cur {
                Some((_, e)) if *e + 1 == off => *e = off,
                _ => {
                    if let Some((s, e)) = cur.take() {
                        gap_ack_blocks.push(GapAckBlock {
                            start: s as u16,
                            end: e as u16,
                        });
                        if gap_ack_blocks.len() == max_blocks {
                            break;
                        }
                    }
                    cur = Some((off, off));
                }
            }
        }
        if let Some((s, e)) = cur
            && gap_ack_blocks.len() < max_blocks
        {
            gap_ack_blocks.push(GapAckBlock {
                start: s as u16,
                end: e as u16,
            });
        }
        SackChunk {
            cumulative_tsn_ack: self.cum as u32,
            a_rwnd,
            gap_ack_blocks,
            duplicate_tsns: std::mem::take(&mut self.dups),
        }
    }
}
