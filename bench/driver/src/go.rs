//! The pass against a plugin users run today (`--acl-variant NAME=MODULE`):
//! Higress's Go `gpustack-ip-acl` (PyPI `gpustack-higress-plugins` 0.5.1,
//! a Go 1.24 wasip1 build) and gatewit's `ip-acl` example, which reads the
//! same configuration, on one configuration and one request: start-up,
//! Envoy's RSS, module size and instructions per request, in one run.
//!
//! The Go module declares `proxy_abi_version_0_2_100` (Higress's ABI), which
//! stock Envoy refuses; [`envoy_marker`] renames that export to
//! `proxy_abi_version_0_2_1` and leaves everything else byte for byte, and
//! the answers below check that the plugin then does what it does in
//! Higress: pass an allowed consumer, refuse another with its JSON body.

use crate::callgrind::{self, grouped};
use crate::{Spec, startup};
use anyhow::{Context as _, Result, bail, ensure};
use gatewit_abi::proxy::{ABI_VERSION_EXPORT, HIGRESS_ABI_VERSION_EXPORT};
use gatewit_envoy_harness::client::Connection;
use gatewit_envoy_harness::{Envoy, EnvoyConfig, WasmFilter};
use gatewit_test_kit::exchange::HttpRequest;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration both plugins get.
pub const CONFIG: &str = r#"{"consumers": {"bench": {"allowedCidrs": ["127.0.0.0/8"], "deniedCidrs": ["10.0.0.0/8"]}, "blocked": {"allowedCidrs": ["10.0.0.0/8"]}, "gpustack-*": {"deniedCidrs": ["192.0.2.0/24"]}}}"#;
/// The consumer every measured request names: allowed (loopback).
const CONSUMER: &str = "bench";
/// What `blocked` gets from both.
const REFUSAL: &str = r#"{"message":"Client IP not in API key whitelist"}"#;
/// Requests before Envoy's RSS is read.
const RSS_REQUESTS: u32 = 1000;

/// `module` with its Higress ABI marker export renamed to stock Envoy's;
/// every other section is copied as it is.
pub fn envoy_marker(module: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm_encoder::Module::new();
    let mut renamed = false;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload.context("parsing the Go module")?;
        if let wasmparser::Payload::ExportSection(reader) = &payload {
            let mut exports = wasm_encoder::ExportSection::new();
            for export in reader.clone() {
                let export = export.context("reading an export")?;
                let name = if export.name == HIGRESS_ABI_VERSION_EXPORT {
                    renamed = true;
                    ABI_VERSION_EXPORT
                } else {
                    export.name
                };
                let kind = match export.kind {
                    wasmparser::ExternalKind::Func => wasm_encoder::ExportKind::Func,
                    wasmparser::ExternalKind::Table => wasm_encoder::ExportKind::Table,
                    wasmparser::ExternalKind::Memory => wasm_encoder::ExportKind::Memory,
                    wasmparser::ExternalKind::Global => wasm_encoder::ExportKind::Global,
                    wasmparser::ExternalKind::Tag => wasm_encoder::ExportKind::Tag,
                    other => bail!("export `{}` of unsupported kind {other:?}", export.name),
                };
                exports.export(name, kind, export.index);
            }
            out.section(&exports);
        } else if let Some((id, range)) = payload.as_section() {
            out.section(&wasm_encoder::RawSection {
                id,
                data: &module[range],
            });
        }
    }
    ensure!(
        renamed,
        "the module exports no `{HIGRESS_ABI_VERSION_EXPORT}`: not a Higress build"
    );
    let bytes = out.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .context("the renamed module does not validate")?;
    Ok(bytes)
}

/// A Higress module made loadable by stock Envoy, written next to the
/// bench's other modules as `<name>.envoy.wasm`; the path to use (`module`
/// itself when it needs no change).
pub fn prepare(name: &str, module: &Path) -> Result<PathBuf> {
    let bytes = std::fs::read(module).with_context(|| format!("reading `{}`", module.display()))?;
    if !wasmparser::Parser::new(0)
        .parse_all(&bytes)
        .filter_map(Result::ok)
        .any(|p| {
            matches!(&p, wasmparser::Payload::ExportSection(r)
            if r.clone().into_iter().flatten().any(|e| e.name == HIGRESS_ABI_VERSION_EXPORT))
        })
    {
        return Ok(module.to_owned());
    }
    let out = gatewit_test_programs::target_dir()
        .join("bench")
        .join(format!("{}.envoy.wasm", slug(name)));
    std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&out, envoy_marker(&bytes)?)
        .with_context(|| format!("writing `{}`", out.display()))?;
    Ok(out)
}

/// `Go ip-acl (x)` → `go-ip-acl-x`.
fn slug(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
}

fn request(addr: std::net::SocketAddr, consumer: &str) -> HttpRequest {
    HttpRequest::get(&addr.to_string(), "/").header("x-mse-consumer", consumer)
}

/// The pass's results.
pub struct Results {
    startup: startup::Results,
    /// Envoy's RSS (kB) after 100 and after [`RSS_REQUESTS`] requests.
    rss: Vec<Option<(u64, u64)>>,
    counts: Option<callgrind::Results>,
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Checks both answers and reads RSS, per variant; then start-up; then,
/// with `counts`, callgrind.
pub fn run(
    specs: &[Spec],
    startup_runs: u32,
    counts: Option<(u32, u32, usize)>,
) -> Result<Results> {
    let mut rss = Vec::new();
    for spec in specs {
        let config = match &spec.module {
            None => EnvoyConfig::direct_response(),
            Some(m) => EnvoyConfig::direct_response().with_wasm(WasmFilter::new(m, CONFIG)),
        };
        let envoy = Envoy::start(&config).with_context(|| format!("starting `{}`", spec.name))?;
        let addr = envoy.listener_addr();
        let mut connection = Connection::open(addr, Duration::from_secs(30))?;
        if spec.module.is_some() {
            let refused = connection.send(&request(addr, "blocked"))?;
            ensure!(
                refused.status == 403 && refused.body == REFUSAL.as_bytes(),
                "`{}` answered consumer `blocked` with {} {:?}, not 403 {REFUSAL}\n{}",
                spec.name,
                refused.status,
                String::from_utf8_lossy(&refused.body),
                envoy.relevant_log_lines()
            );
            connection = Connection::open(addr, Duration::from_secs(30))?;
        }
        let mut after_100 = None;
        for k in 1..=RSS_REQUESTS {
            let answer = connection.send(&request(addr, CONSUMER))?;
            ensure!(
                answer.status == 200,
                "`{}` answered consumer `{CONSUMER}` with {}",
                spec.name,
                answer.status
            );
            if k == 100 {
                after_100 = rss_kb(envoy.pid());
            }
        }
        rss.push(after_100.zip(rss_kb(envoy.pid())));
    }
    let startup = startup::run(specs, startup_runs, CONFIG)?;
    let counts = match counts {
        Some((warmup, requests, jobs)) => Some(callgrind::run(
            specs,
            callgrind::Options {
                warmup,
                requests,
                jobs,
                out_dir: gatewit_test_programs::target_dir()
                    .join("gatewit-bench")
                    .join("callgrind-go"),
                cluster: None,
                configuration: CONFIG.into(),
                headers: vec![("x-mse-consumer".into(), CONSUMER.into())],
                from_launch: false,
            },
        )?),
        None => None,
    };
    Ok(Results {
        startup,
        rss,
        counts,
    })
}

/// The report's section "Against a Go plugin".
pub fn report(md: &mut String, specs: &[Spec], results: &Results) -> Result<()> {
    writeln!(md, "## Against a Go plugin: Higress `ip-acl`\n")?;
    writeln!(
        md,
        "`gpustack-ip-acl` 0.1.0 from PyPI's `gpustack-higress-plugins` 0.5.1 (Go 1.24, wasip1, Higress's \
         wasm-go SDK; its `proxy_abi_version_0_2_100` export renamed to `proxy_abi_version_0_2_1` by the \
         driver, nothing else changed) against gatewit's `examples/ip-acl`, which reads the same \
         configuration. Both get `{CONFIG}`; every measured request names consumer `{CONSUMER}` \
         (allowed: loopback), and before measuring, consumer `blocked` must get `403 {REFUSAL}` from \
         both. Envoy `--concurrency 1`, a `direct_response` route.\n"
    )?;
    let instructions = |i: usize| {
        results.counts.as_ref().map(|c| {
            let per = |j: usize| c.counts[j].per_request(c.options.requests);
            per(i) - per(0)
        })
    };
    let go = specs.iter().position(|s| s.name.contains("Go"));
    writeln!(
        md,
        "| variant | module size | start-up (median) | Envoy RSS after 100 → {RSS_REQUESTS} requests | instructions/request above no filter | share of the Go plugin's |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|---:|")?;
    for (i, spec) in specs.iter().enumerate() {
        let start = results
            .startup
            .median(i)
            .map_or("—".into(), |d| format!("{:.2} s", d.as_secs_f64()));
        let rss = results.rss[i].map_or("—".into(), |(a, b)| {
            format!("{} → {} MB", a / 1024, b / 1024)
        });
        let (above, share) = match (instructions(i), go.and_then(instructions)) {
            (Some(x), _) if i == 0 => (grouped(x), "—".into()),
            (Some(x), Some(g)) if g > 0.0 => (grouped(x), format!("{:.2}", x / g)),
            (Some(x), _) => (grouped(x), "—".into()),
            (None, _) => ("—".into(), "—".into()),
        };
        writeln!(
            md,
            "| {} | {} | {start} | {rss} | {above} | {share} |",
            spec.name,
            spec.size_cell()
        )?;
    }
    writeln!(md)?;
    if let Some(c) = &results.counts {
        writeln!(
            md,
            "Instructions counted as in the header section ({} requests after {} uninstrumented, all \
             Envoy's threads); start-up as in the start-up section ({} runs).\n",
            c.options.requests,
            c.options.warmup,
            results.startup.runs()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(module: &[u8]) -> Vec<String> {
        wasmparser::Parser::new(0)
            .parse_all(module)
            .filter_map(Result::ok)
            .filter_map(|p| match p {
                wasmparser::Payload::ExportSection(r) => Some(r),
                _ => None,
            })
            .flat_map(|r| r.into_iter().map(|e| e.unwrap().name.to_owned()))
            .collect()
    }

    #[test]
    fn renames_only_the_higress_marker() -> Result<()> {
        let module = wat::parse_str(
            r#"(module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_100"))
                 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0)
                 (@custom "name-ish" "kept"))"#,
        )?;
        let renamed = envoy_marker(&module)?;
        assert_eq!(
            exports(&renamed),
            [
                "memory",
                "proxy_abi_version_0_2_1",
                "proxy_on_request_headers"
            ]
        );
        // Everything but the export section is byte for byte the same.
        assert_eq!(renamed.len(), module.len() - 2);
        assert!(renamed.windows(4).any(|w| w == b"kept"));
        let plain = wat::parse_str(r#"(module (func (export "proxy_abi_version_0_2_1")))"#)?;
        let err = envoy_marker(&plain).unwrap_err().to_string();
        assert!(err.contains("not a Higress build"), "{err}");
        assert_eq!(
            slug("Go ip-acl (Higress wasm-go, Go 1.24)"),
            "go-ip-acl-higress-wasm-go-go-1-24"
        );
        Ok(())
    }
}
