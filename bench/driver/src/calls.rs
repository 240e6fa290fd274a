//! The HTTP-call pass (`--call-variant`): the same callgrind count, with
//! plugins that make one HTTP call per request to a cluster the driver
//! serves itself (a loopback server answering `200` with an
//! `x-bench-token` header), and a report of each plugin's cost as a ratio
//! to the raw-ABI floor's.

use crate::callgrind::{self, grouped};
use crate::{FLOOR, GATEWIT, Spec};
use anyhow::{Context as _, Result, ensure};
use gatewit_envoy_harness::RecordingUpstream;
use gatewit_test_kit::exchange::UpstreamResponse;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The cluster the call plugins name (`bench/plugins/*-call`).
pub const CLUSTER: &str = "bench-token";
/// The header the call plugins copy from the answer.
const TOKEN_HEADER: &str = "x-bench-token";
/// The goal for gatewit, as a ratio to the floor above no filter.
const GOAL: f64 = 1.1;
/// The floor that reads the whole answer (headers, body, trailers), as a
/// gatewit call callback receives it.
pub const WHOLE_ANSWER_FLOOR: &str = "raw ABI floor, whole answer read";

/// Counts every call variant against a token server started here.
pub fn run(
    specs: &[Spec],
    warmup: u32,
    requests: u32,
    jobs: usize,
    out_dir: PathBuf,
) -> Result<callgrind::Results> {
    let server = RecordingUpstream::start().context("starting the token server")?;
    server.set_reply(UpstreamResponse {
        status: 200,
        headers: vec![(TOKEN_HEADER.into(), "t0k3n".into())],
        ..UpstreamResponse::default()
    });
    let results = callgrind::run(
        specs,
        callgrind::Options {
            warmup,
            requests,
            jobs,
            out_dir,
            cluster: Some((CLUSTER.into(), server.addr())),
            configuration: String::new(),
            headers: Vec::new(),
            from_launch: false,
        },
    )?;
    // Every variant but `no filter` calls once per request.
    let calls = server.take_requests().len();
    let expected = (specs.len() - 1) * (warmup + requests) as usize;
    ensure!(
        calls >= expected,
        "the token server got {calls} calls, fewer than the {expected} the call plugins make"
    );
    Ok(results)
}

/// The report's section "One HTTP call per request (callgrind)".
pub fn report(md: &mut String, specs: &[Spec], results: &callgrind::Results) -> Result<()> {
    let requests = results.options.requests;
    let per: Vec<f64> = results
        .counts
        .iter()
        .map(|c| c.per_request(requests))
        .collect();
    let above = |i: usize| per[i] - per[0];
    let floor = specs
        .iter()
        .position(|s| s.name.starts_with(FLOOR) && s.name != WHOLE_ANSWER_FLOOR);
    let whole = specs.iter().position(|s| s.name == WHOLE_ANSWER_FLOOR);
    writeln!(md, "## One HTTP call per request (callgrind)\n")?;
    writeln!(
        md,
        "Plugins that, on request headers, call `GET /token` on cluster `{CLUSTER}` (a loopback server \
         started by the driver, answering `200` with `{TOKEN_HEADER}`), pause the request, copy \
         `{TOKEN_HEADER}` from the answer into the request and resume it; then add \
         `x-gatewit-bench-response` on response headers. Every Envoy has the cluster; `no filter` makes \
         no call. Counted as in the section above: {} requests after {} uninstrumented ones, \
         instructions of all Envoy's threads (the call's connection pool and codec included).\n",
        requests, results.options.warmup
    )?;
    writeln!(
        md,
        "| variant | module size | instructions/request | above no filter | ratio to the floor above no filter | bench header added |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|---|")?;
    for (i, (spec, count)) in specs.iter().zip(&results.counts).enumerate() {
        let ratio = match floor {
            Some(f) if i != 0 && above(f) > 0.0 => format!("{:.2}", above(i) / above(f)),
            _ => "—".into(),
        };
        writeln!(
            md,
            "| {} | {} | {} | {} | {ratio} | {} |",
            spec.name,
            spec.size_cell(),
            grouped(per[i]),
            if i == 0 {
                "—".into()
            } else {
                grouped(above(i))
            },
            if count.plugin_header { "yes" } else { "no" }
        )?;
    }
    writeln!(md)?;
    let gatewit = specs.iter().position(|s| s.name == GATEWIT);
    match (floor, gatewit) {
        (Some(f), Some(g)) if above(f) > 0.0 => {
            let ratio = above(g) / above(f);
            writeln!(
                md,
                "- goal: gatewit ≤ {GOAL}× the floor's {} instructions/request above no filter; \
                 gatewit: {} ({ratio:.2}×): **{}**\n",
                grouped(above(f)),
                grouped(above(g)),
                if ratio <= GOAL { "met" } else { "not met" }
            )?;
        }
        _ => writeln!(
            md,
            "- goal not evaluated: this run has no `{GATEWIT}` or no `{FLOOR}` call variant\n"
        )?,
    }
    if let (Some(f), Some(w), Some(g)) = (floor, whole, gatewit)
        && above(w) > 0.0
    {
        writeln!(
            md,
            "- what handing the whole answer to the callback costs on this Envoy (`{WHOLE_ANSWER_FLOOR}` \
             less the floor, which reads one header value): {} instructions/request, {:.2}× the floor; \
             gatewit against that floor: **{:.2}×**\n",
            grouped(above(w) - above(f)),
            above(w) / above(f),
            above(g) / above(w),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callgrind::fixtures::{results, spec};

    #[test]
    fn reports_ratios_to_the_floor() -> Result<()> {
        let specs = [
            spec("no filter"),
            spec("raw ABI floor, one call"),
            spec(crate::CRATE),
            spec(GATEWIT),
        ];
        let mut md = String::new();
        report(
            &mut md,
            &specs,
            &results(&[80_000, 180_000, 190_000, 215_000], 80_000),
        )?;
        assert!(
            md.contains("| no filter | — | 80,000 | — | — | no |"),
            "{md}"
        );
        assert!(
            md.contains("| raw ABI floor, one call | — | 180,000 | 100,000 | 1.00 | yes |"),
            "{md}"
        );
        assert!(
            md.contains("| gatewit | — | 215,000 | 135,000 | 1.35 | yes |"),
            "{md}"
        );
        assert!(md.contains("gatewit: 135,000 (1.35×): **not met**"), "{md}");

        let mut md = String::new();
        report(
            &mut md,
            &specs,
            &results(&[80_000, 180_000, 190_000, 185_000], 80_000),
        )?;
        assert!(md.contains("(1.05×): **met**"), "{md}");

        let mut md = String::new();
        report(&mut md, &specs[..2], &results(&[80_000, 180_000], 80_000))?;
        assert!(md.contains("goal not evaluated"), "{md}");

        // With the floor that reads the whole answer: it is not the floor,
        // and gatewit is also set against it.
        let specs = [
            spec("no filter"),
            spec("raw ABI floor, one call"),
            spec(WHOLE_ANSWER_FLOOR),
            spec(GATEWIT),
        ];
        let mut md = String::new();
        report(
            &mut md,
            &specs,
            &results(&[80_000, 180_000, 200_000, 230_000], 80_000),
        )?;
        assert!(md.contains("gatewit: 150,000 (1.50×)"), "{md}");
        assert!(
            md.contains("20,000 instructions/request, 1.20× the floor; gatewit against that floor: **1.25×**"),
            "{md}"
        );
        Ok(())
    }
}
