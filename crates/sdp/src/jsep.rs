//! The JSEP (RFC 8829) session description envelope: an SDP with its type.

use std::fmt;
use std::str::FromStr;

use crate::error::{ParseError, ValueError};
use crate::session::SessionDescription;

/// The type of a JSEP session description (RFC 8829 section 4.1.8; `RTCSdpType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpType {
    /// `offer`
    Offer,
    /// `pranswer`: a provisional answer.
    Pranswer,
    /// `answer`: the final answer.
    Answer,
    /// `rollback`: undo the pending offer (carries no SDP).
    Rollback,
}

impl SdpType {
    /// The type as written in JSEP/WebRTC (`"offer"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Pranswer => "pranswer",
            Self::Answer => "answer",
            Self::Rollback => "rollback",
        }
    }
}

impl FromStr for SdpType {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        match s {
            "offer" => Ok(Self::Offer),
            "pranswer" => Ok(Self::Pranswer),
            "answer" => Ok(Self::Answer),
            "rollback" => Ok(Self::Rollback),
            _ => Err(ValueError::invalid("sdp type", s)),
        }
    }
}

impl fmt::Display for SdpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed session description as exchanged by JSEP (`RTCSessionDescription`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsepDescription {
    /// Offer, answer, …
    pub sdp_type: SdpType,
    /// The parsed SDP.
    pub sdp: SessionDescription,
}

impl JsepDescription {
    /// Parses `sdp` as a description of type `sdp_type`.
    pub fn parse(sdp_type: SdpType, sdp: &str) -> Result<Self, ParseError> {
        Ok(Self {
            sdp_type,
            sdp: sdp.parse()?,
        })
    }
}
