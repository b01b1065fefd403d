//! Loopback media: every RTP packet a transceiver receives goes back out of its sender, and
//! keyframe requests travel the other way (the browser's decoder asks us, we ask its encoder).
//!
//! Packets are forwarded as they are (payload type, marker, timestamp, payload); the sender
//! gives them its own SSRC and sequence numbers, so a packet lost on the way in is simply
//! absent on the way out and the browser's decoder asks for a keyframe.

use rtcio::media::RTCRtpTransceiver;

/// Echoes what `transceiver` receives until its track ends or the connection closes.
pub async fn echo(transceiver: RTCRtpTransceiver) {
    let receiver = transceiver.receiver();
    let sender = transceiver.sender();
    let (keyframes_from, keyframes_to) = (sender.clone(), receiver.clone());
    let keyframes = tokio::spawn(async move {
        let mut seen = 0;
        while let Some(n) = keyframes_from.keyframe_requested(seen).await {
            seen = n;
            if let Err(e) = keyframes_to.request_keyframe().await {
                tracing::debug!("keyframe request not forwarded: {e}");
            }
        }
    });
    let (mut forwarded, mut refused) = (0u64, 0u64);
    while let Some(p) = receiver.recv_rtp().await {
        let h = &p.header;
        match sender
            .send_rtp(Some(h.payload_type), h.marker, h.timestamp, &p.payload)
            .await
        {
            Ok(()) => forwarded += 1,
            // Before the answer is applied or once the direction no longer sends.
            Err(_) => refused += 1,
        }
    }
    keyframes.abort();
    tracing::info!(
        "{} echo on mid {:?} ended: {forwarded} packets forwarded, {refused} refused",
        transceiver.kind(),
        transceiver.mid()
    );
}
