//! SDP (RFC 8866) parser and serializer with a typed JSEP (RFC 8829) model. Sans-IO.
//!
//! [`SessionDescription::parse`] turns SDP text into a [`SessionDescription`]: the session
//! lines, then one [`MediaDescription`] per `m=` section. Each section keeps its `a=` lines as an
//! ordered list of [`Attribute`]s: typed variants for the attributes WebRTC uses (ICE, DTLS,
//! RTP, simulcast, SCTP) and [`Attribute::Unknown`] for the rest, so that
//! `parse(sdp).to_string()` reproduces browser SDP byte for byte (with CRLF line endings).
//!
//! ```
//! use rtcio_sdp::{Candidate, SessionDescription};
//!
//! let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n\
//!            m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n\
//!            a=mid:0\r\na=sctp-port:5000\r\n";
//! let desc = SessionDescription::parse(sdp)?;
//! assert_eq!(desc.bundle_group().map(|g| g.mids.clone()), Some(vec!["0".to_string()]));
//! assert_eq!(desc.media[0].sctp_port(), Some(5000));
//! assert_eq!(desc.to_string(), sdp);
//!
//! let c: Candidate = "candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host".parse()?;
//! assert_eq!(c.port, 5000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Serialization is canonical: one space between fields, uppercase fingerprint hex, known
//! candidate extensions in Chromium's order, IPv6 addresses in RFC 5952 form, numbers without
//! leading zeros, session lines in RFC 8866 order. Browser and aiortc SDP is already canonical
//! and round-trips byte for byte; other input re-serializes to text that parses back to an equal
//! model. Whatever does not affect meaning but cannot be normalized is kept: the case of
//! candidate transports (`UDP`/`udp`), the space in Chromium's `a=msid-semantic: WMS`, the text
//! of `a=fmtp`, `a=ssrc` values and unknown attributes.
//!
//! Strictness: `v=`, `o=`, `s=` must open the description; other lines may come in any order
//! within their section; unknown attributes are kept, but unknown line types, malformed known
//! lines and attributes (bad numbers, bad fingerprints, unknown setup roles …) are errors naming
//! the 1-based line and the field.
//!
//! Parsing never panics. Inputs above [`MAX_SDP_LEN`] bytes, [`MAX_LINES`] lines,
//! [`MAX_MEDIA_SECTIONS`] media sections or with a line above [`MAX_LINE_LEN`] bytes are refused;
//! the model takes at most about 100 bytes per input line plus the text it keeps, so a parse uses
//! at most some tens of MiB.

mod attribute;
mod candidate;
mod dtls;
mod error;
mod jsep;
mod media;
mod parse;
mod rtp;
mod session;
mod simulcast;
mod ssrc;
mod util;

pub use attribute::{Attribute, Group, Msid, MsidSemantic, Rtcp, Sctpmap};
pub use candidate::{Address, Candidate, CandidateType, TcpType, Transport};
pub use dtls::{Fingerprint, HashFunction, MAX_FINGERPRINT_LEN, Setup};
pub use error::{MAX_EXCERPT_LEN, ParseError, ParseErrorKind, Problem, ValueError};
pub use jsep::{JsepDescription, SdpType};
pub use media::{Codec, MediaDescription, MediaKind, Protocol};
pub use parse::{MAX_LINE_LEN, MAX_LINES, MAX_MEDIA_SECTIONS, MAX_SDP_LEN, parse, parse_bytes};
pub use rtp::{Direction, Extmap, Fmtp, RtcpFb, RtcpFbPayload, RtpMap};
pub use session::{Bandwidth, Connection, Origin, SessionDescription, Timing};
pub use simulcast::{
    Rid, RidDirection, RidParam, Simulcast, SimulcastList, SimulcastRid, SimulcastStream,
};
pub use ssrc::{SsrcAttribute, SsrcGroup};
