//! Arbitrary datagrams into DTLS transports in both roles: dropped, counted or failing the
//! transport cleanly, never a panic.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use rtcio_dtls::{Certificate, DtlsConfig, DtlsRole, DtlsTransport, KeyType};

fn certificate() -> Certificate {
    static CERT: OnceLock<Certificate> = OnceLock::new();
    CERT.get_or_init(|| Certificate::generate(KeyType::EcdsaP256).unwrap())
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    for role in [DtlsRole::Server, DtlsRole::Client] {
        let mut config = DtlsConfig::new(role, certificate());
        config.remote_fingerprints = vec![certificate().fingerprint()];
        let mut t = DtlsTransport::new(config).unwrap();
        t.start(now);
        // The input is a sequence of datagrams, each prefixed by a one-byte length.
        let mut rest = data;
        while let Some((&len, tail)) = rest.split_first() {
            let n = usize::from(len).min(tail.len());
            t.handle_receive(now, &tail[..n]);
            rest = &tail[n..];
        }
        t.handle_timeout(now + Duration::from_secs(2));
        while t.poll_transmit().is_some() {}
        while t.poll_event().is_some() {}
    }
});
