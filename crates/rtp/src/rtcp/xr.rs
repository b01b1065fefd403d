//! Extended reports (RFC 3611): the RRTR and DLRR blocks used for receiver-side RTT; other
//! block types are kept opaque.

use super::{NtpTime, PT_XR, begin, finish};
use crate::RtpError;
use crate::wire::Reader;

/// Most report blocks kept from one XR packet; more is an error.
pub const MAX_XR_BLOCKS: usize = 16;
/// Most DLRR sub-blocks kept from one DLRR block; more is an error.
pub const MAX_XR_DLRR_ITEMS: usize = 64;

/// One DLRR sub-block (RFC 3611 section 4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DlrrItem {
    /// The receiver this sub-block answers.
    pub ssrc: u32,
    /// LRR: middle 32 bits of that receiver's last RRTR NTP time.
    pub last_rr: u32,
    /// DLRR: delay since that RRTR, in 1/65536 s.
    pub delay_since_last_rr: u32,
}

impl DlrrItem {
    /// The round-trip time to the sender of the DLRR, given when it arrived (RFC 3611 section
    /// 4.5). `None` if no RRTR was echoed yet.
    pub fn round_trip_time(&self, arrival: NtpTime) -> Option<std::time::Duration> {
        super::sr::round_trip_time(self.last_rr, self.delay_since_last_rr, arrival)
    }
}

/// One XR report block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XrBlock {
    /// Receiver reference time (BT 4, section 4.4).
    Rrtr {
        /// The receiver's wallclock time.
        ntp_time: NtpTime,
    },
    /// Delay since last receiver report (BT 5, section 4.5), at most [`MAX_XR_DLRR_ITEMS`].
    Dlrr(Vec<DlrrItem>),
    /// Any other block type, kept as bytes.
    Unknown {
        /// The block type.
        block_type: u8,
        /// The type-specific byte.
        type_specific: u8,
        /// The block contents, zero-padded to a multiple of 4 bytes when written.
        data: Vec<u8>,
    },
}

/// An XR packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtendedReport {
    /// The sender of the report.
    pub ssrc: u32,
    /// The blocks, at most [`MAX_XR_BLOCKS`].
    pub blocks: Vec<XrBlock>,
}

impl ExtendedReport {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, RtpError> {
        let mut r = Reader::new(body, "RTCP XR");
        let ssrc = r.u32()?;
        let mut blocks = Vec::new();
        while r.remaining() > 0 {
            if blocks.len() == MAX_XR_BLOCKS {
                return Err(RtpError::TooMany {
                    what: "XR blocks",
                    limit: MAX_XR_BLOCKS,
                });
            }
            let block_type = r.u8()?;
            let type_specific = r.u8()?;
            let words = usize::from(r.u16()?);
            let data = r
                .take(words * 4)
                .map_err(|_| RtpError::BadLength { what: "XR block" })?;
            let mut d = Reader::new(data, "XR block");
            blocks.push(match block_type {
                4 => {
                    if data.len() != 8 {
                        return Err(RtpError::BadLength {
                            what: "XR RRTR block",
                        });
                    }
                    XrBlock::Rrtr {
                        ntp_time: NtpTime(d.u64()?),
                    }
                }
                5 => {
                    if data.len() % 12 != 0 {
                        return Err(RtpError::BadLength {
                            what: "XR DLRR block",
                        });
                    }
                    if data.len() / 12 > MAX_XR_DLRR_ITEMS {
                        return Err(RtpError::TooMany {
                            what: "XR DLRR sub-blocks",
                            limit: MAX_XR_DLRR_ITEMS,
                        });
                    }
                    let mut items = Vec::with_capacity(data.len() / 12);
                    while d.remaining() > 0 {
                        items.push(DlrrItem {
                            ssrc: d.u32()?,
                            last_rr: d.u32()?,
                            delay_since_last_rr: d.u32()?,
                        });
                    }
                    XrBlock::Dlrr(items)
                }
                _ => XrBlock::Unknown {
                    block_type,
                    type_specific,
                    data: data.to_vec(),
                },
            });
        }
        Ok(Self { ssrc, blocks })
    }

    /// Appends the packet to `out`.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        let start = begin(out, 0, PT_XR);
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        for b in &self.blocks {
            match b {
                XrBlock::Rrtr { ntp_time } => {
                    out.extend_from_slice(&[4, 0, 0, 2]);
                    out.extend_from_slice(&ntp_time.0.to_be_bytes());
                }
                XrBlock::Dlrr(items) => {
                    let words =
                        u16::try_from(items.len() * 3).map_err(|_| RtpError::Unencodable {
                            what: "XR DLRR length",
                        })?;
                    out.extend_from_slice(&[5, 0]);
                    out.extend_from_slice(&words.to_be_bytes());
                    for i in items {
                        out.extend_from_slice(&i.ssrc.to_be_bytes());
                        out.extend_from_slice(&i.last_rr.to_be_bytes());
                        out.extend_from_slice(&i.delay_since_last_rr.to_be_bytes());
                    }
                }
                XrBlock::Unknown {
                    block_type,
                    type_specific,
                    data,
                } => {
                    let words = u16::try_from(data.len().div_ceil(4)).map_err(|_| {
                        RtpError::Unencodable {
                            what: "XR block length",
                        }
                    })?;
                    out.extend_from_slice(&[*block_type, *type_specific]);
                    out.extend_from_slice(&words.to_be_bytes());
                    out.extend_from_slice(data);
                    out.resize(out.len() + (4 - data.len() % 4) % 4, 0);
                }
            }
        }
        finish(out, start)
    }
}
