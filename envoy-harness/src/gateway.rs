//! The real-Envoy tier of the scenario table: [`EnvoyGateway`] implements
//! the host shim's [`Gateway`] trait.

use crate::client;
use crate::config::{Bind, EnvoyConfig, FailurePolicy, RouteTarget, WasmFilter};
use crate::envoy::{Envoy, Launch, plugin_log_line};
use crate::upstream::RecordingUpstream;
use anyhow::{Context as _, Result};
use gatewit_test_kit::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Options beyond what [`GatewaySetup`] describes.
#[derive(Debug, Clone)]
pub struct EnvoyOptions {
    /// See [`WasmFilter::allow_on_headers_stop_iteration`]; also set when
    /// the setup asks for
    /// [`body_during_paused_headers`](GatewaySetup::body_during_paused_headers).
    pub allow_on_headers_stop_iteration: bool,
    /// Envoy's `--log-level`.
    pub log_level: String,
    /// See [`Launch::wasm_log_level`](crate::Launch::wasm_log_level).
    pub wasm_log_level: Option<String>,
    /// How long one exchange may take end to end.
    pub request_timeout: Duration,
    /// What Envoy does once the plugin's VM has failed. Tests default to
    /// [`FailurePolicy::FailClosed`], so a dead VM is loud.
    pub failure_policy: FailurePolicy,
    /// An access-log format (Envoy's command operators); the lines are
    /// read with [`EnvoyGateway::access_log`].
    pub access_log_format: Option<String>,
}

impl Default for EnvoyOptions {
    fn default() -> Self {
        Self {
            allow_on_headers_stop_iteration: false,
            log_level: "info".into(),
            wasm_log_level: None,
            request_timeout: Duration::from_secs(20),
            failure_policy: FailurePolicy::FailClosed,
            access_log_format: None,
        }
    }
}

/// A stock Envoy 1.40 with one proxy-wasm module loaded, in front of a
/// recording upstream server: one listener of it (see
/// [`EnvoyGateway::start_many`] for several sharing one Envoy).
pub struct EnvoyGateway {
    shared: Arc<Shared>,
    listener: SocketAddr,
}

/// What the gateways of one Envoy share; Envoy stops with the last of them.
struct Shared {
    // Field order is drop order: Envoy goes first so it does not log
    // connection errors against an upstream that is already gone.
    envoy: Envoy,
    upstream: RecordingUpstream,
    /// Held for one exchange: the gateways take turns on the upstream.
    turn: Mutex<()>,
    request_timeout: Duration,
    access_log: Option<std::path::PathBuf>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(path) = &self.access_log {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A fresh access-log file path for a gateway serving `module`.
fn access_log_path(module: &Path) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let stem = module
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::env::temp_dir().join(format!(
        "gatewit-access-{}-{n}-{stem}.log",
        std::process::id()
    ))
}

impl EnvoyGateway {
    /// Starts an upstream server and an Envoy that loads `module` (a
    /// proxy-wasm core module) with `setup`. A configuration the plugin
    /// rejects makes this fail with Envoy's log lines, the plugin's reason
    /// among them.
    pub fn start(module: &Path, setup: &GatewaySetup) -> Result<Self> {
        Self::start_with(module, setup, &EnvoyOptions::default())
    }

    /// [`EnvoyGateway::start`] with `options`.
    pub fn start_with(module: &Path, setup: &GatewaySetup, options: &EnvoyOptions) -> Result<Self> {
        let mut gateways = Self::start_many(module, std::slice::from_ref(setup), options)?;
        gateways
            .pop()
            .context("envoy started without the listener it was asked for")
    }

    /// One Envoy serving `module` with each of `setups`' plugin
    /// configurations on a listener of its own (see
    /// [`EnvoyConfig::more_configurations`]): a 12–18 MB module (the
    /// JavaScript and Python plugins) is compiled once, not once per
    /// configuration. The setups must agree on everything else, the
    /// upstream included; the gateways take turns on it.
    pub fn start_many(
        module: &Path,
        setups: &[GatewaySetup],
        options: &EnvoyOptions,
    ) -> Result<Vec<Self>> {
        if !module.is_file() {
            anyhow::bail!("proxy-wasm module `{}` does not exist", module.display());
        }
        let (setup, others) = setups
            .split_first()
            .context("`start_many` needs at least one setup")?;
        for other in others {
            anyhow::ensure!(
                same_but_configuration(setup, other),
                "gateways sharing one envoy may differ only in their plugin configuration"
            );
        }
        let configurations: Vec<String> = setups
            .iter()
            .map(|setup| match &setup.plugin_config {
                // No configuration: the plugin's configure sees an empty
                // buffer, as with a filter that has no `configuration` at all.
                serde_json::Value::Null => String::new(),
                value => value.to_string(),
            })
            .collect();
        let upstream = RecordingUpstream::start()?;
        let mut wasm = WasmFilter::new(module, configurations[0].clone());
        wasm.failure_policy = options.failure_policy;
        wasm.allow_on_headers_stop_iteration =
            options.allow_on_headers_stop_iteration || setup.body_during_paused_headers;
        let config = EnvoyConfig {
            wasm: Some(wasm),
            route_name: setup.route_name.clone(),
            route: RouteTarget::Upstream {
                cluster: setup.upstream_cluster.clone(),
                addr: upstream.addr(),
            },
            clusters: setup.clusters.clone(),
            route_timeout_ms: u64::try_from(options.request_timeout.as_millis())
                .unwrap_or(u64::MAX),
            access_log: options
                .access_log_format
                .as_ref()
                .map(|format| (access_log_path(module), format.clone())),
            bind: Bind::default(),
            buffer_limit_bytes: None,
            more_configurations: configurations[1..].to_vec(),
        };
        let launch = Launch {
            log_level: options.log_level.clone(),
            wasm_log_level: options.wasm_log_level.clone(),
            ..Launch::default()
        };
        let envoy = Envoy::launch(&config, &launch)
            .with_context(|| format!("starting envoy with `{}`", module.display()))?;
        let listeners = envoy.listener_addrs().to_vec();
        let shared = Arc::new(Shared {
            envoy,
            upstream,
            turn: Mutex::new(()),
            request_timeout: options.request_timeout,
            access_log: config.access_log.map(|(path, _)| path),
        });
        Ok(listeners
            .into_iter()
            .map(|listener| Self {
                shared: Arc::clone(&shared),
                listener,
            })
            .collect())
    }

    /// The access-log lines written so far (Envoy flushes its log every
    /// 100 ms here; this waits until `n` lines are in, up to 5 s).
    pub fn access_log(&self, n: usize) -> Result<Vec<String>> {
        let path = self
            .shared
            .access_log
            .as_ref()
            .context("this gateway has no access log (`EnvoyOptions::access_log_format`)")?;
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if lines.len() >= n || std::time::Instant::now() > deadline {
                return Ok(lines);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The Envoy process (log, stats, addresses).
    pub fn envoy(&self) -> &Envoy {
        &self.shared.envoy
    }

    /// The upstream server behind the route.
    pub fn upstream(&self) -> &RecordingUpstream {
        &self.shared.upstream
    }
}

/// Whether `a` and `b` set up the same gateway but for the plugin's
/// configuration.
fn same_but_configuration(a: &GatewaySetup, b: &GatewaySetup) -> bool {
    a.route_name == b.route_name
        && a.upstream_cluster == b.upstream_cluster
        && a.clusters == b.clusters
        && a.body_during_paused_headers == b.body_during_paused_headers
        && a.upstream_hosts == b.upstream_hosts
}

impl Gateway for EnvoyGateway {
    fn tier(&self) -> &'static str {
        "envoy"
    }

    fn send(&mut self, request: &HttpRequest, upstream: &UpstreamResponse) -> Result<Exchange> {
        let shared = &*self.shared;
        // A poisoned turn only means another gateway's exchange panicked.
        let _turn = shared.turn.lock().unwrap_or_else(|p| p.into_inner());
        shared.upstream.take_requests();
        shared.upstream.set_reply(upstream.clone());
        // Envoy's own route timeout is the same, so a plugin that never
        // resumes yields a 504 first; the client deadline is a backstop.
        let response = client::send(
            self.listener,
            request,
            shared.request_timeout + Duration::from_secs(5),
        )
        .with_context(|| {
            format!(
                "sending `{} {}` through envoy; log:\n{}",
                request.method,
                request.path,
                shared.envoy.relevant_log_lines()
            )
        })?;
        // The upstream records a request before it answers, so once the
        // client has the response the record is complete.
        let upstream = shared.upstream.take_requests().into_iter().next();
        Ok(Exchange { upstream, response })
    }

    fn plugin_logs(&self) -> Vec<String> {
        self.shared
            .envoy
            .log()
            .lines()
            .filter_map(plugin_log_line)
            .map(|(level, message)| format!("[{level}] {message}"))
            .collect()
    }
}
