//! The agent's view of STUN Binding messages, on top of the `rtcio-stun` codec.

use std::net::SocketAddr;

use rtcio_stun as stun;

use crate::config::IceRole;

/// 400 Bad Request.
pub(crate) const BAD_REQUEST: u16 = 400;
/// 401 Unauthenticated.
pub(crate) const UNAUTHORIZED: u16 = 401;
/// 487 Role Conflict (RFC 8445 §7.3.1.1).
pub(crate) const ROLE_CONFLICT: u16 = 487;

/// The STUN message class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Request,
    Indication,
    Success,
    Error,
}

/// A decoded message with the attributes ICE uses.
#[derive(Debug)]
pub(crate) struct Message<'a> {
    inner: stun::Message<'a>,
    pub class: Class,
    pub is_binding: bool,
    pub txid: [u8; 12],
    pub username: Option<&'a str>,
    pub priority: Option<u32>,
    pub use_candidate: bool,
    /// The role the sender claims with its tie-breaker; `None` when neither or both of
    /// ICE-CONTROLLING and ICE-CONTROLLED are present.
    pub role: Option<(IceRole, u64)>,
    pub xor_mapped: Option<SocketAddr>,
    pub error_code: Option<u16>,
    pub has_integrity: bool,
}

impl Message<'_> {
    /// Checks MESSAGE-INTEGRITY with the short-term key `pwd`.
    pub fn verify_integrity(&self, pwd: &str) -> bool {
        self.inner
            .verify_integrity(&stun::integrity::short_term_key(pwd))
            .is_ok()
    }
}

/// RFC 7983 demultiplexing: a first byte of 0..=3 is STUN.
pub(crate) fn looks_like_stun(data: &[u8]) -> bool {
    data.first().is_some_and(|b| *b < 4)
}

/// Decodes a STUN message; a FINGERPRINT, when present, must be correct.
pub(crate) fn decode(data: &[u8]) -> Result<Message<'_>, stun::StunError> {
    let inner = stun::Message::decode(data)?;
    if inner.has_fingerprint() {
        inner.verify_fingerprint()?;
    }
    let class = match inner.class() {
        stun::Class::Request => Class::Request,
        stun::Class::Indication => Class::Indication,
        stun::Class::SuccessResponse => Class::Success,
        stun::Class::ErrorResponse => Class::Error,
    };
    let role = match (inner.ice_controlling(), inner.ice_controlled()) {
        (Some(tb), None) => Some((IceRole::Controlling, tb)),
        (None, Some(tb)) => Some((IceRole::Controlled, tb)),
        _ => None,
    };
    Ok(Message {
        class,
        is_binding: inner.method() == stun::Method::BINDING,
        txid: *inner.transaction_id().as_bytes(),
        username: inner.username(),
        priority: inner.priority(),
        use_candidate: inner.use_candidate(),
        role,
        xor_mapped: inner.xor_mapped_address(),
        error_code: inner.error_code().map(|e| e.code),
        has_integrity: inner.has_integrity(),
        inner,
    })
}

/// What goes into a connectivity check (RFC 8445 §7.1).
pub(crate) struct RequestParams<'a> {
    pub txid: [u8; 12],
    /// `RFRAG:LFRAG`.
    pub username: &'a str,
    pub priority: u32,
    pub role: IceRole,
    pub tie_breaker: u64,
    pub use_candidate: bool,
    /// The remote password (the short-term key).
    pub pwd: &'a str,
}

/// A Binding request with USERNAME, PRIORITY, the role attribute, USE-CANDIDATE when
/// nominating, MESSAGE-INTEGRITY and FINGERPRINT. `None` when the codec refuses an attribute
/// (e.g. an over-long USERNAME from hostile credentials).
pub(crate) fn encode_request(p: &RequestParams<'_>) -> Option<Vec<u8>> {
    let key = stun::integrity::short_term_key(p.pwd);
    let tid = stun::TransactionId::new(p.txid);
    let mut b = stun::MessageBuilder::new(stun::Class::Request, stun::Method::BINDING, tid);
    b.add(&stun::Attribute::Username(p.username)).ok()?;
    b.add(&stun::Attribute::Priority(p.priority)).ok()?;
    let role = match p.role {
        IceRole::Controlling => stun::Attribute::IceControlling(p.tie_breaker),
        IceRole::Controlled => stun::Attribute::IceControlled(p.tie_breaker),
    };
    b.add(&role).ok()?;
    if p.use_candidate {
        b.add(&stun::Attribute::UseCandidate).ok()?;
    }
    b.add_message_integrity(&key).ok()?;
    b.add_fingerprint().ok()?;
    Some(b.build())
}

/// A Binding success response reflecting `mapped` in XOR-MAPPED-ADDRESS, signed with the local
/// password `pwd` (RFC 8445 §7.3.1).
pub(crate) fn encode_success(txid: [u8; 12], mapped: SocketAddr, pwd: &str) -> Option<Vec<u8>> {
    let key = stun::integrity::short_term_key(pwd);
    let tid = stun::TransactionId::new(txid);
    let mut b = stun::MessageBuilder::new(stun::Class::SuccessResponse, stun::Method::BINDING, tid);
    b.add(&stun::Attribute::XorMappedAddress(mapped)).ok()?;
    b.add_message_integrity(&key).ok()?;
    b.add_fingerprint().ok()?;
    Some(b.build())
}

/// A Binding error response with `code`, signed with `pwd` when given (a request that failed
/// authentication gets an unsigned one, RFC 8489 §9.1.3).
pub(crate) fn encode_error(txid: [u8; 12], code: u16, pwd: Option<&str>) -> Option<Vec<u8>> {
    let reason = match code {
        BAD_REQUEST => "Bad Request",
        UNAUTHORIZED => "Unauthenticated",
        ROLE_CONFLICT => "Role Conflict",
        _ => "Error",
    };
    let tid = stun::TransactionId::new(txid);
    let mut b = stun::MessageBuilder::new(stun::Class::ErrorResponse, stun::Method::BINDING, tid);
    b.add(&stun::Attribute::ErrorCode(stun::ErrorCode {
        code,
        reason,
    }))
    .ok()?;
    if let Some(pwd) = pwd {
        b.add_message_integrity(&stun::integrity::short_term_key(pwd))
            .ok()?;
    }
    b.add_fingerprint().ok()?;
    Some(b.build())
}
