//! `gatewit test`: a plugin author's scenario file, run on the host shim,
//! the emulator (the adapted module under a proxy-wasm host) and a real
//! Envoy 1.40 — the three tiers the project's own tests use, through the
//! same `Gateway` trait.
//!
//! The file (JSON, or the same in YAML for a `.yaml`/`.yml` file):
//!
//! ```json
//! {"cases": [{
//!   "name": "adds the header",
//!   "config": {"mockEnable": false},
//!   "clusters": {"outbound|80||auth.static": "127.0.0.1:8081"},
//!   "requests": [{
//!     "request": {"method": "GET", "path": "/", "headers": [["x-user", "a"]], "body": ""},
//!     "upstream": {"status": 200, "headers": [["content-type", "text/plain"]], "body": "ok"},
//!     "expect": {"status": 200, "body": "ok", "headers": {"x-seen": "yes"},
//!                "upstream": {"path": "/", "headers": {"hello": "world"}, "absent": ["x-secret"]}}
//!   }]
//! }]}
//! ```
//!
//! `expect.upstream: false` says the request must not reach the upstream
//! (a local reply). Every key but `name` and `requests` is optional. A
//! request's or an answer's `chunks` (a list of strings) sends its body in
//! those pieces instead of `body`. `mocks` stands up a server per cluster
//! for the case (`{"outbound|80||auth.static": {"status": 200, "headers":
//! [["x-token", "t"]], "body": "ok", "called": ["/token"]}}`), on every tier;
//! `called` is the paths it must have received, in order.
//!
//! `redis` maps a Redis cluster to a real server's `IP:port`, or to
//! `"start"`: a fresh `redis-server` for the case (it must be on `PATH`).
//! `expect.logs` lists text each of which must appear in a line the plugin
//! logged during that request (for the first request, since the plugin
//! started); a line reads `[<level>] <message>` with Envoy's level names
//! (`[warning] [my-plugin] …`). `tiers` (`["shim", "emulator"]`) limits a
//! case to the tiers that can run it, e.g. Redis, which stock Envoy lacks.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{
    Exchange, Gateway, GatewaySetup, HeaderList, HttpRequest, UpstreamResponse,
};
use gatewit_test_kit::redis_server::RedisServer;
use serde::Deserialize;

/// A scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// The cases, run in order.
    pub cases: Vec<Case>,
}

/// One plugin configuration and the requests sent through it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Printed in the results.
    pub name: String,
    /// The plugin configuration (default: none).
    #[serde(default)]
    pub config: serde_json::Value,
    /// Clusters the plugin calls: name → a real server's `IP:port`.
    #[serde(default)]
    pub clusters: BTreeMap<String, SocketAddr>,
    /// Redis clusters: name → a real Redis's `IP:port`, or `"start"`
    /// (Higress profile).
    #[serde(default)]
    pub redis: BTreeMap<String, RedisTarget>,
    /// The tiers this case runs on (default: every tier asked for).
    pub tiers: Option<Vec<Tier>>,
    /// Clusters answered by a server this run starts: name → its answer.
    #[serde(default)]
    pub mocks: BTreeMap<String, Mock>,
    /// Body callbacks run while a headers callback holds the headers, as
    /// Higress's Envoy does (stock Envoy: `allow_on_headers_stop_iteration`);
    /// route calls need it.
    #[serde(default)]
    pub body_during_paused_headers: bool,
    /// The requests, through one plugin instance, in order.
    pub requests: Vec<Step>,
}

/// Where a Redis cluster leads.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
pub enum RedisTarget {
    /// A running server.
    Addr(SocketAddr),
    /// A `redis-server` started for the case.
    Start,
}

impl TryFrom<String> for RedisTarget {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        if s == "start" {
            return Ok(Self::Start);
        }
        s.parse()
            .map(Self::Addr)
            .map_err(|_| format!("a Redis cluster is `IP:port` or `\"start\"`, not {s:?}"))
    }
}

/// A cluster's canned answer, and the calls it must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mock {
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    headers: HeaderList,
    #[serde(default)]
    body: String,
    /// The paths the cluster must have received over the case, in order.
    called: Option<Vec<String>>,
}

/// One request, what the upstream answers, and what must happen.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The request.
    #[serde(default)]
    pub request: Request,
    /// The upstream's answer (default: `200 upstream ok`).
    #[serde(default)]
    pub upstream: Option<Answer>,
    /// The expectations.
    #[serde(default)]
    pub expect: Expect,
}

/// A request as the client sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Request {
    method: String,
    path: String,
    authority: String,
    headers: HeaderList,
    body: String,
    chunks: Vec<String>,
}

impl Default for Request {
    fn default() -> Self {
        Self {
            method: "GET".into(),
            path: "/".into(),
            authority: "example.com".into(),
            headers: Vec::new(),
            body: String::new(),
            chunks: Vec::new(),
        }
    }
}

/// `body`, or the `chunks` when there are any.
fn body_chunks(body: &str, chunks: &[String]) -> Vec<Vec<u8>> {
    if !chunks.is_empty() {
        chunks.iter().map(|c| c.clone().into_bytes()).collect()
    } else if body.is_empty() {
        Vec::new()
    } else {
        vec![body.as_bytes().to_vec()]
    }
}

/// The upstream's answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    headers: HeaderList,
    #[serde(default)]
    body: String,
    #[serde(default)]
    chunks: Vec<String>,
}

fn ok() -> u16 {
    200
}

/// What must be seen. Absent keys are not checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    status: Option<u16>,
    body: Option<String>,
    /// Response headers that must have these values.
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// `false`: not reached; an object: what it received.
    upstream: Option<UpstreamExpect>,
    /// Text that must appear in the plugin's log lines of this request.
    #[serde(default)]
    logs: Vec<String>,
}

/// `expect.upstream`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum UpstreamExpect {
    /// `false`: the request must not reach it; `true`: it must.
    Reached(bool),
    /// It must receive this.
    Received(Received),
}

/// What the upstream must receive.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Received {
    method: Option<String>,
    path: Option<String>,
    body: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// Headers it must not see.
    #[serde(default)]
    absent: Vec<String>,
}

/// A tier `gatewit test` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The component under wasmtime.
    Shim,
    /// The adapted module under the proxy-wasm emulator.
    Emulator,
    /// The adapted module in a real Envoy 1.40.
    Envoy,
}

impl Tier {
    fn name(self) -> &'static str {
        match self {
            Tier::Shim => "shim",
            Tier::Emulator => "emulator",
            Tier::Envoy => "envoy",
        }
    }
}

/// Reads and checks a scenario file.
pub fn load(path: &Path) -> Result<File> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the scenario file `{}`", path.display()))?;
    let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let file: File = if yaml {
        serde_norway::from_str(&text).map_err(anyhow::Error::from)
    } else {
        serde_json::from_str(&text).map_err(anyhow::Error::from)
    }
    .with_context(|| format!("`{}` is not a valid scenario file", path.display()))?;
    if file.cases.is_empty() {
        bail!("`{}` has no cases", path.display());
    }
    Ok(file)
}

/// What a run found: per case and tier, the mismatches (empty: passed).
pub struct Outcome {
    /// `(case, tier, mismatches)` in run order.
    pub results: Vec<(String, Tier, Vec<String>)>,
}

impl Outcome {
    /// Whether every case passed on every tier.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|(_, _, m)| m.is_empty())
    }
}

/// Runs every case of `file` on each of `tiers`, printing a line per case
/// and tier and the mismatches under a failure.
pub fn run(
    component: &Path,
    profile: gatewit_adapter::Profile,
    file: &File,
    tiers: &[Tier],
    work: &Path,
) -> Result<Outcome> {
    let bytes = std::fs::read(component)
        .with_context(|| format!("cannot read `{}`", component.display()))?;
    let mut results = Vec::new();
    crate::demo::announce_compile(component);
    for &tier in tiers {
        let module = match tier {
            Tier::Shim => None,
            Tier::Emulator => Some(adapted(
                &bytes,
                profile,
                gatewit_adapter::ExceptionEncoding::Standard,
            )?),
            Tier::Envoy => {
                let module = adapted(&bytes, profile, gatewit_adapter::ExceptionEncoding::Legacy)?;
                std::fs::create_dir_all(work)
                    .with_context(|| format!("cannot create `{}`", work.display()))?;
                let path = work.join("plugin.proxy.wasm");
                std::fs::write(&path, &module)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                Some(module)
            }
        };
        for case in &file.cases {
            if let Some(only) = &case.tiers
                && !only.contains(&tier)
            {
                let names: Vec<&str> = only.iter().map(|t| t.name()).collect();
                println!(
                    "skip {:<9} {} (runs on {})",
                    tier.name(),
                    case.name,
                    names.join(", ")
                );
                continue;
            }
            let mismatches = match run_case(tier, component, module.as_deref(), profile, case, work)
            {
                Ok(m) => m,
                Err(e) => vec![format!("the {} tier failed: {e:#}", tier.name())],
            };
            let mark = if mismatches.is_empty() {
                "ok  "
            } else {
                "FAIL"
            };
            println!("{mark} {:<9} {}", tier.name(), case.name);
            for m in &mismatches {
                println!("       {m}");
            }
            results.push((case.name.clone(), tier, mismatches));
        }
    }
    Ok(Outcome { results })
}

fn adapted(
    bytes: &[u8],
    profile: gatewit_adapter::Profile,
    exceptions: gatewit_adapter::ExceptionEncoding,
) -> Result<Vec<u8>> {
    let adapted = gatewit_adapter::adapt(
        bytes,
        &gatewit_adapter::Options {
            profile,
            exceptions,
            ..Default::default()
        },
    )
    .context("cannot adapt the plugin")?;
    Ok(adapted.module)
}

fn run_case(
    tier: Tier,
    component: &Path,
    module: Option<&[u8]>,
    profile: gatewit_adapter::Profile,
    case: &Case,
    work: &Path,
) -> Result<Vec<String>> {
    let mut setup = GatewaySetup {
        plugin_config: case.config.clone(),
        ..GatewaySetup::default()
    };
    setup.clusters.http = case.clusters.clone();
    let mut redis_servers = Vec::new();
    for (name, target) in &case.redis {
        let addr = match target {
            RedisTarget::Addr(addr) => *addr,
            RedisTarget::Start => {
                let server = RedisServer::start()
                    .with_context(|| format!("starting a `redis-server` for `{name}`"))?;
                let addr = server.addr();
                redis_servers.push(server);
                addr
            }
        };
        setup.clusters.redis.insert(name.clone(), addr);
    }
    setup.body_during_paused_headers = case.body_during_paused_headers;
    let mut mocks = Vec::new();
    for (name, mock) in &case.mocks {
        let server = gatewit_envoy_harness::RecordingUpstream::start()
            .with_context(|| format!("starting the mock of `{name}`"))?;
        server.set_reply(UpstreamResponse {
            status: mock.status,
            headers: mock.headers.clone(),
            body_chunks: vec![mock.body.clone().into_bytes()],
        });
        setup.clusters.http.insert(name.clone(), server.addr());
        mocks.push((name, mock, server));
    }
    let mut gateway: Box<dyn Gateway> = match (tier, module) {
        (Tier::Shim, _) => Box::new(ShimGateway::new(component, &setup)?),
        (Tier::Emulator, Some(module)) => Box::new(gatewit_proxy_emulator::Emulator::with_options(
            module,
            &setup,
            gatewit_proxy_emulator::EmulatorOptions {
                profile: match profile {
                    gatewit_adapter::Profile::Envoy => gatewit_proxy_emulator::HostProfile::Envoy,
                    gatewit_adapter::Profile::Higress => {
                        gatewit_proxy_emulator::HostProfile::Higress
                    }
                },
                ..Default::default()
            },
        )?),
        (Tier::Envoy, Some(_)) => Box::new(gatewit_envoy_harness::EnvoyGateway::start_with(
            &work.join("plugin.proxy.wasm"),
            &setup,
            &gatewit_envoy_harness::EnvoyOptions {
                // Every plugin line, as the other tiers record them.
                wasm_log_level: Some("trace".into()),
                ..Default::default()
            },
        )?),
        _ => bail!("no adapted module for the {} tier", tier.name()),
    };
    let mut mismatches = Vec::new();
    // Where each request's log lines start (the first: at the plugin's start).
    let mut log_marks = Vec::new();
    for (i, step) in case.requests.iter().enumerate() {
        log_marks.push(if i == 0 {
            0
        } else {
            gateway.plugin_logs().len()
        });
        let request = request_of(&step.request);
        let upstream = match &step.upstream {
            Some(a) => UpstreamResponse {
                status: a.status,
                headers: a.headers.clone(),
                body_chunks: body_chunks(&a.body, &a.chunks),
            },
            None => UpstreamResponse::default(),
        };
        let exchange = gateway
            .send(&request, &upstream)
            .with_context(|| format!("request {} ({} {})", i + 1, request.method, request.path))?;
        let prefix = if case.requests.len() > 1 {
            format!("request {}: ", i + 1)
        } else {
            String::new()
        };
        mismatches.extend(
            check(&step.expect, &exchange)
                .into_iter()
                .map(|m| format!("{prefix}{m}")),
        );
    }
    mismatches.extend(check_logs(case, &log_marks, gateway.as_ref(), tier));
    drop(redis_servers);
    for (name, mock, server) in &mocks {
        if let Some(want) = &mock.called {
            let got: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
            if *want != got {
                mismatches.push(format!("calls to `{name}`: expected {want:?}, got {got:?}"));
            }
        }
    }
    Ok(mismatches)
}

/// The `expect.logs` that do not hold. Envoy writes a request's last lines
/// (its `on_log`) about when the client has the answer, so its log gets a
/// moment to catch up before a line counts as missing.
fn check_logs(case: &Case, marks: &[usize], gateway: &dyn Gateway, tier: Tier) -> Vec<String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let lines = gateway.plugin_logs();
        let mut out = Vec::new();
        for (i, step) in case.requests.iter().enumerate() {
            let from = marks[i].min(lines.len());
            let to = marks
                .get(i + 1)
                .map_or(lines.len(), |&m| m.min(lines.len()));
            let window = &lines[from..to];
            for want in &step.expect.logs {
                if !window.iter().any(|l| l.contains(want.as_str())) {
                    let prefix = if case.requests.len() > 1 {
                        format!("request {}: ", i + 1)
                    } else {
                        String::new()
                    };
                    let got = if window.is_empty() {
                        " none".to_string()
                    } else {
                        format!(":\n         | {}", window.join("\n         | "))
                    };
                    out.push(format!(
                        "{prefix}log: expected a line containing {want:?}, got{got}"
                    ));
                }
            }
        }
        if out.is_empty() || tier != Tier::Envoy || std::time::Instant::now() > deadline {
            return out;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn request_of(r: &Request) -> HttpRequest {
    HttpRequest {
        method: r.method.clone(),
        path: r.path.clone(),
        authority: r.authority.clone(),
        headers: r.headers.clone(),
        body_chunks: body_chunks(&r.body, &r.chunks),
    }
}

/// Each expectation that does not hold, as `expected …, got …`.
fn check(expect: &Expect, ex: &Exchange) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(status) = expect.status
        && status != ex.response.status
    {
        out.push(format!(
            "status: expected {status}, got {}",
            ex.response.status
        ));
    }
    if let Some(body) = &expect.body
        && *body != ex.body_text()
    {
        out.push(format!("body: expected {body:?}, got {:?}", ex.body_text()));
    }
    for (name, value) in &expect.headers {
        match ex.response_header(name) {
            Some(v) if v == value => {}
            got => out.push(format!(
                "response header `{name}`: expected {value:?}, got {got:?}"
            )),
        }
    }
    match (&expect.upstream, &ex.upstream) {
        (None, _) | (Some(UpstreamExpect::Reached(true)), Some(_)) => {}
        (Some(UpstreamExpect::Reached(false)), None) => {}
        (Some(UpstreamExpect::Reached(false)), Some(got)) => out.push(format!(
            "upstream: expected not reached, got {} {}",
            got.method, got.path
        )),
        (Some(_), None) => {
            out.push("upstream: expected a request, got none (a local reply)".into())
        }
        (Some(UpstreamExpect::Received(want)), Some(got)) => {
            if let Some(method) = &want.method
                && *method != got.method
            {
                out.push(format!(
                    "upstream method: expected {method:?}, got {:?}",
                    got.method
                ));
            }
            if let Some(path) = &want.path
                && *path != got.path
            {
                out.push(format!(
                    "upstream path: expected {path:?}, got {:?}",
                    got.path
                ));
            }
            if let Some(body) = &want.body {
                let got = String::from_utf8_lossy(&got.body);
                if *body != got {
                    out.push(format!("upstream body: expected {body:?}, got {got:?}"));
                }
            }
            for (name, value) in &want.headers {
                match ex.upstream_header(name) {
                    Some(v) if v == value => {}
                    got => out.push(format!(
                        "upstream header `{name}`: expected {value:?}, got {got:?}"
                    )),
                }
            }
            for name in &want.absent {
                if let Some(v) = ex.upstream_header(name) {
                    out.push(format!(
                        "upstream header `{name}`: expected absent, got {v:?}"
                    ));
                }
            }
        }
    }
    out
}

/// Where `gatewit test` keeps the adapted module for Envoy.
pub fn work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("gatewit-test-{}", std::process::id()))
}

/// Prints where the tiers disagree: a case that passed on some tiers and
/// failed on others.
pub fn print_disagreements(outcome: &Outcome) {
    let mut by_case: BTreeMap<&str, Vec<(Tier, bool)>> = BTreeMap::new();
    for (case, tier, mismatches) in &outcome.results {
        by_case
            .entry(case)
            .or_default()
            .push((*tier, mismatches.is_empty()));
    }
    for (case, tiers) in by_case {
        let passed: Vec<&str> = tiers.iter().filter(|t| t.1).map(|t| t.0.name()).collect();
        let failed: Vec<&str> = tiers.iter().filter(|t| !t.1).map(|t| t.0.name()).collect();
        if !passed.is_empty() && !failed.is_empty() {
            println!(
                "tiers disagree on `{case}`: passes on {}, fails on {}",
                passed.join(", "),
                failed.join(", ")
            );
        }
    }
}
