//! The stream handle: one request driven step by step through a
//! [`PluginHost`], with what the upstream and the client saw so far.

use gatewit_gateway_flow::StreamFlow;

use super::PluginHost;
use crate::exchange::{ClientResponse, HeaderList, HttpRequest, ReceivedRequest, UpstreamResponse};
use crate::state::{Direction, LocalReply, RequestState};

/// A request set aside with [`Stream::detach`]; [`PluginHost::attach`]
/// takes it up again. A request left detached ends with the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamId(pub(super) u32);

impl StreamId {
    /// The request's context id.
    pub fn context_id(self) -> u32 {
        self.0
    }
}

/// One request through the plugin. Drop ends it (`on-request-done`) unless
/// [`Stream::finish`] or [`Stream::detach`] was called.
pub struct Stream<'a> {
    pub(super) host: &'a mut PluginHost,
    pub(super) ctx: u32,
    pub(super) finished: bool,
}

impl std::fmt::Debug for Stream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("ctx", &self.ctx).finish()
    }
}

/// The request headers (pseudo-headers first) of `request`.
pub fn request_header_list(request: &HttpRequest) -> HeaderList {
    let mut headers = vec![
        (":method".to_string(), request.method.clone()),
        (":path".to_string(), request.path.clone()),
        (":authority".to_string(), request.authority.clone()),
        (":scheme".to_string(), "http".to_string()),
    ];
    headers.extend(request.headers.iter().cloned());
    headers
}

fn response_header_list(status: u16, headers: &HeaderList) -> HeaderList {
    let mut all = vec![(":status".to_string(), status.to_string())];
    all.extend(headers.iter().cloned());
    all
}

impl Stream<'_> {
    /// The request's context id.
    pub fn context_id(&self) -> u32 {
        self.ctx
    }

    /// The host (logs, calls, metrics) while the request runs.
    pub fn host(&self) -> &PluginHost {
        self.host
    }

    fn request(&self) -> Option<&RequestState> {
        self.host.store.data().requests.get(&self.ctx)
    }

    fn state(&self) -> Option<&gatewit_gateway_flow::StreamState> {
        self.request().map(|r| &r.flow)
    }

    /// Sends the request headers (`:method`, `:path`, `:authority` included).
    pub fn send_request_headers(
        &mut self,
        headers: HeaderList,
        end_of_stream: bool,
    ) -> anyhow::Result<()> {
        self.host
            .headers(Direction::Request, self.ctx, headers, end_of_stream)
    }

    /// Sends one request body chunk.
    pub fn send_request_body(&mut self, chunk: &[u8], end_of_stream: bool) -> anyhow::Result<()> {
        self.host
            .body(Direction::Request, self.ctx, chunk, end_of_stream)
    }

    /// Sends request trailers (ending the request stream).
    pub fn send_request_trailers(&mut self, trailers: HeaderList) -> anyhow::Result<()> {
        self.host.trailers(Direction::Request, self.ctx, trailers)
    }

    /// Sends the whole `request`: headers, then each body chunk.
    pub fn send_request(&mut self, request: &HttpRequest) -> anyhow::Result<()> {
        let headers = request_header_list(request);
        self.send_whole(Direction::Request, headers, &request.body_chunks)
    }

    fn send_whole(
        &mut self,
        dir: Direction,
        headers: HeaderList,
        chunks: &[Vec<u8>],
    ) -> anyhow::Result<()> {
        // An empty chunk carries nothing on the wire: a body of
        // `content-length: 0` ends the stream with the headers, and Envoy
        // calls no body callback for it.
        let chunks: Vec<&Vec<u8>> = chunks.iter().filter(|c| !c.is_empty()).collect();
        self.host
            .headers(dir, self.ctx, headers, chunks.is_empty())?;
        for (i, chunk) in chunks.iter().enumerate() {
            self.host
                .body(dir, self.ctx, chunk, i + 1 == chunks.len())?;
        }
        Ok(())
    }

    /// Whether the plugin holds the request (paused, waiting for a resume).
    pub fn request_paused(&self) -> bool {
        self.state().is_some_and(|r| r.request.paused())
    }

    /// Whether the plugin holds the response.
    pub fn response_paused(&self) -> bool {
        self.state().is_some_and(|r| r.response.paused())
    }

    /// The request headers as forwarded upstream (pseudo-headers included),
    /// once the plugin let them through.
    pub fn upstream_headers(&self) -> Option<HeaderList> {
        self.state().and_then(|r| {
            if r.local_reply.is_some() {
                None
            } else {
                r.request.forwarded_headers.clone()
            }
        })
    }

    /// The request as the upstream received it, once the whole request went
    /// through (`None` while paused, or after a local reply).
    pub fn upstream_request(&self) -> Option<ReceivedRequest> {
        self.state()?.upstream_request()
    }

    /// The local reply the plugin sent, if any.
    pub fn local_reply(&self) -> Option<LocalReply> {
        self.state().and_then(|r| r.local_reply.clone())
    }

    /// Sends the upstream response headers (`status` becomes `:status`).
    pub fn send_response_headers(
        &mut self,
        status: u16,
        headers: &HeaderList,
        end_of_stream: bool,
    ) -> anyhow::Result<()> {
        let all = response_header_list(status, headers);
        self.host
            .headers(Direction::Response, self.ctx, all, end_of_stream)
    }

    /// Sends one upstream response body chunk.
    pub fn send_response_body(&mut self, chunk: &[u8], end_of_stream: bool) -> anyhow::Result<()> {
        self.host
            .body(Direction::Response, self.ctx, chunk, end_of_stream)
    }

    /// Sends upstream response trailers (ending the response stream).
    pub fn send_response_trailers(&mut self, trailers: HeaderList) -> anyhow::Result<()> {
        self.host.trailers(Direction::Response, self.ctx, trailers)
    }

    /// Sends the whole upstream `response`.
    pub fn send_response(&mut self, response: &UpstreamResponse) -> anyhow::Result<()> {
        let headers = response_header_list(response.status, &response.headers);
        self.send_whole(Direction::Response, headers, &response.body_chunks)
    }

    /// The response headers the client has received so far (`:status`
    /// included), once the plugin let them through.
    pub fn client_headers(&self) -> Option<HeaderList> {
        self.state()
            .and_then(|r| r.response.forwarded_headers.clone())
    }

    /// The response body the client has received so far.
    pub fn client_body(&self) -> Vec<u8> {
        self.state()
            .map(|r| r.response.forwarded_body.clone())
            .unwrap_or_default()
    }

    /// A property the plugin set on this request (`set-property` during
    /// one of its callbacks).
    pub fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        self.request()?.properties.get(&path.join(".")).cloned()
    }

    /// The upstream host the plugin chose with `set-upstream-override-host`.
    pub fn upstream_override_host(&self) -> Option<String> {
        self.request()?.upstream_override_host.clone()
    }

    /// The response as the client received it, once complete.
    pub fn client_response(&self) -> Option<ClientResponse> {
        self.state()?.client_response()
    }

    /// Answers the calls held by [`PluginHost::hold_calls`].
    pub fn answer_calls(&mut self) -> anyhow::Result<()> {
        self.host.answer_calls()
    }

    /// How many outbound calls wait for an answer.
    pub fn pending_calls(&self) -> usize {
        self.host.pending_calls()
    }

    /// Sets the request aside without ending it, to start or drive other
    /// requests meanwhile; [`PluginHost::attach`] takes it up again.
    pub fn detach(mut self) -> StreamId {
        self.finished = true;
        StreamId(self.ctx)
    }

    /// Ends the request (`on-request-done`) and returns the client response
    /// if it was complete.
    pub fn finish(mut self) -> anyhow::Result<Option<ClientResponse>> {
        let response = self.client_response();
        self.finished = true;
        self.host.finish(self.ctx)?;
        Ok(response)
    }
}

impl Drop for Stream<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Best effort: a trap here already restarted the plugin and left
            // a log record.
            let _ = self.host.finish(self.ctx);
        }
    }
}
