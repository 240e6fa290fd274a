//! The emulator's side of the stream flow (`gatewit_gateway_flow`): how it
//! calls a phase's proxy-wasm export and answers one outbound call, and one
//! exchange from the first callback to `proxy_on_delete`. The rules of the
//! stream itself live in the flow model, which the host shim drives too;
//! the scenario table checks both against real Envoy.

use anyhow::{Context, bail};
use gatewit_abi::proxy::{body_action, header_action};
use gatewit_gateway_flow::{
    Direction, Flow, FlowHost, Half, Phase, StreamFlow, StreamState, Verdict,
};
use gatewit_host_shim::exchange::{Exchange, HeaderList, HttpRequest, UpstreamResponse};

use super::state::{CallRecord, Pending, Stream};
use super::{Emulator, ROOT_ID};

impl FlowHost for Emulator {
    fn body_during_paused_headers(&self) -> bool {
        self.body_during_paused_headers
    }

    fn stream_state(&mut self, ctx: u32) -> Option<&mut StreamState> {
        self.store
            .data_mut()
            .streams
            .get_mut(&ctx)
            .map(|s| &mut s.flow)
    }

    fn run_phase(
        &mut self,
        ctx: u32,
        dir: Direction,
        phase: Phase,
        size: u32,
        eos: bool,
    ) -> anyhow::Result<Verdict> {
        let name = phase.callback(dir).proxy_name();
        let mut args = vec![u64::from(ctx), u64::from(size)];
        if phase != Phase::Trailers {
            args.push(u64::from(eos));
        }
        self.store.data_mut().effective = ctx;
        // A module without the export lets the phase go on.
        let action = self.call(name, &args)?.unwrap_or(0);
        let action = u32::try_from(action).unwrap_or(u32::MAX);
        Ok(match phase {
            // Higress's ContinueAndEndStream goes on too.
            Phase::Headers | Phase::Trailers => Verdict {
                go_on: action == header_action::CONTINUE
                    || action == header_action::CONTINUE_AND_END_STREAM,
                drop_chunk: false,
            },
            // 2 is StopIterationAndWatermark here, a pause.
            Phase::Body => Verdict {
                go_on: action == body_action::CONTINUE,
                drop_chunk: action == body_action::STOP_NO_BUFFER,
            },
        })
    }

    fn answer_next_call(&mut self) -> anyhow::Result<Option<u32>> {
        let Some(pending) = self.store.data_mut().pending.pop_front() else {
            return Ok(None);
        };
        let record = match &pending {
            Pending::Http { record, .. } | Pending::Redis { record, .. } => *record,
        };
        let context = match self.store.data().calls.get(record) {
            Some(CallRecord::Http { context_id, .. } | CallRecord::Redis { context_id, .. }) => {
                *context_id
            }
            None => bail!("internal: call record {record} is missing"),
        };
        match pending {
            Pending::Http {
                token,
                record,
                addr,
            } => self.run_http_call(token, record, addr)?,
            Pending::Redis {
                token,
                record,
                cluster,
            } => self.run_redis_call(token, record, &cluster)?,
        }
        Ok(Some(context))
    }
}

impl Emulator {
    /// Sends one request through the plugin (see [`Gateway::send`]).
    ///
    /// [`Gateway::send`]: gatewit_host_shim::exchange::Gateway::send
    pub fn exchange(
        &mut self,
        request: &HttpRequest,
        upstream: &UpstreamResponse,
    ) -> anyhow::Result<Exchange> {
        if let Some(why) = &self.broken {
            bail!("the plugin vm failed earlier and is unusable (as in Envoy): {why}");
        }
        let id = self.next_context;
        self.next_context = self
            .next_context
            .checked_add(1)
            .context("context ids exhausted")?;
        self.store.data_mut().streams.insert(id, Stream::default());
        self.store.data_mut().effective = id;
        let created = self.call("proxy_on_context_create", &[id.into(), ROOT_ID.into()]);
        let result = created.and_then(|_| self.run_stream(id, request, upstream));
        let finished = if self.broken.is_none() {
            self.finish(id)
        } else {
            Ok(())
        };
        self.store.data_mut().streams.remove(&id);
        self.store.data_mut().effective = ROOT_ID;
        let exchange = result?;
        finished?;
        Ok(exchange)
    }

    /// One stream, up to the client's response.
    fn run_stream(
        &mut self,
        id: u32,
        request: &HttpRequest,
        upstream: &UpstreamResponse,
    ) -> anyhow::Result<Exchange> {
        let mut headers: HeaderList = vec![
            (":authority".into(), request.authority.clone()),
            (":path".into(), request.path.clone()),
            (":method".into(), request.method.clone()),
            (":scheme".into(), "http".into()),
        ];
        headers.extend(lowercase(&request.headers));
        self.send_whole(Direction::Request, id, headers, &request.body_chunks)?;
        let state = self.open_stream(id)?;
        let received = if state.local_reply.is_none() {
            let Some(received) = state.upstream_request() else {
                return Err(stuck(id, Direction::Request, &state.request));
            };
            let mut headers = vec![(":status".to_string(), upstream.status.to_string())];
            headers.extend(lowercase(&upstream.headers));
            self.send_whole(Direction::Response, id, headers, &upstream.body_chunks)?;
            Some(received)
        } else {
            None
        };
        let state = self.open_stream(id)?;
        let Some(response) = state.client_response() else {
            return Err(stuck(id, Direction::Response, &state.response));
        };
        Ok(Exchange {
            upstream: received,
            response,
        })
    }

    /// Headers, then each body chunk. An empty chunk carries nothing on the
    /// wire: a body of `content-length: 0` ends the stream with the
    /// headers, and Envoy calls no body callback for it.
    fn send_whole(
        &mut self,
        dir: Direction,
        id: u32,
        headers: HeaderList,
        chunks: &[Vec<u8>],
    ) -> anyhow::Result<()> {
        let chunks: Vec<&Vec<u8>> = chunks.iter().filter(|c| !c.is_empty()).collect();
        self.headers(dir, id, headers, chunks.is_empty())?;
        for (i, chunk) in chunks.iter().enumerate() {
            self.body(dir, id, chunk, i + 1 == chunks.len())?;
        }
        Ok(())
    }

    /// Answers every pending call.
    pub(super) fn pump(&mut self) -> anyhow::Result<()> {
        self.answer_all_calls()
    }

    /// `proxy_on_log`, `proxy_on_done`, `proxy_on_delete`, then any calls
    /// those made.
    fn finish(&mut self, id: u32) -> anyhow::Result<()> {
        self.pump()?;
        if let Some(state) = self.stream_state(id) {
            state.done = true;
        }
        for name in ["proxy_on_log", "proxy_on_done", "proxy_on_delete"] {
            self.store.data_mut().effective = id;
            self.call(name, &[id.into()])?;
        }
        self.store.data_mut().effective = ROOT_ID;
        self.pump()
    }
}

/// A direction the plugin holds with nothing left that could resume it:
/// Envoy would wait for its stream timeout.
fn stuck(id: u32, dir: Direction, half: &Half) -> anyhow::Error {
    let phase = if half.flow == Flow::PausedInHeaders {
        "headers"
    } else {
        "body"
    };
    anyhow::anyhow!(
        "the plugin paused the {dir} {phase} of context {id} and nothing is pending that could resume it: \
         no `proxy_continue_stream` and no local reply"
    )
}

fn lowercase(headers: &HeaderList) -> impl Iterator<Item = (String, String)> + '_ {
    headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
}
