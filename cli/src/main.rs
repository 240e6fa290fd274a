//! `gatewit`: the gatewit command line: adapt plugins for Envoy/Higress, run
//! them locally in the host shim, and demo both.
#![deny(missing_docs)]

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

mod demo;
mod new;
mod package;
mod scenario;
mod serve;
mod serve_shim;

#[derive(Parser)]
#[command(
    name = "gatewit",
    version,
    about = "gatewit: typed WIT plugins for API gateways"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Turn a plugin component into a proxy-wasm v0.2.1 module for Envoy or Higress.
    #[command(
        after_help = "Example:\n  gatewit adapt target/wasm32-wasip2/release/my_plugin.wasm -o my_plugin.proxy.wasm\n  gatewit adapt target/wasm32-wasip2/release/redis_demo.wasm --profile higress -o redis_demo.proxy.wasm"
    )]
    Adapt(AdaptArgs),
    /// Run one request through a plugin component in the host shim and print what happened.
    #[command(
        after_help = "Example:\n  gatewit run target/wasm32-wasip2/release/my_plugin.wasm --config '{\"mockEnable\": true}' --path /hello -H 'x-user: a'\n  gatewit run target/wasm32-wasip2/release/http_call.wasm --config @http-call.json \\\n      --mock-http 'outbound|8080||token.static=200:ok' --upstream-status 201"
    )]
    Run(RunArgs),
    /// Show a plugin in the host shim and, adapted, in a real Envoy 1.40 (the quick-start demo).
    #[command(
        after_help = "Example:\n  scripts/demo.sh    (builds my-plugin, then runs `gatewit demo target/wasm32-wasip2/release/my_plugin.wasm`)"
    )]
    Demo(DemoArgs),
    /// Create a plugin crate of its own, ready to build, run and adapt.
    #[command(
        after_help = "Example:\n  gatewit new my-filter && cd my-filter\n  cargo build --release --target wasm32-wasip2\n  gatewit test target/wasm32-wasip2/release/my_filter.wasm scenarios.json --tier all\n  gatewit serve . --config '{}'"
    )]
    New(NewArgs),
    /// Package a plugin for a gateway: an OCI image (Higress's layout), a
    /// Higress `WasmPlugin` and a runnable `envoy.yaml`.
    #[command(
        after_help = "Example:\n  gatewit package target/wasm32-wasip2/release/my_plugin.wasm \\\n      --config '{\"mockEnable\": true}' --image registry.example.com/plugins/my-plugin -o my-plugin-pkg\n  cd my-plugin-pkg && envoy -c envoy.yaml          # try it locally\n  oras cp --from-oci-layout my-plugin-pkg:1.0.0 registry.example.com/plugins/my-plugin:1.0.0\n  kubectl apply -f my-plugin-pkg/wasmplugin.yaml"
    )]
    Package(PackageArgs),
    /// Serve a plugin from a real Envoy 1.40 in front of an upstream, reloading it when
    /// the plugin (or its crate's sources) or its config file changes.
    #[command(
        after_help = "Example:\n  gatewit serve examples/my-plugin --config @config.json\n  curl http://127.0.0.1:10000/get      # the built-in echo upstream shows what it received\n  # edit config.json or src/lib.rs: gatewit rebuilds, adapts and reloads; Ctrl-C stops"
    )]
    Serve(ServeArgs),
    /// Run a scenario file (requests, upstream answers, expectations) through the plugin
    /// on the host shim, the emulator and/or a real Envoy 1.40; exit code 1 on any failure.
    #[command(
        after_help = "Example:\n  gatewit test target/wasm32-wasip2/release/my_plugin.wasm examples/my-plugin/scenarios.json --tier all\n\nThe file format is in the `gatewit test` section of the README (cli/src/scenario.rs has every key)."
    )]
    Test(TestArgs),
}

#[derive(clap::Args)]
struct TestArgs {
    /// The plugin component.
    plugin: PathBuf,
    /// The scenario file (JSON, or YAML for `.yaml`/`.yml`).
    scenarios: PathBuf,
    /// Where to run: the host shim (fast, no Envoy), the emulator, a real Envoy, or all three.
    #[arg(long, value_enum, default_value_t = TierArg::Shim)]
    tier: TierArg,
    /// The gateway flavour to adapt for (emulator and Envoy tiers).
    #[arg(long, value_enum, default_value_t = ProfileArg::Envoy)]
    profile: ProfileArg,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TierArg {
    /// The component under wasmtime.
    Shim,
    /// The adapted module under the proxy-wasm emulator.
    Emulator,
    /// The adapted module in a real Envoy 1.40.
    Envoy,
    /// All three, in that order; disagreements are listed.
    All,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// The plugin: a component file, or a crate directory (rebuilt on change).
    plugin: PathBuf,
    /// The plugin configuration: JSON, or `@file` (watched: saving it reloads).
    #[arg(long, value_name = "JSON|@FILE")]
    config: Option<String>,
    /// The upstream: `http://HOST:PORT` or `HOST:PORT`; default: a built-in server
    /// answering with the request it got.
    #[arg(long, value_name = "URL", value_parser = parse_upstream)]
    upstream: Option<std::net::SocketAddr>,
    /// Where Envoy listens.
    #[arg(long, default_value = "127.0.0.1:10000")]
    listen: std::net::SocketAddr,
    /// A cluster the plugin calls, `NAME=IP:PORT` (repeatable; NAME as the plugin formats it).
    #[arg(long = "cluster", value_name = "NAME=ADDR", value_parser = parse_cluster)]
    clusters: Vec<(String, std::net::SocketAddr)>,
    /// A Redis cluster, `NAME=IP:PORT` (repeatable; needs `--profile higress` and a Higress Envoy).
    #[arg(long = "redis", value_name = "NAME=ADDR", value_parser = parse_cluster)]
    redis: Vec<(String, std::net::SocketAddr)>,
    /// The gateway flavour to adapt for.
    #[arg(long, value_enum, default_value_t = ProfileArg::Envoy)]
    profile: ProfileArg,
    /// The level of the plugin's log lines Envoy prints (trace, debug, info, warn, error).
    #[arg(long, default_value = "debug")]
    log_level: String,
    /// Serve through the host shim (the component under wasmtime) instead of Envoy:
    /// no Envoy needed, no adapting; one connection at a time.
    #[arg(long)]
    shim: bool,
}

fn parse_cluster(text: &str) -> Result<(String, std::net::SocketAddr), String> {
    let (name, addr) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("`{text}`: expected NAME=IP:PORT"))?;
    let addr = addr
        .parse()
        .map_err(|_| format!("`{addr}` is not an IP:PORT address"))?;
    if name.is_empty() {
        return Err(format!("`{text}`: the cluster name is empty"));
    }
    Ok((name.to_string(), addr))
}

/// `--upstream`: a plain-HTTP origin (`http://localhost:8080`, `127.0.0.1:8080`),
/// resolved once to the address Envoy's static cluster points at.
fn parse_upstream(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    if text.starts_with("https://") {
        return Err(format!(
            "`{text}`: a TLS upstream is not supported; serve it through a plain-HTTP address"
        ));
    }
    let (host, default_port) = match text.strip_prefix("http://") {
        Some(rest) => (rest, Some(80)),
        None if text.contains("://") => {
            return Err(format!("`{text}`: only `http://` upstreams are supported"));
        }
        None => (text, None),
    };
    let host = host.strip_suffix('/').unwrap_or(host);
    if host.contains('/') {
        return Err(format!(
            "`{text}`: an upstream is an origin (`http://HOST:PORT`), without a path"
        ));
    }
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(h, p)| p.parse::<u16>().is_ok() && (!h.contains(':') || h.ends_with(']')));
    let with_port = match (has_port, default_port) {
        (true, _) => host.to_string(),
        (false, Some(port)) => format!("{host}:{port}"),
        (false, None) => {
            return Err(format!(
                "`{text}`: expected `http://HOST:PORT` or `HOST:PORT`"
            ));
        }
    };
    with_port
        .to_socket_addrs()
        .map_err(|e| format!("`{text}`: cannot resolve `{with_port}`: {e}"))?
        .next()
        .ok_or_else(|| format!("`{text}`: `{with_port}` resolves to no address"))
}

#[derive(clap::Args)]
struct PackageArgs {
    /// The plugin component.
    plugin: PathBuf,
    /// The package: a directory (OCI image layout plus `plugin.wasm`,
    /// `wasmplugin.yaml`, `envoy.yaml`), or a `.tar` of the same tree.
    #[arg(short, long)]
    output: PathBuf,
    /// The gateway flavour to adapt for (`higress` for Redis plugins).
    #[arg(long, value_enum, default_value_t = ProfileArg::Envoy)]
    profile: ProfileArg,
    /// The plugin configuration: JSON, or `@file` for a file holding it.
    #[arg(long, value_name = "JSON|@FILE")]
    config: Option<String>,
    /// The plugin's name (default: the component's file name, `_` as `-`).
    #[arg(long)]
    name: Option<String>,
    /// The image tag and plugin version.
    #[arg(long, default_value = "1.0.0")]
    version: String,
    /// The image the `WasmPlugin` pulls, without tag.
    #[arg(long, default_value = "registry.example.com/plugins/NAME")]
    image: String,
    /// A README for the image's documentation layer (default: generated).
    #[arg(long)]
    readme: Option<PathBuf>,
    /// `envoy.yaml`'s listener.
    #[arg(long, default_value = "0.0.0.0:10000")]
    listen: std::net::SocketAddr,
    /// `envoy.yaml`'s upstream (an IP address and port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    upstream: std::net::SocketAddr,
    /// `envoy.yaml`'s admin endpoint.
    #[arg(long, default_value = "127.0.0.1:9901")]
    admin: std::net::SocketAddr,
}

#[derive(clap::Args)]
struct NewArgs {
    /// The directory to create (must not exist, or be empty).
    dir: PathBuf,
    /// The crate name (default: the directory's name).
    #[arg(long)]
    name: Option<String>,
    /// The gatewit guest SDK to depend on (default: the one of this gatewit checkout).
    #[arg(long)]
    sdk: Option<PathBuf>,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The plugin component.
    plugin: PathBuf,
    /// The plugin configuration: JSON, or `@file` for a file holding it.
    #[arg(long, value_name = "JSON|@FILE")]
    config: Option<String>,
    /// Request method.
    #[arg(long, default_value = "GET")]
    method: String,
    /// Request path.
    #[arg(long, default_value = "/")]
    path: String,
    /// Request authority.
    #[arg(long, default_value = "example.com")]
    authority: String,
    /// Request headers, `name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// Request body.
    #[arg(long)]
    body: Option<String>,
    /// The upstream's answer: status.
    #[arg(long, default_value_t = 200)]
    upstream_status: u16,
    /// The upstream's answer: a header, `name: value` (repeatable).
    #[arg(long = "upstream-header")]
    upstream_headers: Vec<String>,
    /// The upstream's answer: body.
    #[arg(long, default_value = "upstream ok")]
    upstream_body: String,
    /// A real HTTP cluster the plugin calls, `NAME=IP:PORT` (repeatable).
    #[arg(long = "cluster", value_name = "NAME=ADDR", value_parser = parse_cluster)]
    clusters: Vec<(String, std::net::SocketAddr)>,
    /// A canned answer for a cluster the plugin calls, `NAME=STATUS[:BODY]` (repeatable).
    #[arg(long = "mock-http", value_name = "NAME=STATUS[:BODY]", value_parser = parse_mock)]
    mocks: Vec<(String, u16, String)>,
    /// A real Redis the plugin's cluster leads to, `NAME=IP:PORT` (repeatable).
    #[arg(long = "redis", value_name = "NAME=ADDR", value_parser = parse_cluster)]
    redis: Vec<(String, std::net::SocketAddr)>,
}

fn parse_mock(text: &str) -> Result<(String, u16, String), String> {
    let (name, answer) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("`{text}`: expected NAME=STATUS[:BODY]"))?;
    let (status, body) = answer.split_once(':').unwrap_or((answer, ""));
    let status = status
        .parse::<u16>()
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| format!("`{status}` is not an HTTP status (100-599)"))?;
    Ok((name.to_string(), status, body.to_string()))
}

#[derive(clap::Args)]
struct DemoArgs {
    /// The `my-plugin` example component (`cargo build --release --target wasm32-wasip2 -p my-plugin`).
    plugin: PathBuf,
    /// Where to write the adapted module.
    #[arg(long, default_value = "target/demo")]
    out_dir: PathBuf,
}

#[derive(clap::Args)]
struct AdaptArgs {
    /// The plugin component (`cargo build --target wasm32-wasip2` output).
    input: PathBuf,
    /// Where to write the proxy-wasm module.
    #[arg(short, long)]
    output: PathBuf,
    /// The gateway flavour to target.
    #[arg(long, value_enum, default_value_t = ProfileArg::Envoy)]
    profile: ProfileArg,
    /// Keep the plugin's function names (bigger module, readable traps).
    #[arg(long)]
    keep_names: bool,
    /// Steps (loop iterations) one callback may take before it is stopped
    /// with a log line and a trap, so a runaway loop cannot hang the
    /// gateway worker; `off` for no limit.
    #[arg(long, value_name = "N|off", default_value = "1000000000", value_parser = parse_limit)]
    max_steps: Limit,
    /// The most linear memory the plugin may grow to, in MiB; past it
    /// `memory.grow` fails (the plugin sees an allocation failure); `off`
    /// for the host's limit.
    #[arg(long, value_name = "MiB|off", default_value = "512", value_parser = parse_memory)]
    max_memory: Limit,
    /// What a plugin panic costs: `reply` answers that request 500 and the
    /// plugin keeps serving (fail closed); `continue` lets that request go
    /// on without the plugin (fail open, as Higress's Go wrapper); `trap`
    /// loses the plugin instance to the gateway's failure policy.
    #[arg(long, value_enum, default_value_t = OnPanicArg::Reply)]
    on_panic: OnPanicArg,
    /// The encoding of the panic handlers: `legacy` (`try`/`catch`) is what
    /// V8 in Envoy and Higress loads; `standard` (`try_table`) is what
    /// wasmtime runs.
    #[arg(long, value_enum, default_value_t = ExceptionsArg::Legacy)]
    exceptions: ExceptionsArg,
    /// In a composition, check each of the plugin's loads and stores
    /// against its own memory, so a stray access traps instead of reaching
    /// a library component's region (a check per access).
    #[arg(long)]
    check_bounds: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnPanicArg {
    /// Answer the request 500; the plugin keeps serving.
    Reply,
    /// Let the request go on without the plugin; the plugin keeps serving.
    Continue,
    /// Trap: the gateway's failure policy replaces the plugin instance.
    Trap,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExceptionsArg {
    /// `try`/`catch`: V8 (Envoy, Higress).
    Legacy,
    /// `try_table`: wasmtime.
    Standard,
}

/// A limit, or none (`off`).
#[derive(Clone, Copy)]
struct Limit(Option<u32>);

fn parse_limit(text: &str) -> Result<Limit, String> {
    if text == "off" {
        return Ok(Limit(None));
    }
    match text.replace('_', "").parse::<u32>() {
        Ok(0) => Err("must be at least 1 (or `off`)".into()),
        Ok(n) => Ok(Limit(Some(n))),
        Err(_) => Err(format!(
            "`{text}` is not a number up to {} or `off`",
            u32::MAX
        )),
    }
}

fn parse_memory(text: &str) -> Result<Limit, String> {
    let Limit(mib) = parse_limit(text)?;
    match mib {
        // 16 pages of 64 KiB per MiB; the wasm32 ceiling is 4 GiB.
        Some(mib) if mib > 4096 => Err(format!(
            "{mib} MiB is more than a 32-bit memory holds (4096)"
        )),
        Some(mib) => Ok(Limit(Some(mib * 16))),
        None => Ok(Limit(None)),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// Stock proxy-wasm ABI v0.2.1 (Envoy).
    Envoy,
    /// The Higress fork (Redis hostcalls, ABI 0.2.100 semantics).
    Higress,
}

fn main() -> std::process::ExitCode {
    let result = match Cli::parse().command {
        Command::Adapt(args) => adapt(args),
        Command::Run(args) => run(args),
        Command::Demo(args) => run_demo(args),
        Command::New(args) => new_plugin(args),
        Command::Package(args) => package_plugin(args),
        Command::Serve(args) => serve_plugin(args),
        Command::Test(args) => test_plugin(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line of causes, not a backtrace: these are user errors.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn new_plugin(args: NewArgs) -> Result<()> {
    let files = new::create(&args.dir, args.name.as_deref(), args.sdk.as_deref())
        .with_context(|| format!("cannot create a plugin in `{}`", args.dir.display()))?;
    for file in files {
        println!("created  {}", file.display());
    }
    println!(
        "next:    cd {} && cargo build --release --target wasm32-wasip2   (then see its README.md)",
        args.dir.display()
    );
    Ok(())
}

/// Reads `path`, refusing anything over `cap` bytes without reading more
/// than one byte past it (`/dev/zero` or a wrong multi-GB file fail at once).
fn read_capped(path: &std::path::Path, cap: usize) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let mut bytes = Vec::new();
    file.take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    if bytes.len() > cap {
        anyhow::bail!(
            "`{}` is larger than {} MiB, the most a plugin component may be: is it the right file?",
            path.display(),
            cap >> 20
        );
    }
    Ok(bytes)
}

fn adapt(args: AdaptArgs) -> Result<()> {
    let input = read_capped(&args.input, gatewit_adapter::MAX_INPUT_SIZE)?;
    let profile = match args.profile {
        ProfileArg::Envoy => gatewit_adapter::Profile::Envoy,
        ProfileArg::Higress => gatewit_adapter::Profile::Higress,
    };
    let adapted = gatewit_adapter::adapt(
        &input,
        &gatewit_adapter::Options {
            profile,
            keep_names: args.keep_names,
            max_steps: args.max_steps.0,
            max_memory_pages: args.max_memory.0,
            on_panic: match args.on_panic {
                OnPanicArg::Reply => gatewit_adapter::OnPanic::Reply,
                OnPanicArg::Continue => gatewit_adapter::OnPanic::Continue,
                OnPanicArg::Trap => gatewit_adapter::OnPanic::Trap,
            },
            exceptions: match args.exceptions {
                ExceptionsArg::Legacy => gatewit_adapter::ExceptionEncoding::Legacy,
                ExceptionsArg::Standard => gatewit_adapter::ExceptionEncoding::Standard,
            },
            check_bounds: args.check_bounds,
        },
    )
    .with_context(|| format!("cannot adapt `{}`", args.input.display()))?;
    std::fs::write(&args.output, &adapted.module)
        .with_context(|| format!("cannot write `{}`", args.output.display()))?;
    let r = &adapted.report;
    println!("world:    {} (gatewit:plugin@{})", r.world, r.version);
    println!("profile:  {}", profile.name());
    match r.hooks_section {
        Some(bits) => println!(
            "hooks:    {} (from `gatewit:hooks` = {bits:#05x})",
            r.hooks.join(", ")
        ),
        None => println!(
            "hooks:    {} (no `gatewit:hooks` section: all)",
            r.hooks.join(", ")
        ),
    }
    println!("glued:    {} plugin imports", r.glued.len());
    println!("imports:  {}", r.imports.join(", "));
    println!("exports:  {}", r.exports.join(", "));
    println!(
        "size:     {} → {} bytes, written to `{}`",
        r.input_size,
        r.output_size,
        args.output.display()
    );
    Ok(())
}

fn test_plugin(args: TestArgs) -> Result<()> {
    use scenario::Tier;
    let file = scenario::load(&args.scenarios)?;
    let tiers = match args.tier {
        TierArg::Shim => vec![Tier::Shim],
        TierArg::Emulator => vec![Tier::Emulator],
        TierArg::Envoy => vec![Tier::Envoy],
        TierArg::All => vec![Tier::Shim, Tier::Emulator, Tier::Envoy],
    };
    let profile = match args.profile {
        ProfileArg::Envoy => gatewit_adapter::Profile::Envoy,
        ProfileArg::Higress => gatewit_adapter::Profile::Higress,
    };
    let work = scenario::work_dir();
    let outcome = scenario::run(&args.plugin, profile, &file, &tiers, &work);
    let _ = std::fs::remove_dir_all(&work);
    let outcome = outcome?;
    if tiers.len() > 1 {
        scenario::print_disagreements(&outcome);
    }
    let failed = outcome.results.iter().filter(|r| !r.2.is_empty()).count();
    println!(
        "{} of {} passed",
        outcome.results.len() - failed,
        outcome.results.len()
    );
    anyhow::ensure!(outcome.passed(), "{failed} failed");
    Ok(())
}

fn serve_plugin(args: ServeArgs) -> Result<()> {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::Relaxed))
        .context("cannot install the Ctrl-C handler")?;
    let level = args.log_level.as_str();
    anyhow::ensure!(
        [
            "trace", "debug", "info", "warn", "warning", "error", "critical"
        ]
        .contains(&level),
        "`--log-level {level}`: use trace, debug, info, warn or error"
    );
    serve::serve(
        &serve::Options {
            plugin: args.plugin,
            config: args.config,
            upstream: args.upstream,
            listen: args.listen,
            clusters: args.clusters.into_iter().collect(),
            redis: args.redis.into_iter().collect(),
            profile: match args.profile {
                ProfileArg::Envoy => gatewit_adapter::Profile::Envoy,
                ProfileArg::Higress => gatewit_adapter::Profile::Higress,
            },
            log_level: if level == "warn" {
                "warning".into()
            } else {
                level.into()
            },
            shim: args.shim,
        },
        &stop,
    )
}

fn package_plugin(args: PackageArgs) -> Result<()> {
    let component = read_capped(&args.plugin, gatewit_adapter::MAX_INPUT_SIZE)?;
    let profile = match args.profile {
        ProfileArg::Envoy => gatewit_adapter::Profile::Envoy,
        ProfileArg::Higress => gatewit_adapter::Profile::Higress,
    };
    let config = demo::parse_config(args.config.as_deref())?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => args
            .plugin
            .file_stem()
            .map(|s| s.to_string_lossy().replace('_', "-"))
            .unwrap_or_default(),
    };
    package::check_name(&name)?;
    let adapted = gatewit_adapter::adapt(
        &component,
        &gatewit_adapter::Options {
            profile,
            ..Default::default()
        },
    )
    .with_context(|| format!("cannot adapt `{}`", args.plugin.display()))?;
    let readme = match &args.readme {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the README `{}`", path.display()))?,
        None => package::default_readme(&name, &args.version, profile.name()),
    };
    let image = args.image.replace("NAME", &name);
    let files = package::files(&package::Request {
        module: &adapted.module,
        name: &name,
        version: &args.version,
        config: &config,
        image: &image,
        readme,
        listen: args.listen,
        upstream: args.upstream,
        admin: args.admin,
    })?;
    package::write(&args.output, &files)
        .with_context(|| format!("cannot write the package `{}`", args.output.display()))?;
    let out = args.output.display();
    println!(
        "packaged `{name}` {} ({} profile, {} bytes adapted) into `{out}`",
        args.version,
        profile.name(),
        adapted.module.len()
    );
    println!(
        "  OCI image layout   push: oras cp --from-oci-layout {out}:{} {image}:{}",
        args.version, args.version
    );
    println!("  wasmplugin.yaml    Higress: kubectl apply -f {out}/wasmplugin.yaml");
    println!(
        "  envoy.yaml         Envoy 1.40: cd {out} && envoy -c envoy.yaml   (listener {}, upstream {})",
        args.listen, args.upstream
    );
    Ok(())
}

fn run(args: RunArgs) -> Result<()> {
    let config = demo::parse_config(args.config.as_deref())?;
    let request = demo::request(
        &args.method,
        &args.path,
        &args.authority,
        &args.headers,
        args.body.as_deref(),
    )?;
    let mut upstream_headers = Vec::new();
    for h in &args.upstream_headers {
        let (k, v) = h
            .split_once(':')
            .with_context(|| format!("`--upstream-header {h}`: expected `name: value`"))?;
        upstream_headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let upstream = gatewit_host_shim::exchange::UpstreamResponse {
        status: args.upstream_status,
        headers: if upstream_headers.is_empty() {
            vec![("content-type".into(), "text/plain".into())]
        } else {
            upstream_headers
        },
        body_chunks: vec![args.upstream_body.into_bytes()],
    };
    demo::run_in_shim(
        &args.plugin,
        config,
        &request,
        &demo::Backends {
            upstream,
            clusters: args.clusters.into_iter().collect(),
            mocks: args.mocks,
            redis: args.redis.into_iter().collect(),
        },
    )
}

fn run_demo(args: DemoArgs) -> Result<()> {
    use gatewit_host_shim::exchange::HttpRequest;
    let cases = [
        demo::DemoCase {
            title: "my-plugin adds `hello: world` to the request".into(),
            config: serde_json::json!({"mockEnable": false}),
            request: HttpRequest::get("example.com", "/hello").header("user-agent", "gatewit-demo"),
        },
        demo::DemoCase {
            title: "my-plugin with `mockEnable` answers by itself".into(),
            config: serde_json::json!({"mockEnable": true}),
            request: HttpRequest::get("example.com", "/hello"),
        },
    ];
    demo::demo(&args.plugin, &args.out_dir, &cases)
}

#[cfg(test)]
mod tests {
    use super::parse_upstream;

    #[test]
    fn upstreams_are_origins_given_as_urls_or_addresses() {
        let local = |port: u16| std::net::SocketAddr::from(([127, 0, 0, 1], port));
        assert_eq!(parse_upstream("http://127.0.0.1:8080"), Ok(local(8080)));
        assert_eq!(parse_upstream("http://127.0.0.1:8080/"), Ok(local(8080)));
        assert_eq!(parse_upstream("127.0.0.1:9000"), Ok(local(9000)));
        assert_eq!(parse_upstream("http://127.0.0.1"), Ok(local(80)));
        assert!(parse_upstream("http://localhost:8080").is_ok_and(|a| a.port() == 8080));
        assert_eq!(
            parse_upstream("http://[::1]:8081"),
            Ok("[::1]:8081".parse().unwrap())
        );
        let err = |s| parse_upstream(s).unwrap_err();
        assert!(
            err("https://example.com").contains("TLS"),
            "{}",
            err("https://example.com")
        );
        assert!(err("http://127.0.0.1:8080/api").contains("without a path"));
        assert!(err("ftp://x:1").contains("only `http://`"));
        assert!(err("127.0.0.1").contains("expected `http://HOST:PORT`"));
        assert!(err("http://no-such-host.invalid:80").contains("cannot resolve"));
    }
}
