//! The emulator against real proxy-wasm modules: fixtures built on the
//! `proxy-wasm` crate, a raw Higress-ABI Redis fixture, and hand-written WAT.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{dead_addr, fixture};
use gatewit_host_shim::backend::CallFailure;
use gatewit_host_shim::exchange::{Clusters, Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::{CallRecord, Emulator, EmulatorOptions, HostProfile, LogLevel};
use gatewit_tests::http_server::{Reply, TestServer};
use gatewit_tests::redis_server::RedisServer;
use serde_json::json;

/// The WAT of a bump allocator exported as `malloc` (from 1024 up) and the
/// ABI version marker: the part every hand-written test module shares.
macro_rules! bump_malloc_and_abi {
    () => {
        r#"  (global $bump (mut i32) (i32.const 1024))
  (func (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get $size)))
    (local.get $p))
  (func (export "proxy_abi_version_0_2_1"))
"#
    };
}

const EMPTY_WAT: &str = concat!(
    r#"
(module
  (memory (export "memory") 1)
"#,
    bump_malloc_and_abi!(),
    r#")
"#
);

fn setup(config: serde_json::Value) -> GatewaySetup {
    GatewaySetup {
        plugin_config: config,
        ..GatewaySetup::default()
    }
}

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("valid wat")
}

fn err_text(e: anyhow::Error) -> String {
    format!("{e:#}")
}

#[test]
fn empty_module_passes_requests_through() {
    let mut gw =
        Emulator::new(&wat(EMPTY_WAT), &GatewaySetup::default()).expect("empty module loads");
    let gw: &mut dyn Gateway = &mut gw;
    assert_eq!(gw.tier(), "emulator");
    let req = HttpRequest::post("example.com", "/a?b=1", "payload").header("x-a", "1");
    let ex = gw
        .send(&req, &UpstreamResponse::default())
        .expect("exchange");
    let up = ex.upstream.as_ref().expect("reached the upstream");
    assert_eq!((up.method.as_str(), up.path.as_str()), ("POST", "/a?b=1"));
    assert_eq!(up.body, b"payload");
    assert_eq!(ex.upstream_header("x-a"), Some("1"));
    assert_eq!(ex.upstream_header("host"), Some("example.com"));
    assert_eq!(ex.response.status, 200);
    assert_eq!(ex.body_text(), "upstream ok");
}

#[test]
fn module_shape_is_checked_like_envoy() {
    let cases = [
        (
            EMPTY_WAT.replace(r#"(func (export "proxy_abi_version_0_2_1"))"#, ""),
            "proxy_abi_version_0_2_1",
        ),
        (
            EMPTY_WAT.replace(r#"(memory (export "memory") 1)"#, "(memory 1)"),
            "exports no linear memory",
        ),
        (EMPTY_WAT.replace(r#"(export "malloc")"#, ""), "allocator"),
        (
            EMPTY_WAT.replace(
                "(memory",
                r#"(import "env" "proxy_frobnicate" (func (param i32) (result i32))) (memory"#,
            ),
            "`env.proxy_frobnicate`",
        ),
    ];
    for (text, expected) in cases {
        let err = Emulator::new(&wat(&text), &GatewaySetup::default())
            .expect_err("bad shape must be refused");
        assert!(
            err_text(err).contains(expected),
            "error should mention {expected}"
        );
    }
    // The Higress marker is accepted and reported.
    let higress = EMPTY_WAT.replace("proxy_abi_version_0_2_1", "proxy_abi_version_0_2_100");
    let gw = Emulator::new(&wat(&higress), &GatewaySetup::default()).expect("higress marker loads");
    assert!(gw.higress_abi());
    // Redis imports do not load on the stock Envoy profile.
    let redis = EMPTY_WAT.replace(
        "(memory",
        r#"(import "env" "proxy_redis_call" (func (param i32 i32 i32 i32 i32) (result i32))) (memory"#,
    );
    let options = EmulatorOptions {
        profile: HostProfile::Envoy,
        ..EmulatorOptions::default()
    };
    let err = Emulator::with_options(&wat(&redis), &GatewaySetup::default(), options)
        .expect_err("envoy has no redis");
    assert!(err_text(err).contains("only Higress provides"));
}

#[test]
fn trap_names_the_callback_and_breaks_the_vm() {
    let text = EMPTY_WAT.replace(
        r#"(func (export "proxy_abi_version_0_2_1"))"#,
        r#"(func (export "proxy_abi_version_0_2_1"))
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    let err = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("trap");
    let text = err_text(err);
    assert!(
        text.contains("`proxy_on_request_headers` trapped"),
        "{text}"
    );
    assert!(text.contains("unreachable"), "{text}");
    let again = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("vm is broken");
    assert!(err_text(again).contains("unusable"));
}

#[test]
fn headers_properties_metrics_and_shared_data() {
    let mut gw =
        Emulator::new(&fixture("headers"), &setup(json!("tag1"))).expect("headers fixture loads");
    let req = HttpRequest::get("example.com", "/p")
        .header("x-in", "hello")
        .header("x-replace-me", "a")
        .header("x-replace-me", "b")
        .header("x-remove-me", "x");
    let upstream = UpstreamResponse {
        status: 201,
        ..UpstreamResponse::default()
    };
    let ex = gw.send(&req, &upstream).expect("exchange");
    assert_eq!(ex.upstream_header("x-emu-tag"), Some("tag1"));
    assert_eq!(ex.upstream_header("x-in-echo"), Some("hello"));
    assert_eq!(ex.upstream_header("x-remove-me"), None);
    assert_eq!(ex.upstream_header("x-route"), Some("test-route"));
    assert_eq!(
        ex.upstream_header("x-cluster"),
        Some("outbound|80||upstream.static")
    );
    let up = ex.upstream.as_ref().expect("upstream");
    let replaced: Vec<&str> = up
        .headers
        .iter()
        .filter(|(k, _)| k == "x-replace-me")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(replaced, ["replaced"]);
    // 8 sent (4 pseudo) + x-emu-tag + x-in-echo - one x-replace-me - x-remove-me + x-route + x-cluster.
    assert_eq!(ex.upstream_header("x-count"), Some("10"));
    assert_eq!(ex.response.status, 201);
    assert_eq!(ex.response_header("x-saw-path"), Some("/p"));
    assert_eq!(ex.response_header("x-upstream-status"), Some("201"));
    assert_eq!(ex.response_header("content-type"), Some("text/emulated"));

    gw.send(
        &HttpRequest::get("example.com", "/q"),
        &UpstreamResponse::default(),
    )
    .expect("second exchange");
    assert_eq!(gw.metric("emu_requests_total"), Some(2));
    assert_eq!(gw.shared_data("emu-count").map(|(v, _)| v), Some(&b"2"[..]));
    assert!(
        gw.logs()
            .iter()
            .any(|l| l.level == LogLevel::Info && l.message.contains("sees")),
        "{:?}",
        gw.logs()
    );
}

#[test]
fn rejected_config_carries_the_plugins_reason() {
    let err = Emulator::new(&fixture("headers"), &setup(json!("reject")))
        .expect_err("config must be rejected");
    let text = err_text(err);
    assert!(text.contains("proxy_on_configure"), "{text}");
    assert!(
        text.contains("config rejected: `reject` is not a valid tag"),
        "{text}"
    );
}

fn http_setup(cluster: &str, addr: std::net::SocketAddr) -> GatewaySetup {
    GatewaySetup {
        plugin_config: json!(cluster),
        clusters: Clusters {
            http: BTreeMap::from([(cluster.to_string(), addr)]),
            redis: BTreeMap::new(),
        },
        ..GatewaySetup::default()
    }
}

#[test]
fn http_call_to_a_real_server_then_resume() {
    let server = TestServer::always(Reply::new(200, "tok-123")).expect("test server");
    let cluster = "outbound|8080||auth.static";
    let mut gw =
        Emulator::new(&fixture("http-call"), &http_setup(cluster, server.addr())).expect("loads");
    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/api"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert_eq!(ex.upstream_header("x-token"), Some("tok-123"));
    assert_eq!(ex.upstream_header("x-call-status"), Some("200"));
    assert_eq!(ex.response.status, 200);

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/token")
    );
    assert_eq!(seen[0].body, b"give me a token");
    assert!(
        seen[0]
            .headers
            .iter()
            .any(|(k, v)| k == "x-from" && v == "plugin")
    );

    let [
        CallRecord::Http {
            cluster: called,
            request,
            timeout,
            outcome,
            ..
        },
    ] = gw.calls()
    else {
        panic!("expected one http call, got {:?}", gw.calls());
    };
    assert_eq!(called, cluster);
    assert_eq!(request.header(":authority"), Some("auth.local"));
    assert_eq!(*timeout, Duration::from_secs(5));
    assert_eq!(
        outcome
            .as_ref()
            .and_then(|o| o.as_ref().ok())
            .map(|r| r.body.as_slice()),
        Some(&b"tok-123"[..])
    );
}

#[test]
fn http_call_to_an_unknown_cluster_is_a_bad_argument() {
    let mut gw =
        Emulator::new(&fixture("http-call"), &setup(json!("no-such-cluster"))).expect("loads");
    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/api"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert!(ex.upstream.is_none());
    assert_eq!(ex.response.status, 500);
    assert_eq!(ex.body_text(), "dispatch failed: BadArgument");
    assert!(gw.calls().is_empty());
}

#[test]
fn http_call_timeout_and_refusal_reach_the_plugin_as_failures() {
    let slow = TestServer::always(Reply::new(200, "late").delay(Duration::from_secs(2)))
        .expect("test server");
    let mut gw =
        Emulator::new(&fixture("http-call"), &http_setup("slow", slow.addr())).expect("loads");
    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/slow"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert_eq!(
        (ex.response.status, ex.body_text().as_str()),
        (503, "call failed")
    );
    assert_eq!(ex.response_header("x-call"), Some("failed"));
    assert!(
        matches!(
            gw.calls(),
            [CallRecord::Http {
                outcome: Some(Err(CallFailure::Timeout)),
                ..
            }]
        ),
        "{:?}",
        gw.calls()
    );

    let mut gw =
        Emulator::new(&fixture("http-call"), &http_setup("dead", dead_addr())).expect("loads");
    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/api"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert_eq!(ex.response.status, 503);
    assert!(
        matches!(
            gw.calls(),
            [CallRecord::Http {
                outcome: Some(Err(CallFailure::Reset)),
                ..
            }]
        ),
        "{:?}",
        gw.calls()
    );
}

#[test]
fn local_replies_run_the_response_phase() {
    let mut gw = Emulator::new(&fixture("local-reply"), &GatewaySetup::default()).expect("loads");
    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/deny/me"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert!(ex.upstream.is_none());
    assert_eq!(
        (ex.response.status, ex.body_text().as_str()),
        (403, "denied")
    );
    assert_eq!(ex.response_header("x-deny"), Some("1"));
    assert_eq!(ex.response_header("content-type"), Some("text/plain"));
    assert_eq!(ex.response_header("x-resp-phase"), Some("seen"));

    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/ok"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert!(ex.upstream.is_some());
    assert_eq!(
        (ex.response.status, ex.body_text().as_str()),
        (200, "upstream ok")
    );
    assert_eq!(ex.response_header("x-resp-phase"), Some("seen"));

    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/late"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert!(ex.upstream.is_some());
    assert_eq!(
        (ex.response.status, ex.body_text().as_str()),
        (502, "late reply")
    );
    assert_eq!(ex.response_header("x-late"), Some("1"));
    let statuses: Vec<u16> = gw.local_replies().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 502]);
}

#[test]
fn body_buffering_sees_the_whole_body() {
    let mut gw = Emulator::new(&fixture("body"), &GatewaySetup::default()).expect("loads");
    let req = HttpRequest::post("example.com", "/upload", "").chunks(["hello ", "wor", "ld"]);
    let upstream = UpstreamResponse {
        body_chunks: vec![b"up".to_vec(), b"stream".to_vec()],
        ..UpstreamResponse::default()
    };
    let ex = gw.send(&req, &upstream).expect("exchange");
    assert_eq!(
        ex.upstream.as_ref().map(|u| u.body.as_slice()),
        Some(&b"HELLO WORLD"[..])
    );
    assert_eq!(ex.body_text(), "<<upstream>>");
    assert!(
        gw.logs()
            .iter()
            .any(|l| l.message == "request body sizes seen: 6,9,11"),
        "{:?}",
        gw.logs()
    );
}

#[test]
fn a_looping_plugin_is_stopped_with_a_clear_error() {
    let options = EmulatorOptions {
        fuel_per_callback: 20_000_000,
        ..EmulatorOptions::default()
    };
    let mut gw = Emulator::with_options(&fixture("looping"), &GatewaySetup::default(), options)
        .expect("loads");
    let err = gw
        .send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )
        .expect_err("must stop");
    let text = err_text(err);
    assert!(
        text.contains("`proxy_on_request_headers` ran out of fuel"),
        "{text}"
    );
    assert!(text.contains("stuck in a loop"), "{text}");
}

#[test]
fn linear_memory_stays_flat_over_many_requests() {
    let mut gw = Emulator::new(&fixture("headers"), &setup(json!("t"))).expect("loads");
    let req = HttpRequest::get("example.com", "/p").header("x-in", "v");
    let upstream = UpstreamResponse::default();
    for _ in 0..200 {
        gw.send(&req, &upstream).expect("warm-up exchange");
    }
    let warm = gw.memory_bytes();
    assert!(warm > 0 && gw.memory_pages() * 65536 == warm);
    for _ in 0..2000 {
        gw.send(&req, &upstream).expect("exchange");
    }
    assert_eq!(gw.memory_bytes(), warm, "linear memory grew");
}

fn redis_setup(config: &str, addr: std::net::SocketAddr) -> GatewaySetup {
    GatewaySetup {
        plugin_config: json!(config),
        clusters: Clusters {
            http: BTreeMap::new(),
            redis: BTreeMap::from([("outbound|6379||redis.static".to_string(), addr)]),
        },
        ..GatewaySetup::default()
    }
}

#[test]
fn redis_calls_against_a_real_server() {
    let redis = RedisServer::start().expect("redis-server");
    let setup = redis_setup("outbound|6379||redis.static?db=2", redis.addr());
    let mut gw = Emulator::new(&fixture("redis-raw"), &setup).expect("loads");
    assert!(gw.higress_abi());
    let req = HttpRequest::get("example.com", "/count");
    let first = gw
        .send(&req, &UpstreamResponse::default())
        .expect("first exchange");
    assert_eq!(first.upstream_header("x-redis-reply"), Some(":1"));
    let second = gw
        .send(&req, &UpstreamResponse::default())
        .expect("second exchange");
    assert_eq!(second.upstream_header("x-redis-reply"), Some(":2"));
    let [
        CallRecord::Redis {
            cluster,
            query,
            outcome: Some(Ok(reply)),
            ..
        },
        _,
    ] = gw.calls()
    else {
        panic!("expected two redis calls, got {:?}", gw.calls());
    };
    assert_eq!(cluster, "outbound|6379||redis.static");
    assert_eq!(query.as_slice(), b"*2\r\n$4\r\nINCR\r\n$9\r\nemu-count\r\n");
    assert_eq!(reply.as_slice(), b":1\r\n");

    // The counter went to database 2, not 0.
    let mut conn = gatewit_host_shim::backend::RedisConnection::connect(
        redis.addr(),
        "",
        "",
        2,
        Duration::from_secs(2),
    )
    .expect("connect");
    let got = conn
        .call(
            &gatewit_host_shim::backend::encode_command(&[b"GET", b"emu-count"]),
            Duration::from_secs(2),
        )
        .expect("get");
    assert_eq!(got, b"$1\r\n2\r\n");
}

#[test]
fn redis_down_reaches_the_plugin_as_a_failed_call() {
    let setup = redis_setup("outbound|6379||redis.static", dead_addr());
    let mut gw = Emulator::new(&fixture("redis-raw"), &setup).expect("loads");
    let ex = gw
        .send(
            &HttpRequest::get("example.com", "/count"),
            &UpstreamResponse::default(),
        )
        .expect("exchange");
    assert_eq!(
        (ex.response.status, ex.body_text().as_str()),
        (503, "redis status 11")
    );
    assert!(
        matches!(
            gw.calls(),
            [CallRecord::Redis {
                outcome: Some(Err((11, _))),
                ..
            }]
        ),
        "{:?}",
        gw.calls()
    );

    let err = Emulator::new(
        &fixture("redis-raw"),
        &redis_setup("unknown-cluster", dead_addr()),
    )
    .expect_err("unknown cluster");
    assert!(err_text(err).contains("redis init of `unknown-cluster` failed with status 2"));
}

const TICK_WAT: &str = concat!(
    r#"
(module
  (import "env" "proxy_define_metric" (func $define (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_increment_metric" (func $inc (param i32 i64) (result i32)))
  (import "env" "proxy_set_tick_period_milliseconds" (func $period (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "ticks")
"#,
    bump_malloc_and_abi!(),
    r#"  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (drop (call $define (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 64)))
    (drop (call $period (i32.const 250)))
    (i32.const 1))
  (func (export "proxy_on_tick") (param i32)
    (drop (call $inc (i32.load (i32.const 64)) (i64.const 1)))))
"#
);

#[test]
fn ticks_fire_on_demand() {
    let mut gw = Emulator::new(&wat(TICK_WAT), &GatewaySetup::default()).expect("loads");
    assert_eq!(gw.tick_period(), Some(Duration::from_millis(250)));
    gw.tick().expect("first tick");
    gw.tick().expect("second tick");
    assert_eq!(gw.metric("ticks"), Some(2));
}

#[test]
fn only_logging_and_wasi_work_during_initialize() {
    let text = TICK_WAT.replace(
        r#"(func (export "proxy_abi_version_0_2_1"))"#,
        r#"(func (export "proxy_abi_version_0_2_1"))
           (func (export "_initialize") (drop (call $period (i32.const 5))))"#,
    );
    let err = Emulator::new(&wat(&text), &GatewaySetup::default()).expect_err("forbidden call");
    let text = err_text(err);
    assert!(text.contains("`_initialize` trapped"), "{text}");
    assert!(
        text.contains("`proxy_set_tick_period_milliseconds` was called during `_initialize`"),
        "{text}"
    );
}

#[test]
fn a_pause_nothing_can_resume_is_an_error_not_a_hang() {
    let text = EMPTY_WAT.replace(
        r#"(func (export "proxy_abi_version_0_2_1"))"#,
        r#"(func (export "proxy_abi_version_0_2_1"))
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))"#,
    );
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    let err = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("stuck stream");
    let text = err_text(err);
    assert!(text.contains("paused the request headers"), "{text}");
    assert!(
        text.contains("nothing is pending that could resume it"),
        "{text}"
    );
    // The VM itself is fine: the next request fails the same way, not worse.
    let again = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("stuck again");
    assert!(err_text(again).contains("paused the request headers"));
}

/// Headers and bodies share action numbers that mean different things:
/// 2 is Higress's ContinueAndEndStream for headers (the stream goes on) but
/// StopIterationAndWatermark for a body (a pause).
#[test]
fn action_2_goes_on_after_headers_and_pauses_a_body() {
    let text = EMPTY_WAT.replace(
        r#"(func (export "proxy_abi_version_0_2_1"))"#,
        r#"(func (export "proxy_abi_version_0_2_1"))
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 2))
           (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 2))"#,
    );
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    let ex = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect("headers-only: action 2 goes on");
    assert!(ex.upstream.is_some());
    let err = gw
        .send(
            &HttpRequest::post("h", "/", "x"),
            &UpstreamResponse::default(),
        )
        .expect_err("a body paused with nothing to resume it");
    let text = err_text(err);
    assert!(text.contains("paused the request body"), "{text}");
}

#[test]
fn a_local_reply_after_response_headers_went_out_is_a_reset() {
    // Response headers continue, the body pauses, and at the end of the body
    // the plugin replies locally: Envoy can no longer replace the response.
    let text = EMPTY_WAT.replace(
        "(memory",
        r#"(import "env" "proxy_send_local_response"
             (func $reply (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
           (memory"#,
    );
    let text = text.replace(
        r#"(func (export "proxy_abi_version_0_2_1"))"#,
        r#"(func (export "proxy_abi_version_0_2_1"))
           (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
             (drop (call $reply (i32.const 418) (i32.const 0) (i32.const 0) (i32.const 0)
                                (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1)))
             (i32.const 1))"#,
    );
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    let err = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("reset");
    assert!(err_text(err).contains("Envoy resets the stream"));
    assert_eq!(gw.local_replies().len(), 1);
}

const WASI_WAT: &str = concat!(
    r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "to stdout\n")
  (data (i32.const 32) "\10\00\00\00\0a\00\00\00")
"#,
    bump_malloc_and_abi!(),
    r#"  (func (export "_initialize")
    (drop (call $write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48))))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    ;; an unimplemented wasi function answers ENOSYS (52)
    (i32.eq (call $open (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                        (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))
            (i32.const 52)))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $exit (i32.const 3))
    (i32.const 0)))
"#
);

#[test]
fn wasi_stdout_logs_stubs_answer_enosys_and_proc_exit_traps() {
    let mut gw =
        Emulator::new(&wat(WASI_WAT), &GatewaySetup::default()).expect("loads and configures");
    assert!(
        gw.logs()
            .iter()
            .any(|l| l.level == LogLevel::Info && l.message == "to stdout"),
        "{:?}",
        gw.logs()
    );
    let err = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("proc_exit");
    let text = err_text(err);
    assert!(
        text.contains("`proxy_on_request_headers` trapped"),
        "{text}"
    );
    assert!(text.contains("proc_exit(3)"), "{text}");
}

/// Pauses the request headers; buffers the body (Pause) until its end, then
/// sets request header `x-held: rewritten` and continues.
const HOLD_HEADERS_WAT: &str = concat!(
    r#"
(module
  (import "env" "proxy_replace_header_map_value"
    (func $replace (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x-held")
  (data (i32.const 32) "rewritten")
"#,
    bump_malloc_and_abi!(),
    r#"  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_body") (param $ctx i32) (param $size i32) (param $eos i32)
    (result i32)
    (if (result i32) (local.get $eos)
      (then
        (drop (call $replace (i32.const 0) (i32.const 16) (i32.const 6)
                             (i32.const 32) (i32.const 9)))
        (i32.const 0))
      (else (i32.const 1)))))
"#
);

/// A stock Envoy module that pauses its request headers and continues from
/// the body phase: without `allow_on_headers_stop_iteration` (the setup's
/// `body_during_paused_headers`) the body callbacks wait for a resume that
/// never comes; with it they run, and the body Continue lets the held
/// headers go on as the body callback left them.
#[test]
fn body_callbacks_during_paused_headers_follow_the_setup() {
    let request = HttpRequest::post("h", "/up", "").chunks(["hello ", "world"]);
    let mut gw = Emulator::new(&wat(HOLD_HEADERS_WAT), &GatewaySetup::default()).expect("loads");
    assert!(!gw.higress_abi() && !gw.body_during_paused_headers());
    let err = gw
        .send(&request, &UpstreamResponse::default())
        .expect_err("stuck stream");
    assert!(
        err_text(err).contains("paused the request headers"),
        "stock Envoy holds the body callbacks"
    );

    let setup = GatewaySetup {
        body_during_paused_headers: true,
        ..GatewaySetup::default()
    };
    let mut gw = Emulator::new(&wat(HOLD_HEADERS_WAT), &setup).expect("loads");
    assert!(gw.body_during_paused_headers());
    let ex = gw
        .send(&request, &UpstreamResponse::default())
        .expect("the body phase lets the request go");
    let up = ex.upstream.as_ref().expect("reached the upstream");
    assert_eq!(up.body, b"hello world");
    assert_eq!(ex.upstream_header("x-held"), Some("rewritten"));
    assert_eq!(ex.body_text(), "upstream ok");
}

/// Shared queues: `proxy_on_configure` registers `jobs` and checks the
/// statuses of the queue hostcalls; request headers enqueue two items;
/// `proxy_on_queue_ready` dequeues one item per call and checks that it
/// arrived in memory the plugin's `malloc` handed out. Each check logs a
/// tag and a digit (`R0`: register returned 0).
const QUEUE_WAT: &str = r#"
(module
  (import "env" "proxy_register_shared_queue" (func $register (param i32 i32 i32) (result i32)))
  (import "env" "proxy_resolve_shared_queue" (func $resolve (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_enqueue_shared_queue" (func $enqueue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_dequeue_shared_queue" (func $dequeue (param i32 i32 i32) (result i32)))
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 4096))
  (global $last (mut i32) (i32.const 0))
  (global $q (mut i32) (i32.const 0))
  (data (i32.const 16) "jobs")
  (data (i32.const 24) "gatewit")
  (data (i32.const 32) "other")
  (data (i32.const 40) "item-a")
  (data (i32.const 48) "item-b")
  (func (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (global.get $bump) (local.get $size)))
    (global.set $last (local.get $p))
    (local.get $p))
  (func (export "proxy_abi_version_0_2_1"))
  (func $note (param $tag i32) (param $digit i32)
    (i32.store8 (i32.const 200) (local.get $tag))
    (i32.store8 (i32.const 201) (i32.add (i32.const 48) (local.get $digit)))
    (drop (call $log (i32.const 2) (i32.const 200) (i32.const 2))))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    ;; R: register "jobs"; I: its id
    (call $note (i32.const 82) (call $register (i32.const 16) (i32.const 4) (i32.const 256)))
    (global.set $q (i32.load (i32.const 256)))
    (call $note (i32.const 73) (global.get $q))
    ;; R, S: registering again gives the same id
    (call $note (i32.const 82) (call $register (i32.const 16) (i32.const 4) (i32.const 256)))
    (call $note (i32.const 83) (i32.ne (i32.load (i32.const 256)) (global.get $q)))
    ;; V, W: resolving ("gatewit", "jobs") finds it
    (call $note (i32.const 86)
      (call $resolve (i32.const 24) (i32.const 7) (i32.const 16) (i32.const 4) (i32.const 260)))
    (call $note (i32.const 87) (i32.ne (i32.load (i32.const 260)) (global.get $q)))
    ;; V: another VM's queue, and an unknown name: not found
    (call $note (i32.const 86)
      (call $resolve (i32.const 32) (i32.const 5) (i32.const 16) (i32.const 4) (i32.const 260)))
    (call $note (i32.const 86)
      (call $resolve (i32.const 24) (i32.const 7) (i32.const 32) (i32.const 5) (i32.const 260)))
    ;; E: enqueue into an unknown id; D: dequeue from the empty queue, and from an unknown id
    (call $note (i32.const 69) (call $enqueue (i32.const 99) (i32.const 40) (i32.const 6)))
    (call $note (i32.const 68) (call $dequeue (global.get $q) (i32.const 300) (i32.const 304)))
    (call $note (i32.const 68) (call $dequeue (i32.const 99) (i32.const 300) (i32.const 304)))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $note (i32.const 69) (call $enqueue (global.get $q) (i32.const 40) (i32.const 6)))
    (call $note (i32.const 69) (call $enqueue (global.get $q) (i32.const 48) (i32.const 6)))
    (call $note (i32.const 72) (i32.const 0))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (call $note (i32.const 80) (i32.const 0))
    (i32.const 0))
  (func (export "proxy_on_queue_ready") (param $root i32) (param $queue i32)
    (local $st i32)
    ;; C: the root context; Q: the queue id
    (call $note (i32.const 67) (local.get $root))
    (call $note (i32.const 81) (local.get $queue))
    (local.set $st (call $dequeue (local.get $queue) (i32.const 300) (i32.const 304)))
    (if (local.get $st)
      (then (call $note (i32.const 68) (local.get $st)))
      (else
        ;; M: the item lies where the last malloc pointed
        (call $note (i32.const 77) (i32.ne (i32.load (i32.const 300)) (global.get $last)))
        (drop (call $log (i32.const 2) (i32.load (i32.const 300)) (i32.load (i32.const 304))))))))
"#;

fn log_lines(gw: &mut Emulator) -> Vec<String> {
    gw.take_logs().into_iter().map(|l| l.message).collect()
}

#[test]
fn shared_queues_statuses_and_queue_ready_after_the_enqueueing_callback() {
    let mut gw = Emulator::new(&wat(QUEUE_WAT), &GatewaySetup::default()).expect("loads");
    assert_eq!(
        log_lines(&mut gw),
        [
            "R0", "I1", "R0", "S0", "V0", "W0", "V1", "V1", "E1", "D7", "D1"
        ]
    );
    assert_eq!(gw.shared_queue("jobs"), Some(vec![]));
    assert_eq!(gw.shared_queue("nope"), None);

    let allocations = gw.guest_allocations();
    gw.send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect("exchange");
    // One proxy_on_queue_ready per enqueue, on the root context, once the
    // request-headers callback has returned and before the next phase.
    assert_eq!(
        log_lines(&mut gw),
        [
            "E0", "E0", "H0", "C1", "Q1", "M0", "item-a", "C1", "Q1", "M0", "item-b", "P0"
        ]
    );
    // The items were handed over through the plugin's malloc.
    assert_eq!(gw.guest_allocations(), allocations + 2);
    assert_eq!(gw.shared_queue("jobs"), Some(vec![]));

    // Another worker enqueueing: delivered at once.
    gw.enqueue_shared_queue("jobs", b"from-outside")
        .expect("enqueue");
    assert_eq!(log_lines(&mut gw), ["C1", "Q1", "M0", "from-outside"]);
    let err = gw
        .enqueue_shared_queue("nope", b"x")
        .expect_err("no such queue");
    assert!(err_text(err).contains("`nope`"));

    assert_eq!(gw.hostcall_count("proxy_register_shared_queue"), 2);
    assert_eq!(gw.hostcall_count("proxy_resolve_shared_queue"), 3);
    assert_eq!(gw.hostcall_count("proxy_enqueue_shared_queue"), 3);
    assert_eq!(gw.hostcall_count("proxy_dequeue_shared_queue"), 5);
}

#[test]
fn queue_ready_needs_the_export_and_an_enqueue() {
    // Without `proxy_on_queue_ready` the items just wait in the queue.
    let text = QUEUE_WAT.replace(r#"(export "proxy_on_queue_ready")"#, "");
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    gw.take_logs();
    gw.send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect("exchange");
    assert_eq!(log_lines(&mut gw), ["E0", "E0", "H0", "P0"]);
    assert_eq!(
        gw.shared_queue("jobs"),
        Some(vec![b"item-a".as_slice(), b"item-b".as_slice()])
    );
    assert_eq!(gw.hostcall_count("proxy_dequeue_shared_queue"), 2);
}

/// A plugin whose `proxy_on_queue_ready` enqueues into its own queue
/// forever is stopped instead of hanging the test.
#[test]
fn a_queue_ready_loop_is_stopped() {
    let text = QUEUE_WAT.replace(
        r#"(call $note (i32.const 67) (local.get $root))"#,
        r#"(drop (call $enqueue (local.get $queue) (i32.const 40) (i32.const 6)))"#,
    );
    let mut gw = Emulator::new(&wat(&text), &GatewaySetup::default()).expect("loads");
    let err = gw
        .send(&HttpRequest::get("h", "/"), &UpstreamResponse::default())
        .expect_err("loop");
    assert!(err_text(err).contains("proxy_on_queue_ready"));
}
