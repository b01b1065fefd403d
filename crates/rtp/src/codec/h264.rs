//! H.264 (RFC 6184), packetization-mode 1: single NAL unit packets, STAP-A aggregation and FU-A
//! fragmentation. STAP-B, MTAP and FU-B (interleaved mode) are rejected.
//!
//! The depacketizer emits each NAL unit either with an Annex-B start code (`00 00 00 01`) or
//! with a 4-byte big-endian length prefix (AVC/"avcC" sample format), see [`H264Format`]. A frame
//! is a keyframe if it holds an IDR slice, an SPS or a PPS.

use super::{Depacketizer, Packetizer, PayloadInfo};
use crate::RtpError;
use crate::wire::Reader;

/// NAL unit type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// NAL unit type of a sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// NAL unit type of a picture parameter set.
pub const NAL_PPS: u8 = 8;
/// Payload structure type of STAP-A.
pub const STAP_A: u8 = 24;
/// Payload structure type of FU-A.
pub const FU_A: u8 = 28;
/// Largest NAL unit reassembled from FU-A fragments; larger is an error.
pub const MAX_NAL_BYTES: usize = 4 << 20;

/// How the depacketizer delimits NAL units in its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum H264Format {
    /// Each NAL unit preceded by the start code `00 00 00 01` (ITU-T H.264 Annex B).
    #[default]
    AnnexB,
    /// Each NAL unit preceded by its length as a 4-byte big-endian integer (ISO/IEC 14496-15).
    Avc,
}

/// H.264 depacketizer.
#[derive(Debug, Clone, Default)]
pub struct H264Depacketizer {
    format: H264Format,
    /// The NAL unit being reassembled from FU-A fragments.
    fu: Option<Vec<u8>>,
}

impl H264Depacketizer {
    /// A depacketizer emitting `format`.
    pub fn new(format: H264Format) -> Self {
        Self { format, fu: None }
    }

    fn emit(
        &self,
        nal: &[u8],
        frame: &mut Vec<u8>,
        info: &mut PayloadInfo,
    ) -> Result<(), RtpError> {
        let Some(&h) = nal.first() else {
            return Err(RtpError::Invalid {
                what: "empty NAL unit",
            });
        };
        if matches!(h & 0x1f, NAL_IDR | NAL_SPS | NAL_PPS) {
            info.keyframe = true;
        }
        match self.format {
            H264Format::AnnexB => frame.extend_from_slice(&[0, 0, 0, 1]),
            H264Format::Avc => {
                let len = u32::try_from(nal.len()).map_err(|_| RtpError::Unencodable {
                    what: "NAL unit length",
                })?;
                frame.extend_from_slice(&len.to_be_bytes());
            }
        }
        frame.extend_from_slice(nal);
        Ok(())
    }
}

impl Depacketizer for H264Depacketizer {
    fn depacketize(
        &mut self,
        payload: &[u8],
        frame: &mut Vec<u8>,
    ) -> Result<PayloadInfo, RtpError> {
        let mut info = PayloadInfo::default();
        let Some(&header) = payload.first() else {
            return Err(RtpError::Truncated {
                what: "H.264 payload",
            });
        };
        match header & 0x1f {
            1..=23 => {
                self.fu = None;
                self.emit(payload, frame, &mut info)?;
            }
            STAP_A => {
                self.fu = None;
                let mut r = Reader::new(&payload[1..], "STAP-A");
                while r.remaining() > 0 {
                    let len = usize::from(r.u16()?);
                    let nal = r.take(len)?;
                    self.emit(nal, frame, &mut info)?;
                }
            }
            FU_A => {
                let mut r = Reader::new(&payload[1..], "FU-A");
                let fu_header = r.u8()?;
                let data = r.rest();
                let start = fu_header & 0x80 != 0;
                let end = fu_header & 0x40 != 0;
                if start {
                    let mut nal = Vec::with_capacity(1 + data.len());
                    nal.push((header & 0xe0) | (fu_header & 0x1f));
                    self.fu = Some(nal);
                    info.frame_start = None;
                }
                let Some(nal) = &mut self.fu else {
                    return Err(RtpError::Invalid {
                        what: "FU-A continuation without start",
                    });
                };
                if nal.len() + data.len() > MAX_NAL_BYTES {
                    self.fu = None;
                    return Err(RtpError::TooMany {
                        what: "NAL unit bytes",
                        limit: MAX_NAL_BYTES,
                    });
                }
                nal.extend_from_slice(data);
                if end {
                    let nal = self.fu.take().unwrap_or_default();
                    self.emit(&nal, frame, &mut info)?;
                }
            }
            _ => {
                return Err(RtpError::Invalid {
                    what: "H.264 payload structure type",
                });
            }
        }
        Ok(info)
    }

    fn reset(&mut self) {
        self.fu = None;
    }
}

/// Splits an Annex-B byte stream into NAL units (start codes of 3 or 4 bytes; empty units are
/// skipped). Bytes before the first start code are taken as a NAL unit too.
pub fn split_annex_b(stream: &[u8]) -> Vec<&[u8]> {
    let mut nals = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            push_nal(&mut nals, &stream[start..i]);
            i += 3;
            start = i;
        } else {
            i += 1;
        }
    }
    push_nal(&mut nals, &stream[start..]);
    nals
}

/// Pushes a NAL unit with trailing zero bytes (the first byte of a 4-byte start code, or
/// trailing_zero_8bits) removed.
fn push_nal<'a>(nals: &mut Vec<&'a [u8]>, mut nal: &'a [u8]) {
    while let [rest @ .., 0] = nal {
        nal = rest;
    }
    if !nal.is_empty() {
        nals.push(nal);
    }
}

/// H.264 packetizer (packetization-mode 1) taking Annex-B frames: NAL units that fit the MTU go
/// alone or aggregated with their small neighbours in a STAP-A, larger ones are split into FU-A
/// fragments.
#[derive(Debug, Clone, Default)]
pub struct H264Packetizer {
    /// Do not aggregate into STAP-A (send every small NAL unit alone).
    pub disable_stap_a: bool,
}

impl Packetizer for H264Packetizer {
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
        if mtu < 3 {
            return Err(RtpError::MtuTooSmall { mtu });
        }
        let nals = split_annex_b(frame);
        if nals.is_empty() {
            return Err(RtpError::Invalid {
                what: "H.264 frame without NAL units",
            });
        }
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut i = 0;
        while i < nals.len() {
            let nal = nals[i];
            if nal.len() > mtu {
                // FU-A: indicator (F, NRI, type 28), header (S, E, R, type), fragment.
                let indicator = (nal[0] & 0xe0) | FU_A;
                let body = &nal[1..];
                let chunks: Vec<&[u8]> = body.chunks(mtu - 2).collect();
                for (k, c) in chunks.iter().enumerate() {
                    let s = if k == 0 { 0x80 } else { 0 };
                    let e = if k + 1 == chunks.len() { 0x40 } else { 0 };
                    let mut p = Vec::with_capacity(2 + c.len());
                    p.push(indicator);
                    p.push(s | e | (nal[0] & 0x1f));
                    p.extend_from_slice(c);
                    out.push(p);
                }
                i += 1;
                continue;
            }
            // Aggregate following NAL units while the STAP-A fits.
            let mut j = i;
            let mut size = 1;
            while !self.disable_stap_a
                && j < nals.len()
                && nals[j].len() <= usize::from(u16::MAX)
                && size + 2 + nals[j].len() <= mtu
            {
                size += 2 + nals[j].len();
                j += 1;
            }
            if j - i >= 2 {
                let group = &nals[i..j];
                let f = group.iter().fold(0, |f, n| f | (n[0] & 0x80));
                let nri = group.iter().map(|n| n[0] & 0x60).max().unwrap_or(0);
                let mut p = Vec::with_capacity(size);
                p.push(f | nri | STAP_A);
                for n in group {
                    p.extend_from_slice(&(n.len() as u16).to_be_bytes());
                    p.extend_from_slice(n);
                }
                out.push(p);
                i = j;
            } else {
                out.push(nal.to_vec());
                i += 1;
            }
        }
        Ok(out)
    }
}
