//! Sans-IO SCTP association over DTLS (RFC 9260, 8261) and data channels (RFC 8831, 8832).
