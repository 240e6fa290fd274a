//! What the host keeps per plugin instance (the wasmtime store's data), and
//! the records tests read back.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Duration;

use gatewit_gateway_flow::StreamState;
use gatewit_host_shim::backend::{CallFailure, HttpCallRequest, HttpCallResponse, RedisConnection};
use gatewit_host_shim::exchange::HeaderList;
use wasmtime::{Memory, StoreLimits, TypedFunc};

/// proxy-wasm log levels, in ABI order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// 0.
    Trace,
    /// 1.
    Debug,
    /// 2.
    Info,
    /// 3.
    Warn,
    /// 4.
    Error,
    /// 5.
    Critical,
}

impl LogLevel {
    /// The level for an ABI value (out-of-range values count as `Critical`).
    pub fn from_abi(level: u32) -> Self {
        match level {
            0 => Self::Trace,
            1 => Self::Debug,
            2 => Self::Info,
            3 => Self::Warn,
            4 => Self::Error,
            _ => Self::Critical,
        }
    }

    /// The ABI value.
    pub fn abi(self) -> u32 {
        self as u32
    }
}

/// One line the plugin logged (`proxy_log`, or stdout/stderr via WASI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Level (stdout counts as `Info`, stderr as `Error`, as Envoy does).
    pub level: LogLevel,
    /// The message.
    pub message: String,
}

/// A local reply the plugin sent (`proxy_send_local_response`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalReply {
    /// The context (request) it was sent for.
    pub context_id: u32,
    /// HTTP status.
    pub status: u16,
    /// Envoy's response-code details string.
    pub details: String,
    /// Headers the plugin asked for.
    pub headers: HeaderList,
    /// The body.
    pub body: Vec<u8>,
    /// gRPC status (`-1`: none).
    pub grpc_status: i32,
}

/// An outbound call the plugin made, with what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallRecord {
    /// `proxy_http_call`.
    Http {
        /// The token the host returned.
        token: u32,
        /// The context that was effective when the call was made.
        context_id: u32,
        /// The cluster name the plugin used.
        cluster: String,
        /// The request as the plugin built it.
        request: HttpCallRequest,
        /// The timeout the plugin asked for.
        timeout: Duration,
        /// The answer, or why there was none (`None`: not executed yet).
        outcome: Option<Result<HttpCallResponse, CallFailure>>,
    },
    /// `proxy_redis_call` (Higress).
    Redis {
        /// The token the host returned.
        token: u32,
        /// The context that was effective when the call was made.
        context_id: u32,
        /// The cluster name the plugin used.
        cluster: String,
        /// The raw RESP query.
        query: Vec<u8>,
        /// The raw RESP reply, or the non-zero status handed to the plugin
        /// with a description (`None`: not executed yet).
        outcome: Option<Result<Vec<u8>, (u32, String)>>,
    },
}

/// A metric the plugin defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Its name.
    pub name: String,
    /// Kind: 0 counter, 1 gauge, 2 histogram (ABI values).
    pub kind: u32,
    /// Current value (counters, gauges) or the last recorded value
    /// (histograms).
    pub value: i64,
    /// Every value recorded into a histogram.
    pub recorded: Vec<u64>,
}

/// One request's host-side state (a proxy-wasm stream context).
#[derive(Debug, Default)]
pub(crate) struct Stream {
    /// Headers, bodies, resumes and local replies, as the flow model moves
    /// them.
    pub flow: StreamState,
    /// Properties set with `proxy_set_property` (Envoy keeps these in the
    /// stream's filter state).
    pub properties: HashMap<Vec<u8>, Vec<u8>>,
    /// The upstream host the plugin chose
    /// (`proxy_set_upstream_override_host`).
    pub upstream_override_host: Option<String>,
}

/// The answer to an HTTP call while its callback runs (map 6/7, buffer 4).
#[derive(Debug, Default)]
pub(crate) struct CallResponse {
    pub headers: HeaderList,
    pub body: Vec<u8>,
    pub trailers: HeaderList,
}

/// An async call waiting to be executed.
#[derive(Debug)]
pub(crate) enum Pending {
    Http {
        token: u32,
        record: usize,
        addr: SocketAddr,
    },
    Redis {
        token: u32,
        record: usize,
        cluster: String,
    },
}

/// A Redis cluster after `proxy_redis_init`.
#[derive(Debug)]
pub(crate) struct RedisClient {
    pub addr: SocketAddr,
    pub username: String,
    pub password: String,
    pub database: u32,
    pub timeout: Duration,
    pub connection: Option<RedisConnection>,
}

/// A shared queue (`proxy_register_shared_queue`), keyed by the VM id that
/// registered it and its name.
#[derive(Debug)]
pub(crate) struct SharedQueue {
    pub vm_id: String,
    pub name: String,
    pub items: VecDeque<Vec<u8>>,
}

/// Where the plugin is in its life: during `_initialize` only an allow-list
/// of imports may be used (as in proxy-wasm-cpp-host).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Initializing,
    Running,
}

/// The store data.
pub(crate) struct HostState {
    pub limits: StoreLimits,
    pub phase: Phase,
    pub memory: Option<Memory>,
    /// A composition's plugin-region page count (`gatewit_plugin_pages`).
    pub plugin_pages: Option<wasmtime::Global>,
    pub malloc: Option<TypedFunc<u32, u32>>,
    pub root_id: u32,
    /// The context hostcalls act on.
    pub effective: u32,
    pub streams: BTreeMap<u32, Stream>,
    pub root_properties: HashMap<Vec<u8>, Vec<u8>>,
    pub plugin_config: Vec<u8>,
    pub vm_config: Vec<u8>,
    pub plugin_name: String,
    pub route_name: String,
    pub upstream_cluster: String,
    /// What `proxy_get_upstream_hosts` reports (Higress).
    pub upstream_hosts: HeaderList,
    pub http_clusters: BTreeMap<String, SocketAddr>,
    pub redis_clusters: BTreeMap<String, SocketAddr>,
    pub redis_enabled: bool,
    pub redis: HashMap<String, RedisClient>,
    pub call_response: Option<CallResponse>,
    pub redis_reply: Option<Vec<u8>>,
    pub pending: VecDeque<Pending>,
    pub next_token: u32,
    pub log_level: LogLevel,
    pub logs: Vec<LogEntry>,
    pub calls: Vec<CallRecord>,
    pub local_replies: Vec<LocalReply>,
    pub shared: HashMap<String, (Vec<u8>, u32)>,
    pub next_cas: u32,
    /// Shared queues; a queue's id is its index + 1 (Envoy numbers them
    /// from 1).
    pub queues: Vec<SharedQueue>,
    /// `proxy_on_queue_ready` calls posted by enqueues and not yet
    /// delivered: the queue ids, one per enqueue, in order.
    pub queue_ready: VecDeque<u32>,
    pub metrics: Vec<Metric>,
    pub tick_period_ms: u32,
    pub done_calls: u32,
    /// Calls per `env` hostcall name.
    pub hostcalls: std::collections::BTreeMap<&'static str, u64>,
    /// Calls into the guest's `malloc` to hand it data (each one a VM
    /// re-entry in a real host).
    pub guest_allocations: u64,
    /// What the emulator itself noticed (ignored calls, refused calls).
    pub notes: Vec<String>,
}

impl HostState {
    /// The stream the effective context names, if it is one.
    pub fn stream(&mut self) -> Option<&mut Stream> {
        let id = self.effective;
        self.streams.get_mut(&id)
    }

    /// Records a log line if the configured level lets it through.
    pub fn log(&mut self, level: LogLevel, message: String) {
        if level >= self.log_level {
            self.logs.push(LogEntry { level, message });
        }
    }

    /// A fresh token for an outbound call (never 0).
    pub fn token(&mut self) -> u32 {
        self.next_token = self.next_token.wrapping_add(1).max(1);
        self.next_token
    }
}
