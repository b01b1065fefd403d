//! SRTP and SRTCP (RFC 3711, 7714) protection contexts. Sans-IO.
