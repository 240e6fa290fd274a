//! What the headers say of a request's bodies: whether there is one, and
//! whether the plugin's body methods skip it (binary bodies and WebSocket
//! upgrades, as Higress's Go wrapper decides).
//!
//! Envoy serves the request headers only until they go on, and the
//! response headers only in their callback, so the decision is noted in
//! the headers phases and kept for the body phases.

use crate::HttpContext;

impl HttpContext {
    /// Whether the request has a body: not if the headers ended the stream,
    /// else a positive `content-length` or chunked `transfer-encoding`.
    pub fn has_request_body(&self) -> bool {
        has_body(self.request_headers_end_stream, |name| {
            self.request_header(name)
        })
    }

    /// Whether the response has a body (see [`Self::has_request_body`]).
    pub fn has_response_body(&self) -> bool {
        has_body(self.response_headers_end_stream, |name| {
            self.response_header(name)
        })
    }

    /// Whether the request is a WebSocket upgrade: `connection: upgrade`
    /// and `upgrade: websocket` (case-insensitive), as Go's `IsWebsocket`.
    /// For a plugin with body methods, as the request headers said in
    /// their phase (Go's wrapper reads them there too).
    pub fn is_websocket(&self) -> bool {
        self.websocket.unwrap_or_else(|| {
            self.request_header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("upgrade"))
                && self
                    .request_header("upgrade")
                    .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
        })
    }

    /// Whether the request body is binary (`octet-stream`, gRPC, or
    /// compressed with a `content-encoding`), as Go's
    /// `IsBinaryRequestBody`: body methods are skipped for it. For a
    /// plugin with request body methods, as the request headers said in
    /// their phase.
    pub fn is_binary_request_body(&self) -> bool {
        self.binary_request_body
            .unwrap_or_else(|| is_binary(|name| self.request_header(name)))
    }

    /// Whether the response body is binary (`octet-stream`, gRPC, or
    /// compressed with a `content-encoding`). For a plugin with response
    /// body methods, as the response headers said in their phase.
    pub fn is_binary_response_body(&self) -> bool {
        self.binary_response_body
            .unwrap_or_else(|| is_binary(|name| self.response_header(name)))
    }

    /// Notes what the request headers say of the bodies, in their phase;
    /// `request_body`: the plugin reads the request body (else only
    /// whether the request is a WebSocket matters).
    pub(crate) fn note_request_kind(&mut self, request_body: bool) {
        self.websocket = Some(self.is_websocket());
        if request_body {
            self.skip_request_body();
        }
    }

    /// Notes what the response headers say of the body, in their phase.
    pub(crate) fn note_response_kind(&mut self) {
        self.skip_response_body();
    }

    /// Whether the body methods skip the request body; what a phase did
    /// not note yet is read now (a host that serves the headers later).
    pub(crate) fn skip_request_body(&mut self) -> bool {
        self.skip_body(self.dont_read_request_body, |c| {
            let binary = c.is_binary_request_body();
            *c.binary_request_body.get_or_insert(binary)
        })
    }

    /// Whether the body methods skip the response body (see
    /// [`Self::skip_request_body`]).
    pub(crate) fn skip_response_body(&mut self) -> bool {
        self.skip_body(self.dont_read_response_body, |c| {
            let binary = c.is_binary_response_body();
            *c.binary_response_body.get_or_insert(binary)
        })
    }

    /// The plugin said not to read the body, or the request is a WebSocket
    /// upgrade, or `binary` says the body is binary.
    fn skip_body(&mut self, dont_read: bool, binary: impl FnOnce(&mut Self) -> bool) -> bool {
        dont_read || *self.websocket.get_or_insert(self.is_websocket()) || binary(self)
    }
}

/// Whether a direction has a body, from its headers' end of stream and, if
/// that does not say, the headers `header` reads.
fn has_body(end_stream: Option<bool>, header: impl Fn(&str) -> Option<String>) -> bool {
    if end_stream == Some(true) {
        return false;
    }
    if let Some(n) = header("content-length").and_then(|len| len.trim().parse::<u64>().ok()) {
        return n > 0;
    }
    if header("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        return true;
    }
    // HTTP/2 and HTTP/3 requests need neither header: trust the stream.
    end_stream == Some(false)
}

/// Whether the headers `header` reads announce a binary body.
fn is_binary(header: impl Fn(&str) -> Option<String>) -> bool {
    is_binary_content_type(header("content-type").as_deref())
        || header("content-encoding").is_some_and(|e| !e.is_empty())
}

fn is_binary_content_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.contains("octet-stream") || ct.contains("grpc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_presence() {
        let headers = |list: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                list.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(has_body(None, headers(&[("content-length", "3")])));
        assert!(!has_body(Some(false), headers(&[("content-length", "0")])));
        assert!(has_body(None, headers(&[("transfer-encoding", "Chunked")])));
        assert!(!has_body(None, headers(&[])));
        assert!(has_body(Some(false), headers(&[])));
        assert!(!has_body(Some(true), headers(&[("content-length", "3")])));
    }

    #[test]
    fn binary_types() {
        assert!(is_binary_content_type(Some("application/octet-stream")));
        assert!(is_binary_content_type(Some("application/grpc+proto")));
        assert!(!is_binary_content_type(Some("application/json")));
        assert!(!is_binary_content_type(None));
    }
}
