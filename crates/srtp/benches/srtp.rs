//! SRTP protect/unprotect throughput benchmark (filled in below).
fn main() {}
