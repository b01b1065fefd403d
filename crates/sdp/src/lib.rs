//! SDP (RFC 8866) parser and serializer with a typed JSEP (RFC 8829) model. Sans-IO.
