//! VP9 (RFC 9628): the payload descriptor in flexible and non-flexible mode, keyframe
//! detection, depacketizer and a non-flexible packetizer.
//!
//! The scalability structure (V bit) is parsed for its length and kept as bytes. Frames of all
//! spatial layers of a picture share a timestamp and are concatenated into one output frame;
//! decoding spatial SVC this way needs a superframe index, which this layer does not add.

use super::{Depacketizer, Packetizer, PayloadInfo};
use crate::RtpError;
use crate::codec::vp8::PictureId;
use crate::wire::Reader;

/// Most reference indices (P_DIFF) a flexible-mode descriptor may carry (RFC 9628: up to 3).
pub const MAX_P_DIFF: usize = 3;

/// Layer indices (L bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerIndices {
    /// TID: temporal layer id.
    pub tid: u8,
    /// U: switching up point.
    pub switching_up: bool,
    /// SID: spatial layer id.
    pub sid: u8,
    /// D: inter-layer dependency used.
    pub inter_layer_dependency: bool,
    /// TL0PICIDX (non-flexible mode only).
    pub tl0_pic_idx: Option<u8>,
}

/// The VP9 payload descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vp9Descriptor {
    /// P: inter-picture predicted (not a keyframe when clear on the base layer).
    pub inter_predicted: bool,
    /// F: flexible mode.
    pub flexible: bool,
    /// B: start of a layer frame.
    pub begin_of_frame: bool,
    /// E: end of a layer frame.
    pub end_of_frame: bool,
    /// Z: not used as reference by upper spatial layers.
    pub not_upper_reference: bool,
    /// I: picture id.
    pub picture_id: Option<PictureId>,
    /// L: layer indices.
    pub layer: Option<LayerIndices>,
    /// P_DIFF reference indices (flexible mode with P set), at most [`MAX_P_DIFF`].
    pub p_diff: Vec<u8>,
    /// The scalability structure bytes (V bit), uninterpreted.
    pub scalability_structure: Option<Vec<u8>>,
}

impl Vp9Descriptor {
    /// Parses the descriptor; returns it with its length.
    pub fn parse(payload: &[u8]) -> Result<(Self, usize), RtpError> {
        let mut r = Reader::new(payload, "VP9 payload descriptor");
        let b0 = r.u8()?;
        let mut d = Self {
            inter_predicted: b0 & 0x40 != 0,
            flexible: b0 & 0x10 != 0,
            begin_of_frame: b0 & 0x08 != 0,
            end_of_frame: b0 & 0x04 != 0,
            not_upper_reference: b0 & 0x01 != 0,
            ..Default::default()
        };
        if b0 & 0x80 != 0 {
            let p = r.u8()?;
            d.picture_id = Some(if p & 0x80 != 0 {
                PictureId::Long(u16::from(p & 0x7f) << 8 | u16::from(r.u8()?))
            } else {
                PictureId::Short(p)
            });
        }
        if b0 & 0x20 != 0 {
            let l = r.u8()?;
            d.layer = Some(LayerIndices {
                tid: l >> 5,
                switching_up: l & 0x10 != 0,
                sid: (l >> 1) & 7,
                inter_layer_dependency: l & 1 != 0,
                tl0_pic_idx: if d.flexible { None } else { Some(r.u8()?) },
            });
        }
        if d.flexible && d.inter_predicted {
            loop {
                let p = r.u8()?;
                if d.p_diff.len() == MAX_P_DIFF {
                    return Err(RtpError::TooMany {
                        what: "VP9 P_DIFF",
                        limit: MAX_P_DIFF,
                    });
                }
                d.p_diff.push(p >> 1);
                if p & 1 == 0 {
                    break;
                }
            }
        }
        if b0 & 0x02 != 0 {
            let start = payload.len() - r.remaining();
            let ss = r.u8()?;
            let n_s = usize::from(ss >> 5) + 1;
            if ss & 0x10 != 0 {
                r.take(4 * n_s)?;
            }
            if ss & 0x08 != 0 {
                let n_g = r.u8()?;
                for _ in 0..n_g {
                    let g = r.u8()?;
                    r.take(usize::from((g >> 2) & 3))?;
                }
            }
            let end = payload.len() - r.remaining();
            d.scalability_structure = Some(payload[start..end].to_vec());
        }
        Ok((d, payload.len() - r.remaining()))
    }

    /// Appends the descriptor.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), RtpError> {
        out.push(
            (u8::from(self.picture_id.is_some()) << 7)
                | (u8::from(self.inter_predicted) << 6)
                | (u8::from(self.layer.is_some()) << 5)
                | (u8::from(self.flexible) << 4)
                | (u8::from(self.begin_of_frame) << 3)
                | (u8::from(self.end_of_frame) << 2)
                | (u8::from(self.scalability_structure.is_some()) << 1)
                | u8::from(self.not_upper_reference),
        );
        match self.picture_id {
            Some(PictureId::Short(p)) => out.push(p & 0x7f),
            Some(PictureId::Long(p)) => {
                out.extend_from_slice(&(0x8000 | (p & 0x7fff)).to_be_bytes())
            }
            None => {}
        }
        if let Some(l) = &self.layer {
            out.push(
                ((l.tid & 7) << 5)
                    | (u8::from(l.switching_up) << 4)
                    | ((l.sid & 7) << 1)
                    | u8::from(l.inter_layer_dependency),
            );
            if !self.flexible {
                out.push(l.tl0_pic_idx.unwrap_or(0));
            }
        }
        if self.flexible && self.inter_predicted {
            if self.p_diff.is_empty() || self.p_diff.len() > MAX_P_DIFF {
                return Err(RtpError::Unencodable {
                    what: "VP9 P_DIFF list",
                });
            }
            for (i, p) in self.p_diff.iter().enumerate() {
                let more = u8::from(i + 1 < self.p_diff.len());
                out.push((p << 1) | more);
            }
        }
        if let Some(ss) = &self.scalability_structure {
            out.extend_from_slice(ss);
        }
        Ok(())
    }

    /// True if the packet starts a keyframe: B set, P clear, on spatial layer 0.
    pub fn starts_keyframe(&self) -> bool {
        self.begin_of_frame && !self.inter_predicted && self.layer.is_none_or(|l| l.sid == 0)
    }
}

/// True if `frame` is a VP9 key frame, read from its uncompressed header (frame_marker,
/// profile, show_existing_frame, frame_type).
pub fn is_keyframe(frame: &[u8]) -> bool {
    let Some(&b) = frame.first() else {
        return false;
    };
    if b >> 6 != 2 {
        return false; // frame_marker
    }
    let profile = ((b >> 5) & 1) | (((b >> 4) & 1) << 1);
    // Bits consumed so far: 2 (marker) + 2 (profile) [+1 reserved_zero for profile 3].
    let mut bit = 4 + usize::from(profile == 3);
    let get = |bit: usize| (b >> (7 - bit)) & 1;
    if get(bit) == 1 {
        return false; // show_existing_frame
    }
    bit += 1;
    get(bit) == 0 // frame_type 0 = KEY_FRAME
}

/// VP9 depacketizer: strips descriptors and concatenates.
#[derive(Debug, Clone, Default)]
pub struct Vp9Depacketizer;

impl Depacketizer for Vp9Depacketizer {
    fn depacketize(
        &mut self,
        payload: &[u8],
        frame: &mut Vec<u8>,
    ) -> Result<PayloadInfo, RtpError> {
        let (d, len) = Vp9Descriptor::parse(payload)?;
        let data = payload.get(len..).unwrap_or_default();
        if data.is_empty() {
            return Err(RtpError::Truncated {
                what: "VP9 payload",
            });
        }
        frame.extend_from_slice(data);
        let base_start = d.begin_of_frame && d.layer.is_none_or(|l| l.sid == 0);
        Ok(PayloadInfo {
            frame_start: if d.begin_of_frame {
                Some(base_start)
            } else {
                Some(false)
            },
            frame_end: None,
            keyframe: d.starts_keyframe(),
        })
    }

    fn reset(&mut self) {}
}

/// VP9 packetizer, non-flexible mode without layers: a 15-bit picture id (incremented per
/// frame), B on the first packet, E on the last, P unless the frame header says key frame.
#[derive(Debug, Clone, Default)]
pub struct Vp9Packetizer {
    picture_id: u16,
}

impl Vp9Packetizer {
    /// A packetizer whose first picture id is `picture_id` (15 bits).
    pub fn with_picture_id(picture_id: u16) -> Self {
        Self {
            picture_id: picture_id & 0x7fff,
        }
    }
}

impl Packetizer for Vp9Packetizer {
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
        const DESC: usize = 3;
        if mtu <= DESC {
            return Err(RtpError::MtuTooSmall { mtu });
        }
        if frame.is_empty() {
            return Err(RtpError::Invalid {
                what: "empty VP9 frame",
            });
        }
        let key = is_keyframe(frame);
        let pid = self.picture_id;
        self.picture_id = (self.picture_id + 1) & 0x7fff;
        let chunks: Vec<&[u8]> = frame.chunks(mtu - DESC).collect();
        let n = chunks.len();
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                let mut p = Vec::with_capacity(DESC + chunk.len());
                Vp9Descriptor {
                    inter_predicted: !key,
                    begin_of_frame: i == 0,
                    end_of_frame: i + 1 == n,
                    picture_id: Some(PictureId::Long(pid)),
                    ..Default::default()
                }
                .write(&mut p)?;
                p.extend_from_slice(chunk);
                Ok(p)
            })
            .collect()
    }
}
