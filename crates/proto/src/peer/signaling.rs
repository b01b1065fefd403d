//! The JSEP signaling state machine (RFC 8829 §3.2, W3C `RTCSignalingState`).

use std::fmt;

use rtcio_sdp::SdpType;

use super::error::Error;

/// Where the offer/answer exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignalingState {
    /// No exchange in progress.
    Stable,
    /// A local offer was applied; waiting for the answer.
    HaveLocalOffer,
    /// A remote offer was applied; waiting for our answer.
    HaveRemoteOffer,
    /// A local provisional answer was applied.
    HaveLocalPranswer,
    /// A remote provisional answer was applied.
    HaveRemotePranswer,
    /// The connection is closed.
    Closed,
}

impl SignalingState {
    /// The W3C name.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalingState::Stable => "stable",
            SignalingState::HaveLocalOffer => "have-local-offer",
            SignalingState::HaveRemoteOffer => "have-remote-offer",
            SignalingState::HaveLocalPranswer => "have-local-pranswer",
            SignalingState::HaveRemotePranswer => "have-remote-pranswer",
            SignalingState::Closed => "closed",
        }
    }
}

impl fmt::Display for SignalingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side a description comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Our own description (`setLocalDescription`).
    Local,
    /// The peer's description (`setRemoteDescription`).
    Remote,
}

/// The state after applying a description of `sdp_type` from `side` in state `from`, or the
/// InvalidStateError JSEP requires when that transition is not allowed.
pub fn transition(
    from: SignalingState,
    side: Side,
    sdp_type: SdpType,
) -> Result<SignalingState, Error> {
    use SdpType::*;
    use SignalingState::*;
    let to = match (side, sdp_type, from) {
        (Side::Local, Offer, Stable | HaveLocalOffer) => HaveLocalOffer,
        (Side::Local, Answer, HaveRemoteOffer | HaveLocalPranswer) => Stable,
        (Side::Local, Pranswer, HaveRemoteOffer | HaveLocalPranswer) => HaveLocalPranswer,
        (Side::Local, Rollback, HaveLocalOffer) => Stable,
        (Side::Remote, Offer, Stable | HaveRemoteOffer) => HaveRemoteOffer,
        (Side::Remote, Answer, HaveLocalOffer | HaveRemotePranswer) => Stable,
        (Side::Remote, Pranswer, HaveLocalOffer | HaveRemotePranswer) => HaveRemotePranswer,
        (Side::Remote, Rollback, HaveRemoteOffer) => Stable,
        _ => {
            let which = match side {
                Side::Local => "local",
                Side::Remote => "remote",
            };
            return Err(Error::InvalidState(format!(
                "cannot set {which} {} in signaling state {from}",
                sdp_type.as_str()
            )));
        }
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_answer_round_trip() {
        let s = transition(SignalingState::Stable, Side::Local, SdpType::Offer).unwrap();
        assert_eq!(s, SignalingState::HaveLocalOffer);
        let s = transition(s, Side::Remote, SdpType::Answer).unwrap();
        assert_eq!(s, SignalingState::Stable);
        let s = transition(s, Side::Remote, SdpType::Offer).unwrap();
        let s = transition(s, Side::Local, SdpType::Pranswer).unwrap();
        assert_eq!(s, SignalingState::HaveLocalPranswer);
        assert_eq!(
            transition(s, Side::Local, SdpType::Answer).unwrap(),
            SignalingState::Stable
        );
    }

    #[test]
    fn wrong_order_is_invalid_state() {
        for (from, side, t) in [
            (SignalingState::Stable, Side::Local, SdpType::Answer),
            (SignalingState::Stable, Side::Remote, SdpType::Answer),
            (SignalingState::HaveLocalOffer, Side::Remote, SdpType::Offer),
            (SignalingState::HaveRemoteOffer, Side::Local, SdpType::Offer),
            (SignalingState::Stable, Side::Local, SdpType::Rollback),
            (SignalingState::Closed, Side::Remote, SdpType::Offer),
        ] {
            assert!(matches!(
                transition(from, side, t),
                Err(Error::InvalidState(_))
            ));
        }
    }
}
