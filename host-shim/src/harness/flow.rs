//! The stream flow of the host shim: each phase's callback, its action,
//! holding and forwarding headers and bodies, local replies, resuming a
//! paused request when its calls are answered, and the end of a request,
//! as Envoy runs them (the emulator's `flow.rs` is the same flow for core
//! modules; the scenario table checks both against real Envoy).

use std::time::Duration;

use anyhow::{anyhow, bail};
use wasmtime::Store;

use super::{DEFAULT_HTTP_TIMEOUT, MAX_CALLS_PER_STEP, Phase, PluginHost};
use crate::backend::{self, CallFailure};
use crate::bindings::exports::gatewit::plugin::guest;
use crate::bindings::{BodyAction, HeaderAction};
use crate::exchange::HeaderList;
use crate::state::{Direction, Flow, HostState, HttpBackend, MockHttp, RedisBackend, RequestState};
use gatewit_abi::Callback;

impl PluginHost {
    pub(super) fn req(&mut self, ctx: u32) -> anyhow::Result<&mut RequestState> {
        self.store.data_mut().requests.get_mut(&ctx).ok_or_else(|| {
            anyhow!("request {ctx} is gone: the plugin was restarted after a trap and in-flight requests were dropped")
        })
    }

    // ---- both directions ---------------------------------------------------

    /// Runs the guest callback of `phase` in direction `dir` (if the plugin
    /// needs it) and returns whether the plugin lets the phase go on. `size`
    /// is the header or trailer count, or the body size; trailers ignore
    /// `eos`.
    pub(super) fn run_phase(
        &mut self,
        ctx: u32,
        dir: Direction,
        phase: Phase,
        size: u32,
        eos: bool,
    ) -> anyhow::Result<bool> {
        use Direction::{Request, Response};
        use Phase::{Body, Headers, Trailers};
        let callback = match (dir, phase) {
            (Request, Headers) => Callback::RequestHeaders,
            (Request, Body) => Callback::RequestBody,
            (Request, Trailers) => Callback::RequestTrailers,
            (Response, Headers) => Callback::ResponseHeaders,
            (Response, Body) => Callback::ResponseBody,
            (Response, Trailers) => Callback::ResponseTrailers,
        };
        if !self.hook(callback) {
            return Ok(true);
        }
        let what = callback.guest_name();
        let go_on = |action: HeaderAction| {
            matches!(
                action,
                HeaderAction::Continue | HeaderAction::ContinueAndEndStream
            )
        };
        let body_goes_on = |s: &mut Store<HostState>, action: BodyAction| {
            s.data_mut().drop_chunk = action == BodyAction::StopNoBuffer;
            action == BodyAction::Continue
        };
        self.call(what, ctx, |g, s| {
            Ok(match (dir, phase) {
                (Request, Headers) => go_on(g.call_on_request_headers(s, ctx, size, eos)?),
                (Request, Body) => {
                    let action = g.call_on_request_body(&mut *s, ctx, size, eos)?;
                    body_goes_on(s, action)
                }
                (Request, Trailers) => go_on(g.call_on_request_trailers(s, ctx, size)?),
                (Response, Headers) => go_on(g.call_on_response_headers(s, ctx, size, eos)?),
                (Response, Body) => {
                    let action = g.call_on_response_body(&mut *s, ctx, size, eos)?;
                    body_goes_on(s, action)
                }
                (Response, Trailers) => go_on(g.call_on_response_trailers(s, ctx, size)?),
            })
        })
    }

    pub(super) fn headers(
        &mut self,
        dir: Direction,
        ctx: u32,
        headers: HeaderList,
        end_of_stream: bool,
    ) -> anyhow::Result<()> {
        let r = self.req(ctx)?;
        if dir == Direction::Response {
            if r.local_reply.is_some() {
                bail!("the request was answered locally; there is no upstream response to send");
            }
            if r.request.flow != Flow::Done {
                bail!("the request has not reached the upstream yet (the plugin paused it)");
            }
        }
        let half = r.half(dir);
        if half.flow != Flow::Idle {
            bail!("{dir} headers were already sent");
        }
        half.headers = headers;
        half.eos = end_of_stream;
        self.headers_callback(dir, ctx)?;
        self.settle(ctx)
    }

    pub(super) fn headers_callback(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<()> {
        let half = self.req(ctx)?.half(dir);
        // A response body buffered before its headers (a local reply's)
        // follows in a body callback, so the headers do not end the stream.
        // The request reports the end of stream as the client sent it, even
        // when the plugin wrote a request body before its headers.
        let eos = half.eos && (dir == Direction::Request || half.body.is_empty());
        let count = half.headers.len() as u32;
        // From here the response has started: a local reply sent now
        // replaces it as is instead of running the response phases again.
        half.flow = Flow::InHeaders;
        let go_on = self.run_phase(ctx, dir, Phase::Headers, count, eos)?;
        if self.handle_local_reply(ctx)? {
            return Ok(());
        }
        if go_on {
            return self.forward_headers(dir, ctx);
        }
        let half = self.req(ctx)?.half(dir);
        half.flow = Flow::PausedInHeaders;
        // A body already there (a local reply's) reaches the body callback
        // at once when body callbacks run during paused headers.
        let body_pending = !half.body.is_empty() || (half.eos && half.saw_body);
        if self.body_during_paused_headers && body_pending {
            self.body_callback(dir, ctx)?;
        }
        Ok(())
    }

    pub(super) fn forward_headers(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<()> {
        let half = self.req(ctx)?.half(dir);
        half.forwarded_headers = Some(half.headers.clone());
        let body_pending = !half.body.is_empty() || (half.eos && half.saw_body);
        if half.eos && !body_pending {
            half.flow = Flow::Done;
            return Ok(());
        }
        half.flow = Flow::Streaming;
        if body_pending {
            self.body_callback(dir, ctx)
        } else {
            Ok(())
        }
    }

    pub(super) fn body(
        &mut self,
        dir: Direction,
        ctx: u32,
        chunk: &[u8],
        end_of_stream: bool,
    ) -> anyhow::Result<()> {
        let r = self.req(ctx)?;
        if r.local_reply.is_some() {
            // The stream was answered locally: Envoy drops the rest.
            return Ok(());
        }
        let half = r.half(dir);
        if half.injected_end {
            // The plugin ended the stream itself (`inject-encoded-data`).
            return Ok(());
        }
        if half.flow == Flow::Idle {
            bail!("{dir} body sent before the {dir} headers");
        }
        if half.eos {
            bail!("{dir} body sent after the end of the {dir} stream");
        }
        half.body.extend_from_slice(chunk);
        half.eos = end_of_stream;
        half.saw_body = true;
        if half.flow == Flow::PausedInHeaders && !self.body_during_paused_headers {
            // Body callbacks wait until the headers phase resumes; the body
            // stays buffered meanwhile.
            return Ok(());
        }
        self.body_callback(dir, ctx)?;
        self.settle(ctx)
    }

    pub(super) fn body_callback(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<()> {
        let half = self.req(ctx)?.half(dir);
        let (size, eos) = (half.body.len() as u32, half.eos);
        let go_on = self.run_phase(ctx, dir, Phase::Body, size, eos)?;
        if self.handle_local_reply(ctx)? {
            return Ok(());
        }
        let drop_chunk = std::mem::take(&mut self.store.data_mut().drop_chunk);
        let half = self.req(ctx)?.half(dir);
        if half.injected_end {
            half.body.clear();
            half.flow = Flow::Done;
            return Ok(());
        }
        if drop_chunk && !go_on {
            // Higress's stop-no-buffer: the plugin keeps what it wants of
            // the chunk itself (and may inject it later).
            half.body.clear();
        }
        if go_on {
            if half.flow == Flow::PausedInHeaders {
                // Body callbacks during paused headers: a body Continue lets
                // the held headers go on first, as the plugin left them.
                half.forwarded_headers = Some(half.headers.clone());
                half.flow = Flow::Streaming;
            }
            half.pass_body();
            if eos {
                half.flow = Flow::Done;
            }
        } else if eos && half.flow != Flow::PausedInHeaders {
            // Buffer; at the end of the stream nothing more arrives, so the
            // direction waits for a resume. (With the headers still held
            // it waits in the headers phase.)
            half.flow = Flow::PausedInBody;
        }
        Ok(())
    }

    pub(super) fn trailers(
        &mut self,
        dir: Direction,
        ctx: u32,
        trailers: HeaderList,
    ) -> anyhow::Result<()> {
        let r = self.req(ctx)?;
        if r.local_reply.is_some() {
            return Ok(());
        }
        let half = r.half(dir);
        if half.flow == Flow::Idle || half.eos {
            bail!("{dir} trailers sent before the headers or after the end of the stream");
        }
        let count = trailers.len() as u32;
        half.trailers = trailers;
        // Trailers end the stream.
        half.eos = true;
        let go_on = self.run_phase(ctx, dir, Phase::Trailers, count, true)?;
        if self.handle_local_reply(ctx)? {
            return self.settle(ctx);
        }
        let held = self.body_during_paused_headers;
        let half = self.req(ctx)?.half(dir);
        if half.flow == Flow::PausedInHeaders && held && go_on {
            // Trailers continuing let the held headers and body go on.
            half.forwarded_headers = Some(half.headers.clone());
            half.pass_body();
            half.flow = Flow::Done;
        } else if half.flow == Flow::Streaming {
            if go_on {
                // What the body phase buffered goes on with the trailers.
                half.pass_body();
                half.flow = Flow::Done;
            } else {
                half.flow = Flow::PausedInBody;
            }
        }
        self.settle(ctx)
    }

    /// Acts on a resume the plugin asked for in direction `dir`; `false`
    /// when it asked for none.
    pub(super) fn resume(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<bool> {
        let held = self.body_during_paused_headers;
        let half = self.req(ctx)?.half(dir);
        if !std::mem::take(&mut half.resume) {
            return Ok(false);
        }
        match half.flow {
            Flow::PausedInHeaders if held => {
                // The body callbacks already saw what is buffered: headers
                // and body go on as they are.
                half.forwarded_headers = Some(half.headers.clone());
                half.pass_body();
                half.flow = if half.eos {
                    Flow::Done
                } else {
                    Flow::Streaming
                };
            }
            Flow::PausedInHeaders => self.forward_headers(dir, ctx)?,
            Flow::PausedInBody => {
                half.pass_body();
                half.flow = Flow::Done;
            }
            _ => {}
        }
        Ok(true)
    }

    // ---- local replies, resumes, async calls -------------------------------

    /// If the plugin just sent a local reply, ends the exchange with it and
    /// returns `true` (`false` when there is none, or it is already being
    /// answered). Like Envoy, a reply sent before the response started
    /// runs through the plugin's response phases (the plugin sees its own
    /// reply in `on-response-headers` / `on-response-body`); a reply sent
    /// during the response phases replaces the upstream response as is.
    pub(super) fn handle_local_reply(&mut self, ctx: u32) -> anyhow::Result<bool> {
        let r = self.req(ctx)?;
        let Some(reply) = r.local_reply.clone() else {
            return Ok(false);
        };
        if r.local_reply_handled {
            // Already the response (we are in its response phases).
            return Ok(false);
        }
        r.local_reply_handled = true;
        r.request.flow = Flow::Done;
        r.request.resume = false;
        let mut headers = vec![(":status".to_string(), reply.status.to_string())];
        headers.extend(
            reply
                .headers
                .iter()
                .filter(|(k, _)| k != ":status")
                .cloned(),
        );
        // As Envoy's local replies: a body gets its length and, unless the
        // plugin gave one, `content-type: text/plain`.
        if !reply.body.is_empty() {
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("content-type".into(), "text/plain".into()));
            }
            headers.push(("content-length".into(), reply.body.len().to_string()));
        }
        let response = &mut r.response;
        if response.flow == Flow::Idle && response.forwarded_headers.is_none() {
            response.headers = headers;
            response.body = reply.body;
            response.saw_body = !response.body.is_empty();
            response.eos = true;
            self.headers_callback(Direction::Response, ctx)?;
        } else {
            response.forwarded_headers = Some(headers);
            response.forwarded_body = reply.body;
            response.body.clear();
            response.flow = Flow::Done;
            response.resume = false;
        }
        Ok(true)
    }

    /// Applies what the plugin asked for during its last callbacks (resumes,
    /// local replies from async callbacks), then answers pending calls.
    pub(super) fn settle(&mut self, ctx: u32) -> anyhow::Result<()> {
        self.apply_resumes(ctx)?;
        self.drain_calls()
    }

    pub(super) fn apply_resumes(&mut self, ctx: u32) -> anyhow::Result<()> {
        // Each round either clears a flag or ends the exchange, and the
        // plugin can only set flags from callbacks, so this terminates.
        for _ in 0..MAX_CALLS_PER_STEP {
            let Some(r) = self.store.data_mut().requests.get_mut(&ctx) else {
                return Ok(());
            };
            if r.local_reply.is_some() && !r.local_reply_handled {
                self.handle_local_reply(ctx)?;
                continue;
            }
            if self.resume(Direction::Request, ctx)? || self.resume(Direction::Response, ctx)? {
                continue;
            }
            return Ok(());
        }
        bail!("plugin kept resuming the request: more than {MAX_CALLS_PER_STEP} rounds")
    }

    /// Answers every pending HTTP and Redis call, delivering each answer with
    /// the originating request current.
    pub(super) fn drain_calls(&mut self) -> anyhow::Result<()> {
        if self.hold_calls {
            return Ok(());
        }
        self.answer_pending()
    }

    /// By default every outbound call is answered as soon as the callback
    /// that made it returns. With `hold`, calls wait until
    /// [`PluginHost::answer_calls`] (or [`Stream::answer_calls`]), so a test
    /// can observe a paused request.
    pub fn hold_calls(&mut self, hold: bool) {
        self.hold_calls = hold;
    }

    /// How many outbound calls (HTTP and Redis) wait for an answer.
    pub fn pending_calls(&self) -> usize {
        self.store.data().pending_http.len() + self.store.data().pending_redis.len()
    }

    /// Answers every pending call now (see [`PluginHost::hold_calls`]).
    pub fn answer_calls(&mut self) -> anyhow::Result<()> {
        self.answer_pending()
    }

    pub(super) fn answer_pending(&mut self) -> anyhow::Result<()> {
        for _ in 0..MAX_CALLS_PER_STEP {
            if let Some(pending) = self.store.data_mut().pending_http.pop_front() {
                let record = &self.store.data().p.http_calls[pending.record_index];
                let (ctx, call_id) = (record.context, record.call_id);
                let outcome = match pending.backend {
                    HttpBackend::Mock(MockHttp::Respond(resp)) => Ok(resp),
                    HttpBackend::Mock(MockHttp::Fail(f)) => Err(f),
                    HttpBackend::Real(addr) => {
                        let timeout = match record.timeout_ms {
                            0 => DEFAULT_HTTP_TIMEOUT,
                            ms => Duration::from_millis(ms.into()),
                        };
                        backend::http_call(addr, &record.request, timeout)
                    }
                };
                self.store.data_mut().p.http_calls[pending.record_index].outcome =
                    Some(outcome.clone());
                if !self.request_alive(ctx) {
                    continue;
                }
                let response = outcome
                    .map(|r| guest::HttpResponse {
                        headers: r.headers,
                        body: r.body,
                        trailers: r.trailers,
                    })
                    .map_err(|f| match f {
                        CallFailure::Timeout => guest::CallFailure::Timeout,
                        CallFailure::Reset => guest::CallFailure::Reset,
                    });
                if self.hook(Callback::HttpCallResponse) {
                    self.call("on-http-call-response", ctx, |g, s| {
                        g.call_on_http_call_response(
                            s,
                            ctx,
                            call_id,
                            response.as_ref().map_err(|e| *e),
                        )
                    })?;
                }
                if ctx != 0 {
                    self.apply_resumes(ctx)?;
                }
                continue;
            }
            if let Some(pending) = self.store.data_mut().pending_redis.pop_front() {
                let state = self.store.data_mut();
                let record = &state.p.redis_calls[pending.record_index];
                let (ctx, call_id) = (record.context, record.call_id);
                let query = record.query.clone();
                let now = state.now();
                let outcome = match state.redis_clusters.get_mut(&record.cluster) {
                    None => Err(crate::backend::RedisFailure::Broken.status()),
                    Some(cluster) => match &cluster.backend {
                        RedisBackend::Fake(fake) => match fake.lock() {
                            Ok(mut fake) => Ok(fake.execute_at(now, &query)),
                            Err(_) => Err(crate::backend::RedisFailure::Broken.status()),
                        },
                        RedisBackend::Real(addr) => {
                            if cluster.connection.is_none() {
                                cluster.connection = backend::RedisConnection::connect(
                                    *addr,
                                    &cluster.username,
                                    &cluster.password,
                                    cluster.database,
                                    cluster.timeout,
                                )
                                .ok();
                            }
                            match &mut cluster.connection {
                                None => Err(crate::backend::RedisFailure::Broken.status()),
                                Some(conn) => {
                                    let result =
                                        conn.call(&query, cluster.timeout).map_err(|f| f.status());
                                    if result.is_err() {
                                        cluster.connection = None;
                                    }
                                    result
                                }
                            }
                        }
                    },
                };
                state.p.redis_calls[pending.record_index].outcome = Some(outcome.clone());
                if !self.request_alive(ctx) {
                    continue;
                }
                if self.hook(Callback::RedisCallResponse) {
                    self.call("on-redis-call-response", ctx, |g, s| {
                        g.call_on_redis_call_response(
                            s,
                            ctx,
                            call_id,
                            outcome.as_ref().map(Vec::as_slice).map_err(|e| *e),
                        )
                    })?;
                }
                if ctx != 0 {
                    self.apply_resumes(ctx)?;
                }
                continue;
            }
            return Ok(());
        }
        bail!("plugin kept making calls: more than {MAX_CALLS_PER_STEP} answers in one step")
    }

    /// Calls from a finished request are cancelled, as Envoy cancels them
    /// when the stream goes away.
    pub(super) fn request_alive(&self, ctx: u32) -> bool {
        ctx == 0
            || self
                .store
                .data()
                .requests
                .get(&ctx)
                .is_some_and(|r| !r.done)
    }

    pub(super) fn finish(&mut self, ctx: u32) -> anyhow::Result<()> {
        let Some(r) = self.store.data_mut().requests.get_mut(&ctx) else {
            return Ok(());
        };
        if r.done {
            return Ok(());
        }
        r.done = true;
        let result = if self.hook(Callback::RequestDone) {
            self.call("on-request-done", ctx, |g, s| {
                g.call_on_request_done(s, ctx)
            })
            .and_then(|()| self.drain_calls())
        } else {
            Ok(())
        };
        self.store.data_mut().requests.remove(&ctx);
        result
    }
}
