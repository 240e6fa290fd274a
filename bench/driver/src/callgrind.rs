//! The instruction-count pass: each variant's Envoy under
//! `valgrind --tool=callgrind`, instrumentation switched on only around a
//! fixed number of requests on one keep-alive connection. Unlike wall-clock
//! rounds, the count does not depend on what else the machine is doing, so
//! a difference of a few hundred instructions per request is real.

use crate::{Spec, has_plugin_header, probe_request};
use anyhow::{Context as _, Result, anyhow, bail, ensure};
use gatewit_envoy_harness::client::Connection;
use gatewit_envoy_harness::{Envoy, EnvoyConfig, Launch, WasmFilter, native_envoy_binary};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// valgrind's arguments before the output file (`--instr-atstart=no`:
/// nothing is counted until `callgrind_control -i on`; `--smc-check`: V8
/// generates and patches code in anonymous memory, which valgrind must
/// re-translate when it changes).
pub(crate) const VALGRIND_ARGS: [&str; 3] = [
    "--tool=callgrind",
    "--instr-atstart=no",
    "--smc-check=all-non-file",
];

/// Envoy's log level under callgrind (as quiet as still shows failures).
pub(crate) const LOG_LEVEL: &str = "warn";

/// Envoy under callgrind runs some 50 times slower; V8 compiling a module
/// at startup is the slow part.
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(300);

/// How long one request may take under callgrind.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What the callgrind pass is told.
pub struct Options {
    /// Requests sent before instrumentation is switched on.
    pub warmup: u32,
    /// Requests counted.
    pub requests: u32,
    /// Envoys under callgrind at the same time.
    pub jobs: usize,
    /// Where each variant's callgrind output is kept.
    pub out_dir: PathBuf,
    /// A cluster every variant's Envoy gets (name, address): the service
    /// the HTTP-call plugins call.
    pub cluster: Option<(String, SocketAddr)>,
    /// The plugin configuration every variant gets.
    pub configuration: String,
    /// Headers added to the probe request.
    pub headers: Vec<(String, String)>,
    /// Count from Envoy's launch to the first answer (V8 compiling the
    /// module and the plugin's start included) instead of requests after
    /// a warm-up: `warmup` is then ignored.
    pub from_launch: bool,
}

/// One variant's count.
pub struct Count {
    /// Instructions (`Ir`) over the counted requests, all threads.
    pub instructions: u64,
    /// Whether the last counted response carried the bench plugins'
    /// response header.
    pub plugin_header: bool,
}

impl Count {
    pub fn per_request(&self, requests: u32) -> f64 {
        self.instructions as f64 / f64::from(requests)
    }
}

/// The pass's results, one [`Count`] per [`Spec`].
pub struct Results {
    pub valgrind_version: String,
    pub envoy: PathBuf,
    pub options: Options,
    pub counts: Vec<Count>,
}

/// Checks that valgrind and `callgrind_control` are installed; returns
/// valgrind's version.
fn check_tools() -> Result<String> {
    let version = crate::tool_version("valgrind")?;
    crate::tool_version("callgrind_control")?;
    Ok(version)
}

/// Counts every variant, `options.jobs` at a time. The first failure
/// (in variant order) is the error; variants not yet started are skipped
/// once one has failed.
pub fn run(specs: &[Spec], options: Options) -> Result<Results> {
    let valgrind_version = check_tools()?;
    let envoy = native_envoy_binary()?;
    std::fs::create_dir_all(&options.out_dir)
        .with_context(|| format!("creating `{}`", options.out_dir.display()))?;
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Result<Count>>>> =
        Mutex::new(specs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.min(specs.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= specs.len() || failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let spec = &specs[i];
                    let dir = options.out_dir.join(dir_name(i, &spec.name));
                    let started = Instant::now();
                    let count = measure(spec, &options, &dir)
                        .with_context(|| format!("counting instructions of `{}`", spec.name));
                    match &count {
                        Ok(count) => eprintln!(
                            "callgrind {:<32} {:>9.0} instructions/request ({} requests, {:.0} s)",
                            spec.name,
                            count.per_request(options.requests),
                            options.requests,
                            started.elapsed().as_secs_f64()
                        ),
                        Err(_) => failed.store(true, Ordering::Relaxed),
                    }
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(count);
                }
            });
        }
    });
    let mut counts = Vec::new();
    for (spec, result) in specs
        .iter()
        .zip(results.into_inner().unwrap_or_else(|e| e.into_inner()))
    {
        match result {
            Some(count) => counts.push(count?),
            None => bail!(
                "`{}` was not counted (an earlier variant failed)",
                spec.name
            ),
        }
    }
    Ok(Results {
        valgrind_version,
        envoy,
        options,
        counts,
    })
}

/// `03-proxy-wasm-crate`: a directory name for variant `i`.
pub(crate) fn dir_name(i: usize, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("{i:02}-{}", slug.trim_matches('-'))
}

/// One variant: start Envoy under callgrind, warm up, count `requests`.
fn measure(spec: &Spec, options: &Options, dir: &Path) -> Result<Count> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    let out_file = dir.join("callgrind.out");
    let valgrind_log = dir.join("valgrind.log");
    let mut config = match &spec.module {
        None => EnvoyConfig::direct_response(),
        Some(path) => EnvoyConfig::direct_response()
            .with_wasm(WasmFilter::new(path, options.configuration.as_str())),
    };
    if let Some((name, addr)) = &options.cluster {
        config.clusters.http.insert(name.clone(), *addr);
    }
    let mut args: Vec<String> = VALGRIND_ARGS
        .iter()
        .map(|a| match *a {
            "--instr-atstart=no" if options.from_launch => "--instr-atstart=yes".to_owned(),
            a => a.to_owned(),
        })
        .collect();
    args.push(format!("--callgrind-out-file={}", out_file.display()));
    args.push(format!("--log-file={}", valgrind_log.display()));
    let launch = Launch::default()
        .log_level(LOG_LEVEL)
        .ready_timeout(READY_TIMEOUT)
        .wrapper("valgrind", args);
    // Envoy's own log lines explain most failures (the error quotes them);
    // valgrind's log is named for the rest.
    let valgrind_note = format!("valgrind's log: `{}`", valgrind_log.display());
    let envoy = Envoy::launch(&config, &launch)
        .map_err(|err| anyhow!("starting envoy under callgrind: {err:#}\n{valgrind_note}"))?;
    // From here on, a failure quotes Envoy's log too.
    let explain = |err: anyhow::Error| {
        anyhow!(
            "{err:#}\nenvoy's log:\n{}\n{valgrind_note}",
            envoy.relevant_log_lines()
        )
    };
    let addr = envoy.listener_addr();
    let mut request = probe_request(addr);
    for (name, value) in &options.headers {
        request = request.header(name, value);
    }
    let mut connection = Connection::open(addr, REQUEST_TIMEOUT).map_err(explain)?;
    let mut send = |phase: &str, n: u32| -> Result<bool> {
        let mut plugin_header = false;
        for k in 0..n {
            let response = connection
                .send(&request)
                .with_context(|| format!("{phase} request {} of {n}", k + 1))?;
            ensure!(
                response.status == 200,
                "{phase} request {} of {n} answered {}",
                k + 1,
                response.status
            );
            plugin_header = has_plugin_header(&response);
        }
        Ok(plugin_header)
    };
    if !options.from_launch {
        // Uninstrumented: V8 tiers up, Envoy's pools and caches fill.
        send("warm-up", options.warmup).map_err(explain)?;
        callgrind_control(envoy.pid(), &["-i", "on"]).map_err(explain)?;
    }
    let plugin_header = send("counted", options.requests).map_err(explain)?;
    // `callgrind_control` waits (through vgdb) until the dump is written.
    callgrind_control(envoy.pid(), &["-d"]).map_err(explain)?;
    let dump = dir.join("callgrind.out.1");
    let text = std::fs::read_to_string(&dump)
        .with_context(|| format!("reading callgrind's dump `{}`", dump.display()))
        .map_err(explain)?;
    drop(envoy);
    let instructions =
        parse_instructions(&text).with_context(|| format!("parsing `{}`", dump.display()))?;
    Ok(Count {
        instructions,
        plugin_header,
    })
}

/// Runs `callgrind_control ARGS PID`, which reports `OK` when the process
/// carried the command out (and exits 0 even when it found no such run).
pub(crate) fn callgrind_control(pid: u32, args: &[&str]) -> Result<()> {
    let out = Command::new("callgrind_control")
        .args(args)
        .arg(pid.to_string())
        .output()
        .context("running `callgrind_control`: run `scripts/install-deps.sh`")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() || !text.contains("OK") {
        bail!(
            "`callgrind_control {} {pid}` failed: {}",
            args.join(" "),
            text.trim()
        );
    }
    Ok(())
}

/// The instruction count (event `Ir`) of a callgrind output file: the sum
/// of its `totals:` lines (one per part), else its `summary:` line. Values are listed in the order of the `events:` line,
/// and trailing zeros may be left out.
pub(crate) fn parse_instructions(text: &str) -> Result<u64> {
    let mut events = None;
    let mut summary = None;
    let mut totals = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("events:") {
            events = Some(rest);
        } else if let Some(rest) = line.strip_prefix("summary:") {
            summary = Some(rest);
        } else if let Some(rest) = line.strip_prefix("totals:") {
            totals.push(rest);
        }
    }
    let events = events.context("no `events:` line: not a callgrind output file")?;
    let ir = events
        .split_whitespace()
        .position(|e| e == "Ir")
        .with_context(|| format!("callgrind counted no instructions (`events:{events}`)"))?;
    let value = |line: &str| -> Result<u64> {
        line.split_whitespace().nth(ir).map_or(Ok(0), |n| {
            n.parse().with_context(|| format!("bad count `{n}`"))
        })
    };
    // The `totals:` lines are what the dump holds; `summary:` can be off
    // (even wrap around) after instrumentation was switched off and on
    // between dumps, as the body pass does.
    match summary {
        _ if !totals.is_empty() => totals.into_iter().map(value).sum(),
        Some(line) => value(line),
        None => bail!("no `summary:` or `totals:` line"),
    }
}

/// `1234567.4` → `1,234,567`.
pub fn grouped(n: f64) -> String {
    let rounded = n.round();
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

/// The report's section "Instructions per request (callgrind)".
pub fn report(md: &mut String, specs: &[Spec], results: &Results) -> Result<()> {
    let Options {
        warmup,
        requests,
        jobs,
        ref out_dir,
        ..
    } = results.options;
    let per: Vec<f64> = results
        .counts
        .iter()
        .map(|c| c.per_request(requests))
        .collect();
    let find = |name: &str| specs.iter().position(|v| v.name == name);
    let empty = find(crate::EMPTY);
    let krate = find(crate::CRATE);
    let above_empty = |i: usize| empty.map(|e| per[i] - per[e]);
    // The crate plugin's cost above the empty module: what the target is
    // relative to.
    let crate_extra = krate.and_then(above_empty).filter(|x| *x > 0.0);

    writeln!(md, "## Instructions per request (callgrind)\n")?;
    writeln!(
        md,
        "Instructions Envoy executes per request (all its threads, V8's generated code included), \
         counted by callgrind over {requests} requests. The count does not depend on other load on \
         the machine and repeats to within a few hundred instructions per request, so small \
         differences here are real where the wall-clock numbers cannot show them. It counts \
         instructions, not time: cache misses and stalls do not show.\n"
    )?;
    writeln!(
        md,
        "| variant | instructions/request | above no filter | above empty module | share of the crate plugin's cost above empty | bench header added |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|---|")?;
    for (i, (spec, count)) in specs.iter().zip(&results.counts).enumerate() {
        let is_base = i == 0 || Some(i) == empty;
        let above = match above_empty(i) {
            Some(x) if i != 0 => grouped(x),
            _ => "—".into(),
        };
        let share = match (above_empty(i), crate_extra) {
            (Some(x), Some(c)) if !is_base => format!("{:.2}", x / c),
            _ => "—".into(),
        };
        writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            spec.name,
            grouped(per[i]),
            grouped(per[i] - per[0]),
            above,
            share,
            if count.plugin_header { "yes" } else { "no" }
        )?;
    }
    writeln!(md)?;

    if let (Some(e), Some(crate_extra)) = (empty, crate_extra) {
        writeln!(
            md,
            "- target: the gatewit plugin may cost at most 0.25 of the crate plugin's {} instructions/request \
             above the empty module, i.e. ≤ {}",
            grouped(crate_extra),
            grouped(crate_extra / 4.0)
        )?;
        match find(crate::GATEWIT) {
            Some(g) => {
                let extra = per[g] - per[e];
                writeln!(
                    md,
                    "- gatewit plugin above the empty module: {} instructions/request, {:.2} of the crate plugin's: **{}**",
                    grouped(extra),
                    extra / crate_extra,
                    if extra <= crate_extra / 4.0 {
                        "met"
                    } else {
                        "not met"
                    }
                )?;
            }
            None => writeln!(
                md,
                "- gatewit plugin: not measured in this run (no `gatewit` variant)"
            )?,
        }
        let floors: Vec<(&str, f64)> = specs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name.starts_with(crate::FLOOR))
            .map(|(i, s)| (s.name.as_str(), (per[i] - per[e]) / crate_extra))
            .collect();
        if let Some(lowest) = floors.iter().map(|(_, r)| *r).min_by(f64::total_cmp) {
            writeln!(
                md,
                "- the same logic with no SDK or adapter code at all (the `{}` rows: raw proxy-wasm exports, \
                 a bump heap): {} of the crate plugin's cost above the empty module{}",
                crate::FLOOR,
                floors
                    .iter()
                    .map(|(name, r)| format!("{r:.2} ({name})"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if lowest > 0.25 {
                    "; even the lowest is above 0.25: on this Envoy, the callbacks and hostcalls this \
                     logic needs cost more than the target allows, whatever the plugin's own code does"
                } else {
                    ""
                }
            )?;
        }
        floor_goal(md, specs, &per, e)?;
        writeln!(md)?;
    }

    if let (Some(e), Some(two), Some(one)) =
        (empty, find(crate::COMPOSED), find(crate::COMPOSED_ONE))
    {
        let (two, one) = (per[two] - per[e], per[one] - per[e]);
        writeln!(
            md,
            "- composition: `my-plugin-composed` (a plugin and a library component joined by `wac plug`, \
             three cross-component calls per request) costs {} instructions/request above the empty module; \
             the same code in one component {}: **{:.2}×** (goal ≤ 1.10: {}); {} instructions per \
             cross-component call\n",
            grouped(two),
            grouped(one),
            two / one,
            if two <= 1.1 * one { "met" } else { "not met" },
            grouped((two - one) / 3.0),
        )?;
        if let Some(checked) = find(crate::COMPOSED_CHECKED) {
            let checked = per[checked] - per[e];
            writeln!(
                md,
                "- the composition adapted with `--check-bounds` (each of the plugin's loads and stores \
                 checked against its own pages): {} instructions/request above the empty module, \
                 **{:.2}×** the unchecked composition\n",
                grouped(checked),
                checked / two,
            )?;
        }
    }

    let rows = crate::breakdown_rows(specs);
    if let (Some(e), false) = (empty, rows.is_empty()) {
        writeln!(
            md,
            "Where the instructions go (per request; *phases* = the no-op plugin above the empty module, \
             *work* = the header logic above its own no-op phases):\n"
        )?;
        writeln!(md, "| plugin | phases | work | total above empty module |")?;
        writeln!(md, "|---|---:|---:|---:|")?;
        for (name, full, noop) in rows {
            writeln!(
                md,
                "| {name} | {} | {} | {} |",
                grouped(per[noop] - per[e]),
                grouped(per[full] - per[noop]),
                grouped(per[full] - per[e]),
            )?;
        }
        writeln!(md)?;
    }

    let out_dir = crate::short_path(out_dir);
    writeln!(md, "How each Envoy was measured:\n")?;
    writeln!(
        md,
        "```sh\nvalgrind {} --callgrind-out-file={out_dir}/<variant>/callgrind.out \\\n    \
         --log-file={out_dir}/<variant>/valgrind.log \\\n    \
         {} --concurrency 1 --disable-hot-restart --base-id <id> -c envoy.json --log-level {LOG_LEVEL}\n\
         # then, on one keep-alive connection, one request at a time (`GET /` with `user-agent` and `x-bench`):\n\
         # {warmup} warm-up requests, uninstrumented\n\
         callgrind_control -i on <pid>\n\
         # {requests} requests\n\
         callgrind_control -d <pid>   # writes callgrind.out.1; its `totals:` / {requests} is the table's number\n```\n",
        VALGRIND_ARGS.join(" "),
        results.envoy.display(),
    )?;
    writeln!(
        md,
        "- `{}`; {jobs} Envoy{} under callgrind at a time; the dumps stay in `{out_dir}/` \
         (`callgrind_annotate` reads them)",
        results.valgrind_version,
        if jobs == 1 { "" } else { "s" }
    )?;
    writeln!(
        md,
        "- counted: everything Envoy did between the two `callgrind_control` calls, timers included, \
         with the same Envoy binary, bootstrap and modules as the wrk rounds"
    )?;
    writeln!(md)?;
    Ok(())
}

/// Test inputs shared by the report tests of this pass and the call pass.
#[cfg(test)]
pub mod fixtures {
    use super::*;

    /// A variant without a module.
    pub fn spec(name: &str) -> Spec {
        Spec {
            name: name.to_owned(),
            module: None,
            size: None,
        }
    }

    /// Results of 10 counted requests with these instructions per request;
    /// the plugin header is seen above `header_above`.
    pub fn results(per_request: &[u64], header_above: u64) -> Results {
        Results {
            valgrind_version: "valgrind-3.19.0".into(),
            envoy: PathBuf::from("/bin/envoy"),
            options: Options {
                warmup: 30,
                requests: 10,
                jobs: 2,
                out_dir: PathBuf::from("/tmp/cg"),
                cluster: None,
                configuration: String::new(),
                headers: Vec::new(),
                from_launch: false,
            },
            counts: per_request
                .iter()
                .map(|n| Count {
                    instructions: n * 10,
                    plugin_header: *n > header_above,
                })
                .collect(),
        }
    }
}

/// The goal against the floors (gatewit ≤ 1.05× the lowest floor above the
/// empty module), and against the floor of gatewit's contract (the request's
/// state freed when the stream ends) when the run has it.
fn floor_goal(md: &mut String, specs: &[Spec], per: &[f64], empty: usize) -> Result<()> {
    let find = |name: &str| specs.iter().position(|v| v.name == name);
    let above = |i: usize| per[i] - per[empty];
    let lowest = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name.starts_with(crate::FLOOR))
        .map(|(i, s)| (s.name.as_str(), above(i)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let (Some(g), Some((floor_name, floor))) = (find(crate::GATEWIT), lowest) else {
        return Ok(());
    };
    if floor <= 0.0 {
        return Ok(());
    }
    let gatewit = above(g);
    writeln!(
        md,
        "- goal: gatewit ≤ 1.05× the lowest floor above the empty module (`{floor_name}`, {}); gatewit {}: \
         **{:.2}×**, {}",
        grouped(floor),
        grouped(gatewit),
        gatewit / floor,
        if gatewit <= 1.05 * floor {
            "met"
        } else {
            "not met"
        }
    )?;
    if let Some(s) = find(crate::STREAM_END_FLOOR) {
        let stream_end = above(s);
        writeln!(
            md,
            "- what freeing per-request state when the stream ends costs on this Envoy (`{}`: the \
             `proxy_on_log` callback an SDK keeping a context per request needs, on every path): {} \
             instructions/request, {:.2}× the lowest floor; gatewit against that floor: **{:.2}×**",
            crate::STREAM_END_FLOOR,
            grouped(stream_end - floor),
            stream_end / floor,
            gatewit / stream_end,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fixtures::{results, spec};
    use super::*;

    #[test]
    fn parses_the_summary_line() -> Result<()> {
        let text = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 12731\n\
                    cmd:  envoy --concurrency 1\npart: 1\n\n\ndesc: I1 cache: \n\
                    desc: Trigger: dump\n\npositions: line\nevents: Ir\nsummary: 170855187\n\n\n\
                    ob=(3) ???\nfl=(4) ???\nfn=(11744) 0x00000000062db9aa\n0 1085\n\
                    totals: 170855187\n";
        assert_eq!(parse_instructions(text)?, 170_855_187);
        Ok(())
    }

    #[test]
    fn picks_ir_among_several_events() -> Result<()> {
        let text = "events: Dr Ir Dw\nsummary: 5 42 7\n";
        assert_eq!(parse_instructions(text)?, 42);
        // Trailing zeros may be left out.
        let text = "events: Dr Ir Dw\nsummary: 5\n";
        assert_eq!(parse_instructions(text)?, 0);
        Ok(())
    }

    #[test]
    fn trusts_totals_over_a_wrapped_summary() -> Result<()> {
        // A second dump after `-i off` / `-i on`: callgrind 3.19 wrote this.
        let text =
            "events: Ir\nsummary: 18446744073683824580\nfn=(1) a\n1 3375563\ntotals: 3375563\n";
        assert_eq!(parse_instructions(text)?, 3_375_563);
        Ok(())
    }

    #[test]
    fn sums_totals_without_a_summary() -> Result<()> {
        let text =
            "events: Ir\npart: 1\nfn=(1) a\n1 10\ntotals: 100\npart: 2\nfn=(1)\n1 5\ntotals: 23\n";
        assert_eq!(parse_instructions(text)?, 123);
        Ok(())
    }

    #[test]
    fn rejects_what_is_not_a_count() {
        assert!(parse_instructions("").is_err());
        assert!(parse_instructions("events: Ir\n").is_err());
        assert!(parse_instructions("events: Dr\nsummary: 5\n").is_err());
        assert!(parse_instructions("events: Ir\nsummary: lots\n").is_err());
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0.0), "0");
        assert_eq!(grouped(999.4), "999");
        assert_eq!(grouped(1000.0), "1,000");
        assert_eq!(grouped(125_614.2), "125,614");
        assert_eq!(grouped(1_234_567.0), "1,234,567");
        assert_eq!(grouped(-4_880.0), "−4,880");
    }

    /// The header pass's variants: no filter, the empty module, the crate
    /// plugin, gatewit and the pairs floor, then `more`.
    fn header_specs(more: &[&str]) -> Vec<Spec> {
        let base = ["no filter", crate::EMPTY, crate::CRATE, crate::GATEWIT];
        base.iter()
            .chain(&["raw ABI floor, pairs read"])
            .chain(more)
            .map(|name| spec(name))
            .collect()
    }

    #[test]
    fn reports_shares_of_the_crate_plugins_cost() -> Result<()> {
        let specs = header_specs(&[]);
        let results = results(&[80_000, 85_000, 125_000, 105_000, 100_000], 85_000);
        let mut md = String::new();
        report(&mut md, &specs, &results)?;
        assert!(
            md.contains("| no filter | 80,000 | 0 | — | — | no |"),
            "{md}"
        );
        assert!(
            md.contains("| empty module | 85,000 | 5,000 | 0 | — | no |"),
            "{md}"
        );
        assert!(
            md.contains("| proxy-wasm crate | 125,000 | 45,000 | 40,000 | 1.00 | yes |"),
            "{md}"
        );
        assert!(
            md.contains("| gatewit | 105,000 | 25,000 | 20,000 | 0.50 | yes |"),
            "{md}"
        );
        assert!(md.contains("≤ 10,000"), "{md}");
        assert!(
            md.contains("20,000 instructions/request, 0.50 of the crate plugin's: **not met**"),
            "{md}"
        );
        assert!(md.contains("0.38 (raw ABI floor, pairs read)"), "{md}");
        assert!(md.contains("even the lowest is above 0.25"), "{md}");
        assert!(
            md.contains(
                "(`raw ABI floor, pairs read`, 15,000); gatewit 20,000: **1.33×**, not met"
            ),
            "{md}"
        );
        assert!(!md.contains("freed at stream end"), "{md}");
        Ok(())
    }

    #[test]
    fn reports_gatewit_against_the_stream_end_floor() -> Result<()> {
        let specs = header_specs(&[crate::STREAM_END_FLOOR]);
        let results = results(
            &[80_000, 85_000, 125_000, 105_600, 105_000, 105_200],
            85_000,
        );
        let mut md = String::new();
        report(&mut md, &specs, &results)?;
        assert!(md.contains("gatewit 20,600: **1.03×**, met"), "{md}");
        assert!(
            md.contains("needs, on every path): 200 instructions/request, 1.01× the lowest floor; gatewit against that floor: **1.02×**"),
            "{md}"
        );
        Ok(())
    }

    #[test]
    fn names_directories() {
        assert_eq!(dir_name(0, "no filter"), "00-no-filter");
        assert_eq!(
            dir_name(12, "proxy-wasm crate, no-op phases"),
            "12-proxy-wasm-crate-no-op-phases"
        );
    }
}
