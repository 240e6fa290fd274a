//! A loopback HTTP/1.1 server that records every request it receives and
//! answers with a scripted reply: the upstream behind Envoy in the tests, and
//! a stand-in for any HTTP service a plugin calls.

use crate::wire::{self, Until, Wire};
use anyhow::{Context as _, Result};
use gatewit_test_kit::exchange::{ReceivedRequest, UpstreamResponse};
use std::collections::VecDeque;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// A scripted reply: the response and how long to wait before sending it
/// (to model a slow upstream).
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// What to answer.
    pub response: UpstreamResponse,
    /// Delay before the answer's head is written.
    pub delay: Duration,
}

impl From<UpstreamResponse> for Reply {
    fn from(response: UpstreamResponse) -> Self {
        Self {
            response,
            delay: Duration::ZERO,
        }
    }
}

#[derive(Default)]
struct State {
    /// Every request received, in arrival order.
    received: Vec<ReceivedRequest>,
    /// One-shot replies, used first, in order.
    queued: VecDeque<Reply>,
    /// The reply used when the queue is empty.
    default: Reply,
    /// Answer every request with itself as JSON instead (see
    /// [`RecordingUpstream::echo`]).
    echo: bool,
}

struct Shared {
    state: Mutex<State>,
    stop: Arc<AtomicBool>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A connection thread that panicked cannot leave `State` half
        // updated (every update is one push or pop), so a poisoned lock is
        // still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A recording HTTP/1.1 server on `127.0.0.1`. Keep-alive connections are
/// served, one thread each. Dropping it stops accepting and ends the
/// connection threads within about 100 ms.
pub struct RecordingUpstream {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl RecordingUpstream {
    /// Starts a server on a free loopback port; it answers
    /// [`UpstreamResponse::default`] until told otherwise.
    pub fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .context("binding the upstream server to a loopback port")?;
        let addr = listener
            .local_addr()
            .context("reading the upstream server's address")?;
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            stop: Arc::new(AtomicBool::new(false)),
        });
        let accept_shared = Arc::clone(&shared);
        let acceptor = std::thread::Builder::new()
            .name(format!("upstream-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &accept_shared))
            .context("spawning the upstream accept thread")?;
        Ok(Self {
            addr,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers every request with `200` and the request as JSON (`method`,
    /// `path`, `headers` as `[name, value]` pairs, `body` as text), as
    /// httpbin's `/anything` does: what `gatewit serve` puts behind Envoy
    /// when no upstream is given, so a plugin's changes to the request are
    /// visible in the answer.
    pub fn echo(&self) {
        self.shared.lock().echo = true;
    }

    /// Sets the reply used whenever no one-shot reply is queued.
    pub fn set_reply(&self, reply: impl Into<Reply>) {
        self.shared.lock().default = reply.into();
    }

    /// Queues a reply for the next request only.
    pub fn push_reply(&self, reply: impl Into<Reply>) {
        self.shared.lock().queued.push_back(reply.into());
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.lock().received.clone()
    }

    /// Every request received so far, removing them from the record.
    pub fn take_requests(&self) -> Vec<ReceivedRequest> {
        std::mem::take(&mut self.shared.lock().received)
    }
}

impl Drop for RecordingUpstream {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // Wake the blocking `accept` so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(shared);
        // A connection the thread cannot be spawned for is dropped; the
        // client sees a reset, which the test reports.
        let _ = std::thread::Builder::new()
            .name("upstream-conn".into())
            .spawn(move || {
                let _ = serve(stream, &shared);
            });
    }
}

fn serve(stream: TcpStream, shared: &Shared) -> Result<()> {
    let _ = stream.set_nodelay(true);
    let mut writer = stream
        .try_clone()
        .context("cloning the upstream connection")?;
    let mut wire = Wire::new(stream, Until::Stopped(Arc::clone(&shared.stop)))?;
    while let Some(head) = wire::read_head(&mut wire)? {
        let body = wire::read_body(&mut wire, &head, false)?;
        let mut parts = head.start.splitn(3, ' ');
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let reply = {
            let mut state = shared.lock();
            state.received.push(ReceivedRequest {
                method: method.clone(),
                path,
                headers: head.headers.clone(),
                body,
            });
            if state.echo {
                echo_reply(state.received.last())
            } else {
                let next = state.queued.pop_front();
                next.unwrap_or_else(|| state.default.clone())
            }
        };
        if !reply.delay.is_zero() {
            std::thread::sleep(reply.delay);
        }
        let status = reply.response.status;
        let start = format!(
            "HTTP/1.1 {status} {}",
            gatewit_test_kit::http_server::reason(status)
        );
        let body_allowed = method != "HEAD" && status >= 200 && status != 204 && status != 304;
        wire::write_message(
            &mut writer,
            &start,
            &reply.response.headers,
            &reply.response.body_chunks,
            Duration::from_millis(5),
            body_allowed,
        )?;
    }
    Ok(())
}

fn echo_reply(request: Option<&ReceivedRequest>) -> Reply {
    let body = request.map_or_else(String::new, |r| {
        let echoed = serde_json::json!({
            "method": r.method,
            "path": r.path,
            "headers": r.headers,
            "body": String::from_utf8_lossy(&r.body),
        });
        serde_json::to_string_pretty(&echoed).unwrap_or_default() + "\n"
    });
    Reply::from(UpstreamResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body_chunks: vec![body.into_bytes()],
    })
}
