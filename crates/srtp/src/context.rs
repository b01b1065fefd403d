//! [`SrtpContext`]: the keys of one direction and the per-SSRC state, protecting or unprotecting.

use crate::header::{RTP_FIXED_HEADER_LEN, RtpHeader, rtcp_ssrc};
use crate::replay::MAX_REPLAY_WINDOW;
use crate::stream::{MAX_SRTCP_INDEX, Stream, StreamMap};
use crate::transform::Transform;
use crate::{Error, ProtectionProfile, SessionKeys};

/// Limits of an [`SrtpContext`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Replay window in packets, for SRTP and SRTCP alike: an index this far or farther behind
    /// the highest accepted one is rejected as [`Error::TooOld`]. 64..=1024; default 128
    /// (libsrtp's default; RFC 3711 requires at least 64).
    pub replay_window: u16,
    /// Most SSRCs the context tracks. A packet of a further SSRC fails with
    /// [`Error::TooManyStreams`] before any cryptography; state is created only for packets that
    /// authenticate. Each stream costs about 300 bytes. Default 1024.
    pub max_streams: usize,
    /// Whether protecting an RTP packet whose index was already protected is allowed (a
    /// retransmission of the identical packet; libsrtp's `allow_repeat_tx`). Protecting
    /// *different* content under a repeated index reuses keystream, so the default is `false`
    /// and the repeat fails with [`Error::Replayed`].
    pub allow_repeat_tx: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            replay_window: 128,
            max_streams: 1024,
            allow_repeat_tx: false,
        }
    }
}

impl Config {
    fn validate(&self) -> Result<(), Error> {
        if !(64..=MAX_REPLAY_WINDOW).contains(&self.replay_window) {
            return Err(Error::InvalidConfig(
                "replay_window must be within 64..=1024",
            ));
        }
        if self.max_streams == 0 {
            return Err(Error::InvalidConfig("max_streams must be at least 1"));
        }
        Ok(())
    }
}

/// SRTP and SRTCP protection for one direction: one master key and salt, every SSRC.
///
/// Use one context to protect what you send and another, keyed with the peer's keys, to
/// unprotect what you receive ([`crate::Session`] pairs them). Protecting tracks the SRTP index
/// of each SSRC like unprotecting does, so the same index is never encrypted twice: protecting a
/// sequence number again fails with [`Error::Replayed`].
///
/// No method allocates per packet except to grow a `Vec` that lacks capacity for the output;
/// streams are created for new SSRCs up to [`Config::max_streams`].
pub struct SrtpContext {
    profile: ProtectionProfile,
    config: Config,
    rtp: Transform,
    rtcp: Transform,
    streams: StreamMap,
}

impl std::fmt::Debug for SrtpContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrtpContext")
            .field("profile", &self.profile)
            .field("config", &self.config)
            .field("streams", &self.streams.len())
            .finish_non_exhaustive()
    }
}

impl SrtpContext {
    /// A context keyed with a master key and master salt (e.g. from DTLS-SRTP), default limits.
    pub fn new(
        profile: ProtectionProfile,
        master_key: &[u8],
        master_salt: &[u8],
    ) -> Result<Self, Error> {
        Self::with_config(profile, master_key, master_salt, Config::default())
    }

    /// A context keyed with a master key and master salt and the given limits.
    pub fn with_config(
        profile: ProtectionProfile,
        master_key: &[u8],
        master_salt: &[u8],
        config: Config,
    ) -> Result<Self, Error> {
        let rtp = SessionKeys::derive(profile, master_key, master_salt, false)?;
        let rtcp = SessionKeys::derive(profile, master_key, master_salt, true)?;
        Self::from_session_keys(profile, &rtp, &rtcp, config)
    }

    /// A context keyed directly with already derived SRTP and SRTCP session keys.
    pub fn from_session_keys(
        profile: ProtectionProfile,
        rtp: &SessionKeys,
        rtcp: &SessionKeys,
        config: Config,
    ) -> Result<Self, Error> {
        config.validate()?;
        Ok(Self {
            profile,
            config,
            rtp: Transform::new(profile, rtp, false)?,
            rtcp: Transform::new(profile, rtcp, true)?,
            streams: StreamMap::default(),
        })
    }

    /// The protection profile.
    pub fn profile(&self) -> ProtectionProfile {
        self.profile
    }

    /// The limits.
    pub fn config(&self) -> Config {
        self.config
    }

    /// Number of SSRCs with state.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// The SRTP rollover counter of `ssrc` (the ROC of the highest index), if it has state.
    pub fn roc(&self, ssrc: u32) -> Option<u32> {
        let s = self.streams.get(&ssrc)?;
        Some(match s.rtp.highest() {
            Some(h) => (h >> 16) as u32,
            None => s.initial_roc,
        })
    }

    /// Starts the SRTP stream of `ssrc` afresh with rollover counter `roc` (e.g. joining a stream
    /// in progress). Forgets that SSRC's SRTP replay history.
    pub fn set_roc(&mut self, ssrc: u32, roc: u32) -> Result<(), Error> {
        let stream = stream_entry(&mut self.streams, self.config.max_streams, ssrc)?;
        stream.rtp = crate::replay::ReplayWindow::new();
        stream.initial_roc = roc;
        Ok(())
    }

    /// Sets the last SRTCP index of `ssrc` (31 bits): protecting continues at `index + 1`,
    /// unprotecting accepts indices above it and those inside the replay window below it.
    pub fn set_rtcp_index(&mut self, ssrc: u32, index: u32) -> Result<(), Error> {
        if u64::from(index) > MAX_SRTCP_INDEX {
            return Err(Error::IndexExhausted);
        }
        let stream = stream_entry(&mut self.streams, self.config.max_streams, ssrc)?;
        stream.rtcp.reset_to(u64::from(index));
        Ok(())
    }

    /// Protects the RTP packet `packet` into `out` (cleared first; left empty on error): SRTP =
    /// the packet with its payload encrypted, then the tag.
    pub fn protect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        out.clear();
        out.reserve(packet.len() + self.profile.rtp_overhead());
        out.extend_from_slice(packet);
        let r = self.protect_rtp_in_place(out);
        if r.is_err() {
            out.clear();
        }
        r
    }

    /// Protects the RTP packet in `buf` in place, appending the tag (reserve
    /// [`ProtectionProfile::rtp_overhead`] bytes of capacity to avoid a reallocation).
    /// On error `buf` is left unchanged.
    pub fn protect_rtp_in_place(&mut self, buf: &mut Vec<u8>) -> Result<(), Error> {
        let header = RtpHeader::parse(buf)?;
        let stream = stream_entry(&mut self.streams, self.config.max_streams, header.ssrc)?;
        let index = stream.estimate_rtp_index(header.sequence_number)?;
        match stream.rtp.check(index, self.config.replay_window) {
            Err(Error::Replayed) if self.config.allow_repeat_tx => {}
            r => r?,
        }
        self.rtp
            .protect_rtp(buf, header.header_len, header.ssrc, index)?;
        stream.rtp.accept(index);
        Ok(())
    }

    /// Authenticates and decrypts the SRTP packet `packet` into `out` (cleared first; left empty
    /// on error).
    pub fn unprotect_rtp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        out.clear();
        out.extend_from_slice(packet);
        let r = self.unprotect_rtp_in_place(out);
        if r.is_err() {
            out.clear();
        }
        r
    }

    /// Authenticates and decrypts the SRTP packet in `buf` in place, removing the tag.
    ///
    /// On [`Error::AuthenticationFailed`] `buf` is cleared (an AEAD open leaves unauthenticated
    /// bytes); on other errors it is unchanged.
    pub fn unprotect_rtp_in_place(&mut self, buf: &mut Vec<u8>) -> Result<(), Error> {
        let tag_len = self.rtp.tag_len();
        let body_len = buf
            .len()
            .checked_sub(tag_len)
            .filter(|&n| n >= RTP_FIXED_HEADER_LEN)
            .ok_or(Error::TooShort)?;
        let header = RtpHeader::parse(&buf[..body_len])?;
        let index = match self.streams.get(&header.ssrc) {
            Some(stream) => {
                let index = stream.estimate_rtp_index(header.sequence_number)?;
                stream.rtp.check(index, self.config.replay_window)?;
                index
            }
            None if self.streams.len() >= self.config.max_streams => {
                return Err(Error::TooManyStreams);
            }
            None => Stream::new().estimate_rtp_index(header.sequence_number)?,
        };
        if let Err(e) = self
            .rtp
            .unprotect_rtp(buf, header.header_len, body_len, header.ssrc, index)
        {
            if e == Error::AuthenticationFailed {
                buf.clear();
            }
            return Err(e);
        }
        self.streams
            .entry(header.ssrc)
            .or_insert_with(Stream::new)
            .rtp
            .accept(index);
        buf.truncate(body_len);
        Ok(())
    }

    /// Protects the RTCP (compound) packet `packet` into `out` (cleared first; left empty on
    /// error): SRTCP = the first 8 bytes, the rest encrypted, the E flag with the SRTCP index,
    /// and the tag.
    pub fn protect_rtcp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        out.clear();
        out.reserve(packet.len() + self.profile.rtcp_overhead());
        out.extend_from_slice(packet);
        let r = self.protect_rtcp_in_place(out);
        if r.is_err() {
            out.clear();
        }
        r
    }

    /// Protects the RTCP packet in `buf` in place, appending SRTCP index and tag (reserve
    /// [`ProtectionProfile::rtcp_overhead`] bytes to avoid a reallocation). On error `buf` is
    /// left unchanged.
    pub fn protect_rtcp_in_place(&mut self, buf: &mut Vec<u8>) -> Result<(), Error> {
        let ssrc = rtcp_ssrc(buf)?;
        let stream = stream_entry(&mut self.streams, self.config.max_streams, ssrc)?;
        let index = stream.next_rtcp_index()?;
        self.rtcp.protect_rtcp(buf, ssrc, index)?;
        stream.rtcp.accept(u64::from(index));
        Ok(())
    }

    /// Authenticates and decrypts the SRTCP packet `packet` into `out` (cleared first; left
    /// empty on error).
    pub fn unprotect_rtcp(&mut self, packet: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        out.clear();
        out.extend_from_slice(packet);
        let r = self.unprotect_rtcp_in_place(out);
        if r.is_err() {
            out.clear();
        }
        r
    }

    /// Authenticates and decrypts the SRTCP packet in `buf` in place, removing index and tag.
    /// Packets sent with the E flag clear (authenticated only) are accepted too.
    ///
    /// On [`Error::AuthenticationFailed`] `buf` is cleared; on other errors it is unchanged.
    pub fn unprotect_rtcp_in_place(&mut self, buf: &mut Vec<u8>) -> Result<(), Error> {
        let trailer_at = self
            .rtcp
            .rtcp_trailer_at(buf.len())
            .ok_or(Error::TooShort)?;
        let body_len = self.rtcp.rtcp_body_len(buf.len());
        let ssrc = rtcp_ssrc(&buf[..body_len])?;
        let trailer = u32::from_be_bytes([
            buf[trailer_at],
            buf[trailer_at + 1],
            buf[trailer_at + 2],
            buf[trailer_at + 3],
        ]);
        let encrypted = trailer & 0x8000_0000 != 0;
        let index = trailer & 0x7fff_ffff;
        match self.streams.get(&ssrc) {
            Some(s) => s.rtcp.check(u64::from(index), self.config.replay_window)?,
            None if self.streams.len() >= self.config.max_streams => {
                return Err(Error::TooManyStreams);
            }
            None => {}
        }
        if let Err(e) = self
            .rtcp
            .unprotect_rtcp(buf, body_len, ssrc, index, encrypted)
        {
            if e == Error::AuthenticationFailed {
                buf.clear();
            }
            return Err(e);
        }
        self.streams
            .entry(ssrc)
            .or_insert_with(Stream::new)
            .rtcp
            .accept(u64::from(index));
        buf.truncate(body_len);
        Ok(())
    }
}

/// The stream of `ssrc`, created if there is room.
fn stream_entry(streams: &mut StreamMap, max: usize, ssrc: u32) -> Result<&mut Stream, Error> {
    if streams.len() >= max && !streams.contains_key(&ssrc) {
        return Err(Error::TooManyStreams);
    }
    Ok(streams.entry(ssrc).or_insert_with(Stream::new))
}
