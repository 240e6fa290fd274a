//! The per-request [`HttpContext`].

use std::any::Any;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::Status;
use crate::host::{self, BodyKind, MapKind};
use crate::plugin::{DataAction, HeaderAction};

/// Which header map of the current request to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderMap {
    /// The request headers.
    RequestHeaders,
    /// The request trailers.
    RequestTrailers,
    /// The response headers.
    ResponseHeaders,
    /// The response trailers.
    ResponseTrailers,
}

impl HeaderMap {
    fn kind(self) -> MapKind {
        match self {
            HeaderMap::RequestHeaders => MapKind::RequestHeaders,
            HeaderMap::RequestTrailers => MapKind::RequestTrailers,
            HeaderMap::ResponseHeaders => MapKind::ResponseHeaders,
            HeaderMap::ResponseTrailers => MapKind::ResponseTrailers,
        }
    }
}

/// The phase a callback runs in (Higress `GetExecutionPhase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Phase {
    /// Outside any request phase (plugin start, ticks).
    #[default]
    None,
    /// Request headers.
    RequestHeaders,
    /// Request body.
    RequestBody,
    /// Response headers.
    ResponseHeaders,
    /// Response body.
    ResponseBody,
    /// The request is finished.
    StreamDone,
}

/// How a request's config was resolved (lazily, at its first phase).
#[derive(Clone, Default)]
pub(crate) enum Resolved {
    #[default]
    Pending,
    Skip,
    Ready(Rc<dyn Any>),
}

/// `(name, value)` pairs borrowed as the host functions take them: no
/// string is copied on the way to the host.
pub(crate) fn pairs<K: AsRef<str>, V: AsRef<str>>(h: &[(K, V)]) -> Vec<(&str, &str)> {
    h.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect()
}

const CUSTOM_LOG_KEY: &str = "custom_log";
const TRACE_SPAN_PREFIX: &str = "trace_span_tag.";

/// One request (stream) as the plugin sees it: its attributes, a typed
/// key-value store, body switches, and the operations on its headers,
/// bodies and flow. Operations act on the request being processed.
pub struct HttpContext {
    id: u32,
    pub(crate) phase: Phase,
    pub(crate) config: Resolved,
    /// What the plugin keeps in the request, made on first use: most
    /// requests keep nothing, and then creating and dropping the request's
    /// context costs no more than its flags.
    kept: Option<Box<Kept>>,
    pub(crate) dont_read_request_body: bool,
    pub(crate) dont_read_response_body: bool,
    pub(crate) buffer_request_body: bool,
    pub(crate) buffer_response_body: bool,
    pub(crate) request_headers_end_stream: Option<bool>,
    pub(crate) response_headers_end_stream: Option<bool>,
    /// What the headers said of the bodies, noted in their phase (as
    /// Go's wrapper does): Envoy serves the request headers in no later
    /// phase, and the response headers only in theirs.
    pub(crate) websocket: Option<bool>,
    pub(crate) binary_request_body: Option<bool>,
    pub(crate) binary_response_body: Option<bool>,
    /// The request headers phase paused and the request was not resumed
    /// since: the request headers are still held.
    pub(crate) request_headers_held: bool,
    /// The request body phase runs at the end of the body.
    pub(crate) request_body_complete: bool,
    /// A local reply was sent (reset by whoever wants to know).
    pub(crate) local_reply_sent: bool,
    /// The feature that took the response phases over from the plugin's
    /// methods (a route call), if one did.
    pub(crate) takeover: Option<Box<dyn ResponseTakeover>>,
    /// Header `x-request-id` as the request headers phase saw it (Envoy
    /// sets it), for log lines in every phase (Envoy serves request headers
    /// only in the request phases).
    pub(crate) request_id: Option<String>,
    /// An HTTP or Redis call's callback is running (its phase stays the
    /// request's, as Go's `GetExecutionPhase` reports it).
    pub(crate) in_call_callback: bool,
    /// Set by [`Self::need_pause_streaming_response`] for the chunk being
    /// handled.
    pub(crate) pause_streaming_response: bool,
}

/// What a plugin keeps in a request: typed values, user attributes and
/// held buffers.
#[derive(Default)]
struct Kept {
    /// A list, not a map: a request keeps a few values, and a `BTreeMap`'s
    /// code is compiled by the gateway at start-up for every plugin.
    values: Vec<(String, Box<dyn Any>)>,
    user_attributes: Map<String, Value>,
    buffers: std::collections::VecDeque<Vec<u8>>,
}

/// A feature that answers a request's response phases in place of the
/// plugin's own methods once it is set on the request (a route call
/// does). The dispatcher asks it first; the plugin is not called for the
/// response.
pub(crate) trait ResponseTakeover {
    /// The response headers phase.
    fn response_headers(&mut self, ctx: &mut HttpContext, end_of_stream: bool) -> HeaderAction;
    /// One response body chunk of `size` bytes.
    fn response_body(
        &mut self,
        ctx: &mut HttpContext,
        size: u32,
        end_of_stream: bool,
    ) -> DataAction;
    /// Whether it still waits for the answer (until then it also owns the
    /// request body it replaced).
    fn pending(&self) -> bool;
}

impl std::fmt::Debug for HttpContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpContext")
            .field("id", &self.id)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl HttpContext {
    pub(crate) fn new(id: u32) -> Self {
        HttpContext {
            id,
            phase: Phase::None,
            config: Resolved::Pending,
            kept: None,
            dont_read_request_body: false,
            dont_read_response_body: false,
            buffer_request_body: false,
            buffer_response_body: false,
            request_headers_end_stream: None,
            response_headers_end_stream: None,
            websocket: None,
            binary_request_body: None,
            binary_response_body: None,
            request_headers_held: false,
            request_body_complete: false,
            local_reply_sent: false,
            takeover: None,
            request_id: None,
            in_call_callback: false,
            pause_streaming_response: false,
        }
    }

    fn kept_mut(&mut self) -> &mut Kept {
        self.kept.get_or_insert_with(Box::default)
    }

    /// The request's context id (0 outside a request).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The request's phase: the phase of the callback running, or, from an
    /// HTTP or Redis call's callback, the phase the request is in (the one
    /// that made the call, if it paused), as Go's `GetExecutionPhase`: a
    /// callback can tell whether the response has started.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    // ----- request attributes -----

    /// `:scheme` of the request.
    pub fn scheme(&self) -> String {
        self.request_header(":scheme").unwrap_or_default()
    }

    /// `:authority` of the request (port included, as sent).
    pub fn host(&self) -> String {
        self.request_header(":authority").unwrap_or_default()
    }

    /// `:path` of the request (with query).
    pub fn path(&self) -> String {
        self.request_header(":path").unwrap_or_default()
    }

    /// `:method` of the request.
    pub fn method(&self) -> String {
        self.request_header(":method").unwrap_or_default()
    }

    // ----- typed key-value store -----

    /// Store `value` under `key` for the rest of the request.
    pub fn set<T: 'static>(&mut self, key: impl Into<String>, value: T) {
        let key = key.into();
        let value: Box<dyn Any> = Box::new(value);
        let values = &mut self.kept_mut().values;
        match values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => values.push((key, value)),
        }
    }

    /// The value stored under `key`, if it exists and is a `T`.
    pub fn get<T: 'static>(&self, key: &str) -> Option<&T> {
        let values = &self.kept.as_ref()?.values;
        values.iter().find(|(k, _)| k == key)?.1.downcast_ref()
    }

    /// The value stored under `key`, mutably, if it exists and is a `T`.
    pub fn get_mut<T: 'static>(&mut self, key: &str) -> Option<&mut T> {
        let values = &mut self.kept.as_mut()?.values;
        values.iter_mut().find(|(k, _)| k == key)?.1.downcast_mut()
    }

    /// Remove the value under `key`; `true` if there was one.
    pub fn remove(&mut self, key: &str) -> bool {
        let Some(kept) = self.kept.as_mut() else {
            return false;
        };
        match kept.values.iter().position(|(k, _)| k == key) {
            Some(at) => {
                kept.values.swap_remove(at);
                true
            }
            None => false,
        }
    }

    // ----- body switches -----

    /// Do not call the request body methods for this request.
    pub fn dont_read_request_body(&mut self) {
        self.dont_read_request_body = true;
    }

    /// Do not call the response body methods for this request.
    pub fn dont_read_response_body(&mut self) {
        self.dont_read_response_body = true;
    }

    /// Use the buffered request body method for this request even though
    /// the plugin also defines the streaming one.
    pub fn buffer_request_body(&mut self) {
        self.buffer_request_body = true;
    }

    /// Use the buffered response body method for this request even though
    /// the plugin also defines the streaming one.
    pub fn buffer_response_body(&mut self) {
        self.buffer_response_body = true;
    }

    /// Keep the gateway from re-computing the route after this plugin
    /// changes request headers (Higress `DisableReroute`); call it before
    /// changing them.
    pub fn disable_reroute(&self) -> Result<(), Status> {
        host::set_property(&["clear_route_cache"], b"off")
    }

    /// Higress: send `data` on towards the client now, ahead of the
    /// response body chunk the current callback holds; `end_of_stream`
    /// ends the response (what else arrives is dropped). With
    /// [`need_pause_streaming_response`](Self::need_pause_streaming_response)
    /// a streaming plugin holds the upstream's chunks and sends its own
    /// (Go's `InjectEncodedDataToFilterChain`). Stock Envoy:
    /// [`Status::Unimplemented`].
    pub fn inject_encoded_data(&mut self, data: &[u8], end_of_stream: bool) -> Result<(), Status> {
        host::inject_encoded_data(data, end_of_stream)
    }

    /// Higress: send this request to upstream host `address` (`IP:port`,
    /// one of [`gateway::upstream_hosts`](crate::gateway::upstream_hosts))
    /// instead of the load balancer's choice (Go's
    /// `SetUpstreamOverrideHost`). Stock Envoy: [`Status::Unimplemented`].
    pub fn set_upstream_override_host(&mut self, address: &str) -> Result<(), Status> {
        host::set_upstream_override_host(address)
    }

    /// Let the gateway buffer up to `bytes` of request body (Envoy's
    /// decoder buffer limit).
    pub fn set_request_body_buffer_limit(&self, bytes: u32) -> Result<(), Status> {
        host::set_property(&["set_decoder_buffer_limit"], bytes.to_string().as_bytes())
    }

    /// Let the gateway buffer up to `bytes` of response body (Envoy's
    /// encoder buffer limit).
    pub fn set_response_body_buffer_limit(&self, bytes: u32) -> Result<(), Status> {
        host::set_property(&["set_encoder_buffer_limit"], bytes.to_string().as_bytes())
    }

    // ----- user attributes (access log, trace) -----

    /// Set a user attribute, written by [`Self::write_user_attribute_to_log`]
    /// and [`Self::write_user_attribute_to_trace`].
    pub fn set_user_attribute(&mut self, key: impl Into<String>, value: impl Into<Value>) {
        self.kept_mut()
            .user_attributes
            .insert(key.into(), value.into());
    }

    /// A user attribute set earlier.
    pub fn user_attribute(&self, key: &str) -> Option<&Value> {
        self.kept.as_ref()?.user_attributes.get(key)
    }

    /// Every user attribute.
    pub fn user_attributes(&self) -> &Map<String, Value> {
        static NONE: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.kept.as_ref().map_or(&NONE, |k| &k.user_attributes)
    }

    /// Merge the user attributes into the `custom_log` property, in the
    /// format of Higress's Go wrapper (see
    /// [`write_user_attribute_to_log_with_key`](Self::write_user_attribute_to_log_with_key)).
    pub fn write_user_attribute_to_log(&self) -> Result<(), Status> {
        self.write_user_attribute_to_log_with_key(CUSTOM_LOG_KEY)
    }

    /// Merge the user attributes into property `key` as Higress's Go
    /// wrapper does: the property holds a JSON object escaped as the body
    /// of a JSON string (Higress's access-log format puts it between
    /// quotes, e.g. `"ai_log":"%FILTER_STATE(wasm.ai_log:PLAIN)%"`), so Go
    /// and Rust plugins sharing a key merge each other's attributes. A
    /// current value in another format is left alone: the error is
    /// [`Status::ParseFailure`], logged as a warning, as Go does.
    pub fn write_user_attribute_to_log_with_key(&self, key: &str) -> Result<(), Status> {
        let previous = host::get_property(&[key]).unwrap_or_default();
        match crate::access_log::merged_value(&previous, self.user_attributes()) {
            Ok(value) => host::set_property(&[key], value.as_bytes()),
            Err(why) => {
                crate::log_warn!("cannot merge user attributes into `{key}`: its value is {why}");
                Err(Status::ParseFailure)
            }
        }
    }

    /// Replace every user attribute (Go's `SetUserAttributeMap`).
    pub fn set_user_attributes(&mut self, attributes: Map<String, Value>) {
        self.kept_mut().user_attributes = attributes;
    }

    /// Write each user attribute as trace span tag `trace_span_tag.<key>`,
    /// as Go's wrapper does: the value as `fmt.Sprint` prints it (strings
    /// bare, `7`, `true`, `[a b]`, `map[k:v]`); an empty value, or one the
    /// gateway refuses, is skipped with a warning and the rest are written.
    pub fn write_user_attribute_to_trace(&self) -> Result<(), Status> {
        for (k, v) in self.user_attributes() {
            let tag = format!("{TRACE_SPAN_PREFIX}{k}");
            let value = crate::access_log::go_sprint(v);
            let written = if value.is_empty() {
                Err(format!("value of {tag} is empty"))
            } else {
                host::set_property(&[&tag], value.as_bytes()).map_err(|e| e.to_string())
            };
            if let Err(why) = written {
                crate::log_warn!("failed to set trace attribute `{tag}`: {why}");
            }
        }
        Ok(())
    }

    // ----- a queue of buffers (Go's `PushBuffer` / `PopBuffer`) -----

    /// Keep `buffer` for later in this request (e.g. chunks held while a
    /// streaming response is paused).
    pub fn push_buffer(&mut self, buffer: Vec<u8>) {
        self.kept_mut().buffers.push_back(buffer);
    }

    /// The oldest buffer kept with [`Self::push_buffer`].
    pub fn pop_buffer(&mut self) -> Option<Vec<u8>> {
        self.kept.as_mut()?.buffers.pop_front()
    }

    /// How many buffers are kept.
    pub fn buffer_queue_size(&self) -> usize {
        self.kept.as_ref().map_or(0, |k| k.buffers.len())
    }

    /// Whether the response came from the upstream (not a local reply):
    /// property `response.code_details` is `via_upstream`, as Go's
    /// `IsResponseFromUpstream` reads it.
    pub fn is_response_from_upstream(&self) -> bool {
        host::get_property(&["response", "code_details"]).is_some_and(|d| d == b"via_upstream")
    }

    /// Whether the response's `content-type` mentions `application/json`
    /// (Go's `IsApplicationJson`).
    pub fn is_application_json(&self) -> bool {
        self.header(HeaderMap::ResponseHeaders, "content-type")
            .is_some_and(|t| t.contains("application/json"))
    }

    /// The request path without its query (Go's `GetRequestPathWithoutQuery`).
    pub fn path_without_query(&self) -> String {
        let path = self.path();
        match path.split_once(['?', '#']) {
            Some((p, _)) => p.to_string(),
            None => path,
        }
    }

    // ----- headers -----

    /// The first value of header `name` in `map`.
    pub fn header(&self, map: HeaderMap, name: &str) -> Option<String> {
        // Both hosts compare names ASCII-case-insensitively (the WIT says
        // so), so the name goes as the plugin wrote it.
        host::get_header(map.kind(), name)
    }

    /// Every header of `map`, in order.
    pub fn headers(&self, map: HeaderMap) -> Vec<(String, String)> {
        host::get_headers(map.kind())
    }

    /// Replace every header of `map`.
    pub fn set_headers<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        map: HeaderMap,
        headers: &[(K, V)],
    ) -> Result<(), Status> {
        host::set_headers(map.kind(), &pairs(headers))
    }

    /// Add a header to `map`, keeping existing values.
    pub fn add_header(&mut self, map: HeaderMap, name: &str, value: &str) -> Result<(), Status> {
        host::add_header(map.kind(), name, value)
    }

    /// Set header `name` of `map`, replacing every existing value.
    pub fn replace_header(
        &mut self,
        map: HeaderMap,
        name: &str,
        value: &str,
    ) -> Result<(), Status> {
        host::replace_header(map.kind(), name, value)
    }

    /// Remove header `name` from `map`.
    pub fn remove_header(&mut self, map: HeaderMap, name: &str) -> Result<(), Status> {
        host::remove_header(map.kind(), name)
    }

    /// A request header.
    pub fn request_header(&self, name: &str) -> Option<String> {
        self.header(HeaderMap::RequestHeaders, name)
    }
    /// Every request header.
    pub fn request_headers(&self) -> Vec<(String, String)> {
        self.headers(HeaderMap::RequestHeaders)
    }
    /// Replace every request header.
    pub fn set_request_headers<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        headers: &[(K, V)],
    ) -> Result<(), Status> {
        self.set_headers(HeaderMap::RequestHeaders, headers)
    }
    /// Add a request header.
    pub fn add_request_header(&mut self, name: &str, value: &str) -> Result<(), Status> {
        self.add_header(HeaderMap::RequestHeaders, name, value)
    }
    /// Set a request header, replacing existing values.
    pub fn replace_request_header(&mut self, name: &str, value: &str) -> Result<(), Status> {
        self.replace_header(HeaderMap::RequestHeaders, name, value)
    }
    /// Remove a request header.
    pub fn remove_request_header(&mut self, name: &str) -> Result<(), Status> {
        self.remove_header(HeaderMap::RequestHeaders, name)
    }

    /// A response header.
    pub fn response_header(&self, name: &str) -> Option<String> {
        self.header(HeaderMap::ResponseHeaders, name)
    }
    /// Every response header.
    pub fn response_headers(&self) -> Vec<(String, String)> {
        self.headers(HeaderMap::ResponseHeaders)
    }
    /// Replace every response header.
    pub fn set_response_headers<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        headers: &[(K, V)],
    ) -> Result<(), Status> {
        self.set_headers(HeaderMap::ResponseHeaders, headers)
    }
    /// Add a response header.
    pub fn add_response_header(&mut self, name: &str, value: &str) -> Result<(), Status> {
        self.add_header(HeaderMap::ResponseHeaders, name, value)
    }
    /// Set a response header, replacing existing values.
    pub fn replace_response_header(&mut self, name: &str, value: &str) -> Result<(), Status> {
        self.replace_header(HeaderMap::ResponseHeaders, name, value)
    }
    /// Remove a response header.
    pub fn remove_response_header(&mut self, name: &str) -> Result<(), Status> {
        self.remove_header(HeaderMap::ResponseHeaders, name)
    }

    // ----- bodies -----

    /// The request body buffered so far.
    pub fn request_body(&self) -> Vec<u8> {
        host::get_body(BodyKind::RequestBody, 0, u32::MAX)
    }
    /// Replace the request body buffered so far.
    pub fn replace_request_body(&mut self, body: impl AsRef<[u8]>) -> Result<(), Status> {
        host::replace_body(BodyKind::RequestBody, body.as_ref())
    }
    /// Append to the request body buffered so far.
    pub fn append_request_body(&mut self, data: impl AsRef<[u8]>) -> Result<(), Status> {
        host::append_body(BodyKind::RequestBody, data.as_ref())
    }
    /// Insert before the request body buffered so far.
    pub fn prepend_request_body(&mut self, data: impl AsRef<[u8]>) -> Result<(), Status> {
        host::prepend_body(BodyKind::RequestBody, data.as_ref())
    }

    /// The response body buffered so far.
    pub fn response_body(&self) -> Vec<u8> {
        host::get_body(BodyKind::ResponseBody, 0, u32::MAX)
    }
    /// Replace the response body buffered so far.
    pub fn replace_response_body(&mut self, body: impl AsRef<[u8]>) -> Result<(), Status> {
        host::replace_body(BodyKind::ResponseBody, body.as_ref())
    }
    /// Append to the response body buffered so far.
    pub fn append_response_body(&mut self, data: impl AsRef<[u8]>) -> Result<(), Status> {
        host::append_body(BodyKind::ResponseBody, data.as_ref())
    }
    /// Insert before the response body buffered so far.
    pub fn prepend_response_body(&mut self, data: impl AsRef<[u8]>) -> Result<(), Status> {
        host::prepend_body(BodyKind::ResponseBody, data.as_ref())
    }

    // ----- flow -----

    /// Answer the client directly (Higress `SendHttpResponse`). A paused
    /// request resumes by itself.
    pub fn send_http_response(
        &mut self,
        status: u16,
        headers: &[(&str, &str)],
        body: impl AsRef<[u8]>,
    ) -> Result<(), Status> {
        self.send_http_response_with_details(status, "", headers, body)
    }

    /// [`Self::send_http_response`] with Envoy's response code details
    /// (`%RESPONSE_CODE_DETAILS%` in the access log; Higress's
    /// `SendHttpResponseWithDetail`, which 27 of its 56 plugins use).
    /// Envoy wants them without spaces, e.g. `ai-security-guard.deny`.
    pub fn send_http_response_with_details(
        &mut self,
        status: u16,
        details: &str,
        headers: &[(&str, &str)],
        body: impl AsRef<[u8]>,
    ) -> Result<(), Status> {
        host::send_local_reply(status, headers, body.as_ref(), None, details)?;
        self.local_reply_sent = true;
        Ok(())
    }

    /// [`Self::send_http_response`] with a gRPC status.
    pub fn send_grpc_response(
        &mut self,
        status: u16,
        headers: &[(&str, &str)],
        body: impl AsRef<[u8]>,
        grpc_status: i32,
    ) -> Result<(), Status> {
        host::send_local_reply(status, headers, body.as_ref(), Some(grpc_status), "")?;
        self.local_reply_sent = true;
        Ok(())
    }

    /// From the streaming response body handler: hold this chunk and the
    /// ones after it without buffering them (Envoy's
    /// `StopIterationNoBuffer`; Higress's `NeedPauseStreamingResponse`),
    /// e.g. while an HTTP call checks the content; resume with
    /// [`Self::resume_response`]. Applies to the chunk being handled. On a
    /// stock Envoy (`envoy` profile) the chunk is held *with* buffering:
    /// stock proxy-wasm has no no-buffer stop.
    pub fn need_pause_streaming_response(&mut self) {
        self.pause_streaming_response = true;
    }

    /// Resume a request paused in a request phase.
    pub fn resume_request(&mut self) -> Result<(), Status> {
        host::resume_request()?;
        self.request_headers_held = false;
        Ok(())
    }

    /// Resume a response paused in a response phase.
    pub fn resume_response(&mut self) -> Result<(), Status> {
        host::resume_response()
    }

    /// Reset the request's stream instead of answering it: the gateway
    /// resets the client's connection and cancels the upstream request, and
    /// no later phase of this request runs (`on_stream_done` still does).
    /// What the callback returns does not matter after a reset.
    pub fn reset_stream(&mut self) -> Result<(), Status> {
        host::reset_stream()
    }

    // ----- properties -----

    /// A gateway property (e.g. `&["route_name"]`).
    pub fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        host::get_property(path)
    }

    /// Set a gateway property.
    pub fn set_property(&mut self, path: &[&str], value: &[u8]) -> Result<(), Status> {
        host::set_property(path, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_store() {
        let mut ctx = HttpContext::new(7);
        ctx.set("n", 5u32);
        ctx.set("s", String::from("x"));
        assert_eq!(ctx.get::<u32>("n"), Some(&5));
        assert_eq!(ctx.get::<String>("n"), None);
        *ctx.get_mut::<u32>("n").unwrap() += 1;
        assert_eq!(ctx.get::<u32>("n"), Some(&6));
        assert!(ctx.remove("s"));
        assert!(!ctx.remove("s"));
        // A second `set` replaces the value, whatever its type.
        ctx.set("n", "text");
        assert_eq!(ctx.get::<u32>("n"), None);
        assert_eq!(ctx.get::<&str>("n"), Some(&"text"));
        assert!(ctx.remove("n") && !ctx.remove("n"));
        ctx.set_user_attribute("k", "v");
        assert_eq!(ctx.user_attribute("k"), Some(&Value::from("v")));
    }
}
