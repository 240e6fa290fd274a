//! The host-side state of one plugin instance (the wasmtime store's data).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, StoreLimits};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::backend::{CallFailure, HttpCallRequest, HttpCallResponse, RedisConnection};
use crate::exchange::HeaderList;
use crate::fake_redis::FakeRedis;

/// Where a log record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSource {
    /// The plugin's `log.log` calls.
    Plugin,
    /// The plugin's WASI stdout (e.g. `println!`).
    Stdout,
    /// The plugin's WASI stderr (e.g. panic messages).
    Stderr,
    /// The host shim itself (e.g. why a Redis connection failed).
    Host,
}

/// Log levels, in proxy-wasm order (mirrors the WIT `log-level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Very detailed tracing.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    Info,
    /// Something unexpected that was handled.
    Warn,
    /// Something failed.
    Error,
    /// Something failed badly.
    Critical,
}

/// One recorded log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The level (stdout lines are `Info`, stderr lines `Error`).
    pub level: Level,
    /// The message, without a trailing newline.
    pub message: String,
    /// The request that was current (0: plugin level).
    pub context: u32,
    /// Where it came from.
    pub source: LogSource,
}

/// A canned answer for a mocked HTTP cluster.
#[derive(Debug, Clone)]
pub enum MockHttp {
    /// Answer every call with this response.
    Respond(HttpCallResponse),
    /// Fail every call this way.
    Fail(CallFailure),
}

/// Where an HTTP cluster leads.
#[derive(Debug, Clone)]
pub enum HttpBackend {
    /// A canned answer.
    Mock(MockHttp),
    /// A real HTTP/1.1 server.
    Real(SocketAddr),
}

/// Where a Redis cluster leads.
#[derive(Debug, Clone)]
pub enum RedisBackend {
    /// The in-memory fake (shared: tests can inspect and seed it).
    Fake(Arc<Mutex<FakeRedis>>),
    /// A real Redis server.
    Real(SocketAddr),
}

/// One outbound HTTP call the plugin made.
#[derive(Debug, Clone)]
pub struct HttpCallRecord {
    /// The request it was made from (0: plugin level).
    pub context: u32,
    /// The call id handed to the plugin.
    pub call_id: u32,
    /// The cluster name.
    pub cluster: String,
    /// The request as the plugin made it.
    pub request: HttpCallRequest,
    /// The timeout the plugin asked for.
    pub timeout_ms: u32,
    /// The answer the plugin got (`None` until it was delivered).
    pub outcome: Option<Result<HttpCallResponse, CallFailure>>,
}

/// One Redis call the plugin made.
#[derive(Debug, Clone)]
pub struct RedisCallRecord {
    /// The request it was made from (0: plugin level).
    pub context: u32,
    /// The call id handed to the plugin.
    pub call_id: u32,
    /// The cluster name.
    pub cluster: String,
    /// The command, decoded from the RESP query (empty if it was not a RESP
    /// array of bulk strings).
    pub command: Vec<String>,
    /// The raw RESP query.
    pub query: Vec<u8>,
    /// The reply the plugin got (`None` until it was delivered).
    pub outcome: Option<Result<Vec<u8>, u32>>,
}

/// A defined metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: MetricKind,
    /// Counter/gauge value, or the last recorded histogram value.
    pub value: i64,
    /// Every value recorded into a histogram.
    pub recorded: Vec<u64>,
}

/// The kind of a metric (mirrors the WIT `metric-kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up.
    Counter,
    /// Goes up and down.
    Gauge,
    /// A distribution.
    Histogram,
}

pub use gatewit_gateway_flow::LocalReply;
pub(crate) use gatewit_gateway_flow::{Direction, StreamState};

/// Per-request state: the stream as the flow model moves it, and what the
/// plugin set on the request.
#[derive(Debug, Default)]
pub(crate) struct RequestState {
    pub flow: StreamState,
    pub properties: BTreeMap<String, Vec<u8>>,
    /// The upstream host the plugin chose (`set-upstream-override-host`).
    pub upstream_override_host: Option<String>,
}

pub(crate) struct PendingHttp {
    pub record_index: usize,
    pub backend: HttpBackend,
}

pub(crate) struct PendingRedis {
    pub record_index: usize,
}

/// A Redis cluster after `redis-init`.
pub(crate) struct RedisCluster {
    pub backend: RedisBackend,
    pub username: String,
    pub password: String,
    pub database: u32,
    pub timeout: Duration,
    pub connection: Option<RedisConnection>,
}

/// The VM id of the shim's one plugin instance when the setup sets no
/// property `plugin_vm_id` (the `vm_config.vm_id` the Envoy harness uses).
pub const DEFAULT_VM_ID: &str = "gatewit";

/// A shared queue (`register-shared-queue`).
#[derive(Debug, Default)]
pub(crate) struct SharedQueue {
    pub name: String,
    pub items: VecDeque<Vec<u8>>,
}

/// What outlives one plugin instance: records, shared data, queues,
/// metrics, clock.
#[derive(Default)]
pub(crate) struct Persistent {
    pub logs: Vec<LogRecord>,
    pub http_calls: Vec<HttpCallRecord>,
    pub redis_calls: Vec<RedisCallRecord>,
    pub metrics: Vec<Metric>,
    pub shared_data: HashMap<String, (Vec<u8>, u32)>,
    /// Shared queues by id (ids start at 1, in registration order).
    pub queues: BTreeMap<u32, SharedQueue>,
    pub clock_offset: Duration,
    pub http_backends: HashMap<String, HttpBackend>,
    pub redis_backends: HashMap<String, RedisBackend>,
    pub properties: BTreeMap<String, Vec<u8>>,
    pub min_log_level: Option<Level>,
    /// The route's upstream hosts as `get-upstream-hosts` reports them.
    pub upstream_hosts: HeaderList,
}

/// The store data of one plugin instance.
pub struct HostState {
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limits: Limiter,
    pub(crate) stdout: Capture,
    pub(crate) stderr: Capture,
    pub(crate) current: u32,
    pub(crate) requests: HashMap<u32, RequestState>,
    pub(crate) pending_http: VecDeque<PendingHttp>,
    pub(crate) pending_redis: VecDeque<PendingRedis>,
    pub(crate) redis_clusters: HashMap<String, RedisCluster>,
    pub(crate) next_call_id: u32,
    pub(crate) tick_period_ms: u32,
    /// One entry per enqueue not yet announced with `on-queue-ready`
    /// (Envoy posts one event per enqueue).
    pub(crate) ready_queues: VecDeque<u32>,
    pub(crate) p: Persistent,
}

impl HostState {
    pub(crate) fn new(limits: StoreLimits, p: Persistent) -> Self {
        let limits = Limiter {
            inner: limits,
            memory_bytes: 0,
        };
        let stdout = Capture::default();
        let stderr = Capture::default();
        let wasi = wasmtime_wasi::WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            limits,
            stdout,
            stderr,
            current: 0,
            requests: HashMap::new(),
            pending_http: VecDeque::new(),
            pending_redis: VecDeque::new(),
            redis_clusters: HashMap::new(),
            next_call_id: 1,
            tick_period_ms: 0,
            ready_queues: VecDeque::new(),
            p,
        }
    }

    /// This plugin's VM id: property `plugin_vm_id`, or [`DEFAULT_VM_ID`].
    pub(crate) fn vm_id(&self) -> String {
        self.p
            .properties
            .get("plugin_vm_id")
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_else(|| DEFAULT_VM_ID.to_string())
    }

    /// The current request's state, if a request is current.
    pub(crate) fn current_request(&mut self) -> Option<&mut RequestState> {
        let ctx = self.current;
        if ctx == 0 {
            return None;
        }
        self.requests.get_mut(&ctx)
    }

    pub(crate) fn log(&mut self, level: Level, source: LogSource, message: String) {
        let context = self.current;
        self.p.logs.push(LogRecord {
            level,
            message,
            context,
            source,
        });
    }

    /// Moves complete lines the plugin wrote to stdout/stderr into the log;
    /// with `all`, a trailing partial line too.
    pub(crate) fn collect_output(&mut self, all: bool) {
        for (capture, level, source) in [
            (self.stdout.clone(), Level::Info, LogSource::Stdout),
            (self.stderr.clone(), Level::Error, LogSource::Stderr),
        ] {
            for line in capture.take_lines(all) {
                self.log(level, source, line);
            }
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A WASI output stream that keeps what the plugin writes, to be turned into
/// log records after each callback.
#[derive(Clone, Default)]
pub(crate) struct Capture(Arc<Mutex<Vec<u8>>>);

/// More than this much unterminated output is flushed as a line anyway, so a
/// plugin printing without newlines cannot grow the host's memory.
const MAX_PENDING_OUTPUT: usize = 64 * 1024;

impl Capture {
    fn take_lines(&self, all: bool) -> Vec<String> {
        let Ok(mut buf) = self.0.lock() else {
            return Vec::new();
        };
        let cut = match buf.iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None if all || buf.len() > MAX_PENDING_OUTPUT => buf.len(),
            None => 0,
        };
        let cut = if all { buf.len() } else { cut };
        let taken: Vec<u8> = buf.drain(..cut).collect();
        String::from_utf8_lossy(&taken)
            .lines()
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

impl wasmtime_wasi::cli::IsTerminal for Capture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl wasmtime_wasi::cli::StdoutStream for Capture {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl tokio::io::AsyncWrite for Capture {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.0.lock() {
            Ok(mut out) => {
                out.extend_from_slice(buf);
                Poll::Ready(Ok(buf.len()))
            }
            Err(_) => Poll::Ready(Err(std::io::Error::other("output capture poisoned"))),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The store's resource limiter: the configured caps, plus a running total
/// of the plugin's linear memory so tests can check it stays flat.
pub(crate) struct Limiter {
    inner: StoreLimits,
    /// Bytes of linear memory across the instance's memories.
    pub memory_bytes: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.memory_bytes = self
                .memory_bytes
                .saturating_add(desired.saturating_sub(current));
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}
