//! Tier 1, host shim, against the raw fixture plugins (written on wit-bindgen
//! directly, no SDK): flow control, calls, Redis, limits, traps, hooks.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use anyhow::Result;
use gatewit_host_shim::backend::{CallFailure, HttpCallResponse};
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_host_shim::harness::{LogSource, MockHttp, PluginHost, PluginHostBuilder};
use gatewit_host_shim::{PluginComponent, ShimGateway};
use gatewit_tests::http_server::{Reply, TestServer};
use gatewit_tests::plugins::wasm_plugin;
use gatewit_tests::redis_server::RedisServer;

fn fixture() -> PluginHostBuilder {
    PluginHost::builder(wasm_plugin("raw-fixture").expect("raw-fixture builds"))
}

fn get(action: &str) -> HttpRequest {
    let req = HttpRequest::get("example.com", "/path");
    if action.is_empty() {
        req
    } else {
        req.header("x-action", action)
    }
}

fn gateway(host: PluginHost) -> ShimGateway {
    // `ShimGateway` is built from a setup; here the harness is already
    // configured, so wrap it through the public constructor's sibling.
    ShimGateway::from_host(host)
}

#[test]
fn plain_request_flows_through_and_stdout_is_logged() -> Result<()> {
    let mut gw = gateway(fixture().start()?);
    let ex = gw.send(&get(""), &UpstreamResponse::default())?;
    assert_eq!(ex.upstream_header("x-raw"), Some("yes"));
    assert_eq!(ex.response.status, 200);
    assert_eq!(ex.body_text(), "upstream ok");
    assert!(ex.response_header("x-raw-response").is_some());
    let host = gw.host();
    assert!(
        host.logs()
            .iter()
            .any(|l| l.source == LogSource::Stdout && l.message == "raw fixture starting")
    );
    assert!(
        host.logs()
            .iter()
            .any(|l| l.source == LogSource::Plugin && l.message.contains("action ``"))
    );
    Ok(())
}

#[test]
fn every_request_gets_its_own_context_id() -> Result<()> {
    let mut gw = gateway(fixture().start()?);
    let a = gw.send(&get(""), &UpstreamResponse::default())?;
    let b = gw.send(&get(""), &UpstreamResponse::default())?;
    assert_ne!(
        a.response_header("x-raw-response"),
        b.response_header("x-raw-response")
    );
    Ok(())
}

#[test]
fn rejected_config_is_a_clear_error() {
    let err = fixture()
        .config_bytes("fail=no thanks")
        .start()
        .expect_err("config must be rejected");
    let msg = format!("{err:#}");
    assert!(msg.contains("rejected its configuration"), "{msg}");
    assert!(
        msg.contains("raw fixture refuses this config: no thanks"),
        "{msg}"
    );
}

#[test]
fn a_trap_is_an_error_and_the_host_keeps_serving() -> Result<()> {
    let mut gw = gateway(fixture().start()?);
    let err = gw
        .send(&get("trap"), &UpstreamResponse::default())
        .expect_err("the plugin traps");
    let msg = format!("{err:#}");
    assert!(
        msg.contains("plugin trapped in `on-request-headers`"),
        "{msg}"
    );
    assert!(msg.contains("raw fixture traps on purpose"), "{msg}");
    assert_eq!(gw.host().restarts(), 1);
    let ex = gw.send(&get(""), &UpstreamResponse::default())?;
    assert_eq!(ex.upstream_header("x-raw"), Some("yes"));
    // The fresh instance was configured again.
    let starts = gw
        .host()
        .logs()
        .iter()
        .filter(|l| l.message == "raw fixture starting")
        .count();
    assert_eq!(starts, 2);
    Ok(())
}

#[test]
fn an_endless_loop_exceeds_the_time_budget_and_the_host_keeps_serving() -> Result<()> {
    let mut gw = gateway(fixture().time_budget(Duration::from_millis(500)).start()?);
    let started = Instant::now();
    let err = gw
        .send(&get("loop"), &UpstreamResponse::default())
        .expect_err("the plugin loops");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let msg = format!("{err:#}");
    assert!(msg.contains("plugin exceeded its time budget"), "{msg}");
    assert!(msg.contains("on-request-headers"), "{msg}");
    let ex = gw.send(&get(""), &UpstreamResponse::default())?;
    assert_eq!(ex.response.status, 200);
    Ok(())
}

#[test]
fn the_memory_cap_stops_a_hoarding_plugin() -> Result<()> {
    let mut gw = gateway(fixture().memory_limit(32 << 20).start()?);
    let err = gw
        .send(&get("oom"), &UpstreamResponse::default())
        .expect_err("the plugin runs out of memory");
    assert!(
        format!("{err:#}").contains("plugin trapped in `on-request-headers`"),
        "{err:#}"
    );
    assert_eq!(
        gw.send(&get(""), &UpstreamResponse::default())?
            .response
            .status,
        200
    );
    Ok(())
}

#[test]
fn a_local_reply_ends_the_exchange_and_runs_the_response_phase() -> Result<()> {
    let mut gw = gateway(fixture().start()?);
    let ex = gw.send(&get("local"), &UpstreamResponse::default())?;
    assert!(ex.upstream.is_none());
    assert_eq!(ex.response.status, 403);
    assert_eq!(ex.body_text(), "denied");
    assert_eq!(ex.response_header("x-denied"), Some("1"));
    // Like Envoy, the plugin's own response phase sees its local reply.
    assert!(ex.response_header("x-raw-response").is_some());
    Ok(())
}

#[test]
fn http_call_to_a_mock_resumes_the_request() -> Result<()> {
    let cluster = "outbound|80||token.static";
    let mock = MockHttp::Respond(HttpCallResponse::new(200, &[("x-token", "t-1")], "body-1"));
    let mut gw = gateway(fixture().http_mock(cluster, mock).start()?);
    let ex = gw.send(
        &get("call").header("x-cluster", cluster),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.upstream_header("x-token"), Some("t-1"));
    assert_eq!(ex.upstream_header("x-token-body"), Some("body-1"));
    let calls = gw.host().http_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].cluster, cluster);
    assert_eq!(calls[0].request.header(":path"), Some("/token"));
    assert_eq!(calls[0].timeout_ms, 500);
    assert!(calls[0].context > 0);
    Ok(())
}

#[test]
fn http_call_failures_reach_the_plugin() -> Result<()> {
    let cluster = "outbound|80||token.static";
    let mut gw = gateway(
        fixture()
            .http_mock(cluster, MockHttp::Fail(CallFailure::Timeout))
            .start()?,
    );
    let ex = gw.send(
        &get("call").header("x-cluster", cluster),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.response.status, 500);
    assert!(ex.body_text().contains("Timeout"), "{}", ex.body_text());
    // An unknown cluster fails at dispatch.
    let ex = gw.send(
        &get("call").header("x-cluster", "outbound|1||nowhere"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.response.status, 503);
    assert!(ex.body_text().contains("not-found"), "{}", ex.body_text());
    Ok(())
}

#[test]
fn http_call_to_a_real_server() -> Result<()> {
    let server = TestServer::always(Reply::new(200, "real").header("x-token", "from-server"))?;
    let cluster = "outbound|8080||token.static";
    let mut gw = gateway(fixture().http_real(cluster, server.addr()).start()?);
    let ex = gw.send(
        &get("call").header("x-cluster", cluster),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.upstream_header("x-token"), Some("from-server"));
    assert_eq!(ex.upstream_header("x-token-body"), Some("real"));
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/token")
    );
    assert_eq!(seen[0].header("host"), Some("token"));
    Ok(())
}

/// As in Envoy: a call out of time is answered `504` by the gateway
/// itself, one to a closed port `503`.
#[test]
fn a_slow_server_is_answered_504_and_a_closed_port_503() -> Result<()> {
    let slow = TestServer::always(Reply::new(200, "late").delay(Duration::from_secs(2)))?;
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut gw = gateway(
        fixture()
            .http_real("slow", slow.addr())
            .http_real("closed", closed)
            .start()?,
    );
    let started = Instant::now();
    let ex = gw.send(
        &get("call").header("x-cluster", "slow"),
        &UpstreamResponse::default(),
    )?;
    assert!(
        ex.body_text().contains("token service answered 504"),
        "{}",
        ex.body_text()
    );
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );
    let ex = gw.send(
        &get("call").header("x-cluster", "closed"),
        &UpstreamResponse::default(),
    )?;
    assert!(
        ex.body_text().contains("token service answered 503"),
        "{}",
        ex.body_text()
    );
    Ok(())
}

#[test]
fn redis_against_the_fake() -> Result<()> {
    let (builder, fake) = fixture()
        .config_bytes("redis=outbound|6379||redis.static")
        .redis_fake("outbound|6379||redis.static");
    let mut gw = gateway(builder.start()?);
    let ex = gw.send(
        &get("redis").header("x-key", "hits"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.upstream_header("x-redis"), Some(":1"));
    let ex = gw.send(
        &get("redis").header("x-key", "hits"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.upstream_header("x-redis"), Some(":2"));
    assert_eq!(
        fake.lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .get("hits"),
        Some(&b"2"[..])
    );
    let calls = gw.host().redis_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].command,
        vec!["INCR".to_string(), "hits".to_string()]
    );
    Ok(())
}

#[test]
fn redis_against_a_real_server_and_after_it_stops() -> Result<()> {
    let mut server = RedisServer::start()?;
    let cluster = "outbound|6379||redis.static";
    let mut gw = gateway(
        fixture()
            .config_bytes(format!("redis={cluster}"))
            .redis_real(cluster, server.addr())
            .start()?,
    );
    for expected in [":1", ":2"] {
        let ex = gw.send(
            &get("redis").header("x-key", "real"),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(ex.upstream_header("x-redis"), Some(expected));
    }
    assert_eq!(server.command(&["GET", "real"])?, b"$1\r\n2\r\n");
    server.stop();
    let started = Instant::now();
    let ex = gw.send(
        &get("redis").header("x-key", "real"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.response.status, 430);
    assert!(
        ex.body_text().starts_with("redis failed with status"),
        "{}",
        ex.body_text()
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    Ok(())
}

#[test]
fn redis_with_a_password() -> Result<()> {
    let server = RedisServer::start_with_password("s3cret")?;
    let cluster = "outbound|6379||redis.static";
    let mut gw = gateway(
        fixture()
            .config_bytes(format!("redis={cluster}\npassword=s3cret"))
            .redis_real(cluster, server.addr())
            .start()?,
    );
    let ex = gw.send(
        &get("redis").header("x-key", "auth"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.upstream_header("x-redis"), Some(":1"));
    // A wrong password fails the configuration.
    let err = fixture()
        .config_bytes(format!("redis={cluster}\npassword=wrong"))
        .redis_real(cluster, server.addr())
        .start()
        .expect_err("wrong password");
    assert!(format!("{err:#}").contains("redis init failed"), "{err:#}");
    Ok(())
}

#[test]
fn a_paused_body_is_buffered_and_rewritten() -> Result<()> {
    let mut gw = gateway(fixture().start()?);
    let req = HttpRequest::post("example.com", "/up", "")
        .header("x-action", "buffer")
        .chunks(["ab", "cd", "ef"]);
    let ex = gw.send(&req, &UpstreamResponse::default())?;
    assert_eq!(
        ex.upstream.as_ref().map(|u| u.body.as_slice()),
        Some(&b"ABCDEF"[..])
    );
    Ok(())
}

#[test]
fn a_paused_response_resumes_after_a_call_and_its_body_follows() -> Result<()> {
    let cluster = "outbound|80||late.static";
    let mock = MockHttp::Respond(HttpCallResponse::new(200, &[], ""));
    let mut host = fixture().http_mock(cluster, mock).start()?;
    let mut stream = host.stream()?;
    stream.send_request(&get("pause-response").header("x-cluster", cluster))?;
    assert!(stream.upstream_request().is_some());
    stream.send_response_headers(
        200,
        &vec![("content-type".into(), "text/plain".into())],
        false,
    )?;
    // The call was answered at once, so the response is flowing again.
    assert!(!stream.response_paused());
    let headers = stream.client_headers().expect("headers reached the client");
    assert!(
        headers.contains(&("x-late".to_string(), "ok".to_string())),
        "{headers:?}"
    );
    stream.send_response_body(b"hel", false)?;
    assert!(
        stream.client_body().is_empty(),
        "the plugin buffers the body"
    );
    stream.send_response_body(b"lo", true)?;
    let response = stream.finish()?.expect("the response completed");
    assert_eq!(
        String::from_utf8_lossy(&response.body),
        "hello (seen 5 bytes)"
    );
    assert_eq!(host.http_calls()[0].request.header(":path"), Some("/late"));
    Ok(())
}

#[test]
fn the_upstream_sees_the_request_once_its_body_ends() -> Result<()> {
    let mut host = fixture().start()?;
    let mut stream = host.stream()?;
    stream.send_request_headers(
        gatewit_host_shim::harness::request_header_list(&get("")),
        false,
    )?;
    assert!(stream.upstream_headers().is_some());
    assert!(
        stream.upstream_request().is_none(),
        "the body has not ended yet"
    );
    stream.send_request_body(b"x", true)?;
    assert_eq!(
        stream.upstream_request().map(|r| r.body),
        Some(b"x".to_vec())
    );
    Ok(())
}

#[test]
fn ticks_fire_as_time_advances() -> Result<()> {
    let mut host = fixture().config_bytes("tick=100").start()?;
    assert_eq!(host.tick_period(), Duration::from_millis(100));
    assert_eq!(host.advance_time(Duration::from_millis(1050))?, 10);
    assert_eq!(host.metric("raw_ticks").map(|m| m.value), Some(10));
    Ok(())
}

#[test]
fn callbacks_missing_from_the_hooks_section_are_skipped() -> Result<()> {
    let component = PluginComponent::load(wasm_plugin("raw-hooks")?)?;
    assert_eq!(component.hooks(), 1 << 2);
    let mut gw = ShimGateway::new(wasm_plugin("raw-hooks")?, &GatewaySetup::default())?;
    let req = HttpRequest::post("example.com", "/", "body");
    let ex = gw.send(&req, &UpstreamResponse::default())?;
    assert_eq!(ex.upstream_header("x-hooks"), Some("headers-only"));
    assert_eq!(ex.body_text(), "upstream ok");
    assert_eq!(gw.host().restarts(), 0);
    Ok(())
}

#[test]
fn shared_queue_calls_and_queue_ready() -> Result<()> {
    let mut gw = gateway(fixture().start()?);
    let ex = gw.send(
        &HttpRequest::get("example.com", "/first").header("x-action", "queue"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(
        ex.upstream_header("x-queue"),
        Some(
            "vm=gatewit;other_vm=Err(not-found);missing=Err(not-found);same=true;\
             empty=Ok(None);unknown=Err(not-found);enqueued=Ok(())"
        )
    );
    // `on-queue-ready` ran once after the headers callback and drained it.
    let host = gw.host();
    assert_eq!(
        host.shared_data("fixture-q-seen").map(|(v, _)| v),
        Some(b"/first".to_vec())
    );
    assert_eq!(host.shared_queue("fixture-q"), Some(Vec::new()));
    assert_eq!(host.shared_queue("missing"), None);
    assert_eq!(
        host.logs()
            .iter()
            .filter(|l| l.message.contains("ready: 1 item(s)") && l.context == 0)
            .count(),
        1
    );
    // The queue outlives the request; the next enqueue is delivered too.
    gw.send(
        &HttpRequest::get("example.com", "/second").header("x-action", "queue"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(
        gw.host().shared_data("fixture-q-seen").map(|(v, _)| v),
        Some(b"/first;/second".to_vec())
    );
    Ok(())
}

#[test]
fn queue_ready_needs_its_hooks_bit() -> Result<()> {
    // raw-hooks declares only bit 2 and panics in `on-queue-ready`.
    let mut gw = ShimGateway::new(wasm_plugin("raw-hooks")?, &GatewaySetup::default())?;
    let req = HttpRequest::get("example.com", "/").header("x-action", "queue");
    let ex = gw.send(&req, &UpstreamResponse::default())?;
    assert_eq!(ex.upstream_header("x-enqueued"), Some("Ok(())"));
    gw.send(&req, &UpstreamResponse::default())?;
    let host = gw.host();
    assert_eq!(host.restarts(), 0);
    assert_eq!(
        host.shared_queue("hooks-q"),
        Some(vec![b"item".to_vec(), b"item".to_vec()])
    );
    Ok(())
}

#[test]
fn bad_components_are_clear_errors() {
    let err = PluginHost::builder(b"not wasm at all".to_vec())
        .start()
        .expect_err("not wasm");
    assert!(
        format!("{err:#}").contains("not a valid WebAssembly component"),
        "{err:#}"
    );
    // A core module (an adapted plugin, most likely), not a component.
    let err = PluginHost::builder(b"\0asm\x01\0\0\0".to_vec())
        .start()
        .expect_err("a core module");
    assert!(
        format!("{err:#}").contains("is a core wasm module, not a component"),
        "{err:#}"
    );
    let err = PluginHost::builder(std::path::PathBuf::from("/nonexistent/plugin.wasm"))
        .start()
        .expect_err("missing");
    assert!(
        format!("{err:#}").contains("cannot read plugin component"),
        "{err:#}"
    );
}

#[test]
fn trailers_end_the_stream() -> Result<()> {
    let mut host = fixture().start()?;
    let mut stream = host.stream()?;
    let headers = gatewit_host_shim::harness::request_header_list(&get(""));
    stream.send_request_headers(headers, false)?;
    stream.send_request_body(b"part", false)?;
    assert!(stream.upstream_request().is_none());
    stream.send_request_trailers(vec![("x-checksum".into(), "1".into())])?;
    let upstream = stream
        .upstream_request()
        .expect("trailers completed the request");
    assert_eq!(upstream.body, b"part");
    stream.send_response_headers(200, &Vec::new(), false)?;
    stream.send_response_body(b"resp", false)?;
    stream.send_response_trailers(vec![("grpc-status".into(), "0".into())])?;
    let response = stream.finish()?.expect("trailers completed the response");
    assert_eq!(response.body, b"resp");
    Ok(())
}

/// `POST` of `hello world` in two chunks, with `x-action: <action>`.
fn held(action: &str) -> HttpRequest {
    HttpRequest::post("example.com", "/upload", "")
        .header("x-action", action)
        .chunks(["hello ", "world"])
}

fn body_callbacks(host: &PluginHost) -> usize {
    host.logs()
        .iter()
        .filter(|l| l.message.starts_with("body callback "))
        .count()
}

/// Stock Envoy (the default): a paused headers callback holds the body
/// callbacks too; the body waits, buffered, for a resume that this plugin
/// only sends from a body callback.
#[test]
fn by_default_paused_headers_hold_the_body_callbacks() -> Result<()> {
    let mut host = fixture().start()?;
    let mut stream = host.stream()?;
    stream.send_request(&held("hold-headers"))?;
    assert!(stream.request_paused());
    assert!(stream.upstream_headers().is_none());
    assert!(stream.upstream_request().is_none());
    drop(stream);
    assert_eq!(body_callbacks(&host), 0);
    Ok(())
}

/// Higress / Envoy with `allow_on_headers_stop_iteration`: body callbacks
/// run while the headers are held, and a body Continue lets the headers go
/// on as the body callback left them, with the body.
#[test]
fn body_callbacks_run_while_headers_are_held_when_asked() -> Result<()> {
    let mut host = fixture().body_during_paused_headers(true).start()?;
    let mut stream = host.stream()?;
    stream.send_request_headers(
        gatewit_host_shim::harness::request_header_list(&held("hold-headers")),
        false,
    )?;
    assert!(stream.request_paused());
    stream.send_request_body(b"hello ", false)?;
    assert!(stream.request_paused(), "the first chunk is buffered");
    assert!(stream.upstream_headers().is_none());
    stream.send_request_body(b"world", true)?;
    assert!(!stream.request_paused());
    let up = stream.upstream_request().expect("the request went on");
    assert_eq!(up.body, b"hello world");
    let header = |name: &str| {
        up.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(header("x-body-callbacks"), Some("2"));
    assert_eq!(header("x-body-bytes"), Some("11"));
    drop(stream);
    assert_eq!(body_callbacks(&host), 2);

    // Through the gateway, with the switch in the setup.
    let setup = GatewaySetup {
        body_during_paused_headers: true,
        ..GatewaySetup::default()
    };
    let mut gw = ShimGateway::new(wasm_plugin("raw-fixture")?, &setup)?;
    let ex = gw.send(&held("hold-headers"), &UpstreamResponse::default())?;
    assert_eq!(ex.upstream_header("x-body-callbacks"), Some("2"));
    Ok(())
}

/// With body callbacks during paused headers, a resume lets the held
/// headers and the body the callbacks already saw go on, without calling
/// the body callback again.
#[test]
fn a_resume_of_held_headers_does_not_repeat_the_body_callback() -> Result<()> {
    let mut gw = gateway(fixture().body_during_paused_headers(true).start()?);
    let ex = gw.send(&held("hold-headers-resume"), &UpstreamResponse::default())?;
    let up = ex.upstream.as_ref().expect("the request went on");
    assert_eq!(up.body, b"hello world");
    assert_eq!(ex.upstream_header("x-body-callbacks"), Some("2"));
    assert_eq!(body_callbacks(gw.host()), 2);
    assert_eq!(ex.response.status, 200);
    Ok(())
}
