//! The body pass (`--body-variant NAME=MODULE`): plugins that rewrite a
//! JSON request body (buffered) and uppercase a response body as it streams
//! (`bench/plugins/*-body`), at 1 KiB, 1 MiB and 100 MiB, routed to a real
//! upstream on loopback ([`http::BulkUpstream`]). Two measurements, in one
//! run, for no filter and each variant:
//!
//! - wall clock: MB/s through Envoy per case, the variants in turn within
//!   each case of each round (a rotating order), medians; Envoy's RSS and
//!   the plugin's linear memory (the `x-bench-pages` header the plugins
//!   add) across the 100 MiB requests;
//! - callgrind (with `--callgrind`): instructions per request of each case,
//!   per byte above no filter, as a ratio to the raw-ABI floor.
//!
//! Every answer is checked: a streamed body arrives whole with no lowercase
//! letter left, a rewritten body reaches the upstream 2 bytes longer
//! (`"bench"` → `"gatewit"`).

mod http;

use crate::callgrind::{self, grouped};
use crate::{FLOOR, GATEWIT, Spec};
use anyhow::{Context as _, Result, anyhow, bail, ensure};
use gatewit_envoy_harness::{Envoy, EnvoyConfig, Launch, RouteTarget, WasmFilter};
use http::{Answer, BulkUpstream, Client};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The upstream cluster the route leads to.
const CLUSTER: &str = "bench-bulk";
/// Envoy's per-stream buffer limit: above the largest body, so the
/// buffered rewrite of 100 MiB is not answered `413`.
const BUFFER_LIMIT: u32 = 256 << 20;
/// The goal: gatewit's throughput as a share of the floor's.
const GOAL: f64 = 0.9;
/// The JSON body around its filler; the rewrite makes `bench` `gatewit`.
const JSON_HEAD: &[u8] = br#"{"model":"bench","messages":[{"role":"user","content":""#;
const JSON_TAIL: &[u8] = br#""}]}"#;
const FILL: &[u8] = b"lorem ipsum dolor sit amet ";
/// The header the body plugins report their linear memory's pages in
/// (`gatewit_bench_body_logic::PAGES_HEADER`).
const PAGES_HEADER: &str = "x-bench-pages";
/// How much longer the rewrite makes a body.
const REWRITE_GROWTH: u64 = 2;

/// What a request exercises.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `GET /bytes/N`: the plugin uppercases the response as it streams.
    Stream,
    /// `POST` of an N-byte JSON object: the plugin buffers and rewrites it.
    Json,
}

/// One (kind, size) with its request counts.
#[derive(Clone, Copy)]
struct Case {
    kind: Kind,
    size: u64,
    label: &'static str,
    /// Wall clock: requests per round.
    wall: u32,
    /// Callgrind: uninstrumented, then counted requests.
    warmup: u32,
    counted: u32,
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

const CASES: [Case; 6] = [
    Case {
        kind: Kind::Stream,
        size: KIB,
        label: "1 KiB",
        wall: 1000,
        warmup: 100,
        counted: 200,
    },
    Case {
        kind: Kind::Stream,
        size: MIB,
        label: "1 MiB",
        wall: 40,
        warmup: 3,
        counted: 10,
    },
    Case {
        kind: Kind::Stream,
        size: 100 * MIB,
        label: "100 MiB",
        wall: 5,
        warmup: 1,
        counted: 2,
    },
    Case {
        kind: Kind::Json,
        size: KIB,
        label: "1 KiB",
        wall: 1000,
        warmup: 100,
        counted: 200,
    },
    Case {
        kind: Kind::Json,
        size: MIB,
        label: "1 MiB",
        wall: 40,
        warmup: 3,
        counted: 10,
    },
    Case {
        kind: Kind::Json,
        size: 100 * MIB,
        label: "100 MiB",
        wall: 5,
        warmup: 1,
        counted: 2,
    },
];

impl Case {
    fn title(&self) -> String {
        match self.kind {
            Kind::Stream => format!("streaming uppercase, {}", self.label),
            Kind::Json => format!("buffered JSON rewrite, {}", self.label),
        }
    }
}

/// Bytes `at..at + len` of a `size`-byte JSON body: head, filler, tail.
fn json_piece(size: u64, at: u64, len: usize) -> Vec<u8> {
    let head = JSON_HEAD.len() as u64;
    let fill_end = size - JSON_TAIL.len() as u64;
    let end = at + len as u64;
    let mut out = Vec::with_capacity(len);
    if at < head {
        out.extend_from_slice(&JSON_HEAD[at as usize..end.min(head) as usize]);
    }
    let (from, to) = (at.max(head), end.min(fill_end));
    if from < to {
        out.extend(http::repeated(FILL, from - head, (to - from) as usize));
    }
    if end > fill_end {
        out.extend_from_slice(
            &JSON_TAIL[(at.max(fill_end) - fill_end) as usize..(end - fill_end) as usize],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_are_whole_json_in_any_pieces() {
        for size in [JSON_HEAD.len() as u64 + 4, 1000, 70_000] {
            let whole = json_piece(size, 0, size as usize);
            assert_eq!(whole.len() as u64, size);
            let pieced: Vec<u8> = (0..size)
                .step_by(7)
                .flat_map(|at| json_piece(size, at, (size - at).min(7) as usize))
                .collect();
            assert_eq!(pieced, whole);
            let out = gatewit_bench_body_logic::rewrite_json(&whole).expect("a JSON object");
            assert_eq!(out.len() as u64, size + REWRITE_GROWTH);
        }
    }
}

/// Sends one request of `case` and checks the answer.
fn send(client: &mut Client, case: &Case, filtered: bool) -> Result<Answer> {
    let answer = match case.kind {
        Kind::Stream => {
            client.exchange("GET", &format!("/bytes/{}", case.size), 0, &mut |_, _| {
                Vec::new()
            })?
        }
        Kind::Json => client.exchange("POST", "/sink", case.size, &mut |at, len| {
            json_piece(case.size, at, len)
        })?,
    };
    ensure!(answer.status == 200, "answered {}", answer.status);
    match case.kind {
        Kind::Stream => {
            ensure!(
                answer.body_len == case.size,
                "a {}-byte body arrived as {} bytes",
                case.size,
                answer.body_len
            );
            ensure!(
                answer.lowercase != filtered,
                "the body arrived {}",
                if filtered {
                    "with lowercase letters"
                } else {
                    "changed"
                }
            );
        }
        Kind::Json => {
            let want = case.size + if filtered { REWRITE_GROWTH } else { 0 };
            let got = answer.header("x-received").unwrap_or("none");
            ensure!(
                got == want.to_string(),
                "the upstream received {got} bytes, not {want}"
            );
        }
    }
    Ok(answer)
}

/// Envoy for `spec`, routed to `upstream`.
fn config(spec: &Spec, upstream: &BulkUpstream) -> EnvoyConfig {
    let mut config = EnvoyConfig::direct_response();
    if let Some(module) = &spec.module {
        config = config.with_wasm(WasmFilter::new(module, ""));
    }
    config.route = RouteTarget::Upstream {
        cluster: CLUSTER.into(),
        addr: upstream.addr(),
    };
    config.route_timeout_ms = 600_000;
    config.buffer_limit_bytes = Some(BUFFER_LIMIT);
    config
}

/// Envoy's resident memory, kB.
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Memory seen across a case's requests: first and last (Envoy RSS in kB,
/// plugin pages).
#[derive(Default, Clone, Copy)]
struct Memory {
    rss: Option<(u64, u64)>,
    pages: Option<(u64, u64)>,
}

fn widen(slot: &mut Option<(u64, u64)>, value: Option<u64>) {
    if let Some(v) = value {
        *slot = Some(slot.map_or((v, v), |(first, _)| (first, v)));
    }
}

/// The pass's results.
pub struct Results {
    rounds: u32,
    /// `[case][variant]`: MB/s of each round.
    rates: Vec<Vec<Vec<f64>>>,
    /// `[case][variant]`.
    memory: Vec<Vec<Memory>>,
    /// `[case][variant]`: instructions per request.
    instructions: Option<Vec<Vec<f64>>>,
}

/// Runs the wall-clock rounds and, with `with_callgrind`, the counts.
pub fn run(specs: &[Spec], rounds: u32, with_callgrind: bool, jobs: usize) -> Result<Results> {
    let upstream = BulkUpstream::start()?;
    let envoys = specs
        .iter()
        .map(|spec| {
            Envoy::start(&config(spec, &upstream))
                .with_context(|| format!("starting envoy for `{}`", spec.name))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut rates = vec![vec![Vec::new(); specs.len()]; CASES.len()];
    let mut memory = vec![vec![Memory::default(); specs.len()]; CASES.len()];
    let mut clients = envoys
        .iter()
        .map(|envoy| Client::connect(envoy.listener_addr(), Duration::from_secs(60)))
        .collect::<Result<Vec<_>>>()?;
    // Case by case, the variants in turn (a rotating order): a case's
    // rounds of every variant run within seconds of each other, so drift
    // on a shared machine hits them alike.
    for round in 0..rounds as usize {
        for (c, case) in CASES.iter().enumerate() {
            for k in 0..specs.len() {
                let v = (k + round + c) % specs.len();
                let (spec, envoy) = (&specs[v], &envoys[v]);
                let started = Instant::now();
                for n in 0..case.wall {
                    let answer =
                        send(&mut clients[v], case, spec.module.is_some()).map_err(|e| {
                            anyhow!(
                                "`{}`, {}, request {}: {e:#}\nenvoy's log:\n{}",
                                spec.name,
                                case.title(),
                                n + 1,
                                envoy.relevant_log_lines()
                            )
                        })?;
                    // The first round only: a later round's requests
                    // follow the buffered 100 MiB rewrite, whose memory
                    // (wasm memory never shrinks) they would report.
                    if round == 0 && case.size >= 100 * MIB {
                        widen(&mut memory[c][v].rss, rss_kb(envoy.pid()));
                        widen(
                            &mut memory[c][v].pages,
                            answer.header(PAGES_HEADER).and_then(|p| p.parse().ok()),
                        );
                    }
                }
                let bytes = case.size as f64 * f64::from(case.wall);
                rates[c][v].push(bytes / 1e6 / started.elapsed().as_secs_f64());
            }
        }
        eprintln!("bodies: round {} done", round + 1);
    }
    drop(clients);
    drop(envoys);
    let instructions = if with_callgrind {
        Some(count(specs, &upstream, jobs)?)
    } else {
        None
    };
    Ok(Results {
        rounds,
        rates,
        memory,
        instructions,
    })
}

/// Every variant under callgrind, `jobs` at a time: `[case][variant]`.
fn count(specs: &[Spec], upstream: &BulkUpstream, jobs: usize) -> Result<Vec<Vec<f64>>> {
    let out_dir = gatewit_test_programs::target_dir()
        .join("gatewit-bench")
        .join("callgrind-bodies");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Vec<f64>>>>> =
        Mutex::new(specs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(specs.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(spec) = specs.get(i) else { break };
                    let dir = out_dir.join(callgrind::dir_name(i, &spec.name));
                    let started = Instant::now();
                    let counted = count_one(spec, upstream, &dir)
                        .with_context(|| format!("counting `{}` with bodies", spec.name));
                    if counted.is_ok() {
                        eprintln!(
                            "bodies: callgrind `{}` done ({:.0} s)",
                            spec.name,
                            started.elapsed().as_secs_f64()
                        );
                    }
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(counted);
                }
            });
        }
    });
    let mut per_variant = Vec::new();
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        per_variant.push(result.context("a variant was not counted")??);
    }
    Ok((0..CASES.len())
        .map(|c| per_variant.iter().map(|v| v[c]).collect())
        .collect())
}

/// One Envoy under callgrind; each case warmed up, then counted into its
/// own dump. Returns instructions per request, per case.
fn count_one(spec: &Spec, upstream: &BulkUpstream, dir: &Path) -> Result<Vec<f64>> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    let valgrind_log = dir.join("valgrind.log");
    let mut args: Vec<String> = callgrind::VALGRIND_ARGS
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
    args.push(format!(
        "--callgrind-out-file={}",
        dir.join("callgrind.out").display()
    ));
    args.push(format!("--log-file={}", valgrind_log.display()));
    let launch = Launch::default()
        .log_level(callgrind::LOG_LEVEL)
        .ready_timeout(callgrind::READY_TIMEOUT)
        .wrapper("valgrind", args);
    let envoy = Envoy::launch(&config(spec, upstream), &launch).map_err(|e| {
        anyhow!(
            "starting envoy under callgrind: {e:#}\nvalgrind's log: `{}`",
            valgrind_log.display()
        )
    })?;
    let explain = |e: anyhow::Error| anyhow!("{e:#}\nenvoy's log:\n{}", envoy.relevant_log_lines());
    // Under valgrind a 100 MiB rewrite takes minutes.
    let mut client =
        Client::connect(envoy.listener_addr(), Duration::from_secs(900)).map_err(explain)?;
    let mut per_request = Vec::new();
    for (c, case) in CASES.iter().enumerate() {
        let mut run = |phase: &str, n: u32| -> Result<()> {
            for k in 0..n {
                send(&mut client, case, spec.module.is_some()).with_context(|| {
                    format!("{}: {phase} request {} of {n}", case.title(), k + 1)
                })?;
            }
            Ok(())
        };
        run("warm-up", case.warmup).map_err(explain)?;
        callgrind::callgrind_control(envoy.pid(), &["-i", "on"]).map_err(explain)?;
        run("counted", case.counted).map_err(explain)?;
        callgrind::callgrind_control(envoy.pid(), &["-d"]).map_err(explain)?;
        callgrind::callgrind_control(envoy.pid(), &["-i", "off"]).map_err(explain)?;
        let dump = dir.join(format!("callgrind.out.{}", c + 1));
        let text = std::fs::read_to_string(&dump)
            .with_context(|| format!("reading callgrind's dump `{}`", dump.display()))?;
        let instructions = callgrind::parse_instructions(&text)
            .with_context(|| format!("parsing `{}`", dump.display()))?;
        per_request.push(instructions as f64 / f64::from(case.counted));
    }
    Ok(per_request)
}

/// The report's section "Bodies".
pub fn report(md: &mut String, specs: &[Spec], results: &Results) -> Result<()> {
    // The first floor is the body work alone; another (e.g. with the
    // binary-body decisions the SDK keeps) gets its own ratios.
    let floors: Vec<usize> = (0..specs.len())
        .filter(|&v| specs[v].name.starts_with(FLOOR))
        .collect();
    let floor = floors.first().copied();
    let gatewit = specs.iter().position(|s| s.name == GATEWIT);
    writeln!(md, "## Bodies\n")?;
    writeln!(
        md,
        "Plugins that rewrite a JSON request body whole (buffered: `model` set to `gatewit`) and \
         uppercase the response body chunk by chunk as it streams (`bench/plugins/body-logic`, the \
         same code in each), routed to a loopback upstream; `no filter` passes both unchanged. \
         Every answer is checked (the whole body, no lowercase letter left; the rewritten body's \
         length at the upstream). Envoy `--concurrency 1`, per-stream buffer limit {} MiB.\n",
        BUFFER_LIMIT >> 20
    )?;
    let name_row = |md: &mut String, first: &str| -> Result<()> {
        write!(md, "| {first} |")?;
        for spec in specs {
            write!(md, " {} |", spec.name)?;
        }
        writeln!(md)?;
        write!(md, "|---|")?;
        for _ in specs {
            write!(md, "---:|")?;
        }
        Ok(writeln!(md)?)
    };

    writeln!(
        md,
        "Throughput through Envoy, MB/s (wall clock: one keep-alive connection, one request at a time, \
         median of {} rounds; the client and the upstream are the same for every variant):\n",
        results.rounds
    )?;
    name_row(md, "case")?;
    let mut ratios = Vec::new();
    for (c, case) in CASES.iter().enumerate() {
        write!(md, "| {} |", case.title())?;
        let medians: Vec<f64> = results.rates[c]
            .iter()
            .map(|r| crate::wrk::median(r.clone()))
            .collect();
        for m in &medians {
            write!(md, " {m:.1} |")?;
        }
        writeln!(md)?;
        if let Some(g) = gatewit {
            ratios.push(
                floors
                    .iter()
                    .map(|&f| medians[g] / medians[f])
                    .collect::<Vec<_>>(),
            );
        }
    }
    writeln!(md)?;
    for (i, &f) in floors.iter().enumerate().filter(|_| gatewit.is_some()) {
        let met = ratios.iter().all(|r| r[i] >= GOAL);
        let list: Vec<String> = CASES
            .iter()
            .zip(&ratios)
            .map(|(case, r)| format!("{}: {:.2}", case.title(), r[i]))
            .collect();
        writeln!(
            md,
            "- goal: gatewit ≥ {GOAL}× the floor's throughput; gatewit/`{}`: {} — **{}**",
            specs[f].name,
            list.join("; "),
            if met { "met" } else { "not met" }
        )?;
    }
    writeln!(md)?;

    writeln!(
        md,
        "Memory across the 100 MiB requests of the first round (after the first → after the last of {} \
         requests; each case's requests run before the next case's): Envoy's RSS and the plugin's linear \
         memory (64 KiB pages, as the plugin reports it):\n",
        CASES[2].wall
    )?;
    name_row(md, "case")?;
    for (c, case) in CASES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.size >= 100 * MIB)
    {
        write!(md, "| {}: Envoy RSS |", case.title())?;
        for m in &results.memory[c] {
            match m.rss {
                Some((a, b)) => write!(md, " {} → {} MB |", a / 1024, b / 1024)?,
                None => write!(md, " — |")?,
            }
        }
        writeln!(md)?;
        write!(md, "| {}: plugin pages |", case.title())?;
        for m in &results.memory[c] {
            match m.pages {
                Some((a, b)) => write!(md, " {a} → {b} |")?,
                None => write!(md, " — |")?,
            }
        }
        writeln!(md)?;
    }
    writeln!(md)?;

    if let Some(counts) = &results.instructions {
        writeln!(
            md,
            "Instructions per byte above no filter (callgrind, all Envoy's threads; per case, warm-up \
             requests uninstrumented, then counted ones: 1 KiB {}+{}, 1 MiB {}+{}, 100 MiB {}+{}), and \
             the ratio to the floor:\n",
            CASES[0].warmup,
            CASES[0].counted,
            CASES[1].warmup,
            CASES[1].counted,
            CASES[2].warmup,
            CASES[2].counted
        )?;
        name_row(md, "case")?;
        for (c, case) in CASES.iter().enumerate() {
            write!(md, "| {} |", case.title())?;
            let per = &counts[c];
            let above = |v: usize| (per[v] - per[0]) / case.size as f64;
            for v in 0..specs.len() {
                if v == 0 {
                    write!(md, " {} instr/request |", grouped(per[0]))?;
                    continue;
                }
                match floor {
                    Some(f) if f != v && above(f) > 0.0 => {
                        write!(md, " {:.2} ({:.2}×) |", above(v), above(v) / above(f))?
                    }
                    _ => write!(md, " {:.2} |", above(v))?,
                }
            }
            writeln!(md)?;
        }
        writeln!(md)?;
        if let Some(g) = gatewit {
            for &f in floors.iter().skip(1) {
                let list: Vec<String> = CASES
                    .iter()
                    .enumerate()
                    .map(|(c, case)| {
                        let above = |v: usize| counts[c][v] - counts[c][0];
                        format!("{}: {:.2}×", case.title(), above(g) / above(f))
                    })
                    .collect();
                writeln!(
                    md,
                    "- gatewit per byte against `{}`: {}",
                    specs[f].name,
                    list.join("; ")
                )?;
            }
            writeln!(md)?;
        }
    }
    if floor.is_none() || gatewit.is_none() {
        bail!("the body pass needs a `{FLOOR}…` and a `{GATEWIT}` variant to compare");
    }
    Ok(())
}
