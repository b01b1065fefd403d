//! Every captured fixture parses and re-serializes byte for byte.

mod common;
use common as fixtures;

use rtcio_sdp::SessionDescription;

#[test]
fn there_are_fixtures_from_every_stack() {
    let names: Vec<String> = fixtures::all().into_iter().map(|(n, _)| n).collect();
    for prefix in [
        "chromium-offer",
        "chromium-answer",
        "firefox-offer",
        "firefox-answer",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(prefix)),
            "no {prefix} fixture"
        );
    }
    for prefix in ["aiortc-offer", "aiortc-answer"] {
        assert!(
            names.iter().any(|n| n.starts_with(prefix)),
            "no {prefix} fixture"
        );
    }
}

#[test]
fn every_fixture_round_trips_byte_for_byte() {
    for (name, text) in fixtures::all() {
        let desc = SessionDescription::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = desc.to_string();
        if out != text {
            for (i, (a, b)) in text.lines().zip(out.lines()).enumerate() {
                assert_eq!(a, b, "{name}: line {} differs", i + 1);
            }
            panic!("{name}: serialization differs in length or line endings");
        }
    }
}

#[test]
fn lf_only_input_parses_to_the_same_model() {
    for (name, text) in fixtures::all() {
        let lf = text.replace("\r\n", "\n");
        let a = SessionDescription::parse(&text).unwrap();
        let b = SessionDescription::parse(&lf).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(a, b, "{name}");
        assert_eq!(b.to_string(), text, "{name}: LF input serializes with CRLF");
    }
}

#[test]
fn reparse_of_serialization_is_equal() {
    for (name, text) in fixtures::all() {
        let a = SessionDescription::parse(&text).unwrap();
        let b = SessionDescription::parse(&a.to_string()).unwrap();
        assert_eq!(a, b, "{name}");
    }
}
