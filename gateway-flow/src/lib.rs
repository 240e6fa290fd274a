//! Envoy's HTTP stream through one wasm filter, written once.
//!
//! The host shim (a component under wasmtime) and the proxy-emulator (a
//! proxy-wasm core module under wasmtime) call their plugins differently
//! but must move a stream the same way Envoy 1.40 does; real Envoy stays the
//! reference the scenario table checks both against. A host implements
//! [`FlowHost`] (run one phase callback, answer one outbound call) and keeps
//! a [`StreamState`] per stream that its hostcalls read and change; the
//! rules live in [`StreamFlow`], which every `FlowHost` gets:
//!
//! - each phase's callback and what its action does: go on, hold (headers
//!   paused; a body buffered), or drop the chunk (Higress's
//!   `StopIterationNoBuffer`);
//! - a headers pause on stock Envoy stops body callbacks until the plugin
//!   resumes, then hands over the whole buffered body at once; with
//!   [`FlowHost::body_during_paused_headers`] (Higress, or stock Envoy with
//!   `allow_on_headers_stop_iteration`) body callbacks keep coming and a body
//!   Continue lets the held headers go on first, as the plugin left them;
//! - a body pause at the end of the stream waits for a resume;
//! - a local reply from a request phase ends the request and runs the
//!   response phases on the reply; one sent once the response started
//!   replaces it as is, unless its headers already reached the client, when
//!   Envoy can only reset the stream (an error here); one sent while a local
//!   reply is being sent is ignored;
//! - after every callback the host answers the outbound calls made so far,
//!   and the resumes and local replies their callbacks asked for take effect
//!   in between.
#![deny(missing_docs)]

mod state;

pub use state::{Direction, Flow, Half, LocalReply, Phase, StreamState};

use anyhow::bail;
use gatewit_test_kit::exchange::HeaderList;

/// More rounds than this in one step means the plugin is looping through
/// calls or resumes; stop rather than spin forever.
pub const MAX_ROUNDS_PER_STEP: usize = 10_000;

/// How a step that ended in a reset begins its error: the stream is gone,
/// as Envoy resets the client's connection then.
pub const RESET: &str = "the stream was reset";

/// What a phase callback decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The phase goes on (Continue); otherwise the plugin holds it.
    pub go_on: bool,
    /// A held body chunk is dropped rather than buffered (Higress's
    /// `StopIterationNoBuffer`: the plugin keeps what it wants itself).
    pub drop_chunk: bool,
}

impl Verdict {
    /// The phase goes on.
    pub const GO_ON: Verdict = Verdict {
        go_on: true,
        drop_chunk: false,
    };
}

/// What a host does for the model.
pub trait FlowHost {
    /// Whether body callbacks run while the headers phase is paused.
    fn body_during_paused_headers(&self) -> bool;

    /// The state of stream `ctx`, if it is open.
    fn stream_state(&mut self, ctx: u32) -> Option<&mut StreamState>;

    /// Runs the plugin's callback for `phase` of `dir` on stream `ctx`
    /// (size: header count or buffered body size), with `eos` the end of
    /// stream as the callback is told. A plugin without that callback goes
    /// on.
    fn run_phase(
        &mut self,
        ctx: u32,
        dir: Direction,
        phase: Phase,
        size: u32,
        eos: bool,
    ) -> anyhow::Result<Verdict>;

    /// Answers the oldest pending outbound call (its callback runs) and
    /// returns the stream it was made for (or a context with no stream,
    /// such as the root's); `None` when nothing is pending.
    fn answer_next_call(&mut self) -> anyhow::Result<Option<u32>>;

    /// Whether calls wait for an explicit [`StreamFlow::answer_all_calls`]
    /// (a test observing a paused stream) instead of being answered after
    /// each step.
    fn calls_held(&self) -> bool {
        false
    }
}

/// The stream rules, for every [`FlowHost`].
pub trait StreamFlow: FlowHost {
    /// The open stream `ctx`, or an error saying it is gone.
    fn open_stream(&mut self, ctx: u32) -> anyhow::Result<&mut StreamState> {
        match self.stream_state(ctx) {
            Some(state) => Ok(state),
            None => {
                bail!("stream {ctx} is gone (it ended, or the plugin was restarted after a trap)")
            }
        }
    }

    /// The headers of `dir` arrive (with `end_of_stream` when no body
    /// follows).
    fn headers(
        &mut self,
        dir: Direction,
        ctx: u32,
        headers: HeaderList,
        end_of_stream: bool,
    ) -> anyhow::Result<()> {
        let state = self.open_stream(ctx)?;
        if dir == Direction::Response {
            if state.local_reply.is_some() {
                bail!("the request was answered locally; there is no upstream response to send");
            }
            if state.request.flow != Flow::Done {
                bail!("the request has not reached the upstream yet (the plugin holds it)");
            }
        }
        let half = state.half(dir);
        if half.flow != Flow::Idle {
            bail!("{dir} headers were already sent");
        }
        half.headers = headers;
        half.eos = end_of_stream;
        self.headers_callback(dir, ctx)?;
        self.settle(ctx)
    }

    /// Runs the headers phase of `dir` on what the stream holds.
    fn headers_callback(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<()> {
        let half = self.open_stream(ctx)?.half(dir);
        // A response body buffered before its headers (a local reply's)
        // follows in a body callback, so the headers do not end the stream.
        // The request reports the end of stream as the client sent it.
        let eos = half.eos && (dir == Direction::Request || half.body.is_empty());
        let count = u32::try_from(half.headers.len()).unwrap_or(u32::MAX);
        // From here the response has started: a local reply sent now
        // replaces it as is instead of running the response phases again.
        half.flow = Flow::InHeaders;
        let verdict = self.run_phase(ctx, dir, Phase::Headers, count, eos)?;
        self.check_reset(ctx, dir, Phase::Headers)?;
        if self.take_local_reply(ctx)? {
            return Ok(());
        }
        if verdict.go_on {
            return self.forward_headers(dir, ctx);
        }
        let held = self.body_during_paused_headers();
        let half = self.open_stream(ctx)?.half(dir);
        half.flow = Flow::PausedInHeaders;
        // A body already there (a local reply's) reaches the body callback
        // at once when body callbacks run during paused headers.
        let body_pending = !half.body.is_empty() || (half.eos && half.saw_body);
        if held && body_pending {
            self.body_callback(dir, ctx)?;
        }
        Ok(())
    }

    /// The headers of `dir` go on, and with them a body already buffered.
    fn forward_headers(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<()> {
        let half = self.open_stream(ctx)?.half(dir);
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

    /// One body chunk of `dir` arrives.
    fn body(
        &mut self,
        dir: Direction,
        ctx: u32,
        chunk: &[u8],
        end_of_stream: bool,
    ) -> anyhow::Result<()> {
        let held = self.body_during_paused_headers();
        let state = self.open_stream(ctx)?;
        if state.local_reply.is_some() {
            // The stream was answered locally: Envoy drops the rest.
            return Ok(());
        }
        let half = state.half(dir);
        if half.injected_end {
            // The plugin ended the stream itself.
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
        if half.flow == Flow::PausedInHeaders && !held {
            // Body callbacks wait until the headers phase resumes; the body
            // stays buffered meanwhile.
            return Ok(());
        }
        self.body_callback(dir, ctx)?;
        self.settle(ctx)
    }

    /// Runs the body phase of `dir` on what the stream buffers.
    fn body_callback(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<()> {
        let half = self.open_stream(ctx)?.half(dir);
        let (size, eos) = (u32::try_from(half.body.len()).unwrap_or(u32::MAX), half.eos);
        let verdict = self.run_phase(ctx, dir, Phase::Body, size, eos)?;
        self.check_reset(ctx, dir, Phase::Body)?;
        if self.take_local_reply(ctx)? {
            return Ok(());
        }
        let half = self.open_stream(ctx)?.half(dir);
        if half.injected_end {
            half.body.clear();
            half.flow = Flow::Done;
            return Ok(());
        }
        if verdict.drop_chunk && !verdict.go_on {
            half.body.clear();
        }
        if verdict.go_on {
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
            // At the end of the stream nothing more arrives: the direction
            // waits for a resume (with the headers held, in the headers
            // phase).
            half.flow = Flow::PausedInBody;
        }
        Ok(())
    }

    /// The trailers of `dir` arrive (ending its stream).
    fn trailers(&mut self, dir: Direction, ctx: u32, trailers: HeaderList) -> anyhow::Result<()> {
        let state = self.open_stream(ctx)?;
        if state.local_reply.is_some() {
            return Ok(());
        }
        let half = state.half(dir);
        if half.flow == Flow::Idle || half.eos {
            bail!("{dir} trailers sent before the headers or after the end of the stream");
        }
        let count = u32::try_from(trailers.len()).unwrap_or(u32::MAX);
        half.trailers = trailers;
        half.eos = true;
        let verdict = self.run_phase(ctx, dir, Phase::Trailers, count, true)?;
        self.check_reset(ctx, dir, Phase::Trailers)?;
        if self.take_local_reply(ctx)? {
            return self.settle(ctx);
        }
        let held = self.body_during_paused_headers();
        let half = self.open_stream(ctx)?.half(dir);
        if half.flow == Flow::PausedInHeaders && held && verdict.go_on {
            // Trailers continuing let the held headers and body go on.
            half.forwarded_headers = Some(half.headers.clone());
            half.pass_body();
            half.flow = Flow::Done;
        } else if half.flow == Flow::Streaming {
            if verdict.go_on {
                half.pass_body();
                half.flow = Flow::Done;
            } else {
                half.flow = Flow::PausedInBody;
            }
        }
        self.settle(ctx)
    }

    /// Acts on a resume the plugin asked for in `dir`; `false` when it asked
    /// for none.
    fn resume(&mut self, dir: Direction, ctx: u32) -> anyhow::Result<bool> {
        let held = self.body_during_paused_headers();
        let half = self.open_stream(ctx)?.half(dir);
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

    /// Ends the step with an error when the plugin reset the stream in the
    /// callback that just ran.
    fn check_reset(&mut self, ctx: u32, dir: Direction, phase: Phase) -> anyhow::Result<()> {
        if self.open_stream(ctx)?.reset {
            bail!("{RESET}: the plugin reset it in the {dir} {phase} phase");
        }
        Ok(())
    }

    /// If the plugin just sent a local reply, makes it the response and
    /// returns `true` (`false` when there is none, or it already is).
    fn take_local_reply(&mut self, ctx: u32) -> anyhow::Result<bool> {
        let state = self.open_stream(ctx)?;
        let Some(reply) = state.local_reply.clone() else {
            return Ok(false);
        };
        if state.local_reply_handled {
            return Ok(false);
        }
        state.local_reply_handled = true;
        state.request.flow = Flow::Done;
        state.request.resume = false;
        let headers = reply.response_headers();
        let response = &mut state.response;
        if response.flow == Flow::Idle && response.forwarded_headers.is_none() {
            // Sent before the response started: Envoy runs it through the
            // plugin's response phases.
            response.headers = headers;
            response.body = reply.body;
            response.saw_body = !response.body.is_empty();
            response.eos = true;
            self.headers_callback(Direction::Response, ctx)?;
        } else if response.forwarded_headers.is_some() {
            bail!(
                "the plugin sent a local reply ({}) after the response headers had gone to the client; \
                 Envoy resets the stream then",
                reply.status
            );
        } else {
            // Sent during the response headers phase: it replaces the
            // upstream's response as is.
            response.forwarded_headers = Some(headers);
            response.forwarded_body = reply.body;
            response.body.clear();
            response.flow = Flow::Done;
            response.resume = false;
        }
        Ok(true)
    }

    /// Applies what the plugin asked for during its last callbacks, then
    /// answers the pending calls (unless the host holds them).
    fn settle(&mut self, ctx: u32) -> anyhow::Result<()> {
        self.apply_resumes(ctx)?;
        self.drain_calls()
    }

    /// Answers the pending calls, unless the host holds them.
    fn drain_calls(&mut self) -> anyhow::Result<()> {
        if self.calls_held() {
            return Ok(());
        }
        self.answer_all_calls()
    }

    /// Acts on the local replies and resumes stream `ctx` asked for, until
    /// there are none left.
    fn apply_resumes(&mut self, ctx: u32) -> anyhow::Result<()> {
        // Each round clears a flag or ends the stream, and the plugin sets
        // flags only from callbacks, so this ends.
        for _ in 0..MAX_ROUNDS_PER_STEP {
            let Some(state) = self.stream_state(ctx) else {
                return Ok(());
            };
            if state.done {
                return Ok(());
            }
            if state.reset {
                bail!("{RESET}: the plugin reset it from a callback of stream {ctx}");
            }
            if state.local_reply.is_some() && !state.local_reply_handled {
                self.take_local_reply(ctx)?;
                continue;
            }
            if self.resume(Direction::Request, ctx)? || self.resume(Direction::Response, ctx)? {
                continue;
            }
            return Ok(());
        }
        bail!("the plugin kept resuming stream {ctx}: more than {MAX_ROUNDS_PER_STEP} rounds")
    }

    /// Answers every pending call, including the calls their callbacks
    /// make, applying what each callback asked for in between.
    fn answer_all_calls(&mut self) -> anyhow::Result<()> {
        for _ in 0..MAX_ROUNDS_PER_STEP {
            match self.answer_next_call()? {
                Some(ctx) => self.apply_resumes(ctx)?,
                None => return Ok(()),
            }
        }
        bail!("the plugin kept making calls: more than {MAX_ROUNDS_PER_STEP} answers in one step")
    }
}

impl<T: FlowHost + ?Sized> StreamFlow for T {}

#[cfg(test)]
mod tests;
