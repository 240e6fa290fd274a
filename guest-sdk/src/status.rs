//! Host status codes.

use std::fmt;

use crate::bindings::gatewit::plugin::types::StatusError;

/// Why a host call failed (the proxy-wasm status, minus success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// The thing asked for does not exist (header, property, cluster).
    NotFound,
    /// An argument was rejected by the host.
    BadArgument,
    /// The host could not serialize a value.
    SerializationFailure,
    /// The host could not parse a value.
    ParseFailure,
    /// An expression was rejected.
    BadExpression,
    /// The host could not read or write guest memory.
    InvalidMemoryAccess,
    /// The value exists but is empty.
    Empty,
    /// Compare-and-swap failed: the value changed since it was read.
    CasMismatch,
    /// The result does not match what was expected.
    ResultMismatch,
    /// The host failed internally.
    InternalFailure,
    /// The connection to a backend is broken.
    BrokenConnection,
    /// The host does not implement this function.
    Unimplemented,
}

impl Status {
    /// The message used by `Display`: lowercase, like every SDK error.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotFound => "not found",
            Status::BadArgument => "bad argument",
            Status::SerializationFailure => "serialization failure",
            Status::ParseFailure => "parse failure",
            Status::BadExpression => "bad expression",
            Status::InvalidMemoryAccess => "invalid memory access",
            Status::Empty => "empty",
            Status::CasMismatch => "cas mismatch",
            Status::ResultMismatch => "result mismatch",
            Status::InternalFailure => "internal failure",
            Status::BrokenConnection => "broken connection",
            Status::Unimplemented => "unimplemented",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Status {}

impl From<StatusError> for Status {
    fn from(e: StatusError) -> Self {
        match e {
            StatusError::NotFound => Status::NotFound,
            StatusError::BadArgument => Status::BadArgument,
            StatusError::SerializationFailure => Status::SerializationFailure,
            StatusError::ParseFailure => Status::ParseFailure,
            StatusError::BadExpression => Status::BadExpression,
            StatusError::InvalidMemoryAccess => Status::InvalidMemoryAccess,
            StatusError::Empty => Status::Empty,
            StatusError::CasMismatch => Status::CasMismatch,
            StatusError::ResultMismatch => Status::ResultMismatch,
            StatusError::InternalFailure => Status::InternalFailure,
            StatusError::BrokenConnection => Status::BrokenConnection,
            StatusError::Unimplemented => Status::Unimplemented,
        }
    }
}
