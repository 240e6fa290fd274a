//! Route calls (Higress `RouteCall`): send the current request somewhere
//! else on its own route and capture the upstream's answer.
//!
//! A route call is made of ordinary header and body operations, so it
//! needs no hostcall of its own: from the request body phase, while the
//! request headers are still held, it rewrites the request (method, path,
//! authority, headers, body) before it goes upstream, and it takes over the
//! response phases of that request: the whole answer (status, headers,
//! body) goes to a callback, which turns it into the client's answer by
//! changing the response headers and body or by answering locally.
//!
//! The request headers must still be held when the body phase runs:
//! [`Plugin::on_request_headers`](crate::Plugin::on_request_headers) returns
//! [`HeaderAction::Pause`](crate::HeaderAction::Pause), and the gateway
//! runs body callbacks while headers are paused (Higress's Envoy does; a
//! stock Envoy ≥ 1.35 does with the wasm filter's
//! `allow_on_headers_stop_iteration: true`; without it the request stays
//! paused).

use std::fmt;

use crate::context::{Phase, ResponseTakeover};
use crate::plugin::{DataAction, HeaderAction};
use crate::{HttpContext, Status, log_info, log_warn, runtime};

/// The route call's answer callback.
pub(crate) type RouteCallback = Box<dyn FnOnce(&mut HttpContext, RouteResponse)>;

/// A route call in flight: it answers the request's response phases, and
/// hands the answer to its callback (once).
struct RouteCall {
    /// `None` once the callback ran: the response phases are then left
    /// alone.
    callback: Option<RouteCallback>,
}

/// The upstream's answer to a route call, as Higress hands it to its
/// callback: `(status, headers, body)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteResponse {
    /// The status from `:status`; 500 if it is missing or not a number.
    pub status: u16,
    /// The response headers (`:status` included, `content-length` removed
    /// when there is a body: the callback usually changes it).
    pub headers: Vec<(String, String)>,
    /// The whole response body (empty when the answer had none).
    pub body: Vec<u8>,
}

impl RouteResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why [`HttpContext::route_call`] did not start a route call. The request
/// is left unchanged, except for [`RouteCallError::Host`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteCallError {
    /// Called outside the request body phase (the phase it was called in).
    WrongPhase(Phase),
    /// Called from an HTTP or Redis call's callback: a route call replaces
    /// the body as the body callback returns.
    InCallCallback,
    /// The request headers are no longer held: the request headers phase
    /// did not return [`HeaderAction::Pause`](crate::HeaderAction::Pause),
    /// or the request was resumed (in streaming body mode every chunk lets
    /// them go).
    HeadersNotHeld,
    /// The request body has not ended yet (streaming body mode, before the
    /// last chunk).
    BodyIncomplete,
    /// This request already made a route call.
    AlreadyStarted,
    /// The plugin's `gatewit:hooks` leave out the response phases, so the
    /// answer could never reach the callback. `#[gatewit_sdk::plugin]` adds
    /// them when the `impl` block mentions `route_call`; when it is called
    /// elsewhere, write `#[gatewit_sdk::plugin(route_call)]`.
    ResponsePhasesMissing,
    /// The URL cannot be parsed.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host refused a header or body operation (the request may be
    /// partly rewritten).
    Host(Status),
}

impl fmt::Display for RouteCallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteCallError::InCallCallback => write!(
                f,
                "route_call is not allowed from an HTTP or Redis call's callback; call it from the request body phase"
            ),
            RouteCallError::WrongPhase(phase) => write!(
                f,
                "route_call is only allowed in the request body phase (called in {})",
                phase_name(*phase)
            ),
            RouteCallError::HeadersNotHeld => f.write_str(
                "route_call needs the request headers still held: return HeaderAction::Pause \
                 from on_request_headers and do not resume the request before the body",
            ),
            RouteCallError::BodyIncomplete => {
                f.write_str("route_call is only allowed once the request body has ended")
            }
            RouteCallError::AlreadyStarted => f.write_str("this request already made a route call"),
            RouteCallError::ResponsePhasesMissing => f.write_str(
                "route_call needs the response phases: write #[gatewit_sdk::plugin(route_call)]",
            ),
            RouteCallError::InvalidUrl { url, reason } => {
                write!(f, "invalid route call url `{url}`: {reason}")
            }
            RouteCallError::Host(status) => {
                write!(f, "the host refused to rewrite the request: {status}")
            }
        }
    }
}

impl std::error::Error for RouteCallError {}

impl From<Status> for RouteCallError {
    fn from(s: Status) -> Self {
        RouteCallError::Host(s)
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::None => "no request phase",
        Phase::RequestHeaders => "the request headers phase",
        Phase::RequestBody => "the request body phase",
        Phase::ResponseHeaders => "the response headers phase",
        Phase::ResponseBody => "the response body phase",
        Phase::StreamDone => "the stream-done phase",
    }
}

/// What a route call URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RouteTarget {
    /// The new `:path`: `/` + the path without its leading `/`, then
    /// `?query` and `#fragment` if any (as Higress builds it).
    pub path: String,
    /// The new `:authority`, if the URL names a host.
    pub authority: Option<String>,
}

/// Parse a route call URL (absolute `http://host[:port]/path?q`,
/// scheme-relative `//host/path`, or a path) as Go's `url.Parse`, which
/// Higress uses, reads it. Stricter than Go in one case: a scheme without
/// `//host` (`localhost:8080/x` is scheme `localhost`) is refused instead of
/// silently routing to `/`.
pub(crate) fn parse_target(url: &str) -> Result<RouteTarget, String> {
    if let Some(c) = url.chars().find(|c| c.is_ascii_control()) {
        return Err(format!("control character {:?}", c));
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    let (scheme, rest) = split_scheme(rest)?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, raw_path) = match rest.strip_prefix("//") {
        // Without a scheme, `///x` is a path (Go: not an authority).
        Some(after) if scheme.is_some() || !after.starts_with('/') => {
            let end = after.find('/').unwrap_or(after.len());
            let host = host_of(&after[..end])?;
            (Some(host), &after[end..])
        }
        _ => {
            if scheme.is_some() && !rest.starts_with('/') && !rest.is_empty() {
                return Err(format!(
                    "`{}:` reads as a URL scheme and no `//host` follows it",
                    scheme.unwrap_or_default()
                ));
            }
            if scheme.is_none() {
                let first = rest.split('/').next().unwrap_or_default();
                if first.contains(':') {
                    return Err("first path segment in URL cannot contain colon".into());
                }
            }
            (None, rest)
        }
    };
    let mut path = String::from("/");
    let escaped = escaped_path(raw_path)?;
    path.push_str(escaped.strip_prefix('/').unwrap_or(&escaped));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        path.push('?');
        path.push_str(q);
    }
    if let Some(f) = fragment.filter(|f| !f.is_empty()) {
        unescape(f)?;
        path.push('#');
        path.push_str(f);
    }
    Ok(RouteTarget {
        path,
        authority: authority.filter(|a| !a.is_empty()),
    })
}

/// Split `scheme:` off, as Go's `getScheme`: a letter, then letters,
/// digits, `+`, `-`, `.`, then `:`.
fn split_scheme(url: &str) -> Result<(Option<&str>, &str), String> {
    for (i, b) in url.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((Some(&url[..i]), &url[i + 1..])),
            _ => return Ok((None, url)),
        }
    }
    Ok((None, url))
}

/// The host (with port) of an authority: userinfo dropped, brackets and
/// port checked.
fn host_of(authority: &str) -> Result<String, String> {
    let host = match authority.rfind('@') {
        Some(i) => &authority[i + 1..],
        None => authority,
    };
    let port = if let Some(inner) = host.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err("missing ']' in host".into());
        };
        let after = &inner[close + 1..];
        match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err(format!("invalid port {after:?} after host")),
        }
    } else {
        host.rfind(':').map(|i| &host[i + 1..])
    };
    if let Some(port) = port
        && !port.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("invalid port {port:?} after host"));
    }
    if let Some(c) = host.chars().find(|c| {
        c.is_ascii() && !c.is_ascii_alphanumeric() && !"-._~!$&'()*+,;=:[]<>\"%".contains(*c)
    }) {
        return Err(format!("invalid character {c:?} in host name"));
    }
    unescape(host)?;
    Ok(host.to_string())
}

/// Decode `%XX` escapes; an incomplete or non-hex escape is an error.
fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).unwrap_or_default();
            let value = std::str::from_utf8(hex)
                .ok()
                .filter(|h| h.len() == 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            let Some(v) = value else {
                let end = (i + 3).min(bytes.len());
                return Err(format!(
                    "invalid URL escape {:?}",
                    String::from_utf8_lossy(&bytes[i..end])
                ));
            };
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Bytes a path may carry unescaped (Go's `shouldEscape` for paths).
fn path_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b)
}

/// The path as sent, Go's `EscapedPath`: as written when every byte is
/// allowed in a path (sub-delimiters, `[]`, `%` escapes included), else
/// decoded and escaped again.
fn escaped_path(raw: &str) -> Result<String, String> {
    let decoded = unescape(raw)?;
    if raw
        .bytes()
        .all(|b| path_safe(b) || b"!'()*[]%".contains(&b))
    {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(decoded.len() * 3);
    for b in decoded {
        if path_safe(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// The status of a route call answer: `:status`, or 500.
pub(crate) fn status_of(headers: &[(String, String)]) -> u16 {
    headers
        .iter()
        .find(|(k, _)| k == ":status")
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(500)
}

impl HttpContext {
    /// Route the current request to `url` with `method` on its own route
    /// and hand the upstream's answer to `callback` (Higress `RouteCall`).
    ///
    /// Call it from the request body phase, once the body has ended, with
    /// the request headers still held (see the [module
    /// docs](crate::route_call)). It rewrites the request before it goes
    /// upstream:
    ///
    /// 1. removes `accept-encoding` and `content-length`;
    /// 2. saves `:method`, `:path`, `:authority` into
    ///    `x-envoy-original-method`, `x-envoy-original-path`,
    ///    `x-envoy-original-host`;
    /// 3. sets `:method` to `method`, `:path` to the URL's path (with query
    ///    and fragment), `:authority` to the URL's host if it has one;
    /// 4. sets each of `headers` (replacing existing values);
    /// 5. replaces the request body with `body`.
    ///
    /// Return [`DataAction::Continue`](crate::DataAction::Continue) from the
    /// body phase to let the rewritten request go. From then on the
    /// plugin's own response methods are not called for this request: the
    /// SDK reads the whole answer (forcing the response body to be read)
    /// and calls `callback` with it, in the response headers phase when the
    /// answer has no body, else in the response body phase at its end
    /// (`content-length` removed). The callback can change the response
    /// headers and body, or answer with
    /// [`send_http_response`](Self::send_http_response). Unlike Higress,
    /// which always stops there, a headers-only answer goes on to the
    /// client (with the callback's changes) unless the callback answered
    /// locally.
    ///
    /// The URL is checked before anything changes: an error leaves the
    /// request as it was.
    pub fn route_call(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: impl AsRef<[u8]>,
        callback: impl FnOnce(&mut HttpContext, RouteResponse) + 'static,
    ) -> Result<(), RouteCallError> {
        if self.phase != Phase::RequestBody {
            return Err(RouteCallError::WrongPhase(self.phase));
        }
        if self.in_call_callback {
            return Err(RouteCallError::InCallCallback);
        }
        if self.takeover.is_some() {
            return Err(RouteCallError::AlreadyStarted);
        }
        if !runtime::response_phases_enabled() {
            return Err(RouteCallError::ResponsePhasesMissing);
        }
        if !self.request_headers_held {
            return Err(RouteCallError::HeadersNotHeld);
        }
        if !self.request_body_complete {
            return Err(RouteCallError::BodyIncomplete);
        }
        let target = parse_target(url).map_err(|reason| RouteCallError::InvalidUrl {
            url: url.to_string(),
            reason,
        })?;
        let body = body.as_ref();

        self.remove_request_header("accept-encoding")?;
        self.remove_request_header("content-length")?;
        for (pseudo, saved) in [
            (":method", "x-envoy-original-method"),
            (":path", "x-envoy-original-path"),
            (":authority", "x-envoy-original-host"),
        ] {
            let value = self.request_header(pseudo).unwrap_or_default();
            self.replace_request_header(saved, &value)?;
        }
        self.replace_request_header(":method", method)?;
        self.replace_request_header(":path", &target.path)?;
        if let Some(authority) = &target.authority {
            self.replace_request_header(":authority", authority)?;
        }
        for (name, value) in headers {
            self.replace_request_header(&name.to_ascii_lowercase(), value)?;
        }
        self.replace_request_body(body)?;
        self.takeover = Some(Box::new(RouteCall {
            callback: Some(Box::new(callback)),
        }));
        if crate::log::enabled(crate::log::Level::Info) {
            let cluster = self
                .property(&["cluster_name"])
                .map(|c| String::from_utf8_lossy(&c).into_owned())
                .unwrap_or_default();
            log_info!(
                "route call start, method: {method}, url: {url}, path: {}, cluster: {cluster}, body: {} bytes",
                target.path,
                body.len()
            );
        }
        Ok(())
    }

    /// Whether this request made a route call whose answer has not been
    /// handed over yet.
    pub fn route_call_pending(&self) -> bool {
        self.takeover.as_ref().is_some_and(|t| t.pending())
    }
}

impl RouteCall {
    /// Hands the answer to the callback (once).
    fn finish(&mut self, ctx: &mut HttpContext, body: Vec<u8>) {
        let Some(callback) = self.callback.take() else {
            return;
        };
        let headers = ctx.response_headers();
        let response = RouteResponse {
            status: status_of(&headers),
            headers,
            body,
        };
        let (status, size) = (response.status, response.body.len());
        callback(ctx, response);
        log_info!("route call end, status: {status}, body: {size} bytes");
    }
}

impl ResponseTakeover for RouteCall {
    /// A headers-only answer goes to the callback at once; otherwise the
    /// body is read (headers held) until its end.
    fn response_headers(&mut self, ctx: &mut HttpContext, end_of_stream: bool) -> HeaderAction {
        if !self.pending() {
            return HeaderAction::Continue;
        }
        if !end_of_stream {
            return HeaderAction::Pause;
        }
        ctx.local_reply_sent = false;
        self.finish(ctx, Vec::new());
        if ctx.local_reply_sent {
            // As Higress: nothing of the upstream's answer goes on.
            HeaderAction::StopAllAndWatermark
        } else {
            HeaderAction::Continue
        }
    }

    /// Buffers until the end, then hands the whole answer over.
    fn response_body(
        &mut self,
        ctx: &mut HttpContext,
        size: u32,
        end_of_stream: bool,
    ) -> DataAction {
        if !self.pending() {
            return DataAction::Continue;
        }
        if !end_of_stream {
            return DataAction::Pause;
        }
        let body = crate::host::get_body(crate::host::BodyKind::ResponseBody, 0, size);
        if let Err(e) = ctx.remove_response_header("content-length") {
            log_warn!("route call: cannot remove response header `content-length`: {e}");
        }
        self.finish(ctx, body);
        DataAction::Continue
    }

    fn pending(&self) -> bool {
        self.callback.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> (String, Option<String>) {
        let t = parse_target(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        (t.path, t.authority)
    }

    #[test]
    fn paths_get_one_leading_slash() {
        assert_eq!(target("/v1/answer"), ("/v1/answer".into(), None));
        assert_eq!(target("v1/answer"), ("/v1/answer".into(), None));
        assert_eq!(target(""), ("/".into(), None));
        assert_eq!(target("/"), ("/".into(), None));
        // Without a scheme `///x` is a path, not an empty authority.
        assert_eq!(target("///x"), ("///x".into(), None));
    }

    #[test]
    fn query_and_fragment_are_kept() {
        assert_eq!(
            target("/v1/answer?lang=en&x=1"),
            ("/v1/answer?lang=en&x=1".into(), None)
        );
        assert_eq!(target("/a?"), ("/a".into(), None));
        assert_eq!(target("/a#top"), ("/a#top".into(), None));
        assert_eq!(target("/a?b=1#top"), ("/a?b=1#top".into(), None));
        assert_eq!(target("?q=1"), ("/?q=1".into(), None));
    }

    #[test]
    fn hosts_become_the_authority() {
        assert_eq!(
            target("http://api.example.com:8080/v1/x?y=2"),
            ("/v1/x?y=2".into(), Some("api.example.com:8080".into()))
        );
        assert_eq!(
            target("https://user:pw@api.example.com"),
            ("/".into(), Some("api.example.com".into()))
        );
        assert_eq!(
            target("//api.example.com/x"),
            ("/x".into(), Some("api.example.com".into()))
        );
        assert_eq!(
            target("http://[::1]:9000/x"),
            ("/x".into(), Some("[::1]:9000".into()))
        );
        assert_eq!(target("http:///x"), ("/x".into(), None));
    }

    #[test]
    fn paths_are_escaped_as_go_does() {
        assert_eq!(target("/a%20b/c"), ("/a%20b/c".into(), None));
        assert_eq!(target("/a b"), ("/a%20b".into(), None));
        assert_eq!(target("/é"), ("/%C3%A9".into(), None));
        assert_eq!(target("/a(b)!*'[]"), ("/a(b)!*'[]".into(), None));
        // Re-escaped as a whole once one byte needs it.
        assert_eq!(target("/%41 b"), ("/A%20b".into(), None));
    }

    #[test]
    fn bad_urls_are_errors() {
        for (url, why) in [
            ("/a%zz", "invalid URL escape"),
            ("/a%4", "invalid URL escape"),
            ("http://[::1/x", "missing ']'"),
            ("http://host:abc/x", "invalid port"),
            ("http://ho st/x", "invalid character"),
            (":foo", "missing protocol scheme"),
            ("1a:b/c", "first path segment"),
            ("localhost:8080/x", "no `//host` follows"),
            ("/a\nb", "control character"),
            ("/a#%zz", "invalid URL escape"),
        ] {
            let err = parse_target(url).expect_err(url);
            assert!(err.contains(why), "{url}: {err}");
        }
    }

    #[test]
    fn status_defaults_to_500() {
        let h = |v: &str| vec![(":status".to_string(), v.to_string())];
        assert_eq!(status_of(&h("204")), 204);
        assert_eq!(status_of(&h("abc")), 500);
        assert_eq!(status_of(&[]), 500);
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = RouteCallError::WrongPhase(Phase::RequestHeaders);
        assert_eq!(
            e.to_string(),
            "route_call is only allowed in the request body phase (called in the request headers phase)"
        );
        assert!(
            RouteCallError::ResponsePhasesMissing
                .to_string()
                .contains("#[gatewit_sdk::plugin(route_call)]")
        );
        assert_eq!(
            RouteCallError::from(Status::NotFound).to_string(),
            "the host refused to rewrite the request: not found"
        );
    }
}
