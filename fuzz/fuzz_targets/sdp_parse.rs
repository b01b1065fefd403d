//! Fuzzes the SDP parser: arbitrary bytes never panic, and whatever parses must survive
//! serialize → re-parse unchanged (the round-trip property), with a stable serialization.
//!
//! Seed the corpus from the captured fixtures before running (from `fuzz/`):
//! `mkdir -p corpus/sdp_parse && cp ../crates/sdp/tests/fixtures/*.sdp corpus/sdp_parse/`,
//! then `cargo +nightly fuzz run sdp_parse -- -max_total_time=600 -jobs=1`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcio_sdp::SessionDescription;

fuzz_target!(|data: &[u8]| {
    let Ok(desc) = SessionDescription::parse_bytes(data) else {
        return;
    };
    let text = desc.to_string();
    let again = match SessionDescription::parse(&text) {
        Ok(again) => again,
        Err(e) => panic!("serialization does not re-parse: {e}\n{text}"),
    };
    assert_eq!(desc, again, "re-parse differs\n{text}");
    assert_eq!(text, again.to_string(), "serialization is not stable");
    for media in &desc.media {
        for candidate in media.candidates() {
            let line = candidate.to_string();
            assert_eq!(line.parse().ok(), Some(candidate.clone()), "{line}");
        }
    }
});
