//! Small lexical helpers shared by the line and attribute parsers.

use crate::error::{Problem, ValueError};

/// Parses a decimal number of at most `T`'s range: digits only, no sign, no spaces.
pub(crate) fn number<T: TryFrom<u64>>(field: &'static str, s: &str) -> Result<T, ValueError> {
    if s.is_empty() {
        return Err(ValueError::missing(field));
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::new(field, s, Problem::NotANumber));
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or_else(|| ValueError::new(field, s, Problem::OutOfRange))?;
    }
    T::try_from(n).map_err(|_| ValueError::new(field, s, Problem::OutOfRange))
}

/// Parses an RTP payload type (0–127).
pub(crate) fn payload_type(s: &str) -> Result<u8, ValueError> {
    let pt: u8 = number("payload type", s)?;
    if pt > 127 {
        return Err(ValueError::new("payload type", s, Problem::OutOfRange));
    }
    Ok(pt)
}

/// Whether `c` is an RFC 8866 `token-char`.
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`{|}~".contains(c)
}

/// Checks that `s` is a non-empty RFC 8866 `token`.
pub(crate) fn token<'a>(field: &'static str, s: &'a str) -> Result<&'a str, ValueError> {
    if s.is_empty() {
        Err(ValueError::missing(field))
    } else if s.chars().all(is_token_char) {
        Ok(s)
    } else {
        Err(ValueError::invalid(field, s))
    }
}

/// Checks that `s` is non-empty and contains no space (a "word" of a space-separated value).
pub(crate) fn word<'a>(field: &'static str, s: &'a str) -> Result<&'a str, ValueError> {
    if s.is_empty() {
        Err(ValueError::missing(field))
    } else if s.contains(' ') {
        Err(ValueError::invalid(field, s))
    } else {
        Ok(s)
    }
}

/// The space-separated, non-empty words of `s`.
pub(crate) fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(' ').filter(|w| !w.is_empty())
}

/// A cursor over the space-separated words of a value, for fixed-position grammars.
pub(crate) struct Words<'a> {
    rest: &'a str,
}

impl<'a> Words<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        Self { rest: s }
    }

    /// The next word, or a `Missing` error naming `field`.
    pub(crate) fn next(&mut self, field: &'static str) -> Result<&'a str, ValueError> {
        self.next_opt().ok_or_else(|| ValueError::missing(field))
    }

    /// The next word, if any.
    pub(crate) fn next_opt(&mut self) -> Option<&'a str> {
        let s = self.rest.trim_start_matches(' ');
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        let (w, rest) = s.split_once(' ').unwrap_or((s, ""));
        self.rest = rest;
        Some(w)
    }

    /// Fails if any word is left; `after` names the last field.
    pub(crate) fn end(mut self, after: &'static str) -> Result<(), ValueError> {
        match self.next_opt() {
            None => Ok(()),
            Some(w) => Err(ValueError::new(after, w, Problem::Trailing)),
        }
    }
}
