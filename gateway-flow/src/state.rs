//! What the flow model keeps per stream. Hosts read and write it from their
//! hostcalls (headers, bodies, resumes, local replies), the model moves it
//! along.

use gatewit_test_kit::exchange::{ClientResponse, HeaderList, ReceivedRequest};

/// One direction of a stream: the request (client to upstream) or the
/// response (upstream to client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to upstream.
    Request,
    /// Upstream to client.
    Response,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Request => "request",
            Direction::Response => "response",
        })
    }
}

/// The phases of one direction, each with its own plugin callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `on_request_headers` / `on_response_headers`.
    Headers,
    /// `on_request_body` / `on_response_body`.
    Body,
    /// `on_request_trailers` / `on_response_trailers`.
    Trailers,
}

impl Phase {
    /// The plugin callback that runs this phase of `dir`.
    pub const fn callback(self, dir: Direction) -> gatewit_abi::Callback {
        use gatewit_abi::Callback;
        match (dir, self) {
            (Direction::Request, Phase::Headers) => Callback::RequestHeaders,
            (Direction::Request, Phase::Body) => Callback::RequestBody,
            (Direction::Request, Phase::Trailers) => Callback::RequestTrailers,
            (Direction::Response, Phase::Headers) => Callback::ResponseHeaders,
            (Direction::Response, Phase::Body) => Callback::ResponseBody,
            (Direction::Response, Phase::Trailers) => Callback::ResponseTrailers,
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Phase::Headers => "headers",
            Phase::Body => "body",
            Phase::Trailers => "trailers",
        })
    }
}

/// Where a direction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flow {
    /// Headers not seen yet.
    #[default]
    Idle,
    /// Headers seen, their callback running.
    InHeaders,
    /// Headers seen, stopped in the headers phase.
    PausedInHeaders,
    /// Headers forwarded; body chunks flow (or are buffered).
    Streaming,
    /// Stopped in a body phase at end of stream (waiting for a resume).
    PausedInBody,
    /// Everything forwarded.
    Done,
}

/// The state of one direction of a stream.
#[derive(Debug, Default)]
pub struct Half {
    /// The headers as the plugin sees (and may change) them.
    pub headers: HeaderList,
    /// The trailers as the plugin sees them.
    pub trailers: HeaderList,
    /// Body bytes the plugin has not let through yet (the body buffer the
    /// plugin reads and replaces).
    pub body: Vec<u8>,
    /// The sender ended this direction's stream.
    pub eos: bool,
    /// Where this direction stands.
    pub flow: Flow,
    /// A body chunk arrived.
    pub saw_body: bool,
    /// The plugin asked to resume this direction.
    pub resume: bool,
    /// The headers as forwarded (to the upstream for the request, to the
    /// client for the response), once the plugin let them through.
    pub forwarded_headers: Option<HeaderList>,
    /// The body as forwarded so far.
    pub forwarded_body: Vec<u8>,
    /// The plugin ended this direction by injecting data (Higress's
    /// `inject_encoded_data`): what else arrives is dropped.
    pub injected_end: bool,
}

impl Half {
    /// Whether the plugin holds this direction, waiting for a resume.
    pub fn paused(&self) -> bool {
        matches!(self.flow, Flow::PausedInHeaders | Flow::PausedInBody)
    }

    /// Lets the buffered body through.
    pub fn pass_body(&mut self) {
        let chunk = std::mem::take(&mut self.body);
        if !self.injected_end {
            self.forwarded_body.extend_from_slice(&chunk);
        }
    }

    /// Data the plugin injects towards this direction's receiver: it goes
    /// out at once, ahead of what the plugin holds. `false` when nothing can
    /// be injected (headers not seen yet, or an injection ended it).
    pub fn inject(&mut self, data: &[u8], end_of_stream: bool) -> bool {
        if self.flow == Flow::Idle || self.injected_end {
            return false;
        }
        self.forwarded_body.extend_from_slice(data);
        self.injected_end = end_of_stream;
        true
    }
}

/// A reply the plugin sent instead of the upstream's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReply {
    /// HTTP status.
    pub status: u16,
    /// Headers as the plugin gave them.
    pub headers: HeaderList,
    /// Body.
    pub body: Vec<u8>,
    /// gRPC status, if any.
    pub grpc_status: Option<i32>,
    /// Envoy's response-code details (`response.code_details`).
    pub details: String,
}

impl LocalReply {
    /// The response headers Envoy sends for it: `:status`, the plugin's
    /// headers, and for a body its `content-length` and (unless the plugin
    /// gave one) `content-type: text/plain`.
    pub fn response_headers(&self) -> HeaderList {
        let mut headers = vec![(":status".to_string(), self.status.to_string())];
        headers.extend(
            self.headers
                .iter()
                .filter(|(k, _)| k != ":status" && !k.eq_ignore_ascii_case("content-length"))
                .cloned(),
        );
        if !self.body.is_empty() {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("content-type".into(), "text/plain".into()));
            }
            headers.push(("content-length".into(), self.body.len().to_string()));
        }
        headers
    }
}

/// One stream through the filter.
#[derive(Debug, Default)]
pub struct StreamState {
    /// Client to upstream.
    pub request: Half,
    /// Upstream (or local reply) to client.
    pub response: Half,
    /// The local reply the plugin sent, if any (the first one wins).
    pub local_reply: Option<LocalReply>,
    /// The local reply became the response.
    pub local_reply_handled: bool,
    /// The stream ended (its last callbacks ran or are running).
    pub done: bool,
    /// The plugin reset the stream (`proxy_close_stream`): Envoy resets the
    /// client's connection and cancels the upstream request; no later phase
    /// runs.
    pub reset: bool,
}

impl StreamState {
    /// A stream whose request headers are `headers` (not sent yet).
    pub fn new() -> Self {
        Self::default()
    }

    /// One direction.
    pub fn half(&mut self, dir: Direction) -> &mut Half {
        match dir {
            Direction::Request => &mut self.request,
            Direction::Response => &mut self.response,
        }
    }

    /// Whether the gateway serves direction `dir`'s headers to the plugin
    /// now, to read or (`write`) to change. Envoy hands a filter a
    /// direction's header map from that direction's headers callback until
    /// the plugin lets the headers go on (a `Continue` from the callback,
    /// or a resume), and both maps again, to read only, to the access log
    /// at the stream's end (`proxy_on_log`). In between a read finds no
    /// headers and a change fails: what a plugin needs of them later, it
    /// keeps in their phase (Higress's Go wrapper keeps `content-type` and
    /// the like for the body phases).
    pub fn headers_served(&self, dir: Direction, write: bool) -> bool {
        let half = match dir {
            Direction::Request => &self.request,
            Direction::Response => &self.response,
        };
        let open = matches!(half.flow, Flow::InHeaders | Flow::PausedInHeaders) && !half.resume;
        open || (self.done && !write)
    }

    /// Direction `dir`'s headers as a read sees them now: none when the
    /// gateway does not serve them (see [`Self::headers_served`]). What
    /// Envoy derives from them (`request.path`, …) follows the same rule.
    pub fn served_headers(&self, dir: Direction) -> &[(String, String)] {
        if !self.headers_served(dir, false) {
            return &[];
        }
        match dir {
            Direction::Request => &self.request.headers,
            Direction::Response => &self.response.headers,
        }
    }

    /// Envoy's `response.code_details` so far: the local reply's details,
    /// `via_upstream` once the upstream's response started, else none.
    pub fn response_details(&self) -> Option<&str> {
        match &self.local_reply {
            Some(reply) => Some(&reply.details),
            None if self.response.flow != Flow::Idle => Some("via_upstream"),
            None => None,
        }
    }

    /// The request as the upstream received it, once all of it went
    /// through (`None` while the plugin holds it, or after a local reply).
    pub fn upstream_request(&self) -> Option<ReceivedRequest> {
        if self.local_reply.is_some() || self.request.flow != Flow::Done {
            return None;
        }
        let all = self.request.forwarded_headers.as_ref()?;
        let mut headers = Vec::new();
        // The upstream sees `:authority` as `host`, as HTTP/1.1 carries it.
        if let Some((_, authority)) = all.iter().find(|(k, _)| k == ":authority") {
            headers.push(("host".to_string(), authority.clone()));
        }
        headers.extend(all.iter().filter(|(k, _)| !k.starts_with(':')).cloned());
        Some(ReceivedRequest {
            method: pseudo(all, ":method"),
            path: pseudo(all, ":path"),
            headers,
            body: self.request.forwarded_body.clone(),
        })
    }

    /// The response as the client received it, once complete.
    pub fn client_response(&self) -> Option<ClientResponse> {
        if self.response.flow != Flow::Done {
            return None;
        }
        let all = self.response.forwarded_headers.as_ref()?;
        Some(ClientResponse {
            status: pseudo(all, ":status").parse().unwrap_or(0),
            headers: all
                .iter()
                .filter(|(k, _)| !k.starts_with(':'))
                .cloned()
                .collect(),
            body: self.response.forwarded_body.clone(),
        })
    }
}

fn pseudo(headers: &HeaderList, name: &str) -> String {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}
