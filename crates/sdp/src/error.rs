//! Typed parse errors.

use std::fmt;

/// The longest excerpt of offending input that an error keeps (in bytes, cut on a char boundary).
pub const MAX_EXCERPT_LEN: usize = 64;

/// What is wrong with one field of an SDP line or attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The field is absent.
    Missing,
    /// The field should be a decimal number and is not.
    NotANumber,
    /// The field is a number outside the range the specification allows.
    OutOfRange,
    /// The field is present but does not follow its grammar.
    Invalid,
    /// Extra text follows the last field of the value.
    Trailing,
    /// The field appears more often than allowed.
    Duplicate,
}

/// An error in one field of an SDP value, for example an attribute value or a candidate.
///
/// It names the field (`"payload type"`, `"port"` …) and keeps a bounded excerpt of the offending
/// text. [`ParseError`] wraps it with the line number and line type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// The field, named as in the specification's grammar.
    pub field: &'static str,
    /// The offending text (at most [`MAX_EXCERPT_LEN`] bytes); empty when the field is missing.
    pub value: String,
    /// What is wrong with it.
    pub problem: Problem,
}

impl ValueError {
    /// An error for `field` whose text is `value` (truncated to [`MAX_EXCERPT_LEN`] bytes).
    pub fn new(field: &'static str, value: &str, problem: Problem) -> Self {
        Self {
            field,
            value: excerpt(value),
            problem,
        }
    }

    /// The field is absent.
    pub fn missing(field: &'static str) -> Self {
        Self::new(field, "", Problem::Missing)
    }

    /// The field does not follow its grammar.
    pub fn invalid(field: &'static str, value: &str) -> Self {
        Self::new(field, value, Problem::Invalid)
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (field, value) = (self.field, &self.value);
        match self.problem {
            Problem::Missing => write!(f, "missing {field}"),
            Problem::NotANumber => write!(f, "{field} '{value}' is not a number"),
            Problem::OutOfRange => write!(f, "{field} '{value}' is out of range"),
            Problem::Invalid => write!(f, "invalid {field} '{value}'"),
            Problem::Trailing => write!(f, "unexpected '{value}' after {field}"),
            Problem::Duplicate => write!(f, "{field} '{value}' appears more than once"),
        }
    }
}

impl std::error::Error for ValueError {}

/// What made a session description unparseable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The input is longer than [`MAX_SDP_LEN`](crate::MAX_SDP_LEN) bytes.
    TooLarge {
        /// Input length in bytes.
        len: usize,
    },
    /// The input has more than [`MAX_LINES`](crate::MAX_LINES) lines.
    TooManyLines,
    /// A line is longer than [`MAX_LINE_LEN`](crate::MAX_LINE_LEN) bytes.
    LineTooLong {
        /// Line length in bytes.
        len: usize,
    },
    /// The input has more than [`MAX_MEDIA_SECTIONS`](crate::MAX_MEDIA_SECTIONS) `m=` sections.
    TooManyMediaSections,
    /// The input is not valid UTF-8.
    NotUtf8,
    /// The input has no lines at all.
    Empty,
    /// A line contains a NUL or a carriage return that does not end it.
    ControlCharacter,
    /// A line is not of the form `<type>=<value>` with a lowercase letter as type.
    NotATypedLine {
        /// The start of the line.
        line: String,
    },
    /// A line of a required type is missing or out of place (`v=`, `o=`, `s=` start the
    /// description in that order).
    Expected {
        /// The line type that was required, e.g. `"o="`.
        expected: &'static str,
        /// The line type found instead (empty at end of input).
        found: String,
    },
    /// A line type that may appear once per section appears again.
    DuplicateLine {
        /// The line type, e.g. `"c="`.
        line_type: String,
    },
    /// A session-level line type (`t=`, `v=` …) inside a media section, or `r=` before any `t=`.
    Misplaced {
        /// The line type, e.g. `"t="`.
        line_type: String,
    },
    /// A line type that is not defined by RFC 8866.
    UnknownLineType {
        /// The line type, e.g. `"x="`.
        line_type: String,
    },
    /// A field of a known line or attribute is malformed.
    Value {
        /// The line type or attribute, e.g. `"m="` or `"a=rtpmap"`.
        context: String,
        /// What is wrong.
        error: ValueError,
    },
}

/// An SDP parse error with the 1-based line number where it was found.
///
/// Displays as, for example, `line 7: a=rtpmap: payload type 'abc' is not a number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number; `None` when the error concerns the whole input (e.g. its size).
    pub line: Option<usize>,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn at(line: usize, kind: ParseErrorKind) -> Self {
        Self {
            line: Some(line),
            kind,
        }
    }

    pub(crate) fn whole(kind: ParseErrorKind) -> Self {
        Self { line: None, kind }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len } => write!(
                f,
                "input of {len} bytes exceeds the limit of {} bytes",
                crate::MAX_SDP_LEN
            ),
            Self::TooManyLines => write!(f, "more than {} lines", crate::MAX_LINES),
            Self::LineTooLong { len } => write!(
                f,
                "line of {len} bytes exceeds the limit of {} bytes",
                crate::MAX_LINE_LEN
            ),
            Self::TooManyMediaSections => {
                write!(f, "more than {} media sections", crate::MAX_MEDIA_SECTIONS)
            }
            Self::NotUtf8 => write!(f, "not valid UTF-8"),
            Self::Empty => write!(f, "empty session description"),
            Self::ControlCharacter => write!(f, "NUL or stray carriage return in line"),
            Self::NotATypedLine { line } => write!(f, "not a '<type>=<value>' line: '{line}'"),
            Self::Expected { expected, found } if found.is_empty() => {
                write!(f, "expected a {expected} line, found end of input")
            }
            Self::Expected { expected, found } => {
                write!(f, "expected a {expected} line, found a {found} line")
            }
            Self::DuplicateLine { line_type } => {
                write!(f, "{line_type} line appears more than once in this section")
            }
            Self::Misplaced { line_type } => write!(f, "{line_type} line is not allowed here"),
            Self::UnknownLineType { line_type } => write!(f, "unknown line type {line_type}"),
            Self::Value { context, error } => write!(f, "{context}: {error}"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

impl std::error::Error for ParseError {}

/// `s` cut to at most [`MAX_EXCERPT_LEN`] bytes on a char boundary.
pub(crate) fn excerpt(s: &str) -> String {
    if s.len() <= MAX_EXCERPT_LEN {
        return s.to_owned();
    }
    let mut end = MAX_EXCERPT_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
