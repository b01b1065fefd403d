//! VP8 (RFC 7741): the payload descriptor (section 4.2), keyframe detection from the payload
//! header (section 4.3), depacketizer and packetizer.

use super::{Depacketizer, Packetizer, PayloadInfo};
use crate::RtpError;
use crate::wire::Reader;

/// A picture id, 7 or 15 bits on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureId {
    /// M = 0: 7-bit picture id.
    Short(u8),
    /// M = 1: 15-bit picture id.
    Long(u16),
}

/// The VP8 payload descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Vp8Descriptor {
    /// N: the frame can be discarded without affecting others.
    pub non_reference: bool,
    /// S: this packet starts a VP8 partition.
    pub start_of_partition: bool,
    /// PID: the partition index.
    pub partition_index: u8,
    /// I: the picture id.
    pub picture_id: Option<PictureId>,
    /// L: temporal level zero index.
    pub tl0_pic_idx: Option<u8>,
    /// T: temporal layer index.
    pub tid: Option<u8>,
    /// Y: layer sync bit (present with T).
    pub layer_sync: bool,
    /// K: key index.
    pub key_idx: Option<u8>,
}

impl Vp8Descriptor {
    /// Parses the descriptor; returns it with its length.
    pub fn parse(payload: &[u8]) -> Result<(Self, usize), RtpError> {
        let mut r = Reader::new(payload, "VP8 payload descriptor");
        let b0 = r.u8()?;
        let mut d = Self {
            non_reference: b0 & 0x20 != 0,
            start_of_partition: b0 & 0x10 != 0,
            partition_index: b0 & 0x07,
            ..Default::default()
        };
        if b0 & 0x80 != 0 {
            let x = r.u8()?;
            if x & 0x80 != 0 {
                let p = r.u8()?;
                d.picture_id = Some(if p & 0x80 != 0 {
                    PictureId::Long(u16::from(p & 0x7f) << 8 | u16::from(r.u8()?))
                } else {
                    PictureId::Short(p)
                });
            }
            if x & 0x40 != 0 {
                d.tl0_pic_idx = Some(r.u8()?);
            }
            if x & 0x30 != 0 {
                let t = r.u8()?;
                if x & 0x20 != 0 {
                    d.tid = Some(t >> 6);
                    d.layer_sync = t & 0x20 != 0;
                }
                if x & 0x10 != 0 {
                    d.key_idx = Some(t & 0x1f);
                }
            }
        }
        Ok((d, payload.len() - r.remaining()))
    }

    /// Appends the descriptor.
    pub fn write(&self, out: &mut Vec<u8>) {
        let has_t_or_k = self.tid.is_some() || self.key_idx.is_some();
        let x = self.picture_id.is_some() || self.tl0_pic_idx.is_some() || has_t_or_k;
        out.push(
            (u8::from(x) << 7)
                | (u8::from(self.non_reference) << 5)
                | (u8::from(self.start_of_partition) << 4)
                | (self.partition_index & 7),
        );
        if !x {
            return;
        }
        out.push(
            (u8::from(self.picture_id.is_some()) << 7)
                | (u8::from(self.tl0_pic_idx.is_some()) << 6)
                | (u8::from(self.tid.is_some()) << 5)
                | (u8::from(self.key_idx.is_some()) << 4),
        );
        match self.picture_id {
            Some(PictureId::Short(p)) => out.push(p & 0x7f),
            Some(PictureId::Long(p)) => {
                out.extend_from_slice(&(0x8000 | (p & 0x7fff)).to_be_bytes())
            }
            None => {}
        }
        if let Some(t) = self.tl0_pic_idx {
            out.push(t);
        }
        if has_t_or_k {
            out.push(
                (self.tid.unwrap_or(0) << 6)
                    | (u8::from(self.layer_sync) << 5)
                    | (self.key_idx.unwrap_or(0) & 0x1f),
            );
        }
    }
}

/// True if `frame` (a VP8 frame, or the first partition's start) is a key frame: the P bit of
/// the frame tag is 0 and the start code 9d 01 2a follows.
pub fn is_keyframe(frame: &[u8]) -> bool {
    frame.first().is_some_and(|b| b & 1 == 0) && frame.get(3..6) == Some(&[0x9d, 0x01, 0x2a])
}

/// VP8 depacketizer: strips descriptors and concatenates partitions.
#[derive(Debug, Clone, Default)]
pub struct Vp8Depacketizer;

impl Depacketizer for Vp8Depacketizer {
    fn depacketize(
        &mut self,
        payload: &[u8],
        frame: &mut Vec<u8>,
    ) -> Result<PayloadInfo, RtpError> {
        let (d, len) = Vp8Descriptor::parse(payload)?;
        let data = payload.get(len..).unwrap_or_default();
        if data.is_empty() {
            return Err(RtpError::Truncated {
                what: "VP8 payload",
            });
        }
        let start = d.start_of_partition && d.partition_index == 0;
        frame.extend_from_slice(data);
        Ok(PayloadInfo {
            frame_start: Some(start),
            frame_end: None,
            keyframe: start && is_keyframe(data),
        })
    }

    fn reset(&mut self) {}
}

/// VP8 packetizer: a descriptor with a 15-bit picture id (incremented per frame) and S set on
/// the first packet; the frame is cut into MTU-sized pieces, left to right.
#[derive(Debug, Clone, Default)]
pub struct Vp8Packetizer {
    picture_id: u16,
}

impl Vp8Packetizer {
    /// A packetizer whose first picture id is `picture_id` (15 bits).
    pub fn with_picture_id(picture_id: u16) -> Self {
        Self {
            picture_id: picture_id & 0x7fff,
        }
    }
}

impl Packetizer for Vp8Packetizer {
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
        const DESC: usize = 4;
        if mtu <= DESC {
            return Err(RtpError::MtuTooSmall { mtu });
        }
        if frame.is_empty() {
            return Err(RtpError::Invalid {
                what: "empty VP8 frame",
            });
        }
        let pid = self.picture_id;
        self.picture_id = (self.picture_id + 1) & 0x7fff;
        let out = frame
            .chunks(mtu - DESC)
            .enumerate()
            .map(|(i, chunk)| {
                let mut p = Vec::with_capacity(DESC + chunk.len());
                Vp8Descriptor {
                    start_of_partition: i == 0,
                    picture_id: Some(PictureId::Long(pid)),
                    ..Default::default()
                }
                .write(&mut p);
                p.extend_from_slice(chunk);
                p
            })
            .collect();
        Ok(out)
    }
}
