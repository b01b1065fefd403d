//! Sans-IO ICE agent (RFC 8445, 8838 trickle, 7675 consent freshness).
