//! The line-level SDP parser.

use crate::attribute::Attribute;
use crate::error::{ParseError, ParseErrorKind, ValueError, excerpt};
use crate::media::MediaDescription;
use crate::session::{Bandwidth, Connection, Origin, SessionDescription, Timing};

/// Largest accepted input: 1 MiB.
pub const MAX_SDP_LEN: usize = 1 << 20;
/// Largest accepted number of lines.
pub const MAX_LINES: usize = 100_000;
/// Longest accepted line, in bytes (without its line ending).
pub const MAX_LINE_LEN: usize = 16 * 1024;
/// Largest accepted number of media descriptions (`m=` sections).
pub const MAX_MEDIA_SECTIONS: usize = 1024;

/// Parses SDP bytes, which must be UTF-8 (see [`parse`]).
pub fn parse_bytes(sdp: &[u8]) -> Result<SessionDescription, ParseError> {
    if sdp.len() > MAX_SDP_LEN {
        return Err(ParseError::whole(ParseErrorKind::TooLarge {
            len: sdp.len(),
        }));
    }
    match std::str::from_utf8(sdp) {
        Ok(s) => parse(s),
        Err(e) => {
            let valid = sdp.get(..e.valid_up_to()).unwrap_or_default();
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            Err(ParseError::at(line, ParseErrorKind::NotUtf8))
        }
    }
}

/// Parses SDP text into a [`SessionDescription`].
///
/// Lines may end in CRLF or LF; empty lines are skipped. `v=`, `o=` and `s=` must come first
/// in that order; other lines may come in any order within their section, and attributes keep
/// their order. Unknown attributes are kept; unknown line types, malformed known lines and
/// attributes, and inputs beyond [`MAX_SDP_LEN`], [`MAX_LINES`], [`MAX_LINE_LEN`] or
/// [`MAX_MEDIA_SECTIONS`] are errors.
pub fn parse(sdp: &str) -> Result<SessionDescription, ParseError> {
    if sdp.len() > MAX_SDP_LEN {
        return Err(ParseError::whole(ParseErrorKind::TooLarge {
            len: sdp.len(),
        }));
    }
    if sdp.bytes().all(|b| b == b'\r' || b == b'\n') {
        return Err(ParseError::whole(ParseErrorKind::Empty));
    }
    let mut lines = Lines::new(sdp);
    let (n, version) = lines.expect('v')?;
    if version != "0" {
        return Err(value_error(n, 'v', ValueError::invalid("version", version)));
    }
    let (n, origin) = lines.expect('o')?;
    let origin = Origin::parse_value(origin).map_err(|e| value_error(n, 'o', e))?;
    let (_, session_name) = lines.expect('s')?;
    let mut session = SessionDescription::new(origin);
    session.session_name = session_name.into();
    session.timings.clear();
    while let Some((n, t, value)) = lines.next()? {
        match session.media.last_mut() {
            None => session_line(&mut session, n, t, value)?,
            Some(media) if t != 'm' => media_line(media, n, t, value)?,
            Some(_) => {}
        }
        if t == 'm' {
            if session.media.len() == MAX_MEDIA_SECTIONS {
                return Err(ParseError::at(n, ParseErrorKind::TooManyMediaSections));
            }
            let media =
                MediaDescription::parse_media_line(value).map_err(|e| value_error(n, 'm', e))?;
            session.media.push(media);
        }
    }
    Ok(session)
}

fn session_line(
    s: &mut SessionDescription,
    n: usize,
    t: char,
    value: &str,
) -> Result<(), ParseError> {
    let err = |e| value_error(n, t, e);
    match t {
        'm' => {}
        'i' => once(&mut s.information, n, t, value.into())?,
        'u' => once(&mut s.uri, n, t, value.into())?,
        'e' => s.emails.push(value.into()),
        'p' => s.phones.push(value.into()),
        'c' => once(
            &mut s.connection,
            n,
            t,
            Connection::parse_value(value).map_err(err)?,
        )?,
        'b' => s
            .bandwidths
            .push(Bandwidth::parse_value(value).map_err(err)?),
        't' => s.timings.push(Timing::parse_value(value).map_err(err)?),
        'r' => match s.timings.last_mut() {
            Some(timing) => timing.repeats.push(value.into()),
            None => return Err(misplaced(n, t)),
        },
        'z' => once(&mut s.time_zones, n, t, value.into())?,
        'k' => once(&mut s.key, n, t, value.into())?,
        'a' => s.attributes.push(attribute(n, value)?),
        'v' | 'o' | 's' => {
            return Err(ParseError::at(
                n,
                ParseErrorKind::DuplicateLine {
                    line_type: format!("{t}="),
                },
            ));
        }
        _ => return Err(unknown(n, t)),
    }
    Ok(())
}

fn media_line(m: &mut MediaDescription, n: usize, t: char, value: &str) -> Result<(), ParseError> {
    let err = |e| value_error(n, t, e);
    match t {
        'i' => once(&mut m.information, n, t, value.into())?,
        'c' => once(
            &mut m.connection,
            n,
            t,
            Connection::parse_value(value).map_err(err)?,
        )?,
        'b' => m
            .bandwidths
            .push(Bandwidth::parse_value(value).map_err(err)?),
        'k' => once(&mut m.key, n, t, value.into())?,
        'a' => m.attributes.push(attribute(n, value)?),
        'v' | 'o' | 's' | 'u' | 'e' | 'p' | 't' | 'r' | 'z' => return Err(misplaced(n, t)),
        _ => return Err(unknown(n, t)),
    }
    Ok(())
}

fn attribute(n: usize, text: &str) -> Result<Attribute, ParseError> {
    Attribute::parse(text).map_err(|error| {
        let name = text.split_once(':').map_or(text, |(name, _)| name);
        ParseError::at(
            n,
            ParseErrorKind::Value {
                context: format!("a={}", excerpt(name)),
                error,
            },
        )
    })
}

fn once<T>(slot: &mut Option<T>, n: usize, t: char, value: T) -> Result<(), ParseError> {
    if slot.is_some() {
        return Err(ParseError::at(
            n,
            ParseErrorKind::DuplicateLine {
                line_type: format!("{t}="),
            },
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn value_error(n: usize, t: char, error: ValueError) -> ParseError {
    ParseError::at(
        n,
        ParseErrorKind::Value {
            context: format!("{t}="),
            error,
        },
    )
}

fn misplaced(n: usize, t: char) -> ParseError {
    ParseError::at(
        n,
        ParseErrorKind::Misplaced {
            line_type: format!("{t}="),
        },
    )
}

fn unknown(n: usize, t: char) -> ParseError {
    ParseError::at(
        n,
        ParseErrorKind::UnknownLineType {
            line_type: format!("{t}="),
        },
    )
}

/// Splits the input into `(line number, type, value)`, enforcing the line limits.
struct Lines<'a> {
    inner: std::iter::Enumerate<std::str::Split<'a, char>>,
    /// The number of the last non-empty line seen.
    last: usize,
}

impl<'a> Lines<'a> {
    fn new(sdp: &'a str) -> Self {
        Self {
            inner: sdp.split('\n').enumerate(),
            last: 0,
        }
    }

    fn next(&mut self) -> Result<Option<(usize, char, &'a str)>, ParseError> {
        for (i, raw) in self.inner.by_ref() {
            let n = i + 1;
            if n > MAX_LINES {
                return Err(ParseError::at(n, ParseErrorKind::TooManyLines));
            }
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.len() > MAX_LINE_LEN {
                let len = line.len();
                return Err(ParseError::at(n, ParseErrorKind::LineTooLong { len }));
            }
            if line.is_empty() {
                continue;
            }
            self.last = n;
            if line.contains(['\0', '\r']) {
                return Err(ParseError::at(n, ParseErrorKind::ControlCharacter));
            }
            let mut chars = line.chars();
            return match (chars.next(), chars.next()) {
                (Some(t), Some('=')) if t.is_ascii_lowercase() => Ok(Some((n, t, chars.as_str()))),
                _ => Err(ParseError::at(
                    n,
                    ParseErrorKind::NotATypedLine {
                        line: excerpt(line),
                    },
                )),
            };
        }
        Ok(None)
    }

    /// The next line, which must be of type `t`.
    fn expect(&mut self, t: char) -> Result<(usize, &'a str), ParseError> {
        let expected = match t {
            'v' => "v=",
            'o' => "o=",
            _ => "s=",
        };
        match self.next()? {
            Some((n, found, value)) if found == t => Ok((n, value)),
            Some((n, found, _)) => Err(ParseError::at(
                n,
                ParseErrorKind::Expected {
                    expected,
                    found: format!("{found}="),
                },
            )),
            // Reported on the line after the last one.
            None => Err(ParseError::at(
                self.last + 1,
                ParseErrorKind::Expected {
                    expected,
                    found: String::new(),
                },
            )),
        }
    }
}
