//! `gatewit run` and `gatewit demo`: one plugin component, shown running in
//! the host shim and, adapted, in a real Envoy in front of a real upstream.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gatewit_envoy_harness::EnvoyGateway;
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};

/// One request of a demo, with the configuration it runs under.
pub struct DemoCase {
    /// What the case shows.
    pub title: String,
    /// The plugin configuration (JSON).
    pub config: serde_json::Value,
    /// The request the client sends.
    pub request: HttpRequest,
}

/// Parses `--config`: JSON text, or `@file` for a file holding it (empty:
/// no configuration).
pub fn parse_config(text: Option<&str>) -> Result<serde_json::Value> {
    let owned;
    let (text, source) = match text {
        None | Some("") => return Ok(serde_json::Value::Null),
        Some(arg) => match arg.strip_prefix('@') {
            Some(path) => {
                owned = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the `--config` file `{path}`"))?;
                (owned.as_str(), format!("`{path}`"))
            }
            None => (arg, "`--config`".to_string()),
        },
    };
    // The text itself stays out of the message: it may be large or hold
    // secrets; serde names the line and column.
    serde_json::from_str(text)
        .with_context(|| format!("{source} ({} bytes) is not JSON", text.len()))
}

/// Builds the request from `gatewit run`'s flags.
pub fn request(
    method: &str,
    path: &str,
    authority: &str,
    headers: &[String],
    body: Option<&str>,
) -> Result<HttpRequest> {
    let mut req = HttpRequest {
        method: method.to_ascii_uppercase(),
        path: path.into(),
        authority: authority.into(),
        ..HttpRequest::default()
    };
    for h in headers {
        let (name, value) = h
            .split_once(':')
            .with_context(|| format!("header `{h}` is not `name: value`"))?;
        req = req.header(name.trim(), value.trim());
    }
    if let Some(body) = body {
        req.body_chunks = vec![body.as_bytes().to_vec()];
    }
    Ok(req)
}

/// Runs `request` through `component` in the host shim and prints what
/// happened, the plugin's log lines included.
/// Says so before compiling a big component (a JavaScript plugin is
/// 12 MB: ~20 s of Cranelift), so a long wait is not mistaken for a hang.
pub fn announce_compile(component: &Path) {
    let size = std::fs::metadata(component).map_or(0, |m| m.len());
    if size > 2 << 20 {
        eprintln!(
            "compiling `{}` ({:.1} MB) with wasmtime: about 2 s per MB…",
            component.display(),
            size as f64 / 1e6
        );
    }
}

/// What `gatewit run` puts behind the plugin.
pub struct Backends {
    /// The upstream's answer.
    pub upstream: UpstreamResponse,
    /// Real HTTP clusters.
    pub clusters: std::collections::BTreeMap<String, std::net::SocketAddr>,
    /// Canned answers: cluster, status, body.
    pub mocks: Vec<(String, u16, String)>,
    /// Real Redis clusters.
    pub redis: std::collections::BTreeMap<String, std::net::SocketAddr>,
}

/// `gatewit run`: one request through the component in the host shim;
/// prints what the upstream got (headers and body), what the client got
/// (status, headers, body), the calls the plugin made and its log.
pub fn run_in_shim(
    component: &Path,
    config: serde_json::Value,
    request: &HttpRequest,
    backends: &Backends,
) -> Result<()> {
    announce_compile(component);
    let mut setup = GatewaySetup {
        plugin_config: config,
        ..GatewaySetup::default()
    };
    setup.clusters.http = backends.clusters.clone();
    setup.clusters.redis = backends.redis.clone();
    let mut gw = ShimGateway::with(component, &setup, |mut builder| {
        for (cluster, status, body) in &backends.mocks {
            builder = builder.http_mock(
                cluster,
                gatewit_host_shim::harness::MockHttp::Respond(
                    gatewit_host_shim::backend::HttpCallResponse::new(
                        *status,
                        &[],
                        body.as_bytes(),
                    ),
                ),
            );
        }
        builder
    })
    .with_context(|| format!("cannot start `{}` in the host shim", component.display()))?;
    let ex = gw.send(request, &backends.upstream)?;
    print_exchange(request, &ex);
    if let Some(up) = &ex.upstream
        && !up.body.is_empty()
    {
        println!("  upstream body {:?}", String::from_utf8_lossy(&up.body));
    }
    let headers: Vec<String> = ex
        .response
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    println!("  response headers [{}]", headers.join(", "));
    for call in gw.host().http_calls() {
        let header = |n: &str| call.request.header(n).unwrap_or("");
        let outcome = match &call.outcome {
            Some(Ok(r)) => format!("answered {}", r.status().unwrap_or_default()),
            Some(Err(e)) => format!("failed: {e:?}"),
            None => "never answered".into(),
        };
        println!(
            "  call     {} {} {} → `{}` ({outcome})",
            header(":method"),
            header(":authority"),
            header(":path"),
            call.cluster
        );
    }
    for log in gw.host().logs() {
        println!("  log      {:?} {}", log.level, log.message);
    }
    Ok(())
}

/// The demo: each case runs in the host shim (the component as built), then
/// in Envoy 1.40 (the component adapted to proxy-wasm), and the two answers
/// are printed side by side.
pub fn demo(component: &Path, out_dir: &Path, cases: &[DemoCase]) -> Result<()> {
    let bytes = std::fs::read(component)
        .with_context(|| format!("cannot read `{}`", component.display()))?;
    println!(
        "plugin component: {} ({} bytes)",
        component.display(),
        bytes.len()
    );

    let adapted = gatewit_adapter::adapt(&bytes, &gatewit_adapter::Options::default())
        .with_context(|| format!("cannot adapt `{}`", component.display()))?;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create `{}`", out_dir.display()))?;
    let module: PathBuf = out_dir.join("demo.proxy.wasm");
    std::fs::write(&module, &adapted.module)
        .with_context(|| format!("cannot write `{}`", module.display()))?;
    let r = &adapted.report;
    println!(
        "adapted:          {} ({} bytes; proxy-wasm exports: {})",
        module.display(),
        r.output_size,
        r.exports
            .iter()
            .filter(|e| e.starts_with("proxy_on"))
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );

    for case in cases {
        println!("\n== {}  (config: {})", case.title, case.config);
        let setup = GatewaySetup {
            plugin_config: case.config.clone(),
            ..GatewaySetup::default()
        };
        let upstream = UpstreamResponse::default();

        let mut shim = ShimGateway::new(component, &setup).context("cannot start the host shim")?;
        let ex = shim.send(&case.request, &upstream)?;
        println!("-- host shim (component under wasmtime)");
        print_exchange(&case.request, &ex);

        let mut envoy = EnvoyGateway::start(&module, &setup).context("cannot start envoy")?;
        let ex = envoy.send(&case.request, &upstream)?;
        println!(
            "-- envoy 1.40 (adapted module, real upstream on {})",
            envoy.upstream().addr()
        );
        print_exchange(&case.request, &ex);
    }
    Ok(())
}

fn print_exchange(request: &HttpRequest, ex: &Exchange) {
    println!(
        "  client   {} {} (host {})",
        request.method, request.path, request.authority
    );
    match &ex.upstream {
        Some(up) => {
            let shown: Vec<String> = up
                .headers
                .iter()
                .filter(|(k, _)| {
                    !k.starts_with("x-envoy")
                        && !k.starts_with("x-forwarded")
                        && k != "x-request-id"
                })
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            println!(
                "  upstream got {} {} [{}]",
                up.method,
                up.path,
                shown.join(", ")
            );
        }
        None => println!("  upstream got nothing (the plugin answered)"),
    }
    println!(
        "  response {} {:?}",
        ex.response.status,
        String::from_utf8_lossy(&ex.response.body)
    );
}
