//! Envoy bootstrap generation: one HTTP listener (or one per plugin
//! configuration), an optional proxy-wasm filter, one route (to a real
//! upstream or a `direct_response`), and the clusters a plugin may call,
//! named exactly as the plugin names them.

use gatewit_test_kit::exchange::Clusters;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The proxy-wasm filter in front of the router.
#[derive(Debug, Clone)]
pub struct WasmFilter {
    /// The proxy-wasm core module Envoy loads (`code.local.filename`).
    pub module: PathBuf,
    /// The plugin configuration, handed to `proxy_on_configure` verbatim
    /// (as a `google.protobuf.StringValue`).
    pub configuration: String,
    /// `PluginConfig.root_id`.
    pub root_id: String,
    /// `PluginConfig.allow_on_headers_stop_iteration` (Envoy ≥ 1.35): when
    /// set, a headers callback returning Pause stops only the headers and the
    /// body callbacks still run; when unset, Envoy stops the whole stream
    /// (`StopAllIterationAndWatermark`) until the plugin resumes it.
    pub allow_on_headers_stop_iteration: bool,
    /// What Envoy does once the plugin's VM has failed.
    pub failure_policy: FailurePolicy,
}

/// `PluginConfig.failure_policy`: what Envoy 1.40 does with requests once
/// the plugin's VM has failed (a trap that was not a recovered panic: a
/// memory fault, the step budget, `on-panic: trap`). Every policy fails the
/// request that trapped (503); they differ on the requests after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailurePolicy {
    /// Fail closed, then replace the VM: later requests get 503 while Envoy
    /// reloads the plugin (with backoff, about a second here), then the
    /// fresh VM serves them. The safe choice for any plugin, and the
    /// default of every configuration gatewit generates.
    #[default]
    FailReload,
    /// Fail closed for good: every later request gets 503 until Envoy
    /// restarts. Loud, for tests.
    FailClosed,
    /// Skip the plugin for good: later requests go on without it. Only for
    /// plugins whose absence is harmless (metrics, logging); never for one
    /// that guards access, which it would open to everyone.
    FailOpen,
}

impl FailurePolicy {
    /// The name in Envoy's configuration.
    pub fn envoy_name(self) -> &'static str {
        match self {
            FailurePolicy::FailReload => "FAIL_RELOAD",
            FailurePolicy::FailClosed => "FAIL_CLOSED",
            FailurePolicy::FailOpen => "FAIL_OPEN",
        }
    }
}

impl WasmFilter {
    /// A filter loading `module` with `configuration`.
    pub fn new(module: impl Into<PathBuf>, configuration: impl Into<String>) -> Self {
        Self {
            module: module.into(),
            configuration: configuration.into(),
            root_id: String::new(),
            allow_on_headers_stop_iteration: false,
            failure_policy: FailurePolicy::default(),
        }
    }
}

/// Where the listener's single route leads.
#[derive(Debug, Clone)]
pub enum RouteTarget {
    /// To cluster `cluster`, a static cluster of one endpoint at `addr`.
    Upstream {
        /// Cluster name (the `cluster_name` property the plugin sees).
        cluster: String,
        /// The upstream server.
        addr: SocketAddr,
    },
    /// Envoy answers itself (no upstream involved; used by the benchmark).
    DirectResponse {
        /// Status of the answer.
        status: u16,
        /// Body of the answer.
        body: String,
    },
}

/// A complete Envoy setup for one instance.
#[derive(Debug, Clone)]
pub struct EnvoyConfig {
    /// The Wasm filter, or `None` for a listener without one.
    pub wasm: Option<WasmFilter>,
    /// Name of the route (the `route_name` property the plugin sees).
    pub route_name: String,
    /// Where the route leads.
    pub route: RouteTarget,
    /// Clusters a plugin may call: HTTP clusters and Redis clusters, each an
    /// Envoy cluster with exactly the given name. Redis clusters are plain
    /// TCP clusters: stock Envoy has no Redis hostcalls, so a plugin that
    /// asks for Redis gets an error from its SDK, not a connection.
    pub clusters: Clusters,
    /// Route timeout (also bounds how long a paused request can hang).
    pub route_timeout_ms: u64,
    /// An access log: the file and Envoy's format string for each line.
    pub access_log: Option<(PathBuf, String)>,
    /// Where the listener and the admin endpoint bind. Tests bind port 0 on
    /// loopback (the launcher reads the chosen ports back); a generated
    /// configuration for people binds fixed ports.
    pub bind: Bind,
    /// The listener's `per_connection_buffer_limit_bytes` (Envoy's default,
    /// 1 MiB, when `None`): also the most a stream buffers for a filter
    /// that holds a body, past which Envoy answers `413`.
    pub buffer_limit_bytes: Option<u32>,
    /// Further listeners, one per plugin configuration: each the listener
    /// above with the Wasm filter's `configuration` replaced (ignored
    /// without a Wasm filter), bound to a port of its own on the listener's
    /// address. Each filter runs in a VM of its own (`vm_id` `gatewit-1`,
    /// `gatewit-2`, …): a gatewit plugin keeps one configuration per VM, so
    /// filters sharing a VM would all see the last one configured. V8
    /// compiles the same module bytes once per process all the same (two
    /// listeners with the 12 MB JavaScript plugin: 28 s of CPU, one: 25 s).
    pub more_configurations: Vec<String>,
}

/// The listener's and the admin endpoint's addresses.
#[derive(Debug, Clone, Copy)]
pub struct Bind {
    /// The HTTP listener.
    pub listener: SocketAddr,
    /// Envoy's admin endpoint.
    pub admin: SocketAddr,
}

impl Default for Bind {
    /// Port 0 on loopback for both: no port race between tests.
    fn default() -> Self {
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            listener: any,
            admin: any,
        }
    }
}

impl EnvoyConfig {
    /// A listener answering `200 ok` itself, with no filter.
    pub fn direct_response() -> Self {
        Self {
            wasm: None,
            route_name: "bench-route".into(),
            route: RouteTarget::DirectResponse {
                status: 200,
                body: "ok".into(),
            },
            clusters: Clusters::default(),
            route_timeout_ms: 15_000,
            access_log: None,
            bind: Bind::default(),
            buffer_limit_bytes: None,
            more_configurations: Vec::new(),
        }
    }

    /// Adds (or replaces) the Wasm filter.
    pub fn with_wasm(mut self, wasm: WasmFilter) -> Self {
        self.wasm = Some(wasm);
        self
    }

    /// The bootstrap as JSON (which Envoy reads from a `.json` file). Admin
    /// and listener bind port 0 on loopback; the launcher reads the chosen
    /// ports back from the admin endpoint, so there is no port race.
    pub fn bootstrap(&self) -> Value {
        let route_action = match &self.route {
            RouteTarget::Upstream { cluster, .. } => json!({
                "route": { "cluster": cluster, "timeout": duration(self.route_timeout_ms) }
            }),
            RouteTarget::DirectResponse { status, body } => json!({
                "direct_response": { "status": status, "body": { "inline_string": body } }
            }),
        };
        let mut route = json!({ "name": self.route_name, "match": { "prefix": "/" } });
        if let (Value::Object(route), Value::Object(action)) = (&mut route, route_action) {
            route.extend(action);
        }

        let mut clusters = Vec::new();
        if let RouteTarget::Upstream { cluster, addr } = &self.route {
            clusters.push(static_cluster(cluster, *addr));
        }
        for (name, addr) in self.clusters.http.iter().chain(&self.clusters.redis) {
            clusters.push(static_cluster(name, *addr));
        }

        let access_log: Vec<Value> = self
            .access_log
            .iter()
            .map(|(path, format)| {
                json!({
                    "name": "envoy.access_loggers.file",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog",
                        "path": path.display().to_string(),
                        "log_format": { "text_format_source": { "inline_string": format!("{format}\n") } },
                    },
                })
            })
            .collect();
        let listeners: Vec<Value> = (0..self.listener_count())
            .map(|i| self.listener(i, &route, &access_log))
            .collect();
        json!({
            "admin": { "address": socket(self.bind.admin) },
            "static_resources": { "listeners": listeners, "clusters": clusters },
        })
    }

    /// How many listeners the bootstrap has: one, and one per further
    /// configuration when there is a Wasm filter.
    pub(crate) fn listener_count(&self) -> usize {
        match self.wasm {
            Some(_) => 1 + self.more_configurations.len(),
            None => 1,
        }
    }

    /// Listener `i` (see [`listener_name`]): the Wasm filter, with its
    /// configuration and a VM of its own (`gatewit`, `gatewit-1`, …), and
    /// the router, in front of `route`. The first binds where `bind` says,
    /// the others any port on the same address.
    fn listener(&self, i: usize, route: &Value, access_log: &[Value]) -> Value {
        let (addr, configuration, vm_id) = match i {
            0 => (
                self.bind.listener,
                self.wasm.as_ref().map(|w| w.configuration.as_str()),
                "gatewit".to_string(),
            ),
            i => (
                SocketAddr::new(self.bind.listener.ip(), 0),
                self.more_configurations.get(i - 1).map(String::as_str),
                format!("gatewit-{i}"),
            ),
        };
        let mut http_filters = Vec::new();
        if let (Some(wasm), Some(configuration)) = (&self.wasm, configuration) {
            http_filters.push(json!({
                "name": "envoy.filters.http.wasm",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                    "config": {
                        "name": "gatewit",
                        "root_id": wasm.root_id,
                        "allow_on_headers_stop_iteration": wasm.allow_on_headers_stop_iteration,
                        // A configuration rejected at startup stops Envoy
                        // whatever the policy (see the crate docs).
                        "failure_policy": wasm.failure_policy.envoy_name(),
                        "configuration": {
                            "@type": "type.googleapis.com/google.protobuf.StringValue",
                            "value": configuration,
                        },
                        "vm_config": {
                            "vm_id": vm_id,
                            "runtime": "envoy.wasm.runtime.v8",
                            "code": { "local": { "filename": wasm.module.display().to_string() } },
                        },
                    },
                },
            }));
        }
        http_filters.push(json!({
            "name": "envoy.filters.http.router",
            "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" },
        }));
        let mut listener = json!({
            "name": listener_name(i),
            "address": socket(addr),
            "filter_chains": [{
                "filters": [{
                    "name": "envoy.filters.network.http_connection_manager",
                    "typed_config": {
                        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                        "stat_prefix": "ingress",
                        "route_config": {
                            "name": "gatewit",
                            "virtual_hosts": [{ "name": "all", "domains": ["*"], "routes": [route] }],
                        },
                        "http_filters": http_filters,
                        "access_log": access_log,
                    },
                }],
            }],
        });
        if let Some(limit) = self.buffer_limit_bytes {
            listener["per_connection_buffer_limit_bytes"] = json!(limit);
        }
        listener
    }
}

/// Listener `i`'s name: `main`, then `main-1`, `main-2`, ….
pub(crate) fn listener_name(i: usize) -> String {
    match i {
        0 => "main".to_string(),
        i => format!("main-{i}"),
    }
}

fn socket(addr: SocketAddr) -> Value {
    json!({ "socket_address": { "address": addr.ip().to_string(), "port_value": addr.port() } })
}

fn duration(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

fn static_cluster(name: &str, addr: SocketAddr) -> Value {
    json!({
        "name": name,
        "type": "STATIC",
        "connect_timeout": "1s",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [{ "lb_endpoints": [{ "endpoint": { "address": {
                "socket_address": { "address": addr.ip().to_string(), "port_value": addr.port() }
            } } }] }],
        },
    })
}
