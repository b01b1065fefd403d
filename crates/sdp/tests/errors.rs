//! Structural and value errors carry the 1-based line number and name what is wrong.

use rtcio_sdp::{ParseError, ParseErrorKind, Problem, SessionDescription};

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn err(sdp: &str) -> ParseError {
    SessionDescription::parse(sdp).expect_err(sdp)
}

/// HEAD, an audio m= line, then `attr` as line 6.
fn with_media_attr(attr: &str) -> String {
    format!("{HEAD}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n{attr}\r\n")
}

#[test]
fn message_names_line_attribute_and_field() {
    let sdp = format!(
        "{HEAD}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:abc opus/48000/2\r\n"
    );
    let e = err(&sdp);
    assert_eq!(e.line, Some(7));
    assert_eq!(
        e.to_string(),
        "line 7: a=rtpmap: payload type 'abc' is not a number"
    );
}

#[test]
fn missing_or_misordered_required_lines() {
    let cases: [(&str, usize, &str); 5] = [
        ("o=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n", 1, "v="),
        ("v=0\r\ns=-\r\n", 2, "o="),
        ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\nt=0 0\r\n", 3, "s="),
        ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n", 3, "s="),
        ("v=0", 2, "o="),
    ];
    for (sdp, line, expected) in cases {
        let e = err(sdp);
        assert_eq!(e.line, Some(line), "{sdp:?}");
        match e.kind {
            ParseErrorKind::Expected { expected: x, .. } => assert_eq!(x, expected, "{sdp:?}"),
            k => panic!("{sdp:?}: {k:?}"),
        }
    }
    assert_eq!(err("").kind, ParseErrorKind::Empty);
    assert_eq!(err("\r\n\n").kind, ParseErrorKind::Empty);
    let e = err("v=1\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n");
    assert_eq!(e.to_string(), "line 1: v=: invalid version '1'");
}

#[test]
fn malformed_origin_and_media_lines() {
    let e = err("v=0\r\no=- x 1 IN IP4 127.0.0.1\r\ns=-\r\n");
    assert_eq!(e.to_string(), "line 2: o=: sess-id 'x' is not a number");
    let e = err("v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n");
    assert_eq!(e.to_string(), "line 2: o=: missing unicast-address");
    let cases = [
        ("m=audio", "missing port"),
        ("m=audio 9", "missing proto"),
        (
            "m=audio x UDP/TLS/RTP/SAVPF 111",
            "port 'x' is not a number",
        ),
        (
            "m=audio 70000 UDP/TLS/RTP/SAVPF 111",
            "port '70000' is out of range",
        ),
        (
            "m=audio 9/x RTP/AVP 0",
            "number of ports 'x' is not a number",
        ),
        (
            "m=audio 9 UDP/TLS/RTP/SAVPF opus",
            "payload type 'opus' is not a number",
        ),
        (
            "m=audio 9 UDP/TLS/RTP/SAVPF 128",
            "payload type '128' is out of range",
        ),
        ("m=au(dio 9 RTP/AVP 0", "invalid media type 'au(dio'"),
        ("m=audio 9 UDP//SAVPF 0", "invalid proto 'UDP//SAVPF'"),
    ];
    for (line, msg) in cases {
        let e = err(&format!("{HEAD}{line}\r\n"));
        assert_eq!(e.to_string(), format!("line 5: m=: {msg}"), "{line}");
    }
}

#[test]
fn invalid_numbers_in_known_attributes() {
    let cases = [
        (
            "a=rtpmap:111 opus/abc/2",
            "a=rtpmap: clock rate 'abc' is not a number",
        ),
        ("a=rtpmap:111 opus", "a=rtpmap: missing clock rate"),
        (
            "a=rtpmap:111 opus/48000/2/1",
            "a=rtpmap: unexpected '1' after encoding parameters",
        ),
        (
            "a=fmtp:x minptime=10",
            "a=fmtp: payload type 'x' is not a number",
        ),
        (
            "a=rtcp-fb:200 nack",
            "a=rtcp-fb: payload type '200' is out of range",
        ),
        ("a=rtcp-fb:96", "a=rtcp-fb: missing feedback type"),
        (
            "a=extmap:0 urn:x",
            "a=extmap: extension ID '0' is out of range",
        ),
        (
            "a=extmap:1/sideways urn:x",
            "a=extmap: invalid direction 'sideways'",
        ),
        (
            "a=ssrc:4294967296 cname:x",
            "a=ssrc: ssrc '4294967296' is out of range",
        ),
        (
            "a=ssrc-group:FID 1 x",
            "a=ssrc-group: ssrc 'x' is not a number",
        ),
        (
            "a=sctp-port:99999",
            "a=sctp-port: sctp-port '99999' is out of range",
        ),
        (
            "a=max-message-size:-1",
            "a=max-message-size: max-message-size '-1' is not a number",
        ),
        ("a=rtcp:port", "a=rtcp: rtcp port 'port' is not a number"),
        ("a=sctpmap:5000", "a=sctpmap: missing sctpmap protocol"),
        (
            "a=setup:sometimes",
            "a=setup: invalid setup role 'sometimes'",
        ),
        (
            "a=fingerprint:sha-256 AB:CD",
            "a=fingerprint: fingerprint 'AB:CD' is out of range",
        ),
        (
            "a=fingerprint:sha-256 AB:CG",
            "a=fingerprint: invalid fingerprint 'AB:CG'",
        ),
        (
            "a=fingerprint:sha-256 ABC:D",
            "a=fingerprint: invalid fingerprint 'ABC:D'",
        ),
        (
            "a=fingerprint:sha-256",
            "a=fingerprint: missing fingerprint",
        ),
        (
            "a=rid:h sideways",
            "a=rid: invalid rid direction 'sideways'",
        ),
        (
            "a=rid:h send pt=x",
            "a=rid: payload type 'x' is not a number",
        ),
        (
            "a=simulcast:send a send b",
            "a=simulcast: simulcast direction 'send' appears more than once",
        ),
        ("a=simulcast:send", "a=simulcast: missing simulcast streams"),
        (
            "a=simulcast:send a;;b",
            "a=simulcast: missing simulcast rid",
        ),
        (
            "a=candidate:1 1 udp x 1.2.3.4 1 typ host",
            "a=candidate: priority 'x' is not a number",
        ),
        ("a=msid:", "a=msid: missing msid stream id"),
        ("a=group:", "a=group: missing group semantics"),
        (
            "a=bad name:x",
            "a=bad name: invalid attribute name 'bad name'",
        ),
    ];
    for (attr, msg) in cases {
        let e = err(&with_media_attr(attr));
        assert_eq!(e.to_string(), format!("line 6: {msg}"), "{attr}");
    }
}

#[test]
fn structural_line_errors() {
    let e = err(&format!("{HEAD}x=1\r\n"));
    assert_eq!(e.to_string(), "line 5: unknown line type x=");
    let e = err(&format!("{HEAD}hello\r\n"));
    assert_eq!(
        e.to_string(),
        "line 5: not a '<type>=<value>' line: 'hello'"
    );
    let e = err(&format!("{HEAD}A=b\r\n"));
    assert!(matches!(e.kind, ParseErrorKind::NotATypedLine { .. }));
    let e = err(&format!("{HEAD}m=audio 9 RTP/AVP 0\r\nt=0 0\r\n"));
    assert_eq!(e.to_string(), "line 6: t= line is not allowed here");
    let e = err("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nr=1d 1h 0\r\n");
    assert_eq!(e.line, Some(4));
    let e = err(&format!("{HEAD}c=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"));
    assert_eq!(
        e.to_string(),
        "line 6: c= line appears more than once in this section"
    );
    let e = err(&format!("{HEAD}s=again\r\n"));
    assert!(matches!(e.kind, ParseErrorKind::DuplicateLine { .. }));
    let e = err(&format!("{HEAD}c=IN IP4\r\n"));
    assert_eq!(e.to_string(), "line 5: c=: missing connection-address");
    let e = err(&format!("{HEAD}b=AS\r\n"));
    assert_eq!(e.to_string(), "line 5: b=: missing bandwidth");
    let e = err(&format!("{HEAD}a=ok\r\na=x\rmore\r\n"));
    assert_eq!(
        (e.line, e.kind),
        (Some(6), ParseErrorKind::ControlCharacter)
    );
}

#[test]
fn value_error_parts_are_typed() {
    let e = err(&with_media_attr("a=rtpmap:abc opus/48000"));
    match e.kind {
        ParseErrorKind::Value { context, error } => {
            assert_eq!(context, "a=rtpmap");
            assert_eq!(error.field, "payload type");
            assert_eq!(error.value, "abc");
            assert_eq!(error.problem, Problem::NotANumber);
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn errors_in_lf_only_input_count_lines_the_same() {
    let sdp = format!(
        "{HEAD}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:abc opus/48000/2\r\n"
    )
    .replace("\r\n", "\n");
    assert_eq!(err(&sdp).line, Some(7));
}
