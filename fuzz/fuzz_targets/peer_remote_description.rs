//! Arbitrary text as a remote offer and answer: JSEP validation must reject or apply it, never
//! panic, and a rejected description must leave the signaling state where it was.
#![no_main]

use std::sync::OnceLock;
use std::time::Instant;

use libfuzzer_sys::fuzz_target;
use rtcio_dtls::{Certificate, KeyType};
use rtcio_proto::peer::{Config, DataChannelInit, PeerConnection, SignalingState};
use rtcio_sdp::{JsepDescription, SdpType};

fn certificate() -> Certificate {
    static CERT: OnceLock<Certificate> = OnceLock::new();
    CERT.get_or_init(|| Certificate::generate(KeyType::EcdsaP256).unwrap())
        .clone()
}

fn pc() -> PeerConnection {
    let config = Config {
        certificate: Some(certificate()),
        ..Config::default()
    };
    PeerConnection::new(config).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = Instant::now();
    // As an offer to a fresh connection.
    if let Ok(offer) = JsepDescription::parse(SdpType::Offer, text) {
        let mut answerer = pc();
        match answerer.set_remote_description(now, offer) {
            Ok(()) => {
                let _ = answerer.create_answer();
                let _ = answerer.set_local_description(now, None);
            }
            Err(_) => assert_eq!(answerer.signaling_state(), SignalingState::Stable),
        }
    }
    // As the answer to our offer.
    if let Ok(answer) = JsepDescription::parse(SdpType::Answer, text) {
        let mut offerer = pc();
        let _ = offerer.create_data_channel(now, "f", DataChannelInit::default());
        offerer.set_local_description(now, None).unwrap();
        if offerer.set_remote_description(now, answer).is_err() {
            assert_eq!(offerer.signaling_state(), SignalingState::HaveLocalOffer);
        }
    }
});
