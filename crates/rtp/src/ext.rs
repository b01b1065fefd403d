//! RTP header extensions (RFC 8285) and typed values for the extensions WebRTC negotiates.
//!
//! On the wire an element carries only a local id; the SDP `a=extmap` lines bind ids to URIs.
//! [`ExtensionMap`] holds that binding and reads/writes [`ExtensionValues`] from/to a header.
//! Parsing keeps at most [`MAX_EXTENSIONS`] elements per packet.

use crate::RtpError;
use crate::packet::RtpHeader;
use crate::wire::{Reader, put_u24, sign_extend_24};

/// Most extension elements kept from one packet; more is an error.
pub const MAX_EXTENSIONS: usize = 32;

/// The profile value of the RFC 8285 one-byte header form.
pub const ONE_BYTE_PROFILE: u16 = 0xBEDE;

/// One header extension element: a local id and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The local identifier (1..=14 in the one-byte form, 1..=255 in the two-byte form).
    pub id: u8,
    /// The value bytes.
    pub data: Vec<u8>,
}

/// The RFC 8285 form of an extension block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExtensionProfile {
    /// Profile 0xBEDE: 4-bit id, 4-bit length-minus-one.
    #[default]
    OneByte,
    /// Profile 0x100X: 8-bit id, 8-bit length.
    TwoByte {
        /// The 4 application bits in the profile's low nibble.
        appbits: u8,
    },
}

/// A header extension block whose profile is not an RFC 8285 one, kept as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaqueExtension {
    /// The 16-bit "defined by profile" field.
    pub profile: u16,
    /// The extension data; its length must be a multiple of 4.
    pub data: Vec<u8>,
}

/// Parses the extension block with `profile` and body `data` into `h`.
pub(crate) fn read_extension_block(
    profile: u16,
    data: &[u8],
    h: &mut RtpHeader,
) -> Result<(), RtpError> {
    let two_byte = profile & 0xfff0 == 0x1000;
    if profile != ONE_BYTE_PROFILE && !two_byte {
        h.opaque_extension = Some(OpaqueExtension {
            profile,
            data: data.to_vec(),
        });
        return Ok(());
    }
    let mut r = Reader::new(data, "RTP header extension element");
    while r.remaining() > 0 {
        let b = r.u8()?;
        if b == 0 {
            continue; // padding
        }
        let (id, len) = if two_byte {
            (b, usize::from(r.u8()?))
        } else {
            let id = b >> 4;
            if id == 15 {
                break; // reserved: stop processing
            }
            (id, usize::from(b & 0x0f) + 1)
        };
        let value = r.take(len)?;
        if h.extensions.len() == MAX_EXTENSIONS {
            return Err(RtpError::TooMany {
                what: "header extensions",
                limit: MAX_EXTENSIONS,
            });
        }
        h.extensions.push(Extension {
            id,
            data: value.to_vec(),
        });
    }
    // An empty block is not written back (the X bit is only set when there are elements), so
    // the profile of an empty block is not kept either.
    if h.extensions.is_empty() {
        return Ok(());
    }
    h.extension_profile = if two_byte {
        ExtensionProfile::TwoByte {
            appbits: (profile & 0x0f) as u8,
        }
    } else {
        ExtensionProfile::OneByte
    };
    Ok(())
}

/// Whether every element fits the one-byte form.
fn fits_one_byte(h: &RtpHeader) -> bool {
    h.extensions
        .iter()
        .all(|e| (1..=14).contains(&e.id) && (1..=16).contains(&e.data.len()))
}

/// The form the writer will use.
fn effective_profile(h: &RtpHeader) -> ExtensionProfile {
    match h.extension_profile {
        ExtensionProfile::OneByte if !fits_one_byte(h) => ExtensionProfile::TwoByte { appbits: 0 },
        p => p,
    }
}

/// Length of the extension block (header included), 0 if there is none.
pub(crate) fn block_len(h: &RtpHeader) -> usize {
    if let Some(o) = &h.opaque_extension {
        return 4 + o.data.len().next_multiple_of(4);
    }
    if h.extensions.is_empty() {
        return 0;
    }
    let per = match effective_profile(h) {
        ExtensionProfile::OneByte => 1,
        ExtensionProfile::TwoByte { .. } => 2,
    };
    4 + h
        .extensions
        .iter()
        .map(|e| per + e.data.len())
        .sum::<usize>()
        .next_multiple_of(4)
}

/// Appends the extension block of `h`.
pub(crate) fn write_extension_block(h: &RtpHeader, out: &mut Vec<u8>) -> Result<(), RtpError> {
    if let Some(o) = &h.opaque_extension {
        if !h.extensions.is_empty() {
            return Err(RtpError::Unencodable {
                what: "two header extension blocks",
            });
        }
        if o.data.len() % 4 != 0 || o.data.len() / 4 > usize::from(u16::MAX) {
            return Err(RtpError::Unencodable {
                what: "opaque header extension length",
            });
        }
        out.extend_from_slice(&o.profile.to_be_bytes());
        out.extend_from_slice(&((o.data.len() / 4) as u16).to_be_bytes());
        out.extend_from_slice(&o.data);
        return Ok(());
    }
    let profile = effective_profile(h);
    let start = out.len();
    let p = match profile {
        ExtensionProfile::OneByte => ONE_BYTE_PROFILE,
        ExtensionProfile::TwoByte { appbits } => 0x1000 | u16::from(appbits & 0x0f),
    };
    out.extend_from_slice(&p.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    for e in &h.extensions {
        match profile {
            ExtensionProfile::OneByte => {
                out.push(e.id << 4 | (e.data.len() - 1) as u8);
            }
            ExtensionProfile::TwoByte { .. } => {
                if e.id == 0 || e.data.len() > 255 {
                    return Err(RtpError::Unencodable {
                        what: "header extension element",
                    });
                }
                out.push(e.id);
                out.push(e.data.len() as u8);
            }
        }
        out.extend_from_slice(&e.data);
    }
    while !(out.len() - start).is_multiple_of(4) {
        out.push(0);
    }
    let words = (out.len() - start - 4) / 4;
    let words = u16::try_from(words).map_err(|_| RtpError::Unencodable {
        what: "header extension length",
    })?;
    out[start + 2..start + 4].copy_from_slice(&words.to_be_bytes());
    Ok(())
}

/// The header extensions this crate knows by URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtensionKind {
    /// RFC 8843 `urn:ietf:params:rtp-hdrext:sdes:mid`.
    Mid,
    /// RFC 8852 `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id`.
    Rid,
    /// RFC 8852 `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id`.
    RepairedRid,
    /// RFC 6464 `urn:ietf:params:rtp-hdrext:ssrc-audio-level`.
    AudioLevel,
    /// WebRTC's abs-send-time extension.
    AbsSendTime,
    /// The transport-wide congestion control sequence number
    /// (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    TransportCc,
    /// RFC 5450 `urn:ietf:params:rtp-hdrext:toffset`.
    TransmissionOffset,
    /// 3GPP TS 26.114 coordination of video orientation, `urn:3gpp:video-orientation`.
    VideoOrientation,
    /// WebRTC's playout-delay extension.
    PlayoutDelay,
}

impl ExtensionKind {
    /// Every known kind.
    pub const ALL: [ExtensionKind; 9] = [
        Self::Mid,
        Self::Rid,
        Self::RepairedRid,
        Self::AudioLevel,
        Self::AbsSendTime,
        Self::TransportCc,
        Self::TransmissionOffset,
        Self::VideoOrientation,
        Self::PlayoutDelay,
    ];

    /// The URI used in SDP `a=extmap`.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Mid => "urn:ietf:params:rtp-hdrext:sdes:mid",
            Self::Rid => "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
            Self::RepairedRid => "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
            Self::AudioLevel => "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            Self::AbsSendTime => "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            Self::TransportCc => {
                "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
            }
            Self::TransmissionOffset => "urn:ietf:params:rtp-hdrext:toffset",
            Self::VideoOrientation => "urn:3gpp:video-orientation",
            Self::PlayoutDelay => "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
        }
    }

    /// The kind with this URI, if known.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.uri() == uri)
    }
}

/// The binding of local extension ids (1..=255) to known extensions, from SDP `a=extmap`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionMap {
    ids: Vec<(u8, ExtensionKind)>,
}

impl ExtensionMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds `id` to `kind`, replacing any earlier binding of either.
    pub fn insert(&mut self, id: u8, kind: ExtensionKind) {
        self.ids.retain(|(i, k)| *i != id && *k != kind);
        if id != 0 {
            self.ids.push((id, kind));
        }
    }

    /// Binds `id` to the extension with `uri`; returns false (and binds nothing) for an unknown
    /// URI.
    pub fn insert_uri(&mut self, id: u8, uri: &str) -> bool {
        match ExtensionKind::from_uri(uri) {
            Some(k) => {
                self.insert(id, k);
                true
            }
            None => false,
        }
    }

    /// The id bound to `kind`.
    pub fn id(&self, kind: ExtensionKind) -> Option<u8> {
        self.ids.iter().find(|(_, k)| *k == kind).map(|(i, _)| *i)
    }

    /// The kind bound to `id`.
    pub fn kind(&self, id: u8) -> Option<ExtensionKind> {
        self.ids.iter().find(|(i, _)| *i == id).map(|(_, k)| *k)
    }

    /// Reads every bound extension present in `h`. Values that do not parse are left `None`.
    pub fn read(&self, h: &RtpHeader) -> ExtensionValues {
        let mut v = ExtensionValues::default();
        for e in &h.extensions {
            let Some(kind) = self.kind(e.id) else {
                continue;
            };
            let d = e.data.as_slice();
            match kind {
                ExtensionKind::Mid => v.mid = text(d),
                ExtensionKind::Rid => v.rid = text(d),
                ExtensionKind::RepairedRid => v.repaired_rid = text(d),
                ExtensionKind::AudioLevel => v.audio_level = AudioLevel::parse(d).ok(),
                ExtensionKind::AbsSendTime => v.abs_send_time = AbsSendTime::parse(d).ok(),
                ExtensionKind::TransportCc => v.transport_cc = parse_transport_cc(d).ok(),
                ExtensionKind::TransmissionOffset => {
                    v.transmission_offset = parse_transmission_offset(d).ok()
                }
                ExtensionKind::VideoOrientation => {
                    v.video_orientation = VideoOrientation::parse(d).ok()
                }
                ExtensionKind::PlayoutDelay => v.playout_delay = PlayoutDelay::parse(d).ok(),
            }
        }
        v
    }

    /// Writes every set value whose kind is bound into `h` (replacing elements with the same
    /// id). Values whose kind is not bound are skipped.
    pub fn write(&self, v: &ExtensionValues, h: &mut RtpHeader) {
        let mut set = |kind: ExtensionKind, data: Option<Vec<u8>>| {
            if let (Some(id), Some(data)) = (self.id(kind), data) {
                h.set_extension(id, data);
            }
        };
        set(
            ExtensionKind::Mid,
            v.mid.as_ref().map(|s| s.as_bytes().to_vec()),
        );
        set(
            ExtensionKind::Rid,
            v.rid.as_ref().map(|s| s.as_bytes().to_vec()),
        );
        set(
            ExtensionKind::RepairedRid,
            v.repaired_rid.as_ref().map(|s| s.as_bytes().to_vec()),
        );
        set(
            ExtensionKind::AudioLevel,
            v.audio_level.map(|a| a.to_bytes().to_vec()),
        );
        set(
            ExtensionKind::AbsSendTime,
            v.abs_send_time.map(|a| a.to_bytes().to_vec()),
        );
        set(
            ExtensionKind::TransportCc,
            v.transport_cc.map(|s| s.to_be_bytes().to_vec()),
        );
        set(
            ExtensionKind::TransmissionOffset,
            v.transmission_offset.map(|o| {
                let mut b = Vec::with_capacity(3);
                put_u24(&mut b, o as u32);
                b
            }),
        );
        set(
            ExtensionKind::VideoOrientation,
            v.video_orientation.map(|o| vec![o.to_byte()]),
        );
        set(
            ExtensionKind::PlayoutDelay,
            v.playout_delay.map(|p| p.to_bytes().to_vec()),
        );
    }
}

/// A non-empty UTF-8 value (mid, rid), or `None`.
fn text(d: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(d).ok()?.trim_end_matches('\0');
    (!s.is_empty()).then(|| s.to_string())
}

/// Parses the transport-wide sequence number (2 bytes).
pub fn parse_transport_cc(d: &[u8]) -> Result<u16, RtpError> {
    Reader::new(d, "transport-cc extension").u16()
}

/// Parses toffset (RFC 5450): a signed 24-bit offset in RTP timestamp units.
pub fn parse_transmission_offset(d: &[u8]) -> Result<i32, RtpError> {
    Ok(sign_extend_24(Reader::new(d, "toffset extension").u24()?))
}

/// The typed values of the known extensions of one packet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionValues {
    /// The media identification (RFC 8843).
    pub mid: Option<String>,
    /// The RTP stream id (RFC 8852).
    pub rid: Option<String>,
    /// The repaired RTP stream id (RFC 8852).
    pub repaired_rid: Option<String>,
    /// The client-to-mixer audio level (RFC 6464).
    pub audio_level: Option<AudioLevel>,
    /// The absolute send time.
    pub abs_send_time: Option<AbsSendTime>,
    /// The transport-wide sequence number.
    pub transport_cc: Option<u16>,
    /// The transmission time offset (RFC 5450), in RTP timestamp units.
    pub transmission_offset: Option<i32>,
    /// The video orientation (CVO).
    pub video_orientation: Option<VideoOrientation>,
    /// The playout delay limits.
    pub playout_delay: Option<PlayoutDelay>,
}

/// RFC 6464 audio level: a voice activity flag and the level in -dBov (0 = loudest, 127 =
/// silence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioLevel {
    /// The V flag: the sender believes the packet holds voice.
    pub voice_activity: bool,
    /// The level in -dBov, 0..=127.
    pub level: u8,
}

impl AudioLevel {
    /// Parses the first value byte (the two-byte form may add padding after it).
    pub fn parse(d: &[u8]) -> Result<Self, RtpError> {
        let b = Reader::new(d, "audio level extension").u8()?;
        Ok(Self {
            voice_activity: b & 0x80 != 0,
            level: b & 0x7f,
        })
    }

    /// The one-byte value.
    pub fn to_bytes(self) -> [u8; 1] {
        [if self.voice_activity { 0x80 } else { 0 } | (self.level & 0x7f)]
    }
}

/// abs-send-time: the send time in seconds as unsigned 6.18 fixed point (wraps every 64 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbsSendTime(pub u32);

impl AbsSendTime {
    /// Parses the 3-byte value.
    pub fn parse(d: &[u8]) -> Result<Self, RtpError> {
        Ok(Self(Reader::new(d, "abs-send-time extension").u24()?))
    }

    /// The value for a time given in microseconds on any clock (only 64 s of it matter).
    pub fn from_micros(us: u64) -> Self {
        // 2^18 units per second.
        Self((((u128::from(us) << 18) / 1_000_000) & 0x00ff_ffff) as u32)
    }

    /// The value in microseconds within its 64 s period.
    pub fn to_micros(self) -> u64 {
        (u64::from(self.0 & 0x00ff_ffff) * 1_000_000) >> 18
    }

    /// The 3-byte value.
    pub fn to_bytes(self) -> [u8; 3] {
        let b = self.0.to_be_bytes();
        [b[1], b[2], b[3]]
    }
}

/// Rotation applied by the receiver before display (CVO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// No rotation.
    Deg0,
    /// 90 degrees counter-clockwise.
    Deg90,
    /// 180 degrees.
    Deg180,
    /// 270 degrees counter-clockwise.
    Deg270,
}

/// Coordination of video orientation: the byte `0 0 0 0 C F R1 R0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoOrientation {
    /// C: the back-facing camera captured the video.
    pub back_camera: bool,
    /// F: horizontal flip.
    pub flip: bool,
    /// R1 R0: rotation.
    pub rotation: Rotation,
}

impl VideoOrientation {
    /// Parses the first value byte.
    pub fn parse(d: &[u8]) -> Result<Self, RtpError> {
        let b = Reader::new(d, "video orientation extension").u8()?;
        Ok(Self {
            back_camera: b & 0x08 != 0,
            flip: b & 0x04 != 0,
            rotation: match b & 3 {
                0 => Rotation::Deg0,
                1 => Rotation::Deg90,
                2 => Rotation::Deg180,
                _ => Rotation::Deg270,
            },
        })
    }

    /// The value byte.
    pub fn to_byte(self) -> u8 {
        let r = match self.rotation {
            Rotation::Deg0 => 0,
            Rotation::Deg90 => 1,
            Rotation::Deg180 => 2,
            Rotation::Deg270 => 3,
        };
        (u8::from(self.back_camera) << 3) | (u8::from(self.flip) << 2) | r
    }
}

/// playout-delay: minimum and maximum delay, 12 bits each, in units of 10 ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlayoutDelay {
    /// Minimum playout delay in 10 ms units (0..=4095).
    pub min: u16,
    /// Maximum playout delay in 10 ms units (0..=4095).
    pub max: u16,
}

impl PlayoutDelay {
    /// Parses the 3-byte value.
    pub fn parse(d: &[u8]) -> Result<Self, RtpError> {
        let v = Reader::new(d, "playout-delay extension").u24()?;
        Ok(Self {
            min: (v >> 12) as u16,
            max: (v & 0xfff) as u16,
        })
    }

    /// The 3-byte value (fields are masked to 12 bits).
    pub fn to_bytes(self) -> [u8; 3] {
        let v = (u32::from(self.min & 0xfff) << 12) | u32::from(self.max & 0xfff);
        let b = v.to_be_bytes();
        [b[1], b[2], b[3]]
    }
}
