//! The tier-neutral view of one HTTP exchange through a gateway with a plugin.
//!
//! Every tier (the component under the host shim, the adapted module under the
//! proxy-wasm emulator, the adapted module in a real Envoy) implements
//! [`Gateway`], so one scenario table runs on each of them and the observable
//! results (what the upstream received, what the client got) can be compared.

use std::collections::BTreeMap;
use std::net::SocketAddr;

/// A header list in order; names lowercase.
pub type HeaderList = Vec<(String, String)>;

/// The client address the in-process tiers (host shim, emulator) report
/// as Envoy's `source.address` attribute: the tests' clients are on
/// loopback, which is what Envoy reports for them too.
pub const CLIENT_ADDRESS: &str = "127.0.0.1:40000";

/// A request as the client sends it.
#[derive(Debug, Clone, Default)]
pub struct HttpRequest {
    /// `:method`.
    pub method: String,
    /// `:path` (path and query).
    pub path: String,
    /// `:authority` (host, optionally with port).
    pub authority: String,
    /// Regular headers (no pseudo-headers).
    pub headers: HeaderList,
    /// The body as the client sends it, chunk by chunk (empty: no body).
    pub body_chunks: Vec<Vec<u8>>,
}

impl HttpRequest {
    /// A `GET` of `path` at `authority` with no body.
    pub fn get(authority: &str, path: &str) -> Self {
        Self {
            method: "GET".into(),
            path: path.into(),
            authority: authority.into(),
            ..Self::default()
        }
    }

    /// A `POST` of `body` (one chunk) to `path` at `authority`.
    pub fn post(authority: &str, path: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            method: "POST".into(),
            path: path.into(),
            authority: authority.into(),
            body_chunks: vec![body.into()],
            ..Self::default()
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    /// Replaces the body with `chunks`, sent one by one.
    pub fn chunks<I: IntoIterator<Item = C>, C: Into<Vec<u8>>>(mut self, chunks: I) -> Self {
        self.body_chunks = chunks.into_iter().map(Into::into).collect();
        self
    }
}

/// What the upstream answers when the request reaches it.
#[derive(Debug, Clone)]
pub struct UpstreamResponse {
    /// HTTP status.
    pub status: u16,
    /// Regular headers.
    pub headers: HeaderList,
    /// The body, chunk by chunk.
    pub body_chunks: Vec<Vec<u8>>,
}

impl Default for UpstreamResponse {
    fn default() -> Self {
        Self {
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body_chunks: vec![b"upstream ok".to_vec()],
        }
    }
}

/// The request as the upstream received it, after the plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// `:method`.
    pub method: String,
    /// `:path`.
    pub path: String,
    /// Every header the upstream saw (tiers add their own, e.g. Envoy's
    /// `x-request-id`; compare the ones a scenario cares about).
    pub headers: HeaderList,
    /// The whole body.
    pub body: Vec<u8>,
}

/// The response as the client received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers (no `:status`).
    pub headers: HeaderList,
    /// The whole body.
    pub body: Vec<u8>,
}

/// Everything observable about one exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What reached the upstream; `None` when the plugin answered locally.
    pub upstream: Option<ReceivedRequest>,
    /// What the client got.
    pub response: ClientResponse,
}

impl Exchange {
    /// The first value of response header `name`.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find(&self.response.headers, name)
    }

    /// The first value of header `name` as the upstream received it.
    pub fn upstream_header(&self, name: &str) -> Option<&str> {
        self.upstream.as_ref().and_then(|u| find(&u.headers, name))
    }

    /// The response body as UTF-8 (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.response.body).into_owned()
    }
}

fn find<'a>(headers: &'a HeaderList, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Where a gateway cluster leads. Each tier turns this into its own form
/// (the host shim and emulator connect directly; the Envoy tier writes
/// Envoy clusters with exactly these names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clusters {
    /// HTTP clusters: Envoy cluster name (e.g. `outbound|8080||token.static`)
    /// → a real server on loopback.
    pub http: BTreeMap<String, SocketAddr>,
    /// Redis clusters: cluster name → a real Redis server on loopback.
    pub redis: BTreeMap<String, SocketAddr>,
}

/// How the gateway around the plugin is set up for a scenario.
#[derive(Debug, Clone)]
pub struct GatewaySetup {
    /// The plugin's configuration (JSON), as an operator writes it.
    pub plugin_config: serde_json::Value,
    /// Property `route_name` of the route the requests take.
    pub route_name: String,
    /// Property `cluster_name` of the upstream cluster the route leads to.
    pub upstream_cluster: String,
    /// Outbound clusters the plugin may call.
    pub clusters: Clusters,
    /// Body callbacks run while a headers callback holds the headers
    /// (Pause): Higress's Envoy does it, a stock Envoy ≥ 1.35 does it with
    /// the wasm filter's `allow_on_headers_stop_iteration: true`. A body
    /// callback that continues then lets the held headers (as the plugin
    /// left them) go on with the body. Off by default, as stock Envoy: a
    /// paused headers callback also holds the body callbacks until the
    /// plugin resumes. Needed by Higress-style route calls, which rewrite
    /// the request headers from the request body phase.
    pub body_during_paused_headers: bool,
    /// The route's upstream hosts as Higress's `get-upstream-hosts`
    /// reports them, `(IP:port, metrics)` (host shim, and the emulator
    /// under the Higress profile; a real Envoy knows its own).
    pub upstream_hosts: HeaderList,
}

impl Default for GatewaySetup {
    fn default() -> Self {
        Self {
            plugin_config: serde_json::Value::Null,
            route_name: "test-route".into(),
            upstream_cluster: "outbound|80||upstream.static".into(),
            clusters: Clusters::default(),
            body_during_paused_headers: false,
            upstream_hosts: HeaderList::new(),
        }
    }
}

/// A gateway with one plugin loaded: one plugin instance (VM) serving many
/// requests, as in production.
pub trait Gateway {
    /// A short name of the tier, for messages (`host-shim`, `emulator`, `envoy`).
    fn tier(&self) -> &'static str;

    /// Sends `request` through the plugin; if it reaches the upstream, the
    /// upstream answers `upstream`. Runs every async call the plugin makes
    /// (HTTP, Redis, against the setup's clusters) until the exchange ends.
    /// Errors are failures of the tier itself (a trap, a hung plugin, a dead
    /// gateway), never an HTTP status.
    fn send(
        &mut self,
        request: &HttpRequest,
        upstream: &UpstreamResponse,
    ) -> anyhow::Result<Exchange>;

    /// Every line the plugin logged so far (its log calls, and what it
    /// printed), in order, as `[<level>] <message>` with Envoy's level
    /// names (`trace`, `debug`, `info`, `warning`, `error`, `critical`).
    /// The gateway's own notes are left out.
    fn plugin_logs(&self) -> Vec<String>;
}
