//! The rules on a scripted host: each phase callback runs the next step of
//! a script (which may change the stream as a plugin's hostcalls would);
//! outbound calls are context ids whose answers run a script step too.

use std::collections::{HashMap, VecDeque};

use super::*;

type Step = Box<dyn FnMut(&mut StreamState) -> Verdict>;

#[derive(Default)]
struct Scripted {
    streams: HashMap<u32, StreamState>,
    held: bool,
    steps: VecDeque<Step>,
    /// Each callback as it ran: direction, phase, size, end of stream.
    seen: Vec<(Direction, Phase, u32, bool)>,
    /// Pending calls, each with what its answer's callback does.
    calls: VecDeque<(u32, Step)>,
}

impl Scripted {
    fn step(mut self, f: impl FnMut(&mut StreamState) -> Verdict + 'static) -> Self {
        self.steps.push_back(Box::new(f));
        self
    }

    fn open(&mut self) -> u32 {
        self.streams.insert(2, StreamState::new());
        2
    }
}

impl FlowHost for Scripted {
    fn body_during_paused_headers(&self) -> bool {
        self.held
    }

    fn stream_state(&mut self, ctx: u32) -> Option<&mut StreamState> {
        self.streams.get_mut(&ctx)
    }

    fn run_phase(
        &mut self,
        ctx: u32,
        dir: Direction,
        phase: Phase,
        size: u32,
        eos: bool,
    ) -> anyhow::Result<Verdict> {
        self.seen.push((dir, phase, size, eos));
        let mut step = self
            .steps
            .pop_front()
            .unwrap_or(Box::new(|_| Verdict::GO_ON));
        Ok(step(self.streams.get_mut(&ctx).expect("open stream")))
    }

    fn answer_next_call(&mut self) -> anyhow::Result<Option<u32>> {
        let Some((ctx, mut answer)) = self.calls.pop_front() else {
            return Ok(None);
        };
        answer(self.streams.get_mut(&ctx).expect("open stream"));
        Ok(Some(ctx))
    }
}

const PAUSE: Verdict = Verdict {
    go_on: false,
    drop_chunk: false,
};

fn request_headers() -> HeaderList {
    vec![
        (":method".into(), "POST".into()),
        (":path".into(), "/".into()),
        (":authority".into(), "example.com".into()),
    ]
}

#[test]
fn stock_envoy_holds_body_callbacks_until_a_call_resumes_the_headers() {
    let mut host = Scripted::default().step(|_| PAUSE);
    let ctx = host.open();
    host.headers(Direction::Request, ctx, request_headers(), false)
        .unwrap();
    host.body(Direction::Request, ctx, b"hello ", false)
        .unwrap();
    host.body(Direction::Request, ctx, b"world", true).unwrap();
    assert!(host.seen.len() == 1 && host.streams[&ctx].request.paused());
    // A call the headers callback made is answered now; its callback
    // resumes the request.
    host.calls.push_back((
        ctx,
        Box::new(|s| {
            s.request.resume = true;
            Verdict::GO_ON
        }),
    ));
    host.answer_all_calls().unwrap();
    let state = &host.streams[&ctx];
    let upstream = state.upstream_request().expect("resumed and complete");
    assert_eq!(upstream.body, b"hello world");
    assert_eq!(upstream.headers[0], ("host".into(), "example.com".into()));
    // One body callback, on the whole buffered body.
    assert_eq!(
        host.seen,
        [
            (Direction::Request, Phase::Headers, 3, false),
            (Direction::Request, Phase::Body, 11, true),
        ]
    );
}

#[test]
fn with_body_during_paused_headers_a_body_continue_forwards_the_changed_headers() {
    let mut host = Scripted {
        held: true,
        ..Scripted::default()
    }
    .step(|_| PAUSE)
    .step(|_| PAUSE)
    .step(|s| {
        s.request.headers.push(("x-seen".into(), "11".into()));
        Verdict::GO_ON
    });
    let ctx = host.open();
    host.headers(Direction::Request, ctx, request_headers(), false)
        .unwrap();
    host.body(Direction::Request, ctx, b"hello ", false)
        .unwrap();
    assert!(host.streams[&ctx].request.paused());
    host.body(Direction::Request, ctx, b"world", true).unwrap();
    let upstream = host.streams[&ctx].upstream_request().unwrap();
    assert!(upstream.headers.contains(&("x-seen".into(), "11".into())));
    assert_eq!(upstream.body, b"hello world");
    assert_eq!(host.seen.len(), 3, "{:?}", host.seen);
}

#[test]
fn a_local_reply_from_the_request_runs_the_response_phases_on_it() {
    let mut host = Scripted::default().step(|s| {
        s.local_reply = Some(LocalReply {
            status: 403,
            headers: vec![],
            body: b"denied".to_vec(),
            grpc_status: None,
            details: "denied_by_plugin".into(),
        });
        PAUSE
    });
    let ctx = host.open();
    host.headers(Direction::Request, ctx, request_headers(), true)
        .unwrap();
    let state = &host.streams[&ctx];
    assert!(state.upstream_request().is_none());
    assert_eq!(state.response_details(), Some("denied_by_plugin"));
    let response = state.client_response().expect("answered");
    assert_eq!(response.status, 403);
    assert_eq!(response.body, b"denied");
    assert!(
        response
            .headers
            .contains(&("content-type".into(), "text/plain".into()))
    );
    assert!(
        response
            .headers
            .contains(&("content-length".into(), "6".into()))
    );
    // The plugin saw its own reply: headers (not ending the stream, a body
    // follows) and the body.
    assert_eq!(
        host.seen[1..],
        [
            (Direction::Response, Phase::Headers, 3, false),
            (Direction::Response, Phase::Body, 6, true),
        ]
    );
}

#[test]
fn a_local_reply_after_the_response_headers_went_out_is_a_reset() {
    let mut host = Scripted::default()
        .step(|_| Verdict::GO_ON)
        .step(|_| Verdict::GO_ON);
    host = host.step(|s| {
        s.local_reply = Some(LocalReply {
            status: 500,
            headers: vec![],
            body: vec![],
            grpc_status: None,
            details: "late".into(),
        });
        PAUSE
    });
    let ctx = host.open();
    host.headers(Direction::Request, ctx, request_headers(), true)
        .unwrap();
    host.headers(
        Direction::Response,
        ctx,
        vec![(":status".into(), "200".into())],
        false,
    )
    .unwrap();
    let err = host
        .body(Direction::Response, ctx, b"data", true)
        .unwrap_err();
    assert!(format!("{err}").contains("resets the stream"), "{err}");
}

#[test]
fn stop_no_buffer_drops_the_chunk_and_a_pause_at_the_end_waits() {
    let drop = Verdict {
        go_on: false,
        drop_chunk: true,
    };
    let mut host = Scripted::default()
        .step(|_| Verdict::GO_ON)
        .step(move |_| drop)
        .step(|_| PAUSE);
    let ctx = host.open();
    host.headers(Direction::Request, ctx, request_headers(), false)
        .unwrap();
    host.body(Direction::Request, ctx, b"dropped", false)
        .unwrap();
    host.body(Direction::Request, ctx, b"kept", true).unwrap();
    let state = host.streams.get_mut(&ctx).unwrap();
    assert_eq!(state.request.flow, Flow::PausedInBody);
    assert_eq!(state.request.body, b"kept");
    state.request.resume = true;
    host.settle(ctx).unwrap();
    assert_eq!(host.streams[&ctx].upstream_request().unwrap().body, b"kept");
}
