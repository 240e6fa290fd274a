//! `gatewit serve`: the plugin in a real Envoy 1.40 in front of an upstream,
//! reloaded whenever the plugin or its configuration changes.
//!
//! Envoy reads its listener from a file (filesystem LDS): a reload writes a
//! new module under a new name and moves a new listener file into place, so
//! Envoy swaps the filter chain without unbinding the port; connections in
//! flight finish on the old plugin. A plugin that fails to load or rejects
//! its configuration leaves the previous one serving, and the reason is
//! printed.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use gatewit_envoy_harness::{Bind, EnvoyConfig, RecordingUpstream, RouteTarget, WasmFilter};
use serde_json::{Value, json};

/// How often the watched files are checked.
const POLL: Duration = Duration::from_millis(300);
/// A 12 MB JavaScript plugin takes ~10 s to compile in V8.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// What `gatewit serve` was asked for.
pub struct Options {
    /// A component file, or a crate directory (built on each change).
    pub plugin: PathBuf,
    /// `--config`: JSON text, `@file` (watched), or none.
    pub config: Option<String>,
    /// The upstream; `None`: a built-in echo server.
    pub upstream: Option<SocketAddr>,
    /// The listener.
    pub listen: SocketAddr,
    /// HTTP clusters the plugin calls, by name.
    pub clusters: BTreeMap<String, SocketAddr>,
    /// Redis clusters, by name.
    pub redis: BTreeMap<String, SocketAddr>,
    /// The adapter profile.
    pub profile: gatewit_adapter::Profile,
    /// Envoy's log level for the plugin's own lines (`wasm` component).
    pub log_level: String,
    /// Serve through the host shim instead of Envoy.
    pub shim: bool,
}

/// Runs until `stop` is set (Ctrl-C), then stops Envoy and cleans up.
pub fn serve(options: &Options, stop: &Arc<AtomicBool>) -> Result<()> {
    if options.shim {
        return crate::serve_shim::serve(options, stop);
    }
    let work = std::env::temp_dir().join(format!("gatewit-serve-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating `{}`", work.display()))?;
    let result = serve_in(options, stop, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn serve_in(options: &Options, stop: &Arc<AtomicBool>, work: &Path) -> Result<()> {
    let (_echo, upstream) = upstream_of(options)?;
    let mut watch = Watch::new(options);
    let (module, config) = prepare(options, work, watch.generation)?;
    let lds = work.join("listener.json");
    write_listener(options, upstream, &module, &config, &lds, watch.generation)?;
    let bootstrap = bootstrap(options, upstream, &lds, work)?;

    let mut envoy = Envoy::start(&bootstrap, work, &options.log_level)?;
    envoy.wait_listening(options.listen, stop)?;
    let admin = envoy.admin()?;
    announce(options, "", upstream);

    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(POLL);
        if let Some(status) = envoy.child.try_wait().context("checking on Envoy")? {
            bail!("envoy exited ({status}); its last lines are above");
        }
        let Some(generation) = watch.changed(options) else {
            continue;
        };
        let prepared = prepare(options, work, generation);
        let (module, config) = match prepared {
            Ok(p) => p,
            Err(e) => {
                println!("  not reloaded, the previous plugin keeps serving: {e:#}");
                continue;
            }
        };
        let before = lds_counters(admin);
        write_listener(options, upstream, &module, &config, &lds, generation)?;
        match wait_lds(admin, before, stop) {
            Ok(true) => println!("  reloaded: new connections use generation {generation}"),
            Ok(false) => println!(
                "  envoy rejected generation {generation} (see its log above); the previous plugin keeps serving"
            ),
            Err(e) => println!("  could not tell whether envoy reloaded: {e:#}"),
        }
    }
    println!("stopping envoy");
    envoy.stop();
    Ok(())
}

/// The upstream requests go to: the one given, or a built-in echo server
/// (which lives as long as the returned value).
pub(crate) fn upstream_of(options: &Options) -> Result<(Option<RecordingUpstream>, SocketAddr)> {
    match options.upstream {
        Some(addr) => Ok((None, addr)),
        None => {
            let echo = RecordingUpstream::start().context("starting the echo upstream")?;
            echo.echo();
            let addr = echo.addr();
            Ok((Some(echo), addr))
        }
    }
}

/// What is served where, once it is (`through`: how, for the shim).
pub(crate) fn announce(options: &Options, through: &str, upstream: SocketAddr) {
    let echo = if options.upstream.is_none() {
        " (built-in echo: answers with the request it got)"
    } else {
        ""
    };
    println!(
        "serving `{}`{through} on http://{} → upstream {upstream}{echo}",
        options.plugin.display(),
        options.listen,
    );
    println!("  edit the plugin or its config to reload; Ctrl-C stops");
}

/// Notices changes to what makes the plugin and numbers the generations.
pub(crate) struct Watch {
    seen: Vec<(PathBuf, Option<SystemTime>)>,
    /// The generation serving (1 at start).
    pub generation: u32,
}

impl Watch {
    pub(crate) fn new(options: &Options) -> Self {
        Self {
            seen: fingerprint(options),
            generation: 1,
        }
    }

    /// The next generation's number when something changed since the
    /// last look (and says so).
    pub(crate) fn changed(&mut self, options: &Options) -> Option<u32> {
        let now = fingerprint(options);
        if now == self.seen {
            return None;
        }
        self.seen = now;
        self.generation += 1;
        println!("change seen: reloading (generation {})", self.generation);
        Some(self.generation)
    }
}

/// Modification times of everything that makes the plugin: the component
/// (or the crate's manifest and sources) and the config file.
fn fingerprint(options: &Options) -> Vec<(PathBuf, Option<SystemTime>)> {
    let mut paths = Vec::new();
    if options.plugin.is_dir() {
        paths.push(options.plugin.join("Cargo.toml"));
        collect(&options.plugin.join("src"), &mut paths);
    } else {
        paths.push(options.plugin.clone());
    }
    if let Some(file) = options.config.as_deref().and_then(|c| c.strip_prefix('@')) {
        paths.push(PathBuf::from(file));
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let modified = std::fs::metadata(&p).and_then(|m| m.modified()).ok();
            (p, modified)
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Builds (for a crate), reads, adapts and writes generation `n` of the
/// module; reads the config. Errors name what to fix.
fn prepare(options: &Options, work: &Path, n: u32) -> Result<(PathBuf, String)> {
    let component = component_of(options)?;
    let bytes = std::fs::read(&component)
        .with_context(|| format!("cannot read `{}`", component.display()))?;
    let started = Instant::now();
    let adapted = gatewit_adapter::adapt(
        &bytes,
        &gatewit_adapter::Options {
            profile: options.profile,
            ..Default::default()
        },
    )
    .with_context(|| format!("cannot adapt `{}`", component.display()))?;
    println!(
        "  adapted `{}` ({} → {} bytes, {} ms)",
        component.display(),
        bytes.len(),
        adapted.module.len(),
        started.elapsed().as_millis()
    );
    let module = work.join(format!("plugin-{n}.wasm"));
    std::fs::write(&module, &adapted.module)
        .with_context(|| format!("cannot write `{}`", module.display()))?;
    let config = crate::demo::parse_config(options.config.as_deref())?;
    let config = if config.is_null() {
        String::new()
    } else {
        config.to_string()
    };
    Ok((module, config))
}

/// The plugin component: the file, or the crate built now.
pub(crate) fn component_of(options: &Options) -> Result<PathBuf> {
    if options.plugin.is_dir() {
        build_crate(&options.plugin)
    } else {
        Ok(options.plugin.clone())
    }
}

/// `cargo build --release --target wasm32-wasip2` in `dir`; the component
/// cargo reports.
fn build_crate(dir: &Path) -> Result<PathBuf> {
    println!(
        "  building `{}` (cargo build --release --target wasm32-wasip2)",
        dir.display()
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!("`cargo build` failed (errors above)");
    }
    let mut found = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        for file in message["filenames"].as_array().into_iter().flatten() {
            if let Some(f) = file.as_str().filter(|f| f.ends_with(".wasm")) {
                found = Some(PathBuf::from(f));
            }
        }
    }
    found.context("`cargo build` produced no `.wasm` file: is the crate a `cdylib`?")
}

/// The listener file Envoy watches, moved into place in one step.
fn write_listener(
    options: &Options,
    upstream: SocketAddr,
    module: &Path,
    config: &str,
    lds: &Path,
    generation: u32,
) -> Result<()> {
    let bootstrap = envoy_config(options, upstream, module, config).bootstrap();
    let mut listener = bootstrap["static_resources"]["listeners"][0].clone();
    listener["@type"] = json!("type.googleapis.com/envoy.config.listener.v3.Listener");
    let file = json!({ "version_info": generation.to_string(), "resources": [listener] });
    let partial = lds.with_extension("json.next");
    std::fs::write(&partial, serde_json::to_vec_pretty(&file)?)
        .with_context(|| format!("cannot write `{}`", partial.display()))?;
    std::fs::rename(&partial, lds).with_context(|| format!("cannot replace `{}`", lds.display()))
}

fn envoy_config(
    options: &Options,
    upstream: SocketAddr,
    module: &Path,
    config: &str,
) -> EnvoyConfig {
    let mut envoy = EnvoyConfig::direct_response().with_wasm(WasmFilter::new(module, config));
    envoy.route_name = "default".into();
    envoy.route = RouteTarget::Upstream {
        cluster: "upstream".into(),
        addr: upstream,
    };
    envoy.clusters.http = options.clusters.clone();
    envoy.clusters.redis = options.redis.clone();
    envoy.route_timeout_ms = 60_000;
    envoy.bind = Bind {
        listener: options.listen,
        admin: SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    envoy
}

/// The bootstrap: the clusters static, the listener from `lds`.
fn bootstrap(options: &Options, upstream: SocketAddr, lds: &Path, work: &Path) -> Result<PathBuf> {
    // The module path only matters for the listener, which is dynamic here.
    let mut bootstrap = envoy_config(options, upstream, Path::new("-"), "").bootstrap();
    if let Some(statics) = bootstrap["static_resources"].as_object_mut() {
        statics.remove("listeners");
    }
    bootstrap["dynamic_resources"] = json!({
        "lds_config": {
            "path_config_source": { "path": lds.display().to_string() },
            "resource_api_version": "V3",
        }
    });
    bootstrap["node"] = json!({ "id": "gatewit-serve", "cluster": "gatewit-serve" });
    let path = work.join("envoy.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&bootstrap)?)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

/// `listener_manager.lds.update_success` and `…update_rejected`.
fn lds_counters(admin: SocketAddr) -> Option<(u64, u64)> {
    let (_, stats) = gatewit_envoy_harness::client::get(
        admin,
        "/stats?filter=listener_manager.lds.update_",
        Duration::from_secs(5),
    )
    .ok()?;
    let read = |name: &str| {
        stats.lines().find_map(|l| {
            l.strip_prefix(name)
                .and_then(|v| v.strip_prefix(": "))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
    };
    Some((
        read("listener_manager.lds.update_success")?,
        read("listener_manager.lds.update_rejected").unwrap_or(0),
    ))
}

/// Waits until Envoy took (`true`) or rejected (`false`) the new listener.
fn wait_lds(admin: SocketAddr, before: Option<(u64, u64)>, stop: &AtomicBool) -> Result<bool> {
    let before = before.context("envoy's admin endpoint did not answer")?;
    let deadline = Instant::now() + READY_TIMEOUT;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        if let Some((ok, rejected)) = lds_counters(admin) {
            if ok > before.0 {
                return Ok(true);
            }
            if rejected > before.1 {
                return Ok(false);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("no answer within {} s", READY_TIMEOUT.as_secs())
}

/// The Envoy child and its log relay.
struct Envoy {
    child: Child,
    admin_path: PathBuf,
}

impl Envoy {
    fn start(bootstrap: &Path, work: &Path, log_level: &str) -> Result<Self> {
        let bin = gatewit_envoy_harness::envoy_binary()?;
        let admin_path = work.join("admin-address");
        let mut child = Command::new(&bin)
            .arg("-c")
            .arg(bootstrap)
            .args(["--concurrency", "1", "--disable-hot-restart"])
            .args(["--log-level", "warning"])
            .args(["--component-log-level", &format!("wasm:{log_level}")])
            .arg("--admin-address-path")
            .arg(&admin_path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{}`", bin.display()))?;
        println!("starting envoy (pid {}, {})", child.id(), bin.display());
        if let Some(stderr) = child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(line) = readable(&line) {
                        println!("{line}");
                    }
                }
            });
        }
        Ok(Self { child, admin_path })
    }

    fn wait_listening(&mut self, listen: SocketAddr, stop: &AtomicBool) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&listen, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait().context("checking on Envoy")? {
                bail!("envoy exited before serving ({status}); its log is above");
            }
            if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                self.stop();
                bail!(
                    "envoy did not serve on {listen} within {} s",
                    READY_TIMEOUT.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn admin(&self) -> Result<SocketAddr> {
        let text = std::fs::read_to_string(&self.admin_path)
            .context("envoy did not write its admin address")?;
        text.trim()
            .parse()
            .with_context(|| format!("envoy's admin address `{}`", text.trim()))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Envoy {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Envoy's log line, shortened: the plugin's own lines (`wasm log …`)
/// become `[plugin <level>] <message>`; Envoy's own keep level and message,
/// and its debug chatter (the `wasm` component runs at the plugin's level)
/// is dropped.
fn readable(line: &str) -> Option<String> {
    if let Some((level, message)) = gatewit_envoy_harness::plugin_log_line(line) {
        return Some(format!("[plugin {level}] {message}"));
    }
    match gatewit_envoy_harness::log_fields(line) {
        None => Some(line.to_string()),
        Some(("trace" | "debug", _)) => None,
        Some((level, rest)) => Some(format!("[envoy {level}] {rest}")),
    }
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn plugin_lines_are_shortened() {
        assert_eq!(
            readable(
                "[2026-11-30 11:10:02.123][42][info][wasm] [source/extensions/common/wasm/context.cc:1195] wasm log gatewit : [my-plugin] hello"
            ),
            Some("[plugin info] [my-plugin] hello".into())
        );
        assert_eq!(
            readable("[2026-11-30 11:10:02.123][42][warning][config] [x.cc:1] bad thing"),
            Some("[envoy warning] bad thing".into())
        );
        assert_eq!(
            readable("[2026-11-30 11:10:02.123][42][debug][wasm] [x.cc:1] Base Wasm created"),
            None
        );
        assert_eq!(readable("not a log line"), Some("not a log line".into()));
    }
}
