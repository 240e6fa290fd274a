//! The host shim's side of the stream flow (`gatewit_gateway_flow`): how
//! it runs a phase's guest callback and answers one outbound call. The
//! rules of the stream itself live in the flow model, which the emulator
//! drives too; the scenario table checks both against real Envoy.

use std::time::Duration;

use gatewit_gateway_flow::{FlowHost, Phase, StreamFlow, StreamState, Verdict};

use super::{DEFAULT_HTTP_TIMEOUT, PluginHost};
use crate::backend::{self, CallFailure};
use crate::bindings::exports::gatewit::plugin::guest;
use crate::bindings::{BodyAction, HeaderAction};
use crate::state::{Direction, HttpBackend, MockHttp, RedisBackend};
use gatewit_abi::Callback;

impl FlowHost for PluginHost {
    fn body_during_paused_headers(&self) -> bool {
        self.body_during_paused_headers
    }

    fn stream_state(&mut self, ctx: u32) -> Option<&mut StreamState> {
        self.store
            .data_mut()
            .requests
            .get_mut(&ctx)
            .map(|r| &mut r.flow)
    }

    fn run_phase(
        &mut self,
        ctx: u32,
        dir: Direction,
        phase: Phase,
        size: u32,
        eos: bool,
    ) -> anyhow::Result<Verdict> {
        use Direction::{Request, Response};
        use Phase::{Body, Headers, Trailers};
        let callback = phase.callback(dir);
        if !self.hook(callback) {
            return Ok(Verdict::GO_ON);
        }
        let headers = |action: HeaderAction| Verdict {
            go_on: matches!(
                action,
                HeaderAction::Continue | HeaderAction::ContinueAndEndStream
            ),
            drop_chunk: false,
        };
        let body = |action: BodyAction| Verdict {
            go_on: action == BodyAction::Continue,
            drop_chunk: action == BodyAction::StopNoBuffer,
        };
        self.call(callback.guest_name(), ctx, |g, s| {
            Ok(match (dir, phase) {
                (Request, Headers) => headers(g.call_on_request_headers(s, ctx, size, eos)?),
                (Request, Body) => body(g.call_on_request_body(s, ctx, size, eos)?),
                (Request, Trailers) => headers(g.call_on_request_trailers(s, ctx, size)?),
                (Response, Headers) => headers(g.call_on_response_headers(s, ctx, size, eos)?),
                (Response, Body) => body(g.call_on_response_body(s, ctx, size, eos)?),
                (Response, Trailers) => headers(g.call_on_response_trailers(s, ctx, size)?),
            })
        })
    }

    fn answer_next_call(&mut self) -> anyhow::Result<Option<u32>> {
        self.answer_one()
    }

    fn calls_held(&self) -> bool {
        self.hold_calls
    }
}

impl PluginHost {
    /// By default every outbound call is answered as soon as the callback
    /// that made it returns. With `hold`, calls wait until
    /// [`PluginHost::answer_calls`] (or [`super::Stream::answer_calls`]), so
    /// a test can observe a paused request.
    pub fn hold_calls(&mut self, hold: bool) {
        self.hold_calls = hold;
    }

    /// How many outbound calls (HTTP and Redis) wait for an answer.
    pub fn pending_calls(&self) -> usize {
        self.store.data().pending_http.len() + self.store.data().pending_redis.len()
    }

    /// Answers every pending call now (see [`PluginHost::hold_calls`]).
    pub fn answer_calls(&mut self) -> anyhow::Result<()> {
        self.answer_all_calls()
    }

    /// Answers the oldest pending call; returns the context it was made
    /// from (a finished request's answer is recorded, not delivered).
    fn answer_one(&mut self) -> anyhow::Result<Option<u32>> {
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
                return Ok(Some(ctx));
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
                    g.call_on_http_call_response(s, ctx, call_id, response.as_ref().map_err(|e| *e))
                })?;
            }
            return Ok(Some(ctx));
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
                return Ok(Some(ctx));
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
            return Ok(Some(ctx));
        }
        Ok(None)
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
                .is_some_and(|r| !r.flow.done)
    }

    pub(super) fn finish(&mut self, ctx: u32) -> anyhow::Result<()> {
        let Some(r) = self.store.data_mut().requests.get_mut(&ctx) else {
            return Ok(());
        };
        if r.flow.done {
            return Ok(());
        }
        r.flow.done = true;
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
