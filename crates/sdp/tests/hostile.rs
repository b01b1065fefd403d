//! Hostile inputs give typed errors, never panics, and the size limits hold.

mod common;

use rtcio_sdp::{
    MAX_LINE_LEN, MAX_LINES, MAX_MEDIA_SECTIONS, MAX_SDP_LEN, ParseErrorKind, SessionDescription,
    parse_bytes,
};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

#[test]
fn input_above_the_size_limit_is_refused() {
    let big = vec![b'a'; MAX_SDP_LEN + 1];
    let e = parse_bytes(&big).unwrap_err();
    assert_eq!(e.line, None);
    assert_eq!(
        e.kind,
        ParseErrorKind::TooLarge {
            len: MAX_SDP_LEN + 1
        }
    );
    let text = String::from_utf8(big).unwrap();
    assert!(matches!(
        SessionDescription::parse(&text).unwrap_err().kind,
        ParseErrorKind::TooLarge { .. }
    ));
}

#[test]
fn overlong_line_is_refused() {
    let sdp = format!("{HEAD}a=x-long:{}\r\n", "y".repeat(MAX_LINE_LEN));
    let e = SessionDescription::parse(&sdp).unwrap_err();
    assert_eq!(e.line, Some(5));
    assert!(matches!(e.kind, ParseErrorKind::LineTooLong { .. }));
    let ok = format!("{HEAD}a=x:{}\r\n", "y".repeat(MAX_LINE_LEN - 4));
    assert!(SessionDescription::parse(&ok).is_ok());
}

#[test]
fn too_many_lines_is_refused() {
    let mut sdp = HEAD.to_string();
    sdp.push_str(&"a=x\n".repeat(MAX_LINES + 1 - HEAD.lines().count()));
    assert_eq!(sdp.lines().count(), MAX_LINES + 1);
    assert!(sdp.len() <= MAX_SDP_LEN);
    let e = SessionDescription::parse(&sdp).unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (Some(MAX_LINES + 1), ParseErrorKind::TooManyLines)
    );
}

#[test]
fn too_many_media_sections_is_refused() {
    let section = "m=audio 0 RTP/AVP 0\r\n";
    let ok = format!("{HEAD}{}", section.repeat(MAX_MEDIA_SECTIONS));
    assert_eq!(
        SessionDescription::parse(&ok).unwrap().media.len(),
        MAX_MEDIA_SECTIONS
    );
    let e = SessionDescription::parse(&format!("{ok}{section}")).unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (
            Some(5 + MAX_MEDIA_SECTIONS),
            ParseErrorKind::TooManyMediaSections
        )
    );
}

#[test]
fn non_utf8_names_its_line() {
    let mut sdp = HEAD.as_bytes().to_vec();
    sdp.extend_from_slice(b"a=x-bin:\xff\xfe\r\n");
    let e = parse_bytes(&sdp).unwrap_err();
    assert_eq!((e.line, e.kind), (Some(5), ParseErrorKind::NotUtf8));
}

#[test]
fn huge_numbers_are_out_of_range_not_wrapped() {
    let cases = [
        "o=- 99999999999999999999999999 1 IN IP4 127.0.0.1",
        "t=0 184467440737095516160",
        "b=AS:99999999999999999999",
        "a=max-message-size:18446744073709551616",
        "a=candidate:1 1 udp 99999999999999999999999 1.2.3.4 1 typ host",
    ];
    for line in cases {
        let sdp = if let Some(o) = line.strip_prefix("o=") {
            format!("v=0\r\no={o}\r\ns=-\r\n")
        } else {
            format!("{HEAD}{line}\r\n")
        };
        let e = SessionDescription::parse(&sdp).unwrap_err();
        assert!(e.to_string().contains("out of range"), "{line}: {e}");
    }
    let ok = format!("{HEAD}a=max-message-size:18446744073709551615\r\n");
    let d = SessionDescription::parse(&ok).unwrap();
    assert_eq!(d.to_string(), ok);
}

#[test]
fn error_excerpts_are_bounded() {
    let junk = "z".repeat(5000);
    let sdp = format!("{HEAD}a=rtpmap:{junk} opus/48000\r\n");
    let e = SessionDescription::parse(&sdp).unwrap_err();
    assert!(e.to_string().len() < 200, "{e}");
    let sdp = format!("{HEAD}{junk}\r\n");
    assert!(
        SessionDescription::parse(&sdp)
            .unwrap_err()
            .to_string()
            .len()
            < 200
    );
}

#[test]
fn nul_and_missing_fields_are_errors() {
    let sdp = format!("{HEAD}a=mid:0\0\r\n");
    assert_eq!(
        SessionDescription::parse(&sdp).unwrap_err().kind,
        ParseErrorKind::ControlCharacter
    );
    for line in [
        "m=",
        "c=",
        "b=",
        "t=",
        "a=",
        "a=:",
        "a=rtpmap:",
        "a=candidate:",
        "=",
        "v",
    ] {
        let sdp = format!("{HEAD}{line}\r\n");
        let e = SessionDescription::parse(&sdp).unwrap_err();
        assert_eq!(e.line, Some(5), "{line}: {e}");
    }
}

#[test]
fn truncated_fixtures_parse_or_error() {
    for (name, text) in common::all() {
        // Cut every line at its start, its middle and just before its CRLF.
        let cuts = text
            .match_indices('\n')
            .flat_map(|(i, _)| [i + 1, i.saturating_sub(1), i / 2]);
        for end in cuts.filter(|&i| text.is_char_boundary(i)) {
            let prefix = &text[..end];
            if let Ok(d) = SessionDescription::parse(prefix) {
                let again = SessionDescription::parse(&d.to_string())
                    .unwrap_or_else(|e| panic!("{name}[..{end}]: {e}"));
                assert_eq!(d, again, "{name}[..{end}]");
            }
        }
    }
}

#[test]
fn single_byte_corruptions_never_panic() {
    let text = common::read("handmade-legacy-and-extensions.sdp");
    let bytes = text.as_bytes();
    for i in (0..bytes.len()).step_by(2) {
        for b in [b' ', b':', b'\n', 0xff] {
            let mut v = bytes.to_vec();
            v[i] = b;
            if let Ok(d) = parse_bytes(&v) {
                assert_eq!(SessionDescription::parse(&d.to_string()).as_ref(), Ok(&d));
            }
        }
    }
}
