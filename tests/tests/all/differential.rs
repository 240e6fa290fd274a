//! Differential testing: random requests (methods, paths, headers, bodies
//! in chunks, upstream answers, and the raw fixture's behaviours) through
//! the same plugin on the host shim (the component under wasmtime) and the
//! emulator (the adapted module under a proxy-wasm host): whatever the
//! plugin controls must come out the same. Deterministic (a fixed seed);
//! a disagreement prints the request that caused it.

use anyhow::{Result, ensure};
use gatewit_adapter::Profile;
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::{Emulator, EmulatorOptions, HostProfile};
use gatewit_tests::adapted::{Toolchain, emulator_module};
use gatewit_tests::plugins::wasm_plugin;
use serde_json::{Value, json};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn text(&mut self, max: usize) -> String {
        let alphabet = b"abcXYZ019 -_./:;=\"'{}";
        (0..self.below(max + 1))
            .map(|_| alphabet[self.below(alphabet.len())] as char)
            .collect()
    }
}

fn random_request(rng: &mut Rng, actions: &[&str]) -> HttpRequest {
    let path = format!(
        "/{}",
        rng.pick(&["", "a", "deny", "x/y?q=1", "%2F", "api/v1"])
    );
    let mut request = match rng.below(3) {
        0 => HttpRequest::get("example.com", &path),
        _ => {
            let chunks: Vec<Vec<u8>> = (0..1 + rng.below(3))
                .map(|_| rng.text(40).into_bytes())
                .collect();
            let mut r = HttpRequest::post("example.com", &path, Vec::new()).chunks(chunks);
            r.method = rng.pick(&["POST", "PUT", "PATCH"]).to_string();
            r
        }
    };
    for _ in 0..rng.below(4) {
        let name = rng.pick(&["x-name", "x-dup", "accept", "x-a", "content-type"]);
        let value = rng.text(20);
        request = request.header(name, &value);
    }
    if !actions.is_empty() {
        request = request.header("x-action", rng.pick(actions));
    }
    request
}

fn random_upstream(rng: &mut Rng) -> UpstreamResponse {
    let mut up = UpstreamResponse {
        status: [200, 201, 404, 500][rng.below(4)],
        ..UpstreamResponse::default()
    };
    if rng.below(2) == 0 {
        up.headers.push(("x-up".into(), rng.text(10)));
    }
    up.body_chunks = (0..rng.below(3))
        .map(|_| rng.text(30).into_bytes())
        .collect();
    up
}

/// What the plugin controls in an exchange (tiers add their own headers,
/// e.g. framing; those are left out).
fn observable(ex: &Exchange) -> Value {
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

fn compare(
    plugin: &str,
    config: Value,
    actions: &[&str],
    requests: usize,
    seed: u64,
) -> Result<()> {
    let setup = GatewaySetup {
        plugin_config: config,
        ..GatewaySetup::default()
    };
    let mut shim = ShimGateway::new(wasm_plugin(plugin)?, &setup)?;
    let module = std::fs::read(emulator_module(plugin, Toolchain::Wasip2, Profile::Envoy)?)?;
    let options = EmulatorOptions {
        profile: HostProfile::Envoy,
        ..EmulatorOptions::default()
    };
    let mut emulator = Emulator::with_options(&module, &setup, options)?;
    let mut rng = Rng(seed);
    for n in 0..requests {
        let request = random_request(&mut rng, actions);
        let upstream = random_upstream(&mut rng);
        let a = shim.send(&request, &upstream).map(|ex| observable(&ex));
        let b = emulator.send(&request, &upstream).map(|ex| observable(&ex));
        match (a, b) {
            (Ok(a), Ok(b)) => ensure!(
                a == b,
                "`{plugin}` request {n} differs:\n{request:#?}\nupstream answer: {upstream:?}\nhost shim: {a:#}\nemulator:  {b:#}"
            ),
            (a, b) => anyhow::bail!(
                "`{plugin}` request {n}: {request:#?}\nhost shim: {a:?}\nemulator: {b:?}"
            ),
        }
    }
    Ok(())
}

#[test]
fn raw_fixture_agrees_on_random_requests() -> Result<()> {
    let actions = [
        "",
        "local",
        "buffer",
        "headers",
        "local-in-response",
        "queue",
        "unknown",
    ];
    compare("raw-fixture", Value::Null, &actions, 1_000, 0x5eed_0001)
}

#[test]
fn sdk_examples_agree_on_random_requests() -> Result<()> {
    compare(
        "my-plugin",
        json!({"mockEnable": false}),
        &[],
        200,
        0x5eed_0002,
    )?;
    compare(
        "my-plugin",
        json!({"mockEnable": true}),
        &[],
        100,
        0x5eed_0003,
    )?;
    compare("hello-world", Value::Null, &[], 100, 0x5eed_0004)?;
    compare(
        "body-rewrite",
        json!({"fieldName": "greeting", "fieldValue": "hi"}),
        &[],
        200,
        0x5eed_0005,
    )
}
