//! STUN (RFC 8489) and TURN (RFC 8656) message codec, including ChannelData framing. Sans-IO.
