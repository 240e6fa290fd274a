//! HTTP and Redis calls against real servers.

use super::*;

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

/// As in Envoy: a call out of time gets the async client's own `504`
/// answer, a refused connection its own `503`.
#[test]
fn http_call_timeout_and_refusal_get_envoys_own_answers() {
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
    assert_eq!(ex.upstream_header("x-call-status"), Some("504"), "{ex:?}");
    assert!(
        matches!(
            gw.calls(),
            [CallRecord::Http {
                outcome: Some(Ok(answer)),
                ..
            }] if answer.status() == Some(504) && answer.body == b"upstream request timeout"
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
    assert_eq!(ex.upstream_header("x-call-status"), Some("503"), "{ex:?}");
    assert!(
        matches!(
            gw.calls(),
            [CallRecord::Http {
                outcome: Some(Ok(answer)),
                ..
            }] if answer.body.ends_with(b"reset reason: remote connection failure")
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
