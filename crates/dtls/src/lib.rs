//! Sans-IO DTLS 1.2 transport (RFC 6347, 5763, 5764) on OpenSSL, and WebRTC certificates.
