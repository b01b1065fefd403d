//! `RTCSessionDescription` and `RTCIceCandidateInit` in the shape signaling carries them.

use serde::{Deserialize, Serialize};

use crate::Error;

/// W3C `RTCSdpType`, serialized in lower case as in JSON signaling (`"offer"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RTCSdpType {
    /// An offer.
    Offer,
    /// A provisional answer.
    Pranswer,
    /// A final answer.
    Answer,
    /// Rolls back a pending offer.
    Rollback,
}

impl RTCSdpType {
    pub(crate) fn to_sdp(self) -> rtcio_sdp::SdpType {
        match self {
            RTCSdpType::Offer => rtcio_sdp::SdpType::Offer,
            RTCSdpType::Pranswer => rtcio_sdp::SdpType::Pranswer,
            RTCSdpType::Answer => rtcio_sdp::SdpType::Answer,
            RTCSdpType::Rollback => rtcio_sdp::SdpType::Rollback,
        }
    }

    pub(crate) fn from_sdp(t: rtcio_sdp::SdpType) -> Self {
        match t {
            rtcio_sdp::SdpType::Offer => RTCSdpType::Offer,
            rtcio_sdp::SdpType::Pranswer => RTCSdpType::Pranswer,
            rtcio_sdp::SdpType::Answer => RTCSdpType::Answer,
            rtcio_sdp::SdpType::Rollback => RTCSdpType::Rollback,
        }
    }
}

/// W3C `RTCSessionDescription`: `{"type": "offer", "sdp": "v=0…"}` on the wire of every
/// signaling channel (aiortc's examples, browsers' `JSON.stringify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RTCSessionDescription {
    /// Offer, answer, …
    #[serde(rename = "type")]
    pub sdp_type: RTCSdpType,
    /// The SDP text.
    #[serde(default)]
    pub sdp: String,
}

impl RTCSessionDescription {
    /// An offer with this SDP.
    pub fn offer(sdp: impl Into<String>) -> Self {
        RTCSessionDescription {
            sdp_type: RTCSdpType::Offer,
            sdp: sdp.into(),
        }
    }

    /// An answer with this SDP.
    pub fn answer(sdp: impl Into<String>) -> Self {
        RTCSessionDescription {
            sdp_type: RTCSdpType::Answer,
            sdp: sdp.into(),
        }
    }

    pub(crate) fn to_jsep(&self) -> Result<rtcio_sdp::JsepDescription, Error> {
        let sdp_type = self.sdp_type.to_sdp();
        if sdp_type == rtcio_sdp::SdpType::Rollback {
            // A rollback carries no SDP; give the core an empty session to hold the type.
            return Ok(rtcio_sdp::JsepDescription {
                sdp_type,
                sdp: rtcio_sdp::SessionDescription::new(rtcio_sdp::Origin::new(0, 0)),
            });
        }
        rtcio_sdp::JsepDescription::parse(sdp_type, &self.sdp)
            .map_err(|e| Error::Syntax(e.to_string()))
    }

    pub(crate) fn from_jsep(d: &rtcio_sdp::JsepDescription) -> Self {
        RTCSessionDescription {
            sdp_type: RTCSdpType::from_sdp(d.sdp_type),
            sdp: d.sdp.to_string(),
        }
    }
}

/// W3C `RTCIceCandidateInit`, as trickled over signaling.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RTCIceCandidateInit {
    /// `candidate:…`; empty for end-of-candidates.
    pub candidate: String,
    /// The mid of the m-section.
    #[serde(default)]
    pub sdp_mid: Option<String>,
    /// The index of the m-section.
    #[serde(default, rename = "sdpMLineIndex")]
    pub sdp_mline_index: Option<u16>,
    /// The ICE ufrag.
    #[serde(default)]
    pub username_fragment: Option<String>,
}

impl RTCIceCandidateInit {
    pub(crate) fn to_core(&self) -> rtcio_proto::peer::IceCandidateInit {
        rtcio_proto::peer::IceCandidateInit {
            candidate: self.candidate.clone(),
            sdp_mid: self.sdp_mid.clone(),
            sdp_mline_index: self.sdp_mline_index,
            username_fragment: self.username_fragment.clone(),
        }
    }

    pub(crate) fn from_core(c: rtcio_proto::peer::IceCandidateInit) -> Self {
        RTCIceCandidateInit {
            candidate: c.candidate,
            sdp_mid: c.sdp_mid,
            sdp_mline_index: c.sdp_mline_index,
            username_fragment: c.username_fragment,
        }
    }
}
