//! `stun:`/`turn:`/`turns:` URL parsing (RFC 7064, RFC 7065).

use rtcio_turn::{IceServerUrl, Scheme, Transport, UrlError, UrlTransport};

#[test]
fn defaults_and_explicit_parts() {
    let u = IceServerUrl::parse("stun:example.org").unwrap();
    assert_eq!(
        (u.scheme, u.host.as_str(), u.port, u.transport),
        (Scheme::Stun, "example.org", 3478, None)
    );
    assert_eq!(u.effective_transport(), Transport::Udp);

    let u = IceServerUrl::parse("turn:127.0.0.1:19302?transport=tcp").unwrap();
    assert_eq!(
        (u.scheme, u.port, u.transport),
        (Scheme::Turn, 19302, Some(UrlTransport::Tcp))
    );
    assert_eq!(u.effective_transport(), Transport::Tcp);
    assert_eq!(u.ip(), Some("127.0.0.1".parse().unwrap()));

    let u = IceServerUrl::parse("turns:relay.example.org").unwrap();
    assert_eq!((u.port, u.effective_transport()), (5349, Transport::Tls));

    let u = IceServerUrl::parse("TURN:[::1]:3479?Transport=UDP").unwrap();
    assert_eq!((u.host.as_str(), u.port), ("::1", 3479));
    assert_eq!(u.transport, Some(UrlTransport::Udp));

    let u = IceServerUrl::parse("stuns:[2001:db8::1]").unwrap();
    assert_eq!((u.host.as_str(), u.port), ("2001:db8::1", 5349));
}

#[test]
fn malformed_urls_are_typed_errors() {
    let cases = [
        ("http://x", UrlError::UnknownScheme),
        ("x", UrlError::UnknownScheme),
        ("stun:", UrlError::BadHost),
        ("stun:host:", UrlError::BadPort),
        ("stun:host:0", UrlError::BadPort),
        ("stun:host:70000", UrlError::BadPort),
        ("stun:host:+1", UrlError::BadPort),
        ("stun:host?transport=udp", UrlError::BadQuery),
        ("turn:host?transport=sctp", UrlError::BadQuery),
        ("turn:host?foo=udp", UrlError::BadQuery),
        ("turn:[::1", UrlError::BadHost),
        ("turn:[nothex]:1", UrlError::BadHost),
        ("turn:user@host", UrlError::BadHost),
        ("turn:a b", UrlError::BadHost),
    ];
    for (url, err) in cases {
        assert_eq!(IceServerUrl::parse(url), Err(err), "{url}");
    }
    assert_eq!(
        IceServerUrl::parse(&"a".repeat(600)),
        Err(UrlError::TooLong)
    );
}
