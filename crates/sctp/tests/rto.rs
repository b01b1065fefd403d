//! RTO computation (RFC 9260 §6.3.1) and backoff (§6.3.3).

use std::time::Duration;

use rtcio_sctp::association::rto::Rto;

const MS: Duration = Duration::from_millis(1);

#[test]
fn first_and_later_measurements() {
    let mut r = Rto::new(1000 * MS, 100 * MS, 60_000 * MS);
    assert_eq!(r.rto(), 1000 * MS);
    assert_eq!(r.srtt(), None);
    // First: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 3R.
    r.on_measurement(100 * MS);
    assert_eq!(r.srtt(), Some(100 * MS));
    assert_eq!(r.rto(), 300 * MS);
    // Second: RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5.
    r.on_measurement(200 * MS);
    assert_eq!(r.srtt(), Some(Duration::from_micros(112_500)));
    assert_eq!(r.rto(), Duration::from_micros(112_500 + 4 * 62_500));
}

#[test]
fn clamped_to_min_and_max_and_backed_off() {
    let mut r = Rto::new(1000 * MS, 400 * MS, 4000 * MS);
    r.on_measurement(10 * MS);
    assert_eq!(r.rto(), 400 * MS, "RTO.Min");
    r.back_off();
    assert_eq!(r.rto(), 800 * MS);
    for _ in 0..10 {
        r.back_off();
    }
    assert_eq!(r.rto(), 4000 * MS, "RTO.Max");
    // A new measurement recomputes from SRTT/RTTVAR.
    r.on_measurement(10 * MS);
    assert_eq!(r.rto(), 400 * MS);
}
