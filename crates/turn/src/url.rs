//! `stun:`, `stuns:`, `turn:` and `turns:` URLs (RFC 7064, RFC 7065):
//! `scheme ":" host [":" port] ["?transport=" ("udp" / "tcp")]`, the host a name, an IPv4
//! address or a bracketed IPv6 address. `stun` URLs take no query.

use std::fmt;
use std::net::IpAddr;

/// Default port of `stun:` and `turn:` (RFC 8489 §18.1).
pub const DEFAULT_PORT: u16 = 3478;
/// Default port of `stuns:` and `turns:`.
pub const DEFAULT_TLS_PORT: u16 = 5349;

/// Longest URL accepted (a host name is at most 253 bytes).
const MAX_URL_LEN: usize = 512;

/// The URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `stun:` (RFC 7064).
    Stun,
    /// `stuns:` (RFC 7064), STUN over TLS.
    Stuns,
    /// `turn:` (RFC 7065).
    Turn,
    /// `turns:` (RFC 7065), TURN over TLS.
    Turns,
}

impl Scheme {
    /// Whether the scheme names a TURN server.
    pub fn is_turn(self) -> bool {
        matches!(self, Scheme::Turn | Scheme::Turns)
    }

    /// Whether the scheme runs over TLS.
    pub fn is_secure(self) -> bool {
        matches!(self, Scheme::Stuns | Scheme::Turns)
    }
}

/// The `transport` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UrlTransport {
    /// `?transport=udp`.
    Udp,
    /// `?transport=tcp`.
    Tcp,
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// Longer than 512 bytes.
    TooLong,
    /// Not one of the four schemes.
    UnknownScheme,
    /// Empty or malformed host.
    BadHost,
    /// Port not a number in 1..=65535.
    BadPort,
    /// A query other than `transport=udp|tcp`, or any query on a `stun:` URL.
    BadQuery,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlError::TooLong => "URL too long",
            UrlError::UnknownScheme => "scheme is not stun, stuns, turn or turns",
            UrlError::BadHost => "malformed host",
            UrlError::BadPort => "malformed port",
            UrlError::BadQuery => "query must be transport=udp or transport=tcp (TURN only)",
        })
    }
}

impl std::error::Error for UrlError {}

/// A parsed STUN or TURN server URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IceServerUrl {
    /// The scheme.
    pub scheme: Scheme,
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// The port, defaulted by scheme.
    pub port: u16,
    /// The explicit `transport` parameter, if any.
    pub transport: Option<UrlTransport>,
}

impl IceServerUrl {
    /// Parses a URL. Scheme and query are case-insensitive.
    pub fn parse(url: &str) -> Result<IceServerUrl, UrlError> {
        if url.len() > MAX_URL_LEN {
            return Err(UrlError::TooLong);
        }
        let (scheme, rest) = url.split_once(':').ok_or(UrlError::UnknownScheme)?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "stun" => Scheme::Stun,
            "stuns" => Scheme::Stuns,
            "turn" => Scheme::Turn,
            "turns" => Scheme::Turns,
            _ => return Err(UrlError::UnknownScheme),
        };
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let transport = match query {
            None => None,
            Some(_) if !scheme.is_turn() => return Err(UrlError::BadQuery),
            Some(q) => {
                let (key, value) = q.split_once('=').ok_or(UrlError::BadQuery)?;
                if !key.eq_ignore_ascii_case("transport") {
                    return Err(UrlError::BadQuery);
                }
                match value.to_ascii_lowercase().as_str() {
                    "udp" => Some(UrlTransport::Udp),
                    "tcp" => Some(UrlTransport::Tcp),
                    _ => return Err(UrlError::BadQuery),
                }
            }
        };
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            None if scheme.is_secure() => DEFAULT_TLS_PORT,
            None => DEFAULT_PORT,
            Some(text) => match text.parse::<u16>() {
                Ok(p) if p != 0 && text.bytes().all(|b| b.is_ascii_digit()) => p,
                _ => return Err(UrlError::BadPort),
            },
        };
        Ok(IceServerUrl {
            scheme,
            host: host.to_string(),
            port,
            transport,
        })
    }

    /// The transport to the server: TLS for `stuns`/`turns`, else the `transport` parameter
    /// (UDP by default).
    pub fn effective_transport(&self) -> crate::Transport {
        match (self.scheme.is_secure(), self.transport) {
            (true, _) => crate::Transport::Tls,
            (false, Some(UrlTransport::Tcp)) => crate::Transport::Tcp,
            (false, _) => crate::Transport::Udp,
        }
    }

    /// The host as an IP address, if it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// Splits `host[:port]` or `[v6][:port]`.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UrlError> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or(UrlError::BadHost)?;
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(UrlError::BadHost);
        }
        return match after {
            "" => Ok((v6, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((v6, Some(port))),
                None => Err(UrlError::BadHost),
            },
        };
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let valid = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if !valid {
        return Err(UrlError::BadHost);
    }
    Ok((host, port))
}
