//! A Redis too slow for the plugin's timeout (a real `redis-server`,
//! frozen with SIGSTOP) costs the requests that wait on it their timeout,
//! not the gateway: on the host shim and the emulator (Higress profile, the
//! one with Redis) the request gets the plugin's own error answer within
//! the timeout, the next one too, and once Redis answers again requests are
//! served with replies that belong to them, not the late replies of the
//! calls that timed out.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use gatewit_adapter::Profile;
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_tests::adapted::{Toolchain, emulator_module};
use gatewit_tests::plugins::wasm_plugin;
use gatewit_tests::redis_server::RedisServer;
use gatewit_tests::scenarios;

const QPM: u32 = 1000;
const TIMEOUT_MS: u64 = 300;

fn setup(redis: &RedisServer) -> GatewaySetup {
    let mut config = scenarios::redis_demo_config(QPM);
    config["timeout"] = TIMEOUT_MS.into();
    let mut setup = GatewaySetup {
        plugin_config: config,
        ..GatewaySetup::default()
    };
    setup
        .clusters
        .redis
        .insert(scenarios::redis_cluster(), redis.addr());
    setup
}

fn send(gw: &mut dyn Gateway) -> Result<(Exchange, Duration)> {
    let started = Instant::now();
    let ex = gw.send(
        &HttpRequest::get("example.com", "/"),
        &UpstreamResponse::default(),
    )?;
    Ok((ex, started.elapsed()))
}

/// A served request's `calltimeleft` must match the counter in Redis: a
/// stale reply (the late answer of an earlier, timed-out `INCR`) would show
/// one less.
fn expect_served_with_its_own_reply(ex: &Exchange, redis: &RedisServer) -> Result<()> {
    ensure!(
        ex.response.status == 200,
        "expected the request served, got {} `{}`",
        ex.response.status,
        ex.body_text()
    );
    let window = ex
        .response_header("timestamp")
        .context("no `timestamp` header")?;
    let left: u32 = ex
        .response_header("calltimeleft")
        .context("no `calltimeleft` header")?
        .parse()?;
    let reply = redis.command(&["GET", window])?;
    let count: u32 = String::from_utf8_lossy(&reply)
        .lines()
        .nth(1)
        .context("no counter in Redis")?
        .parse()?;
    ensure!(
        left == QPM - count,
        "`calltimeleft` {left} does not match Redis's counter {count}: the plugin read another call's reply"
    );
    Ok(())
}

fn slow_redis_costs_only_the_waiting_requests(
    gw: &mut dyn Gateway,
    redis: &RedisServer,
) -> Result<()> {
    let (ex, _) = send(gw)?;
    expect_served_with_its_own_reply(&ex, redis).context("before the pause")?;

    redis.pause()?;
    let frozen = (|| {
        for n in 0..2 {
            let (ex, took) = send(gw)?;
            ensure!(
                (ex.response.status, ex.body_text().as_str()) == (430, "Error while calling redis"),
                "request {n} during the pause: {} `{}`",
                ex.response.status,
                ex.body_text()
            );
            ensure!(
                took < Duration::from_millis(TIMEOUT_MS + 700),
                "request {n} during the pause took {took:?}, past the {TIMEOUT_MS} ms timeout"
            );
        }
        Ok(())
    })();
    redis.resume()?;
    frozen?;

    // The queued `INCR`s now run and their replies arrive late.
    std::thread::sleep(Duration::from_millis(200));
    for n in 0..3 {
        let (ex, _) = send(gw)?;
        expect_served_with_its_own_reply(&ex, redis)
            .with_context(|| format!("request {n} after the pause"))?;
    }
    Ok(())
}

#[test]
fn slow_redis_on_the_host_shim() -> Result<()> {
    let redis = RedisServer::start()?;
    let mut gw = ShimGateway::new(wasm_plugin("redis-demo")?, &setup(&redis))?;
    slow_redis_costs_only_the_waiting_requests(&mut gw, &redis)
}

#[test]
fn slow_redis_in_the_emulator() -> Result<()> {
    let redis = RedisServer::start()?;
    let module = emulator_module("redis-demo", Toolchain::Wasip2, Profile::Higress)?;
    let mut gw = crate::emulator_tier::emulator(&module, &setup(&redis), Profile::Higress)?;
    slow_redis_costs_only_the_waiting_requests(&mut gw, &redis)
}
