//! The stream flow: one HTTP stream through the filter, phase by phase,
//! as Envoy runs it (see the crate's "flow semantics"): settling each
//! phase's action, holding and handing over bodies, local replies from
//! every phase, then `proxy_on_log`/`done`/`delete`.

use super::state::Stream;
use super::{
    Dir, Emulator, Kind, LocalReply, Next, ROOT_ID, client_response, goes_on, local_reply_headers,
};
use anyhow::{Context, bail};
use gatewit_abi::proxy::body_action;
use gatewit_host_shim::exchange::{
    ClientResponse, Exchange, HeaderList, HttpRequest, ReceivedRequest, UpstreamResponse,
};

impl Emulator {
    pub(super) fn stream(&mut self, id: u32) -> anyhow::Result<&mut Stream> {
        self.store
            .data_mut()
            .streams
            .get_mut(&id)
            .with_context(|| format!("internal: context {id} is gone"))
    }

    /// Calls a stream callback with `id` effective and returns its action
    /// (0 = Continue when the module does not export it).
    pub(super) fn phase(
        &mut self,
        id: u32,
        dir: Dir,
        name: &str,
        args: &[u64],
    ) -> anyhow::Result<u64> {
        let stream = self.stream(id)?;
        match dir {
            Dir::Request => stream.resume_request = false,
            Dir::Response => stream.resume_response = false,
        }
        self.store.data_mut().effective = id;
        Ok(self.call(name, args)?.unwrap_or(0))
    }

    /// After a phase callback returned `action`: runs the pending calls and
    /// decides. With `must_resume` a pause has to be lifted (by
    /// `proxy_continue_stream` or a local reply) before the stream can go on.
    pub(super) fn settle(
        &mut self,
        id: u32,
        dir: Dir,
        (kind, action): (Kind, u64),
        what: &str,
        must_resume: bool,
    ) -> anyhow::Result<Next> {
        self.pump()?;
        let stream = self.stream(id)?;
        if stream.reset {
            bail!("the plugin reset the stream in the {what} phase (`proxy_close_stream`)");
        }
        if let Some(reply) = stream.local_reply.take() {
            return Ok(Next::Local(reply));
        }
        let resumed = match dir {
            Dir::Request => std::mem::take(&mut stream.resume_request),
            Dir::Response => std::mem::take(&mut stream.resume_response),
        };
        if goes_on(kind, action) || resumed {
            return Ok(Next::Go);
        }
        if must_resume {
            bail!(
                "the plugin paused the {what} of context {id} (action {action}) and nothing is pending that could resume it: \
                 no `proxy_continue_stream` and no local reply"
            );
        }
        Ok(Next::Hold)
    }

    /// Runs the body phase over `chunks`; returns the data passed on, or a
    /// local reply with whether some data had already been passed on.
    pub(super) fn body(
        &mut self,
        id: u32,
        dir: Dir,
        chunks: &[Vec<u8>],
    ) -> anyhow::Result<Result<Vec<u8>, (LocalReply, bool)>> {
        let (name, what) = match dir {
            Dir::Request => ("proxy_on_request_body", "request body"),
            Dir::Response => ("proxy_on_response_body", "response body"),
        };
        let mut forwarded = Vec::new();
        let mut went = false;
        for (i, chunk) in chunks.iter().enumerate() {
            let last = i + 1 == chunks.len();
            let stream = self.stream(id)?;
            let held = match dir {
                Dir::Request => &mut stream.request_body,
                Dir::Response => &mut stream.response_body,
            };
            held.extend_from_slice(chunk);
            let size = held.len() as u64;
            let action = self.phase(id, dir, name, &[id.into(), size, u64::from(last)])?;
            // Data the plugin injected goes ahead of the chunk it holds; an
            // injected end of stream ends the response here.
            let stream = self.stream(id)?;
            if !stream.injected.is_empty() {
                went = true;
                forwarded.append(&mut stream.injected);
            }
            if stream.injected_end {
                return Ok(Ok(forwarded));
            }
            match self.settle(id, dir, (Kind::Body, action), what, last)? {
                Next::Local(reply) => return Ok(Err((reply, went))),
                Next::Hold if action == u64::from(body_action::STOP_NO_BUFFER) => {
                    // Higress StopIterationNoBuffer: the chunk is not kept.
                    self.held(id, dir)?.clear();
                }
                Next::Hold => {}
                Next::Go => {
                    went = true;
                    forwarded.append(self.held(id, dir)?);
                }
            }
        }
        Ok(Ok(forwarded))
    }

    pub(super) fn held(&mut self, id: u32, dir: Dir) -> anyhow::Result<&mut Vec<u8>> {
        let stream = self.stream(id)?;
        Ok(match dir {
            Dir::Request => &mut stream.request_body,
            Dir::Response => &mut stream.response_body,
        })
    }

    /// The response phases over `headers` (with `:status`) and `body`.
    /// `local` marks a local reply's own response, during which a further
    /// local reply is ignored (Envoy cannot replace a reply it is sending).
    pub(super) fn respond(
        &mut self,
        id: u32,
        headers: HeaderList,
        chunks: &[Vec<u8>],
        local: bool,
    ) -> anyhow::Result<ClientResponse> {
        let chunks: Vec<Vec<u8>> = chunks.iter().filter(|c| !c.is_empty()).cloned().collect();
        self.stream(id)?.response_headers = headers;
        let n = self.stream(id)?.response_headers.len() as u64;
        let action = self.phase(
            id,
            Dir::Response,
            "proxy_on_response_headers",
            &[id.into(), n, u64::from(chunks.is_empty())],
        )?;
        let paused = !goes_on(Kind::Headers, action);
        let must_resume = chunks.is_empty() || !self.body_during_paused_headers;
        let next = self.settle(
            id,
            Dir::Response,
            (Kind::Headers, action),
            "response headers",
            must_resume,
        )?;
        if let Next::Local(reply) = next {
            return self.late_local(id, reply, local);
        }
        // Once the headers continue they are on their way to the client.
        let headers_sent = matches!(next, Next::Go);
        // Stock Envoy stops body callbacks while headers are paused and then
        // hands over the whole buffered body at once.
        let chunks = if paused && !self.body_during_paused_headers {
            vec![chunks.concat()]
        } else {
            chunks
        };
        let chunks: Vec<Vec<u8>> = chunks.into_iter().filter(|c| !c.is_empty()).collect();
        let body = match self.body(id, Dir::Response, &chunks)? {
            Ok(body) => body,
            Err((reply, went)) => {
                if (headers_sent || went) && !local {
                    bail!(
                        "the plugin sent a local reply ({}) from the response body phase after the response headers \
                         had gone to the client; Envoy resets the stream then",
                        reply.status
                    );
                }
                return self.late_local(id, reply, local);
            }
        };
        let stream = self.stream(id)?;
        Ok(client_response(&stream.response_headers, body))
    }

    /// A local reply sent during the response phases: it replaces the
    /// upstream's response as is, unless a local reply is already on its way.
    pub(super) fn late_local(
        &mut self,
        id: u32,
        reply: LocalReply,
        local: bool,
    ) -> anyhow::Result<ClientResponse> {
        if local {
            let note = format!(
                "context {id}: ignored a local reply ({}) sent while a local reply was being sent",
                reply.status
            );
            self.store.data_mut().notes.push(note);
            let stream = self.stream(id)?;
            let body = std::mem::take(&mut stream.response_body);
            return Ok(client_response(&stream.response_headers, body));
        }
        Ok(client_response(&local_reply_headers(&reply), reply.body))
    }

    /// One stream, up to the client's response.
    pub(super) fn run_stream(
        &mut self,
        id: u32,
        req: &HttpRequest,
        upstream: &UpstreamResponse,
    ) -> anyhow::Result<Exchange> {
        let chunks: Vec<Vec<u8>> = req
            .body_chunks
            .iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect();
        let n = self.stream(id)?.request_headers.len() as u64;
        let action = self.phase(
            id,
            Dir::Request,
            "proxy_on_request_headers",
            &[id.into(), n, u64::from(chunks.is_empty())],
        )?;
        let paused = !goes_on(Kind::Headers, action);
        // With a body, Higress's StopIteration (or stock Envoy's with
        // `allow_on_headers_stop_iteration`) lets body callbacks run, and a
        // body Continue resume; stock Envoy stops them until resumed.
        let must_resume = chunks.is_empty() || !self.body_during_paused_headers;
        if let Next::Local(reply) = self.settle(
            id,
            Dir::Request,
            (Kind::Headers, action),
            "request headers",
            must_resume,
        )? {
            return self.local_exchange(id, reply);
        }
        let chunks = if paused && !self.body_during_paused_headers {
            vec![chunks.concat()]
        } else {
            chunks
        };
        let chunks: Vec<Vec<u8>> = chunks.into_iter().filter(|c| !c.is_empty()).collect();
        let body = match self.body(id, Dir::Request, &chunks)? {
            Ok(body) => body,
            Err((reply, _)) => return self.local_exchange(id, reply),
        };

        let headers = self.stream(id)?.request_headers.clone();
        let pseudo = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut seen: HeaderList = Vec::new();
        if let Some((_, authority)) = headers.iter().find(|(k, _)| k == ":authority") {
            seen.push(("host".into(), authority.clone()));
        }
        seen.extend(headers.iter().filter(|(k, _)| !k.starts_with(':')).cloned());
        let received = ReceivedRequest {
            method: pseudo(":method"),
            path: pseudo(":path"),
            headers: seen,
            body,
        };

        let mut response_headers = vec![(":status".to_string(), upstream.status.to_string())];
        response_headers.extend(
            upstream
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
        );
        self.stream(id)?.response_details = Some("via_upstream".into());
        let response = self.respond(id, response_headers, &upstream.body_chunks, false)?;
        Ok(Exchange {
            upstream: Some(received),
            response,
        })
    }

    /// The plugin answered during the request phases: Envoy sends the local
    /// reply through the filter's response phases.
    pub(super) fn local_exchange(
        &mut self,
        id: u32,
        reply: LocalReply,
    ) -> anyhow::Result<Exchange> {
        self.stream(id)?.response_details = Some(reply.details.clone());
        let response = self.respond(
            id,
            local_reply_headers(&reply),
            std::slice::from_ref(&reply.body),
            true,
        )?;
        Ok(Exchange {
            upstream: None,
            response,
        })
    }

    /// Sends one request through the plugin (see [`Gateway::send`]).
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
        let mut headers: HeaderList = vec![
            (":authority".into(), request.authority.clone()),
            (":path".into(), request.path.clone()),
            (":method".into(), request.method.clone()),
            (":scheme".into(), "http".into()),
        ];
        headers.extend(
            request
                .headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
        );
        self.store.data_mut().streams.insert(
            id,
            Stream {
                request_headers: headers,
                ..Stream::default()
            },
        );
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

    /// `proxy_on_log`, `proxy_on_done`, `proxy_on_delete`, then any calls
    /// those made.
    pub(super) fn finish(&mut self, id: u32) -> anyhow::Result<()> {
        self.pump()?;
        for name in ["proxy_on_log", "proxy_on_done", "proxy_on_delete"] {
            self.store.data_mut().effective = id;
            self.call(name, &[id.into()])?;
        }
        self.store.data_mut().effective = ROOT_ID;
        self.pump()
    }
}
