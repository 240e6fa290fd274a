//! Differential testing: random requests (methods, paths, headers, bodies
//! in chunks, upstream answers, and the raw fixture's per-phase behaviours)
//! through the same plugin on the host shim (the component under wasmtime)
//! and the emulator (the adapted module under a proxy-wasm host): whatever
//! the plugin controls must come out the same.
//!
//! The choices come from a [`Choices`] source: a seeded generator for the
//! test suite's deterministic runs, or the fuzzer's bytes
//! ([`FuzzBytes`]), so libFuzzer steers the sequences by coverage.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result, bail, ensure};
use gatewit_adapter::{ExceptionEncoding, Options, Profile};
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::{Emulator, EmulatorOptions, HostProfile};
use gatewit_test_programs::COMPONENT_TARGET;
use serde_json::{Value, json};

/// Where a run's decisions come from.
pub trait Choices {
    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize;
}

/// A seeded xorshift64* generator: the same seed, the same run.
pub struct Seeded(pub u64);

impl Choices for Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        if n == 0 { 0 } else { (x % n as u64) as usize }
    }
}

/// A fuzzer's input read as decisions, a byte each; an exhausted input
/// answers 0 (the shortest request), so every input is a valid run.
pub struct FuzzBytes<'a> {
    data: &'a [u8],
}

impl<'a> FuzzBytes<'a> {
    /// Decisions read from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
}

impl Choices for FuzzBytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        let Some((&byte, rest)) = self.data.split_first() else {
            return 0;
        };
        self.data = rest;
        if n == 0 { 0 } else { usize::from(byte) % n }
    }
}

fn pick<'a>(c: &mut impl Choices, items: &[&'a str]) -> &'a str {
    items[c.below(items.len())]
}

fn text(c: &mut impl Choices, max: usize) -> String {
    let alphabet = b"abcXYZ019 -_./:;=\"'{}";
    (0..c.below(max + 1))
        .map(|_| alphabet[c.below(alphabet.len())] as char)
        .collect()
}

/// A request: method, path, headers, a body in chunks; `x-action` picks
/// one of `actions` (the raw fixture's per-phase behaviours).
pub fn request(c: &mut impl Choices, actions: &[&str]) -> HttpRequest {
    let path = format!(
        "/{}",
        pick(c, &["", "a", "deny", "x/y?q=1", "%2F", "api/v1"])
    );
    let mut request = match c.below(3) {
        0 => HttpRequest::get("example.com", &path),
        _ => {
            let chunks: Vec<Vec<u8>> = (0..1 + c.below(3))
                .map(|_| text(c, 40).into_bytes())
                .collect();
            let mut r = HttpRequest::post("example.com", &path, Vec::new()).chunks(chunks);
            r.method = pick(c, &["POST", "PUT", "PATCH"]).to_string();
            r
        }
    };
    for _ in 0..c.below(4) {
        let name = pick(c, &["x-name", "x-dup", "accept", "x-a", "content-type"]);
        let value = text(c, 20);
        request = request.header(name, &value);
    }
    if !actions.is_empty() {
        request = request.header("x-action", pick(c, actions));
    }
    request
}

/// An upstream answer: status, maybe a header, a body in chunks.
pub fn upstream(c: &mut impl Choices) -> UpstreamResponse {
    let mut up = UpstreamResponse {
        status: [200, 201, 404, 500][c.below(4)],
        ..UpstreamResponse::default()
    };
    if c.below(2) == 0 {
        up.headers.push(("x-up".into(), text(c, 10)));
    }
    up.body_chunks = (0..c.below(3)).map(|_| text(c, 30).into_bytes()).collect();
    up
}

/// What the plugin controls in an exchange (tiers add their own headers,
/// e.g. framing; those are left out).
pub fn observable(ex: &Exchange) -> Value {
    let keep = |headers: &[(String, String)]| -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = headers
            .iter()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                !matches!(
                    k.as_str(),
                    "content-length"
                        | "transfer-encoding"
                        | "date"
                        | "server"
                        | "host"
                        | "connection"
                ) && !k.starts_with("x-envoy")
            })
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        h.sort();
        h
    };
    json!({
        "upstream": ex.upstream.as_ref().map(|u| json!({
            "method": u.method, "path": u.path, "headers": keep(&u.headers),
            "body": String::from_utf8_lossy(&u.body),
        })),
        "status": ex.response.status,
        "headers": keep(&ex.response.headers),
        "body": String::from_utf8_lossy(&ex.response.body),
    })
}

/// A plugin under comparison: a test program, its configuration and the
/// `x-action` values it understands.
#[derive(Clone, Copy)]
pub struct Subject {
    /// The test program (a `wasm32-wasip2` component).
    pub plugin: &'static str,
    /// Its configuration, as JSON text.
    pub config: &'static str,
    /// `x-action` values (empty: no `x-action` header).
    pub actions: &'static [&'static str],
}

/// The raw fixture, with every per-phase behaviour it has.
pub const RAW_FIXTURE: Subject = Subject {
    plugin: "raw-fixture",
    config: "null",
    actions: &[
        "",
        "local",
        "buffer",
        "headers",
        "local-in-response",
        "queue",
        "unknown",
    ],
};
/// `my-plugin` forwarding (it adds a header).
pub const MY_PLUGIN: Subject = Subject {
    plugin: "my-plugin",
    config: r#"{"mockEnable": false}"#,
    actions: &[],
};
/// `my-plugin` answering by itself.
pub const MY_PLUGIN_MOCK: Subject = Subject {
    plugin: "my-plugin",
    config: r#"{"mockEnable": true}"#,
    actions: &[],
};
/// `hello-world`.
pub const HELLO_WORLD: Subject = Subject {
    plugin: "hello-world",
    config: "null",
    actions: &[],
};
/// `body-rewrite` (request and response bodies).
pub const BODY_REWRITE: Subject = Subject {
    plugin: "body-rewrite",
    config: r#"{"fieldName": "greeting", "fieldValue": "hi"}"#,
    actions: &[],
};

/// The plugins the fuzz target picks from (its first byte).
pub const SUBJECTS: &[Subject] = &[
    RAW_FIXTURE,
    MY_PLUGIN,
    MY_PLUGIN_MOCK,
    HELLO_WORLD,
    BODY_REWRITE,
];

/// The component and its adapted module, read and adapted once per process.
fn programs(plugin: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    type Cache = Mutex<HashMap<String, (Vec<u8>, Vec<u8>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("program cache poisoned"))?;
    if let Some(found) = cache.get(plugin) {
        return Ok(found.clone());
    }
    // A built program is read as is: a fuzzing process must not start
    // cargo (it would inherit the fuzzer's instrumentation flags).
    let path = gatewit_test_programs::wasm_path(plugin, COMPONENT_TARGET);
    let component = if path.is_file() {
        std::fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?
    } else {
        gatewit_test_programs::bytes(plugin, COMPONENT_TARGET)?
    };
    // wasmtime runs the standard exception encoding (V8 in Envoy the legacy).
    let options = Options {
        profile: Profile::Envoy,
        exceptions: ExceptionEncoding::Standard,
        ..Options::default()
    };
    let module = gatewit_adapter::adapt(&component, &options)
        .with_context(|| format!("adapting `{plugin}`"))?
        .module;
    cache.insert(plugin.to_string(), (component.clone(), module.clone()));
    Ok((component, module))
}

/// Sends `requests` requests chosen by `choices` (fewer if `choices` runs
/// out first, at least one) through `subject` on both hosts, fresh ones;
/// fails on the first difference, naming the request.
pub fn compare(subject: Subject, requests: usize, choices: &mut impl Choices) -> Result<()> {
    let Subject {
        plugin,
        config,
        actions,
    } = subject;
    let setup = GatewaySetup {
        plugin_config: serde_json::from_str(config).context("the subject's configuration")?,
        ..GatewaySetup::default()
    };
    let (component, module) = programs(plugin)?;
    let mut shim = ShimGateway::new(component, &setup)?;
    let options = EmulatorOptions {
        profile: HostProfile::Envoy,
        ..EmulatorOptions::default()
    };
    let mut emulator = Emulator::with_options(&module, &setup, options)?;
    for n in 0..requests.max(1) {
        let request = request(choices, actions);
        let upstream = upstream(choices);
        let a = shim.send(&request, &upstream).map(|ex| observable(&ex));
        let b = emulator.send(&request, &upstream).map(|ex| observable(&ex));
        match (a, b) {
            (Ok(a), Ok(b)) => ensure!(
                a == b,
                "`{plugin}` request {n} differs:\n{request:#?}\nupstream answer: {upstream:?}\nhost shim: {a:#}\nemulator:  {b:#}"
            ),
            (a, b) => {
                bail!("`{plugin}` request {n}: {request:#?}\nhost shim: {a:?}\nemulator: {b:?}")
            }
        }
    }
    Ok(())
}

/// The fuzz target: the first byte picks a [`Subject`], the rest drive up
/// to 16 requests through it on both hosts. Panics on a difference.
pub fn differential(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let subject = SUBJECTS[usize::from(which) % SUBJECTS.len()];
    let mut choices = FuzzBytes::new(rest);
    // A request takes at least 8 decisions: the input's length bounds the
    // run, so a longer input means more requests, as libFuzzer expects.
    let requests = (rest.len() / 8).clamp(1, 16);
    if let Err(e) = compare(subject, requests, &mut choices) {
        panic!("the host shim and the emulator disagree: {e:#}");
    }
}
