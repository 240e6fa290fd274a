//! `gatewit new`: a plugin crate of its own, ready to build, run and adapt.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The guest SDK of the checkout this binary was built from; a plugin
/// outside the checkout points at it until the SDK is published.
fn bundled_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest-sdk")
}

/// Creates the plugin crate `dir` (named after its last component unless
/// `name` is given), depending on the guest SDK at `sdk`.
pub fn create(dir: &Path, name: Option<&str>, sdk: Option<&Path>) -> Result<Vec<PathBuf>> {
    let name = match name {
        Some(name) => name.to_string(),
        None => dir
            .file_name()
            .and_then(|n| n.to_str())
            .with_context(|| {
                format!(
                    "cannot take a crate name from `{}`; pass --name",
                    dir.display()
                )
            })?
            .to_string(),
    };
    check_name(&name)?;
    let sdk = sdk.map_or_else(bundled_sdk, Path::to_path_buf);
    let sdk = sdk.canonicalize().with_context(|| {
        format!(
            "the guest SDK is not at `{}`; pass --sdk <path to gatewit's guest-sdk>",
            sdk.display()
        )
    })?;
    if !sdk.join("Cargo.toml").is_file() {
        bail!(
            "`{}` is not a crate (no Cargo.toml); pass --sdk <path to gatewit's guest-sdk>",
            sdk.display()
        );
    }
    if dir.exists() && dir.read_dir().map_or(true, |mut d| d.next().is_some()) {
        bail!("`{}` already exists and is not empty", dir.display());
    }
    let lib = name.replace('-', "_");
    let files = [
        ("Cargo.toml", cargo_toml(&name, &sdk)),
        ("rust-toolchain.toml", TOOLCHAIN.to_string()),
        (".cargo/config.toml", CARGO_CONFIG.to_string()),
        (".gitignore", "/target\n*.proxy.wasm\n".to_string()),
        ("src/lib.rs", LIB_RS.replace("{name}", &name)),
        ("scenarios.json", SCENARIOS.replace("{name}", &name)),
        ("test.sh", TEST_SH.replace("{lib}", &lib)),
        (
            "README.md",
            README.replace("{name}", &name).replace("{lib}", &lib),
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        if path.extension().is_some_and(|e| e == "sh") {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .with_context(|| format!("cannot make `{}` executable", path.display()))?;
        }
        written.push(path);
    }
    Ok(written)
}

/// Cargo's rules for a package name, so the failure comes now and names
/// the cause rather than at the first build.
fn check_name(name: &str) -> Result<()> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        bail!(
            "`{name}` is not a usable crate name: use lowercase letters, digits, `-` and `_`, starting with a letter"
        );
    }
    Ok(())
}

fn cargo_toml(name: &str, sdk: &Path) -> String {
    // Debug-format the path: a TOML basic string with the same escapes.
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
gatewit-sdk = {{ path = {sdk:?} }}
serde = {{ version = "1", features = ["derive"] }}

# Its own workspace, wherever it is created.
[workspace]

[profile.release]
opt-level = "s"
lto = true
codegen-units = 1
strip = "debuginfo"
panic = "abort"
"#,
        sdk = sdk.display().to_string(),
    )
}

const TOOLCHAIN: &str = r#"[toolchain]
channel = "1.95.0"
targets = ["wasm32-wasip2"]
profile = "minimal"
"#;

/// Plugin code built without PIC (`wasm32-wasip2` builds position-
/// independent code by default): its statics' addresses then sit in the
/// loads' offsets instead of being added to `__memory_base` at every access.
const CARGO_CONFIG: &str = r#"# The adapter makes the plugin one module: no dynamic linking, so no
# position-independent code, whose every access to a static adds a base.
[target.wasm32-wasip2]
rustflags = ["-C", "relocation-model=static"]
"#;

const LIB_RS: &str = r#"//! `{name}`: a gatewit plugin. It adds a configured header to every
//! request, and answers 403 itself for paths it is told to deny.

use gatewit_sdk::{HeaderAction, HttpContext, Plugin};
use serde::Deserialize;

/// The configuration, as JSON from the gateway (Higress `_rules_` can
/// override it per route, domain or service).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Header added to each request that goes upstream.
    #[serde(default = "default_header")]
    pub header: String,
    /// Its value.
    #[serde(default = "default_value")]
    pub value: String,
    /// Requests whose path starts with one of these are answered 403.
    #[serde(default)]
    pub deny_prefixes: Vec<String>,
}

fn default_header() -> String {
    "x-{name}".into()
}

fn default_value() -> String {
    "on".into()
}

/// The plugin.
pub struct Main;

#[gatewit_sdk::plugin]
impl Plugin for Main {
    type Config = Config;

    fn on_request_headers(ctx: &mut HttpContext, config: &Config) -> HeaderAction {
        let path = ctx.path();
        if config.deny_prefixes.iter().any(|p| path.starts_with(p.as_str())) {
            if let Err(e) = ctx.send_http_response(403, &[], "denied by {name}") {
                gatewit_sdk::log_error!("cannot send the local reply: {e}");
            }
            return HeaderAction::Continue;
        }
        if let Err(e) = ctx.add_request_header(&config.header, &config.value) {
            gatewit_sdk::log_warn!("cannot add `{}`: {e}", config.header);
        }
        HeaderAction::Continue
    }
}
"#;

/// The crate's test: build, then its scenarios on every tier.
const TEST_SH: &str = r#"#!/usr/bin/env sh
# Builds the plugin and runs scenarios.json through it on the host shim, the
# emulator and a real Envoy 1.40 (`TIER=shim ./test.sh` for the shim alone).
# Needs `gatewit` on PATH (`cargo install --path <gatewit checkout>/cli`).
set -eu
cd "$(dirname "$0")"
cargo build --release --target wasm32-wasip2
gatewit test "${CARGO_TARGET_DIR:-target}/wasm32-wasip2/release/{lib}.wasm" scenarios.json --tier "${TIER:-all}"
"#;

/// The README's table as a `gatewit test` file.
const SCENARIOS: &str = r#"{
  "cases": [
    {
      "name": "adds x-{name}: on by default",
      "config": {},
      "requests": [
        {"request": {"path": "/api"}, "expect": {"status": 200, "upstream": {"path": "/api", "headers": {"x-{name}": "on"}}}}
      ]
    },
    {
      "name": "adds the configured header",
      "config": {"header": "x-team", "value": "blue"},
      "requests": [
        {"request": {"path": "/api"}, "expect": {"status": 200, "upstream": {"headers": {"x-team": "blue"}, "absent": ["x-{name}"]}}}
      ]
    },
    {
      "name": "denies configured prefixes",
      "config": {"denyPrefixes": ["/admin"]},
      "requests": [
        {"request": {"path": "/admin/users"}, "expect": {"status": 403, "body": "denied by {name}", "upstream": false}},
        {"request": {"path": "/api"}, "expect": {"status": 200, "upstream": true}}
      ]
    }
  ]
}
"#;

const README: &str = r#"# {name}

A gatewit plugin: adds a configured header to every request and answers
`403 denied by {name}` for paths it is told to deny.

```sh
cargo build --release --target wasm32-wasip2        # → target/wasm32-wasip2/release/{lib}.wasm, a component
gatewit run target/wasm32-wasip2/release/{lib}.wasm --config '{"header":"x-team","value":"blue"}' --path /api
gatewit adapt target/wasm32-wasip2/release/{lib}.wasm -o {lib}.proxy.wasm   # → Envoy (add --profile higress for Higress)
```

Tests: [`scenarios.json`](scenarios.json) is the table below as requests and
expected answers; `./test.sh` builds the plugin and runs them with
`gatewit test … --tier all` on the host shim, the emulator and a real Envoy
1.40 (add cases as you add behaviour; exit code 1 on any failure, so CI can
run it).

The edit loop: `gatewit serve . --config @config.json` runs the plugin in a
real Envoy 1.40 on http://127.0.0.1:10000 in front of an echo upstream that
answers with the request it received; saving `src/` or `config.json`
rebuilds and reloads it. `gatewit package target/wasm32-wasip2/release/{lib}.wasm -o pkg`
writes the OCI image, a Higress `WasmPlugin` and an `envoy.yaml` to deploy.

| config | request | expected answer | upstream |
|---|---|---|---|
| `{}` | `GET /api` | the upstream's answer | sees `x-{name}: on` |
| `{"header":"x-team","value":"blue"}` | `GET /api` | the upstream's answer | sees `x-team: blue` |
| `{"denyPrefixes":["/admin"]}` | `GET /admin/users` | `403`, body `denied by {name}` | not reached |
| `{"colour":"red"}` | — | the gateway rejects the configuration: ``unknown field `colour` `` | — |
"#;
