//! Tier 1, host shim: every example end to end through the scenario table,
//! plus the details only the harness can see (calls made, logs, timings).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_host_shim::harness::{Level, LogRecord, PluginHost};
use gatewit_tests::http_server::{Reply, TestServer};
use gatewit_tests::plugins::wasm_plugin;
use gatewit_tests::redis_server::RedisServer;
use gatewit_tests::scenarios::{self, Scenario};

fn run(name: &str) -> Result<()> {
    let scenario = scenarios::by_name(name)?;
    scenario.run(|plugin, setup| Ok(Box::new(ShimGateway::new(plugin, setup)?) as Box<dyn Gateway>))
}

gatewit_tests::scenario_tests!(run);

#[test]
fn every_config_error_is_reported_with_the_plugins_message() -> Result<()> {
    for case in scenarios::config_errors() {
        let setup = GatewaySetup {
            plugin_config: case.config.clone(),
            ..GatewaySetup::default()
        };
        let err = match ShimGateway::new(wasm_plugin(case.plugin)?, &setup) {
            Ok(_) => {
                return Err(anyhow!(
                    "`{}`: the plugin accepted {}",
                    case.name,
                    case.config
                ));
            }
            Err(e) => format!("{e:#}"),
        };
        assert!(
            err.contains("rejected its configuration"),
            "`{}`: {err}",
            case.name
        );
        assert!(
            err.to_lowercase()
                .contains(&case.message_contains.to_lowercase()),
            "`{}`: {err} does not mention `{}`",
            case.name,
            case.message_contains
        );
    }
    Ok(())
}

#[test]
fn http_call_sends_the_service_authority_for_each_source() -> Result<()> {
    for (source, authority) in [
        ("k8s", "token.default.svc.cluster.local"),
        ("nacos", "token"),
        ("ip", "token"),
        ("dns", "token.example.com"),
    ] {
        let server = TestServer::always(Reply::new(200, "").header("x-auth-token", "t"))?;
        let namespace = if source == "nacos" {
            "public"
        } else {
            "default"
        };
        let mut setup = GatewaySetup {
            plugin_config: scenarios::http_call_config(source),
            ..GatewaySetup::default()
        };
        setup.clusters.http.insert(
            scenarios::token_cluster(source, "token", namespace),
            server.addr(),
        );
        let mut gw = ShimGateway::new(wasm_plugin("http-call")?, &setup)?;
        let ex = gw.send(
            &HttpRequest::get("example.com", "/api"),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(ex.upstream_header("x-auth-token"), Some("t"), "{source}");
        let seen = server.requests();
        assert_eq!(seen.len(), 1, "{source}");
        assert_eq!(seen[0].header("host"), Some(authority), "{source}");
        assert_eq!(gw.host().http_calls()[0].timeout_ms, 500, "{source}");
    }
    Ok(())
}

#[test]
fn http_call_times_out_after_500_ms() -> Result<()> {
    let server = TestServer::always(Reply::new(200, "").delay(Duration::from_secs(3)))?;
    let mut setup = GatewaySetup {
        plugin_config: scenarios::http_call_config("ip"),
        ..GatewaySetup::default()
    };
    setup.clusters.http.insert(
        scenarios::token_cluster("ip", "token", "default"),
        server.addr(),
    );
    let mut gw = ShimGateway::new(wasm_plugin("http-call")?, &setup)?;
    let started = Instant::now();
    let ex = gw.send(
        &HttpRequest::get("example.com", "/api"),
        &UpstreamResponse::default(),
    )?;
    let took = started.elapsed();
    assert_eq!(
        (ex.response.status, ex.body_text().as_str()),
        (500, "http call failed")
    );
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_millis(1500),
        "took {took:?}"
    );
    assert!(gw.host().logged("http call failed"));
    Ok(())
}

#[test]
fn http_call_to_an_unknown_cluster_continues_and_logs() -> Result<()> {
    // No cluster configured: dispatch fails, the example logs and continues.
    let setup = GatewaySetup {
        plugin_config: scenarios::http_call_config("ip"),
        ..GatewaySetup::default()
    };
    let mut gw = ShimGateway::new(wasm_plugin("http-call")?, &setup)?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/api"),
        &UpstreamResponse::default(),
    )?;
    assert!(ex.upstream.is_some());
    assert!(
        gw.host().logged("cannot find the service cluster"),
        "{:?}",
        gw.host().logs()
    );
    Ok(())
}

#[test]
fn redis_demo_commands_against_the_fake() -> Result<()> {
    let (builder, fake) = PluginHost::builder(wasm_plugin("redis-demo")?)
        .config_json(&scenarios::redis_demo_config(2))
        .redis_fake(&scenarios::redis_cluster());
    let mut gw = ShimGateway::from_host(builder.start()?);
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            gw.send(
                &HttpRequest::get("example.com", "/"),
                &UpstreamResponse::default(),
            )?
            .response
            .status,
        );
    }
    // A minute boundary between the requests restarts the count.
    if statuses != [200, 200, 429] {
        let keys = fake.lock().map_err(|_| anyhow!("poisoned"))?.keys();
        assert!(
            keys.len() > 1,
            "statuses {statuses:?} with one minute key {keys:?}"
        );
        return Ok(());
    }
    let commands: Vec<Vec<String>> = gw
        .host()
        .redis_calls()
        .iter()
        .map(|c| c.command.clone())
        .collect();
    assert_eq!(commands[0][0], "INCR");
    assert_eq!(commands[1][0], "EXPIRE");
    assert_eq!(commands[1][2], "60");
    assert_eq!(commands.iter().filter(|c| c[0] == "INCR").count(), 3);
    let fake = fake.lock().map_err(|_| anyhow!("poisoned"))?;
    let key = &commands[0][1];
    assert_eq!(fake.ttl(key), Some(60));
    assert_eq!(fake.get(key), Some(&b"3"[..]));
    Ok(())
}

#[test]
fn redis_demo_window_keys_expire_when_the_clock_advances() -> Result<()> {
    let (builder, fake) = PluginHost::builder(wasm_plugin("redis-demo")?)
        .config_json(&scenarios::redis_demo_config(5))
        .redis_fake(&scenarios::redis_cluster());
    let mut gw = ShimGateway::from_host(builder.start()?);
    let request = HttpRequest::get("example.com", "/");
    gw.send(&request, &UpstreamResponse::default())?;
    let first = gw.host().redis_calls()[0].command[1].clone();
    assert_eq!(
        fake.lock().map_err(|_| anyhow!("poisoned"))?.ttl(&first),
        Some(60)
    );
    gw.host_mut().advance_time(Duration::from_secs(61))?;
    let ex = gw.send(&request, &UpstreamResponse::default())?;
    assert_eq!(ex.response.status, 200);
    let fake = fake.lock().map_err(|_| anyhow!("poisoned"))?;
    let keys = fake.keys();
    assert!(
        !keys.contains(&first),
        "the first window's key outlived its 60 s TTL: {keys:?}"
    );
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(fake.get(&keys[0]), Some(&b"1"[..]));
    Ok(())
}

#[test]
fn redis_demo_with_redis_down_from_the_start_answers_430_quickly() -> Result<()> {
    // Start and stop a server to get an address nobody listens on.
    let addr = {
        let mut server = RedisServer::start()?;
        let addr = server.addr();
        server.stop();
        addr
    };
    let mut setup = GatewaySetup {
        plugin_config: scenarios::redis_demo_config(10),
        ..GatewaySetup::default()
    };
    setup
        .clusters
        .redis
        .insert(scenarios::redis_cluster(), addr);
    let mut gw = ShimGateway::new(wasm_plugin("redis-demo")?, &setup)?;
    for _ in 0..3 {
        let started = Instant::now();
        let ex = gw.send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(
            (ex.response.status, ex.body_text().as_str()),
            (430, "Error while calling redis")
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "took {:?}",
            started.elapsed()
        );
    }
    Ok(())
}

#[test]
fn one_instance_serves_many_requests() -> Result<()> {
    let mut gw = ShimGateway::new(wasm_plugin("my-plugin")?, &GatewaySetup::default())?;
    for i in 0..200 {
        let ex = gw.send(
            &HttpRequest::get("example.com", &format!("/{i}")),
            &UpstreamResponse::default(),
        )?;
        assert_eq!(ex.upstream_header("hello"), Some("world"));
        assert_eq!(
            ex.upstream.as_ref().map(|u| u.path.clone()),
            Some(format!("/{i}"))
        );
    }
    assert_eq!(gw.host().restarts(), 0);
    Ok(())
}

#[test]
fn scenarios_are_well_formed() {
    let all: Vec<Scenario> = scenarios::all();
    let mut names: Vec<&str> = all.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "scenario names must be unique");
    for s in &all {
        assert!(!s.steps.is_empty(), "`{}` has no steps", s.name);
        let mut plugins = gatewit_tests::plugins::EXAMPLES
            .iter()
            .chain(gatewit_tests::plugins::JS_EXAMPLES)
            .chain(gatewit_tests::plugins::PY_EXAMPLES)
            .chain(gatewit_tests::plugins::COMPOSED_EXAMPLES)
            .chain(gatewit_tests::plugins::FIXTURES);
        assert!(
            plugins.any(|p| *p == s.plugin),
            "`{}` names unknown plugin `{}`",
            s.name,
            s.plugin
        );
    }
}

#[test]
fn linear_memory_stays_flat_over_many_requests() -> Result<()> {
    for plugin in ["my-plugin", "body-rewrite"] {
        let mut gw = ShimGateway::new(wasm_plugin(plugin)?, &GatewaySetup::default())?;
        let request = HttpRequest::post("example.com", "/", r#"{"a":1}"#);
        let upstream = UpstreamResponse::default();
        for _ in 0..200 {
            gw.send(&request, &upstream)?;
        }
        let warmed = gw.host().memory_bytes();
        assert!(warmed > 0);
        for _ in 0..3000 {
            gw.send(&request, &upstream)?;
        }
        assert_eq!(
            gw.host().memory_bytes(),
            warmed,
            "`{plugin}` grew its memory"
        );
    }
    Ok(())
}

/// `http-call` whose token service (a mock answering token `held`) is
/// answered only when the test says so.
fn http_call_with_held_token_calls() -> Result<PluginHost> {
    let cluster = scenarios::token_cluster("ip", "token", "default");
    let mock = gatewit_host_shim::harness::MockHttp::Respond(
        gatewit_host_shim::backend::HttpCallResponse::new(200, &[("x-auth-token", "held")], ""),
    );
    let mut host = PluginHost::builder(wasm_plugin("http-call")?)
        .config_json(&scenarios::http_call_config("ip"))
        .http_mock(&cluster, mock)
        .start()?;
    host.hold_calls(true);
    Ok(host)
}

#[test]
fn http_call_requests_interleave_on_one_instance() -> Result<()> {
    let mut host = http_call_with_held_token_calls()?;
    // Two requests wait for their token calls at the same time.
    let mut ids = Vec::new();
    for path in ["/a", "/b"] {
        let mut stream = host.stream()?;
        stream.send_request(&HttpRequest::get("example.com", path))?;
        assert!(stream.request_paused(), "{path} was not held");
        ids.push(stream.detach());
    }
    assert_eq!(host.open_streams(), 2);
    assert_eq!(host.pending_calls(), 2);
    host.answer_calls()?;
    // The second request ends first; the first is unaffected by it.
    for (id, path, status) in [(ids[1], "/b", 201), (ids[0], "/a", 202)] {
        let mut stream = host.attach(id)?;
        let upstream = stream
            .upstream_request()
            .ok_or_else(|| anyhow!("{path} was not resumed"))?;
        assert_eq!(upstream.path, path);
        assert!(
            upstream
                .headers
                .contains(&("x-auth-token".into(), "held".into())),
            "{path}: {:?}",
            upstream.headers
        );
        stream.send_response(&UpstreamResponse {
            status,
            ..UpstreamResponse::default()
        })?;
        let response = stream.finish()?.ok_or_else(|| anyhow!("no response"))?;
        assert_eq!(response.status, status);
    }
    assert_eq!(host.open_streams(), 0);
    let err = host.attach(ids[0]).err().map(|e| format!("{e:#}"));
    assert!(
        err.as_deref().is_some_and(|e| e.contains("has ended")),
        "{err:?}"
    );
    Ok(())
}

#[test]
fn http_call_holds_the_request_until_the_token_arrives() -> Result<()> {
    let mut host = http_call_with_held_token_calls()?;
    let mut stream = host.stream()?;
    stream.send_request(&HttpRequest::get("example.com", "/api"))?;
    assert!(stream.request_paused());
    assert_eq!(stream.pending_calls(), 1);
    assert!(stream.upstream_request().is_none());
    stream.answer_calls()?;
    assert!(!stream.request_paused());
    let upstream = stream
        .upstream_request()
        .ok_or_else(|| anyhow!("the request was not resumed"))?;
    assert!(
        upstream
            .headers
            .contains(&("x-auth-token".into(), "held".into())),
        "{:?}",
        upstream.headers
    );
    stream.send_response(&UpstreamResponse::default())?;
    let response = stream.finish()?.ok_or_else(|| anyhow!("no response"))?;
    assert_eq!(response.status, 200);
    Ok(())
}

fn route_call_gateway(body_during_paused_headers: bool) -> Result<ShimGateway> {
    let setup = GatewaySetup {
        plugin_config: scenarios::route_call_config(),
        body_during_paused_headers,
        ..GatewaySetup::default()
    };
    ShimGateway::new(wasm_plugin("route-call")?, &setup)
}

fn log_line<'a>(gw: &'a ShimGateway, needle: &str) -> Result<&'a LogRecord> {
    gw.host()
        .logs()
        .iter()
        .find(|l| l.message.contains(needle))
        .ok_or_else(|| anyhow!("no log line with {needle:?}: {:?}", gw.host().logs()))
}

#[test]
fn route_call_logs_its_start_and_end_at_info() -> Result<()> {
    let mut gw = route_call_gateway(true)?;
    let ex = gw.send(
        &scenarios::ask("really?"),
        &scenarios::upstream_json(200, &[r#"{"answer":"yes"}"#]),
    )?;
    assert_eq!(ex.body_text(), r#"{"answer":"yes","question":"really?"}"#);
    let sent = serde_json::json!({"model": "demo", "prompt": "really?"}).to_string();
    let start = log_line(&gw, "route call start")?;
    assert_eq!(start.level, Level::Info);
    let expected = format!(
        "route call start, method: PUT, url: /v1/answer?lang=en, path: /v1/answer?lang=en, \
         cluster: outbound|80||upstream.static, body: {} bytes",
        sent.len()
    );
    assert!(
        start.message.starts_with("[route-call] ") && start.message.ends_with(&expected),
        "{}",
        start.message
    );
    let end = log_line(&gw, "route call end")?;
    assert_eq!(end.level, Level::Info);
    assert!(
        end.message
            .ends_with("route call end, status: 200, body: 16 bytes"),
        "{}",
        end.message
    );
    Ok(())
}

#[test]
fn route_call_from_the_headers_phase_is_an_error_the_plugin_gets() -> Result<()> {
    let mut gw = route_call_gateway(true)?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/ask"),
        &UpstreamResponse::default(),
    )?;
    assert!(ex.upstream.is_none(), "{ex:?}");
    assert_eq!(ex.response.status, 400);
    let why = "route_call is only allowed in the request body phase \
               (called in the request headers phase)";
    assert_eq!(ex.body_text(), format!("route call failed: {why}"));
    let line = log_line(&gw, why)?;
    assert_eq!(line.level, Level::Error);
    assert!(!gw.host().logged("route call start"));
    Ok(())
}

/// Stock-Envoy semantics (the default): a paused headers phase holds the
/// body callbacks too, so the body phase that would make the route call
/// never runs and the request stays paused.
#[test]
fn route_call_needs_body_callbacks_during_paused_headers() -> Result<()> {
    let mut gw = route_call_gateway(false)?;
    let mut stream = gw.host_mut().stream()?;
    stream.send_request(&scenarios::ask("anyone?"))?;
    assert!(stream.request_paused());
    assert!(stream.upstream_request().is_none());
    drop(stream);
    assert!(!gw.host().logged("route call start"));
    let err = gw
        .send(
            &scenarios::ask("anyone?"),
            &scenarios::upstream_json(200, &[r#"{"answer":"no"}"#]),
        )
        .map(|ex| format!("{ex:?}"))
        .expect_err("the route call went through");
    assert!(
        format!("{err:#}").contains("paused the request and never resumed"),
        "{err:#}"
    );
    Ok(())
}

/// Ticks as Higress's Go wrapper runs them: every function on the first
/// tick, about 100 ms after registration (oidc fetches its keys that way),
/// then once per period (`sdk-fixture`: every 1 s and every 3 s).
#[test]
fn ticks_run_first_after_100_ms_then_every_period() -> Result<()> {
    let mut gw = ShimGateway::new(wasm_plugin("sdk-fixture")?, &GatewaySetup::default())?;
    let ticks = |gw: &mut ShimGateway| -> Result<String> {
        let ex = gw.send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )?;
        Ok(ex
            .upstream_header("x-ticks")
            .unwrap_or_default()
            .to_string())
    };
    assert_eq!(ticks(&mut gw)?, "0/0");
    assert_eq!(
        gw.host().tick_period(),
        std::time::Duration::from_millis(100)
    );
    let at = |gw: &mut ShimGateway, ms: u64| -> Result<()> {
        gw.host_mut()
            .advance_time(std::time::Duration::from_millis(ms))?;
        Ok(())
    };
    at(&mut gw, 100)?;
    assert_eq!(ticks(&mut gw)?, "1/1", "both run on the first tick");
    assert_eq!(
        gw.host().tick_period(),
        std::time::Duration::from_millis(1000)
    );
    at(&mut gw, 900)?;
    assert_eq!(ticks(&mut gw)?, "1/1");
    at(&mut gw, 100)?;
    assert_eq!(ticks(&mut gw)?, "2/1", "one period after the first run");
    at(&mut gw, 2000)?;
    assert_eq!(ticks(&mut gw)?, "4/2");
    Ok(())
}

/// `rebuild_after_requests(3)`: every third request sets property
/// `wasm_need_rebuild` (Go's `WithRebuildAfterRequests`), the others not.
#[test]
fn every_third_request_asks_for_a_fresh_vm() -> Result<()> {
    let mut host = gatewit_host_shim::PluginHost::builder(wasm_plugin("sdk-fixture")?).start()?;
    let mut marked = Vec::new();
    for _ in 0..6 {
        let mut stream = host.stream()?;
        stream.send_request(&HttpRequest::get("example.com", "/"))?;
        marked.push(stream.property(&["wasm_need_rebuild"]));
        stream.finish()?;
    }
    let yes = Some(b"true".to_vec());
    assert_eq!(marked, [None, None, yes.clone(), None, None, yes]);
    Ok(())
}

/// Trace span tags as Go writes them (`fmt.Sprint` values, empty ones
/// skipped with a warning), `SetUserAttributeMap`, and the buffer queue.
#[test]
fn trace_tags_and_buffer_queue_as_go() -> Result<()> {
    let mut host = PluginHost::builder(wasm_plugin("sdk-fixture")?).start()?;
    let mut stream = host.stream()?;
    stream.send_request(&HttpRequest::get("example.com", "/trace"))?;
    let tag = |s: &gatewit_host_shim::harness::Stream<'_>, key: &str| {
        s.property(&[&format!("trace_span_tag.{key}")])
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    };
    assert_eq!(tag(&stream, "n").as_deref(), Some("7"));
    assert_eq!(tag(&stream, "list").as_deref(), Some("[1 a]"));
    assert_eq!(tag(&stream, "empty"), None, "an empty value is skipped");
    let upstream = stream.upstream_request().context("forwarded")?;
    let buffers = upstream.headers.iter().find(|(k, _)| k == "x-buffers");
    assert_eq!(buffers.map(|(_, v)| v.as_str()), Some("one,1"));
    stream.finish()?;
    assert!(
        host.logs()
            .iter()
            .any(|r| r.message.contains("trace_span_tag.empty") && r.level == Level::Warn),
        "{:?}",
        host.logs()
    );
    Ok(())
}

/// Safe log mode (Go's `EnableSafeLog`): an unsafe line drops from info to
/// debug and starts with a line break.
#[test]
fn safe_log_mode_splits_and_lowers_unsafe_lines() -> Result<()> {
    let mut gw = ShimGateway::new(wasm_plugin("sdk-fixture")?, &GatewaySetup::default())?;
    let mut unsafe_line = |path: &str| -> Result<(Level, String)> {
        gw.host_mut().take_logs();
        gw.send(
            &HttpRequest::get("example.com", path),
            &UpstreamResponse::default(),
        )?;
        let line = gw
            .host()
            .logs()
            .iter()
            .find(|r| r.message.contains("token=t0p"))
            .map(|r| (r.level, r.message.clone()));
        line.context("no unsafe line logged")
    };
    let (level, message) = unsafe_line("/unsafe")?;
    assert_eq!(level, Level::Info);
    assert!(message.ends_with("] token=t0p"), "{message:?}");
    let (level, message) = unsafe_line("/safe-log")?;
    assert_eq!(level, Level::Debug);
    assert!(message.ends_with("] \ntoken=t0p"), "{message:?}");
    Ok(())
}

/// The leader lease in shared data is Go's: key `higress_wasm_vm_lease:`,
/// `{"vmID": …, "timestamp": <unix seconds>}`, renewed by its holder.
#[test]
fn the_leader_lease_is_gos() -> Result<()> {
    let mut gw = ShimGateway::new(wasm_plugin("sdk-fixture")?, &GatewaySetup::default())?;
    let ex = gw.send(
        &HttpRequest::get("example.com", "/leader"),
        &UpstreamResponse::default(),
    )?;
    assert_eq!(ex.upstream_header("x-leader"), Some("true"));
    let (lease, _) = gw
        .host()
        .shared_data("higress_wasm_vm_lease:")
        .expect("the lease is in shared data");
    let lease: serde_json::Value = serde_json::from_slice(&lease)?;
    assert_eq!(lease["vmID"].as_str().map(str::len), Some(32), "{lease}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let stamp = lease["timestamp"].as_i64().unwrap_or(0);
    assert!((now - stamp).abs() <= 5, "{lease}");
    Ok(())
}

/// `is_websocket` needs `connection: upgrade` and `upgrade: websocket`;
/// `is_binary_request_body` counts any `content-encoding` (Go's wrapper).
#[test]
fn request_kinds_as_go_reads_them() -> Result<()> {
    let mut gw = ShimGateway::new(wasm_plugin("sdk-fixture")?, &GatewaySetup::default())?;
    let cases = [
        (vec![("upgrade", "websocket")], "ws=false,binary=false"),
        (
            vec![("connection", "Upgrade"), ("upgrade", "WebSocket")],
            "ws=true,binary=false",
        ),
        (
            vec![
                ("content-type", "application/json"),
                ("content-encoding", "gzip"),
            ],
            "ws=false,binary=true",
        ),
        (
            vec![("content-type", "application/grpc")],
            "ws=false,binary=true",
        ),
    ];
    for (headers, expected) in cases {
        let mut request = HttpRequest::get("example.com", "/kind");
        for (k, v) in &headers {
            request = request.header(k, v);
        }
        let ex = gw.send(&request, &UpstreamResponse::default())?;
        assert_eq!(ex.upstream_header("x-kind"), Some(expected), "{headers:?}");
    }
    Ok(())
}

/// A Redis cluster the gateway does not know yet when the plugin starts
/// (init fails) is picked up once it exists: as Higress's Go SDK, every
/// command tries `init` again first (`redis-demo`: 430 while the cluster is
/// unknown, then counted requests).
#[test]
fn redis_init_is_retried_until_the_cluster_exists() -> Result<()> {
    let setup = GatewaySetup {
        plugin_config: scenarios::redis_demo_config(10),
        ..GatewaySetup::default()
    };
    let mut gw = ShimGateway::new(wasm_plugin("redis-demo")?, &setup)?;
    let get = |gw: &mut ShimGateway| {
        gw.send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )
    };
    let ex = get(&mut gw)?;
    assert_eq!(ex.response.status, 430, "{ex:?}");
    let fake = gw.host_mut().add_redis_fake(&scenarios::redis_cluster());
    let ex = get(&mut gw)?;
    assert_eq!(ex.response.status, 200, "{ex:?}");
    assert!(ex.response_header("calltimeleft").is_some(), "{ex:?}");
    assert!(
        !fake
            .lock()
            .map_err(|_| anyhow!("fake poisoned"))?
            .keys()
            .is_empty(),
        "the count went to the fake Redis"
    );
    Ok(())
}
