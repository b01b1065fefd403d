//! `RTCConfiguration.ice_servers` validation when the connection is created (W3C
//! `setConfiguration`): malformed URLs, TURN without credentials, too many URLs.

use rtcio::{Error, RTCConfiguration, RTCIceServer, RTCPeerConnection};

fn with_servers(servers: Vec<RTCIceServer>) -> RTCConfiguration {
    let mut config = RTCConfiguration::default();
    config.interfaces.addresses = vec!["127.0.0.1".parse().unwrap()];
    config.ice_servers = servers;
    config
}

fn server(url: &str, credentials: bool) -> RTCIceServer {
    RTCIceServer {
        urls: vec![url.to_string()],
        username: credentials.then(|| "u".to_string()),
        credential: credentials.then(|| "p".to_string()),
    }
}

#[tokio::test]
async fn malformed_url_is_a_syntax_error() {
    for url in [
        "http://127.0.0.1",
        "stun:",
        "turn:127.0.0.1:99999",
        "stun:h?transport=udp",
    ] {
        let r = RTCPeerConnection::new(with_servers(vec![server(url, true)])).await;
        assert!(matches!(r, Err(Error::Syntax(_))), "{url}: {r:?}");
    }
}

#[tokio::test]
async fn turn_without_credentials_is_invalid_access() {
    let r = RTCPeerConnection::new(with_servers(vec![server("turn:127.0.0.1", false)])).await;
    assert!(matches!(r, Err(Error::InvalidAccess(_))), "{r:?}");
    // STUN needs none.
    let pc = RTCPeerConnection::new(with_servers(vec![server("stun:127.0.0.1:9", false)]))
        .await
        .unwrap();
    pc.close().await;
}

#[tokio::test]
async fn too_many_urls_are_refused() {
    let servers = (0..33)
        .map(|i| server(&format!("stun:127.0.0.{i}"), false))
        .collect();
    let r = RTCPeerConnection::new(with_servers(servers)).await;
    assert!(matches!(r, Err(Error::Type(_))), "{r:?}");
}
