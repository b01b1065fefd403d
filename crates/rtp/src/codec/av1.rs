//! AV1 (AOM "RTP Payload Format for AV1" v1.0): the aggregation header (Z, Y, W, N), OBU
//! elements with LEB128 lengths, fragmentation across packets.
//!
//! The depacketizer emits a temporal unit in the low-overhead bitstream format: a temporal
//! delimiter OBU, then every received OBU with `obu_has_size_field` = 1 (temporal delimiters
//! and tile list OBUs received in packets are dropped, as the payload format asks senders to).
//! The packetizer takes the same format (size fields optional on the last OBU) and sends OBU
//! elements without size fields, each element length-prefixed (W = 0).

use super::{Depacketizer, Packetizer, PayloadInfo};
use crate::RtpError;

/// OBU type of a sequence header.
pub const OBU_SEQUENCE_HEADER: u8 = 1;
/// OBU type of a temporal delimiter.
pub const OBU_TEMPORAL_DELIMITER: u8 = 2;
/// OBU type of a tile list.
pub const OBU_TILE_LIST: u8 = 8;
/// Largest OBU reassembled from fragments; larger is an error.
pub const MAX_OBU_BYTES: usize = 4 << 20;

/// Reads an unsigned LEB128 value of at most 8 bytes (AV1 section 4.10.5), below 2^32.
pub fn read_leb128(r: &mut &[u8]) -> Result<u32, RtpError> {
    let mut value: u64 = 0;
    for i in 0..8 {
        let Some((&b, rest)) = r.split_first() else {
            return Err(RtpError::Truncated { what: "leb128" });
        };
        *r = rest;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(value).map_err(|_| RtpError::Invalid { what: "leb128" });
        }
    }
    Err(RtpError::Invalid { what: "leb128" })
}

/// Appends `v` as unsigned LEB128.
pub fn write_leb128(mut v: u32, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// Length of `v` as LEB128.
pub fn leb128_len(v: usize) -> usize {
    let mut n = 1;
    let mut v = v >> 7;
    while v > 0 {
        n += 1;
        v >>= 7;
    }
    n
}

/// An OBU split into its header bytes (1 or 2, size flag cleared) and payload.
struct Obu<'a> {
    header: &'a [u8],
    obu_type: u8,
    payload: &'a [u8],
}

/// Parses one OBU from `data`: the whole of `data` if it has no size field.
/// Returns the OBU and the bytes that follow it.
fn parse_obu(data: &[u8]) -> Result<(Obu<'_>, &[u8]), RtpError> {
    let Some(&h) = data.first() else {
        return Err(RtpError::Truncated { what: "OBU header" });
    };
    if h & 0x80 != 0 {
        return Err(RtpError::Invalid {
            what: "OBU forbidden bit",
        });
    }
    let header_len = if h & 0x04 != 0 { 2 } else { 1 };
    let header = data
        .get(..header_len)
        .ok_or(RtpError::Truncated { what: "OBU header" })?;
    let mut rest = &data[header_len..];
    let payload;
    if h & 0x02 != 0 {
        let size = read_leb128(&mut rest)? as usize;
        payload = rest
            .get(..size)
            .ok_or(RtpError::BadLength { what: "OBU size" })?;
        rest = &rest[size..];
    } else {
        payload = rest;
        rest = &[];
    }
    Ok((
        Obu {
            header,
            obu_type: (h >> 3) & 0x0f,
            payload,
        },
        rest,
    ))
}

/// Appends an OBU with `obu_has_size_field` set.
fn write_obu_with_size(obu: &Obu<'_>, out: &mut Vec<u8>) -> Result<(), RtpError> {
    let size =
        u32::try_from(obu.payload.len()).map_err(|_| RtpError::Unencodable { what: "OBU size" })?;
    out.push(obu.header[0] | 0x02);
    out.extend_from_slice(&obu.header[1..]);
    write_leb128(size, out);
    out.extend_from_slice(obu.payload);
    Ok(())
}

/// AV1 depacketizer.
#[derive(Debug, Clone, Default)]
pub struct Av1Depacketizer {
    /// The OBU being reassembled across packets (Y then Z).
    pending: Option<Vec<u8>>,
    /// A temporal delimiter has been written for the current frame.
    started: bool,
}

impl Av1Depacketizer {
    fn emit(&mut self, element: &[u8], frame: &mut Vec<u8>) -> Result<(), RtpError> {
        if element.is_empty() {
            return Ok(());
        }
        let (obu, _) = parse_obu(element)?;
        if matches!(obu.obu_type, OBU_TEMPORAL_DELIMITER | OBU_TILE_LIST) {
            return Ok(());
        }
        if !self.started {
            frame.extend_from_slice(&[0x12, 0x00]);
            self.started = true;
        }
        write_obu_with_size(&obu, frame)
    }
}

impl Depacketizer for Av1Depacketizer {
    fn depacketize(
        &mut self,
        payload: &[u8],
        frame: &mut Vec<u8>,
    ) -> Result<PayloadInfo, RtpError> {
        let mut r = payload;
        let Some((&agg, rest)) = r.split_first() else {
            return Err(RtpError::Truncated {
                what: "AV1 aggregation header",
            });
        };
        r = rest;
        let z = agg & 0x80 != 0;
        let y = agg & 0x40 != 0;
        let w = (agg >> 4) & 3;
        let n = agg & 0x08 != 0;
        let info = PayloadInfo {
            frame_start: if z { Some(false) } else { None },
            frame_end: None,
            keyframe: n,
        };
        if !z && self.pending.take().is_some() {
            return Err(RtpError::Invalid {
                what: "AV1 fragment not continued",
            });
        }
        let mut index = 0usize;
        while !r.is_empty() {
            index += 1;
            let last_by_count = w != 0 && index == usize::from(w);
            let element = if last_by_count {
                std::mem::take(&mut r)
            } else {
                let len = read_leb128(&mut r)? as usize;
                let e = r.get(..len).ok_or(RtpError::BadLength {
                    what: "AV1 OBU element",
                })?;
                r = &r[len..];
                e
            };
            let is_last = r.is_empty();
            let mut whole: Option<Vec<u8>> = None;
            if index == 1 && z {
                let Some(mut p) = self.pending.take() else {
                    return Err(RtpError::Invalid {
                        what: "AV1 continuation without start",
                    });
                };
                if p.len() + element.len() > MAX_OBU_BYTES {
                    return Err(RtpError::TooMany {
                        what: "OBU bytes",
                        limit: MAX_OBU_BYTES,
                    });
                }
                p.extend_from_slice(element);
                whole = Some(p);
            }
            if is_last && y {
                self.pending = Some(whole.unwrap_or_else(|| element.to_vec()));
            } else {
                match whole {
                    Some(p) => self.emit(&p, frame)?,
                    None => self.emit(element, frame)?,
                }
            }
            if last_by_count {
                break;
            }
        }
        Ok(info)
    }

    fn reset(&mut self) {
        self.pending = None;
        self.started = false;
    }
}

/// AV1 packetizer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Av1Packetizer;

impl Packetizer for Av1Packetizer {
    fn packetize(&mut self, frame: &[u8], mtu: usize) -> Result<Vec<Vec<u8>>, RtpError> {
        if mtu < 3 {
            return Err(RtpError::MtuTooSmall { mtu });
        }
        // OBU elements: header with the size flag cleared, then the payload.
        let mut elements: Vec<Vec<u8>> = Vec::new();
        let mut new_sequence = false;
        let mut rest = frame;
        while !rest.is_empty() {
            let (obu, next) = parse_obu(rest)?;
            rest = next;
            if matches!(obu.obu_type, OBU_TEMPORAL_DELIMITER | OBU_TILE_LIST) {
                continue;
            }
            new_sequence |= obu.obu_type == OBU_SEQUENCE_HEADER;
            let mut e = Vec::with_capacity(obu.header.len() + obu.payload.len());
            e.push(obu.header[0] & !0x02);
            e.extend_from_slice(&obu.header[1..]);
            e.extend_from_slice(obu.payload);
            elements.push(e);
        }
        if elements.is_empty() {
            return Err(RtpError::Invalid {
                what: "AV1 temporal unit without OBUs",
            });
        }
        let mut out = Vec::new();
        let mut packet = vec![0u8];
        // Whether the open packet's first element continues the previous packet's last (Z).
        let mut packet_z = false;
        for e in &elements {
            let mut data: &[u8] = e;
            loop {
                let room = mtu - packet.len();
                if leb128_len(data.len()) + data.len() <= room {
                    write_leb128(data.len() as u32, &mut packet);
                    packet.extend_from_slice(data);
                    break;
                }
                // Fragment: the largest piece that fits with its length prefix.
                let mut piece = room.saturating_sub(leb128_len(room));
                while piece > 0 && leb128_len(piece) + piece > room {
                    piece -= 1;
                }
                if piece > 0 {
                    write_leb128(piece as u32, &mut packet);
                    packet.extend_from_slice(&data[..piece]);
                    data = &data[piece..];
                }
                // Close this packet; the next one continues the OBU (Z), this one has Y if a
                // fragment was written.
                let y = piece > 0;
                packet[0] = (u8::from(packet_z) << 7) | (u8::from(y) << 6);
                out.push(std::mem::replace(&mut packet, vec![0u8]));
                packet_z = y;
            }
        }
        if packet.len() > 1 {
            packet[0] = u8::from(packet_z) << 7;
            out.push(packet);
        }
        if new_sequence && let Some(first) = out.first_mut() {
            first[0] |= 0x08;
        }
        Ok(out)
    }
}
