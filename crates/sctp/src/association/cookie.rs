//! The State Cookie (RFC 9260 §5.1.3): the peer's INIT parameters and our tags, authenticated
//! with HMAC-SHA-256 under the association's secret so no state is kept before COOKIE-ECHO.

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::wire::Reader;

const VERSION: u8 = 1;
const BODY_LEN: usize = 36;
const MAC_LEN: usize = 16;
/// Encoded cookie size.
pub const COOKIE_LEN: usize = BODY_LEN + MAC_LEN;

/// Everything needed to build the association when the cookie comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateCookie {
    /// Creation time, milliseconds since the association's epoch.
    pub created_ms: u64,
    /// Our verification tag.
    pub local_tag: u32,
    /// The peer's verification tag (its Initiate Tag).
    pub peer_tag: u32,
    /// Our initial TSN.
    pub local_initial_tsn: u32,
    /// The peer's initial TSN.
    pub peer_initial_tsn: u32,
    /// The peer's a_rwnd.
    pub peer_a_rwnd: u32,
    /// The peer's OS.
    pub peer_outbound_streams: u16,
    /// The peer's MIS.
    pub peer_inbound_streams: u16,
    /// The peer supports FORWARD-TSN.
    pub peer_forward_tsn: bool,
    /// The peer supports RE-CONFIG.
    pub peer_reconfig: bool,
    /// The peer supports I-DATA.
    pub peer_idata: bool,
}

fn mac(secret: &[u8; 32], body: &[u8]) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(body);
    m
}

impl StateCookie {
    /// Serializes and authenticates the cookie.
    pub fn encode(&self, secret: &[u8; 32]) -> Bytes {
        let mut v = Vec::with_capacity(COOKIE_LEN);
        v.push(VERSION);
        let flags = u8::from(self.peer_forward_tsn)
            | (u8::from(self.peer_reconfig) << 1)
            | (u8::from(self.peer_idata) << 2);
        v.push(flags);
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(&self.created_ms.to_be_bytes());
        v.extend_from_slice(&self.local_tag.to_be_bytes());
        v.extend_from_slice(&self.peer_tag.to_be_bytes());
        v.extend_from_slice(&self.local_initial_tsn.to_be_bytes());
        v.extend_from_slice(&self.peer_initial_tsn.to_be_bytes());
        v.extend_from_slice(&self.peer_a_rwnd.to_be_bytes());
        v.extend_from_slice(&self.peer_outbound_streams.to_be_bytes());
        v.extend_from_slice(&self.peer_inbound_streams.to_be_bytes());
        let tag = mac(secret, &v).finalize().into_bytes();
        v.extend_from_slice(&tag[..MAC_LEN]);
        Bytes::from(v)
    }

    /// Verifies and parses a cookie; `None` when forged, corrupted or of another format.
    pub fn decode(secret: &[u8; 32], cookie: &[u8]) -> Option<StateCookie> {
        if cookie.len() != COOKIE_LEN {
            return None;
        }
        let (body, tag) = cookie.split_at(BODY_LEN);
        mac(secret, body).verify_truncated_left(tag).ok()?;
        let mut r = Reader::new(body);
        if r.u8().ok()? != VERSION {
            return None;
        }
        let flags = r.u8().ok()?;
        r.u16().ok()?;
        let created_ms = (u64::from(r.u32().ok()?) << 32) | u64::from(r.u32().ok()?);
        Some(StateCookie {
            created_ms,
            local_tag: r.u32().ok()?,
            peer_tag: r.u32().ok()?,
            local_initial_tsn: r.u32().ok()?,
            peer_initial_tsn: r.u32().ok()?,
            peer_a_rwnd: r.u32().ok()?,
            peer_outbound_streams: r.u16().ok()?,
            peer_inbound_streams: r.u16().ok()?,
            peer_forward_tsn: flags & 1 != 0,
            peer_reconfig: flags & 2 != 0,
            peer_idata: flags & 4 != 0,
        })
    }
}
