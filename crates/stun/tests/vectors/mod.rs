//! Shared test vectors: RFC 5769 §2.1–§2.4 and RFC 8489 Appendix B.1 (as corrected by errata).
#![allow(dead_code)]

/// Decodes a hex string, ignoring whitespace.
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// RFC 5769 §2.1 sample request (padding bytes are spaces).
pub fn sample_request() -> Vec<u8> {
    hex("0001 0058 2112a442 b7e7a701 bc34d686 fa87dfae
         8022 0010 5354554e 20746573 7420636c 69656e74
         0024 0004 6e0001ff
         8029 0008 932ff9b1 51263b36
         0006 0009 6576746a 3a683676 59202020
         0008 0014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2
         8028 0004 e57a3bcf")
}

/// RFC 5769 §2.2 sample IPv4 response.
pub fn ipv4_response() -> Vec<u8> {
    hex("0101 003c 2112a442 b7e7a701 bc34d686 fa87dfae
         8022 000b 74657374 20766563 746f7220
         0020 0008 0001a147 e112a643
         0008 0014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
         8028 0004 c07d4c96")
}

/// RFC 5769 §2.3 sample IPv6 response.
pub fn ipv6_response() -> Vec<u8> {
    hex("0101 0048 2112a442 b7e7a701 bc34d686 fa87dfae
         8022 000b 74657374 20766563 746f7220
         0020 0014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
         0008 0014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
         8028 0004 c8fb0b4c")
}

/// RFC 5769 §2.4 sample request with long-term authentication (zero padding).
pub fn long_term_request() -> Vec<u8> {
    hex("0001 0060 2112a442 78ad3433 c6ad72c0 29da412e
         0006 0012 e3839ee3 8388e383 aae38383 e382afe3 82b90000
         0015 001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341
         0014 000b 6578616d 706c652e 6f726700
         0008 0014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666")
}

/// RFC 8489 Appendix B.1 (errata 6268 corrected): long-term authentication with USERHASH,
/// PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256.
pub fn sha256_request() -> Vec<u8> {
    hex("0001 0090 2112a442 78ad3433 c6ad72c0 29da412e
         001e 0020 4a3cf38f ef6992bd a952c678 0417da0f 24819415 569e60b2 05c46e41 407f1704
         0015 0029 6f624d61 744a6f73 32414141 43662f2f 3439396b 39353464 364f4c33 346f4c39
                   46535476 79363473 41000000
         0014 000b 6578616d 706c652e 6f726700
         001d 0004 00020000
         001c 0020 b5c7bf00 5b6c52a2 1c51c5e8 92f81924 136296cb 927c4314 9309278c c6518e65")
}

/// The short-term password of §2.1–§2.3.
pub const SHORT_TERM_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";
/// The §2.4 username, "マトリックス" (unchanged by SASLprep).
pub const LONG_TERM_USERNAME: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
/// The §2.4 password "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep.
pub const LONG_TERM_PASSWORD: &str = "TheMatrIX";
/// The §2.4 realm.
pub const REALM: &str = "example.org";
/// The §2.4 nonce.
pub const NONCE: &str = "f//499k954d6OL34oL9FSTvy64sA";
