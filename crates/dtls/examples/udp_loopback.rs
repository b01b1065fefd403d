//! Two DTLS endpoints over real UDP sockets on 127.0.0.1, driven by one handle/poll loop:
//! the shape of the async driver, without async.
//!
//! `cargo run -p rtcio-dtls --example udp_loopback`

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use rtcio_dtls::{
    Certificate, DtlsConfig, DtlsError, DtlsEvent, DtlsRole, DtlsTransport, DtlsTransportState,
    KeyType,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let certs = [
        Certificate::generate(KeyType::EcdsaP256)?,
        Certificate::generate(KeyType::EcdsaP256)?,
    ];
    let sockets = [
        UdpSocket::bind("127.0.0.1:0")?,
        UdpSocket::bind("127.0.0.1:0")?,
    ];
    let mut endpoints = Vec::new();
    for (i, role) in [DtlsRole::Client, DtlsRole::Server].into_iter().enumerate() {
        let mut config = DtlsConfig::new(role, certs[i].clone());
        config.remote_fingerprints = vec![certs[1 - i].fingerprint()];
        sockets[i].set_nonblocking(true)?;
        endpoints.push(DtlsTransport::new(config)?);
    }
    let peers = [sockets[1].local_addr()?, sockets[0].local_addr()?];
    let started = Instant::now();
    for endpoint in &mut endpoints {
        endpoint.start(started);
    }

    let mut sent_greeting = false;
    let mut buf = [0u8; 2048];
    while started.elapsed() < Duration::from_secs(10) {
        for i in 0..2 {
            let dtls = &mut endpoints[i];
            // 1. Feed input: datagrams, then expired timers.
            while let Ok(n) = sockets[i].recv(&mut buf) {
                dtls.handle_receive(Instant::now(), &buf[..n]);
            }
            let now = Instant::now();
            if dtls.poll_timeout().is_some_and(|t| t <= now) {
                dtls.handle_timeout(now);
            }
            // 2. Drain output: datagrams, then events.
            while let Some(datagram) = dtls.poll_transmit() {
                sockets[i].send_to(&datagram, peers[i])?;
            }
            while let Some(event) = dtls.poll_event() {
                match event {
                    DtlsEvent::StateChange(state) => println!("{:?}: {state:?}", dtls.role()),
                    DtlsEvent::Data(data) => {
                        println!(
                            "{:?} received {:?}",
                            dtls.role(),
                            String::from_utf8_lossy(&data)
                        );
                        return report(&endpoints);
                    }
                }
            }
        }
        if !sent_greeting && endpoints[0].state() == DtlsTransportState::Connected {
            endpoints[0].send(b"hello over DTLS")?;
            sent_greeting = true;
        }
        // 3. Wait: a real driver sleeps until a socket is readable or poll_timeout().
        std::thread::sleep(Duration::from_millis(1));
    }
    Err(Box::new(DtlsError::HandshakeTimeout))
}

fn report(endpoints: &[DtlsTransport]) -> Result<(), Box<dyn std::error::Error>> {
    for dtls in endpoints {
        let stats = dtls.stats();
        println!(
            "{:?}: profile {:?}, handshake {} flights, {} B in {} datagrams, took {:?}",
            dtls.role(),
            dtls.srtp_profile(),
            stats.handshake_flights_sent,
            stats.handshake_bytes_sent,
            stats.handshake_datagrams_sent,
            stats.handshake_duration,
        );
    }
    Ok(())
}
