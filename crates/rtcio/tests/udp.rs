//! Batched UDP: many datagrams per call arrive intact and separately.

use std::time::Duration;

use rtcio::net::{InterfaceFilter, RecvBatch, UdpSocket, host_addresses};

#[tokio::test]
async fn segmented_send_arrives_as_separate_datagrams() {
    let a = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let b = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let segments = a.max_segments().min(8);
    let mut contents = Vec::new();
    for i in 0..segments {
        contents.extend(std::iter::repeat_n(i as u8, 1200));
    }
    // A shorter tail datagram is allowed in a segmented send.
    contents.extend(std::iter::repeat_n(0xee, 100));
    a.send(b.local_addr(), &contents, Some(1200)).await.unwrap();

    let mut batch = RecvBatch::new(8);
    let mut got: Vec<Vec<u8>> = Vec::new();
    while got.len() < segments + 1 {
        tokio::time::timeout(Duration::from_secs(5), b.recv(&mut batch))
            .await
            .expect("datagrams arrive")
            .unwrap();
        for (from, _, d) in batch.datagrams() {
            assert_eq!(from, a.local_addr());
            got.push(d.to_vec());
        }
    }
    for (i, d) in got[..segments].iter().enumerate() {
        assert_eq!(d.len(), 1200);
        assert!(d.iter().all(|b| *b == i as u8));
    }
    assert_eq!(got[segments], vec![0xee; 100]);
}

#[test]
fn loopback_only_when_explicitly_asked_or_alone() {
    let explicit = InterfaceFilter {
        addresses: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    assert_eq!(
        host_addresses(&explicit).unwrap(),
        vec!["127.0.0.1".parse::<std::net::IpAddr>().unwrap()]
    );
    let all = host_addresses(&InterfaceFilter::default()).unwrap();
    assert!(
        !all.is_empty(),
        "some address is always usable (loopback at least)"
    );
    if all.iter().any(|ip| !ip.is_loopback()) {
        assert!(all.iter().all(|ip| !ip.is_loopback()));
    }
}
