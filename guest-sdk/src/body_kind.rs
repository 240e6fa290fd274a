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
        if self.request_headers_end_stream == Some(true) {
            return false;
        }
        has_body(
            self.request_header("content-length"),
            self.request_header("transfer-encoding"),
            self.request_headers_end_stream,
        )
    }

    /// Whether the response has a body (see [`Self::has_request_body`]).
    pub fn has_response_body(&self) -> bool {
        if self.response_headers_end_stream == Some(true) {
            return false;
        }
        has_body(
            self.response_header("content-length"),
            self.response_header("transfer-encoding"),
            self.response_headers_end_stream,
        )
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
        self.binary_request_body.unwrap_or_else(|| {
            is_binary_content_type(self.request_header("content-type").as_deref())
                || self
                    .request_header("content-encoding")
                    .is_some_and(|e| !e.is_empty())
        })
    }

    /// Whether the response body is binary (`octet-stream`, gRPC, or
    /// compressed with a `content-encoding`). For a plugin with response
    /// body methods, as the response headers said in their phase.
    pub fn is_binary_response_body(&self) -> bool {
        self.binary_response_body.unwrap_or_else(|| {
            is_binary_content_type(self.response_header("content-type").as_deref())
                || self
                    .response_header("content-encoding")
                    .is_some_and(|e| !e.is_empty())
        })
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
        if self.dont_read_request_body {
            return true;
        }
        if *self.websocket.get_or_insert(self.is_websocket()) {
            return true;
        }
        let binary = self.is_binary_request_body();
        *self.binary_request_body.get_or_insert(binary)
    }

    /// Whether the body methods skip the response body (see
    /// [`Self::skip_request_body`]).
    pub(crate) fn skip_response_body(&mut self) -> bool {
        if self.dont_read_response_body {
            return true;
        }
        if *self.websocket.get_or_insert(self.is_websocket()) {
            return true;
        }
        let binary = self.is_binary_response_body();
        *self.binary_response_body.get_or_insert(binary)
    }
}

fn has_body(
    content_length: Option<String>,
    transfer_encoding: Option<String>,
    end_stream: Option<bool>,
) -> bool {
    if let Some(n) = content_length.and_then(|len| len.trim().parse::<u64>().ok()) {
        return n > 0;
    }
    if transfer_encoding.is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        return true;
    }
    // HTTP/2 and HTTP/3 requests need neither header: trust the stream.
    end_stream == Some(false)
}

fn is_binary_content_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| ct.contains("octet-stream") || ct.contains("grpc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_presence() {
        assert!(has_body(Some("3".into()), None, None));
        assert!(!has_body(Some("0".into()), None, Some(false)));
        assert!(has_body(None, Some("Chunked".into()), None));
        assert!(!has_body(None, None, None));
        assert!(has_body(None, None, Some(false)));
    }

    #[test]
    fn binary_types() {
        assert!(is_binary_content_type(Some("application/octet-stream")));
        assert!(is_binary_content_type(Some("application/grpc+proto")));
        assert!(!is_binary_content_type(Some("application/json")));
        assert!(!is_binary_content_type(None));
    }
}
