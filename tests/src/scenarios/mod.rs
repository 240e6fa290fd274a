//! The scenario table: per example, how the gateway is set up, what the
//! client sends, what the upstream answers, and what must be observed. Every
//! tier (host shim, proxy-wasm emulator, real Envoy) runs the same table
//! through [`Scenario::run`] with its own [`Gateway`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use gatewit_host_shim::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use serde_json::{Value, json};

use crate::http_server::{Reply, TestServer};

mod table;
use crate::plugins::wasm_plugin;
use crate::redis_server::RedisServer;
use gatewit_adapter::Profile;
pub use table::*;

/// Something that happens to the backends before a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Kill every Redis server of the scenario.
    StopRedis,
}

/// What the upstream must (not) have received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamExpect {
    /// The plugin answered locally: nothing reached the upstream.
    NotReached,
    /// The request reached the upstream.
    Reached {
        /// `:method` as received, if it matters.
        method: Option<String>,
        /// `:path` as received, if it matters.
        path: Option<String>,
        /// Headers that must have exactly these values.
        headers: Vec<(String, String)>,
        /// Headers that must be absent.
        absent: Vec<String>,
        /// The whole body, if it matters.
        body: Option<Vec<u8>>,
    },
}

/// What the client must get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// What reached the upstream.
    pub upstream: UpstreamExpect,
    /// Response status.
    pub status: u16,
    /// Response headers that must have exactly these values.
    pub headers: Vec<(String, String)>,
    /// Response headers that must be present (any value).
    pub present: Vec<String>,
    /// Response headers that must be absent.
    pub absent: Vec<String>,
    /// The whole response body, if it matters.
    pub body: Option<Vec<u8>>,
}

impl Expect {
    /// The request reaches the upstream; the client gets the upstream's
    /// default answer (200 `upstream ok`).
    pub fn forwarded() -> Self {
        Self {
            upstream: UpstreamExpect::Reached {
                method: None,
                path: None,
                headers: Vec::new(),
                absent: Vec::new(),
                body: None,
            },
            status: 200,
            headers: Vec::new(),
            present: Vec::new(),
            absent: Vec::new(),
            body: Some(b"upstream ok".to_vec()),
        }
    }

    /// The plugin answers `status` with `body` locally.
    pub fn local(status: u16, body: &str) -> Self {
        Self {
            upstream: UpstreamExpect::NotReached,
            status,
            headers: Vec::new(),
            present: Vec::new(),
            absent: Vec::new(),
            body: Some(body.as_bytes().to_vec()),
        }
    }

    /// The upstream must see `method` (its `:method`).
    pub fn upstream_method(mut self, expected: &str) -> Self {
        if let UpstreamExpect::Reached { method, .. } = &mut self.upstream {
            *method = Some(expected.into());
        }
        self
    }

    /// The upstream must see `path` (its `:path`, query included).
    pub fn upstream_path(mut self, expected: &str) -> Self {
        if let UpstreamExpect::Reached { path, .. } = &mut self.upstream {
            *path = Some(expected.into());
        }
        self
    }

    /// The upstream must see header `name: value`.
    pub fn upstream_header(mut self, name: &str, value: &str) -> Self {
        if let UpstreamExpect::Reached { headers, .. } = &mut self.upstream {
            headers.push((name.to_ascii_lowercase(), value.into()));
        }
        self
    }

    /// The upstream must see this body.
    pub fn upstream_body(mut self, expected: impl Into<Vec<u8>>) -> Self {
        if let UpstreamExpect::Reached { body, .. } = &mut self.upstream {
            *body = Some(expected.into());
        }
        self
    }

    /// The upstream must not see header `name`.
    pub fn upstream_absent(mut self, name: &str) -> Self {
        if let UpstreamExpect::Reached { absent, .. } = &mut self.upstream {
            absent.push(name.to_ascii_lowercase());
        }
        self
    }

    /// The client must see header `name: value`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// The client must see header `name`.
    pub fn present(mut self, name: &str) -> Self {
        self.present.push(name.to_ascii_lowercase());
        self
    }

    /// The client must not see header `name`.
    pub fn absent(mut self, name: &str) -> Self {
        self.absent.push(name.to_ascii_lowercase());
        self
    }

    /// The client must see this body (`None`: any).
    pub fn body(mut self, body: Option<&[u8]>) -> Self {
        self.body = body.map(<[u8]>::to_vec);
        self
    }
}

/// One request of a scenario.
#[derive(Debug, Clone)]
pub struct Step {
    /// Done to the backends first.
    pub before: Option<Action>,
    /// What the client sends.
    pub request: HttpRequest,
    /// What the upstream answers if the request reaches it.
    pub upstream: UpstreamResponse,
    /// What must be observed.
    pub expect: Expect,
    /// The plugin resets the stream: the exchange fails as a reset (the
    /// client's connection closed without an answer), and `expect` is not
    /// checked.
    pub reset: bool,
}

impl Step {
    /// `request`, answered by the default upstream response.
    pub fn new(request: HttpRequest, expect: Expect) -> Self {
        Self {
            before: None,
            request,
            upstream: UpstreamResponse::default(),
            expect,
            reset: false,
        }
    }

    /// `request`, which the plugin answers by resetting the stream.
    pub fn reset(request: HttpRequest) -> Self {
        Self {
            reset: true,
            ..Self::new(request, Expect::local(0, ""))
        }
    }

    /// The upstream answers `upstream` instead.
    pub fn upstream(mut self, upstream: UpstreamResponse) -> Self {
        self.upstream = upstream;
        self
    }

    /// Runs `action` before the request.
    pub fn before(mut self, action: Action) -> Self {
        self.before = Some(action);
        self
    }
}

/// An HTTP backend of a scenario: a real loopback server behind a cluster.
#[derive(Debug, Clone)]
pub struct HttpBackend {
    /// The Envoy cluster name the plugin calls.
    pub cluster: String,
    /// What the server answers.
    pub reply: Reply,
    /// Paths the server must have been asked for, in order, after all steps
    /// (`None`: not checked).
    pub expect_paths: Option<Vec<String>>,
}

/// One scenario: a plugin, its setup, and requests with expectations.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Unique name, for messages and filters.
    pub name: &'static str,
    /// The plugin's package name (an example or a fixture).
    pub plugin: &'static str,
    /// The plugin configuration (JSON).
    pub config: Value,
    /// Property `route_name`.
    pub route_name: String,
    /// Property `cluster_name` of the route's upstream.
    pub upstream_cluster: String,
    /// HTTP backends (real servers, started by [`Scenario::prepare`]).
    pub http_backends: Vec<HttpBackend>,
    /// Redis clusters (each a real `redis-server`).
    pub redis_clusters: Vec<String>,
    /// HTTP clusters whose address refuses connections (a loopback port
    /// nothing listens on).
    pub dead_http_clusters: Vec<String>,
    /// The profile the plugin is adapted for: Higress for scenarios that
    /// need its hostcalls (Redis, streaming injection, upstream hosts),
    /// which a stock Envoy lacks.
    pub profile: Profile,
    /// What Higress's `get-upstream-hosts` reports.
    pub upstream_hosts: Vec<(String, String)>,
    /// The requests, in order, on one plugin instance.
    pub steps: Vec<Step>,
    /// The steps count requests per wall-clock minute (rate limits): start
    /// early in a minute so the count does not roll over mid-scenario.
    pub minute_sensitive: bool,
    /// The gateway runs body callbacks while headers are paused
    /// ([`GatewaySetup::body_during_paused_headers`]: Higress, or Envoy's
    /// `allow_on_headers_stop_iteration`).
    pub body_during_paused_headers: bool,
}

/// The live backends of a prepared scenario; dropping it stops them.
#[derive(Debug)]
pub struct Prepared {
    /// The setup to build the tier's gateway from.
    pub setup: GatewaySetup,
    /// The HTTP servers, in [`Scenario::http_backends`] order.
    pub http: Vec<TestServer>,
    /// The Redis servers, in [`Scenario::redis_clusters`] order.
    pub redis: Vec<RedisServer>,
}

impl Scenario {
    fn new(name: &'static str, plugin: &'static str, config: Value) -> Self {
        let defaults = GatewaySetup::default();
        Self {
            name,
            plugin,
            config,
            route_name: defaults.route_name,
            upstream_cluster: defaults.upstream_cluster,
            http_backends: Vec::new(),
            redis_clusters: Vec::new(),
            dead_http_clusters: Vec::new(),
            profile: crate::adapted::profile_for(plugin),
            upstream_hosts: Vec::new(),
            steps: Vec::new(),
            minute_sensitive: false,
            body_during_paused_headers: false,
        }
    }

    fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    fn http(mut self, cluster: &str, reply: Reply, expect_paths: Option<&[&str]>) -> Self {
        self.http_backends.push(HttpBackend {
            cluster: cluster.into(),
            reply,
            expect_paths: expect_paths.map(|p| p.iter().map(|s| s.to_string()).collect()),
        });
        self
    }

    /// Cluster `cluster` points at a port that refuses connections.
    fn dead_http(mut self, cluster: &str) -> Self {
        self.dead_http_clusters.push(cluster.into());
        self
    }

    /// The scenario needs Higress's hostcalls.
    fn higress(mut self) -> Self {
        self.profile = Profile::Higress;
        self
    }

    fn redis(mut self, cluster: &str) -> Self {
        self.redis_clusters.push(cluster.into());
        self
    }

    /// The component of the scenario's plugin (built once per test run).
    pub fn plugin_path(&self) -> anyhow::Result<std::path::PathBuf> {
        wasm_plugin(self.plugin)
    }

    /// Starts the scenario's backends and returns the setup pointing at them.
    pub fn prepare(&self) -> anyhow::Result<Prepared> {
        let mut setup = GatewaySetup {
            plugin_config: self.config.clone(),
            route_name: self.route_name.clone(),
            upstream_cluster: self.upstream_cluster.clone(),
            body_during_paused_headers: self.body_during_paused_headers,
            upstream_hosts: self.upstream_hosts.clone(),
            ..GatewaySetup::default()
        };
        let mut http = Vec::new();
        for backend in &self.http_backends {
            let server = TestServer::always(backend.reply.clone())?;
            setup
                .clusters
                .http
                .insert(backend.cluster.clone(), server.addr());
            http.push(server);
        }
        for cluster in &self.dead_http_clusters {
            // Bound and released: nothing listens there for the scenario.
            let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
            setup.clusters.http.insert(cluster.clone(), addr);
        }
        let mut redis = Vec::new();
        for cluster in &self.redis_clusters {
            let server = RedisServer::start()?;
            setup.clusters.redis.insert(cluster.clone(), server.addr());
            redis.push(server);
        }
        Ok(Prepared { setup, http, redis })
    }

    /// Runs the whole scenario: builds the plugin, starts the backends,
    /// builds the tier's gateway with `make(component, setup)`, sends every
    /// step and checks every expectation. The error names the scenario, the
    /// step and the mismatch.
    pub fn run(
        &self,
        make: impl FnOnce(&Path, &GatewaySetup) -> anyhow::Result<Box<dyn Gateway>>,
    ) -> anyhow::Result<()> {
        let plugin = self.plugin_path()?;
        let mut prepared = self
            .prepare()
            .with_context(|| format!("scenario `{}`: cannot start its backends", self.name))?;
        let mut gateway = make(&plugin, &prepared.setup)
            .with_context(|| format!("scenario `{}`: cannot start the gateway", self.name))?;
        self.run_steps(gateway.as_mut(), &mut prepared)
    }

    /// Sends every step through `gateway` (set up from `prepared.setup`)
    /// and checks the expectations.
    pub fn run_steps(
        &self,
        gateway: &mut dyn Gateway,
        prepared: &mut Prepared,
    ) -> anyhow::Result<()> {
        if self.minute_sensitive {
            wait_for_fresh_minute();
        }
        for (i, step) in self.steps.iter().enumerate() {
            let what = format!(
                "scenario `{}` step {} on tier `{}`",
                self.name,
                i + 1,
                gateway.tier()
            );
            if step.before == Some(Action::StopRedis) {
                for server in &mut prepared.redis {
                    server.stop();
                }
            }
            let sent = gateway.send(&step.request, &step.upstream);
            if step.reset {
                match sent {
                    Ok(exchange) => bail!("{what}: expected a reset, got {exchange:?}"),
                    Err(e) if is_reset(&e) => continue,
                    Err(e) => return Err(e.context(format!("{what}: expected a reset"))),
                }
            }
            let exchange = sent.with_context(|| format!("{what}: the exchange failed"))?;
            check(&exchange, &step.expect).with_context(|| format!("{what}: {exchange:?}"))?;
        }
        for (backend, server) in self.http_backends.iter().zip(&prepared.http) {
            if let Some(paths) = &backend.expect_paths {
                let got: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
                ensure!(
                    &got == paths,
                    "scenario `{}`: backend `{}` was asked for {got:?}, expected {paths:?}",
                    self.name,
                    backend.cluster
                );
            }
        }
        Ok(())
    }
}

/// If the current minute is about to end, waits for the next one (at most a
/// few seconds), so per-minute counters do not roll over mid-scenario.
fn wait_for_fresh_minute() {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let into_minute = secs % 60.0;
    if into_minute > 55.0 {
        std::thread::sleep(Duration::from_secs_f64(60.0 - into_minute + 0.05));
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Checks one exchange against `expect`.
pub fn check(exchange: &Exchange, expect: &Expect) -> anyhow::Result<()> {
    match (&expect.upstream, &exchange.upstream) {
        (UpstreamExpect::NotReached, Some(up)) => bail!(
            "the request reached the upstream ({} {}) but should not",
            up.method,
            up.path
        ),
        (UpstreamExpect::Reached { .. }, None) => bail!("the request did not reach the upstream"),
        (
            UpstreamExpect::Reached {
                method,
                path,
                headers,
                absent,
                body,
            },
            Some(up),
        ) => {
            if let Some(method) = method {
                ensure!(
                    &up.method == method,
                    "upstream method is `{}`, expected `{method}`",
                    up.method
                );
            }
            if let Some(path) = path {
                ensure!(
                    &up.path == path,
                    "upstream path is `{}`, expected `{path}`",
                    up.path
                );
            }
            for (k, v) in headers {
                let got = header(&up.headers, k);
                ensure!(
                    got == Some(v.as_str()),
                    "upstream header `{k}` is {got:?}, expected `{v}`"
                );
            }
            for k in absent {
                ensure!(
                    header(&up.headers, k).is_none(),
                    "upstream header `{k}` should be absent"
                );
            }
            if let Some(body) = body {
                ensure!(
                    &up.body == body,
                    "upstream body is {:?}, expected {:?}",
                    String::from_utf8_lossy(&up.body),
                    String::from_utf8_lossy(body)
                );
            }
        }
        (UpstreamExpect::NotReached, None) => {}
    }
    let resp = &exchange.response;
    ensure!(
        resp.status == expect.status,
        "status is {}, expected {}",
        resp.status,
        expect.status
    );
    for (k, v) in &expect.headers {
        let got = header(&resp.headers, k);
        ensure!(
            got == Some(v.as_str()),
            "response header `{k}` is {got:?}, expected `{v}`"
        );
    }
    for k in &expect.present {
        ensure!(
            header(&resp.headers, k).is_some(),
            "response header `{k}` is missing"
        );
    }
    for k in &expect.absent {
        ensure!(
            header(&resp.headers, k).is_none(),
            "response header `{k}` should be absent"
        );
    }
    if let Some(body) = &expect.body {
        ensure!(
            &resp.body == body,
            "response body is {:?}, expected {:?}",
            String::from_utf8_lossy(&resp.body),
            String::from_utf8_lossy(body)
        );
    }
    Ok(())
}

/// A configuration the plugin must reject at start.
#[derive(Debug, Clone)]
pub struct ConfigError {
    /// Unique name.
    pub name: &'static str,
    /// The plugin's package name.
    pub plugin: &'static str,
    /// The bad configuration.
    pub config: Value,
    /// Text the error must contain (case-insensitive).
    pub message_contains: &'static str,
}

/// Whether a failed exchange is a stream reset: on Envoy the client's
/// connection closes without an answer; the in-process tiers end the step
/// with the flow model's reset error.
fn is_reset(err: &anyhow::Error) -> bool {
    let text = format!("{err:#}");
    text.contains(gatewit_gateway_flow::RESET)
        || text.contains("the server closed the connection without answering")
}
