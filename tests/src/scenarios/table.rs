//! The table itself: every example's scenarios, the configurations they
//! use, and the configurations each plugin must reject.

use super::*;

/// Port the `http-call` scenarios put in their configuration (only part of
/// the cluster name: the cluster leads to the test server).
pub const TOKEN_PORT: u16 = 8080;
/// Port the `redis-demo` scenarios put in their configuration.
pub const REDIS_PORT: u16 = 6379;

/// The Envoy cluster name the `http-call` example calls for `source`
/// (`k8s`, `nacos`, `ip`, `dns`) and service `svc` in `namespace`.
pub fn token_cluster(source: &str, svc: &str, namespace: &str) -> String {
    match source {
        "k8s" => format!("outbound|{TOKEN_PORT}||{svc}.{namespace}.svc.cluster.local"),
        "nacos" => format!("outbound|{TOKEN_PORT}||{svc}.DEFAULT-GROUP.{namespace}.nacos"),
        "ip" => format!("outbound|{TOKEN_PORT}||{svc}.static"),
        _ => format!("outbound|{TOKEN_PORT}||{svc}.dns"),
    }
}

/// The `http-call` configuration for `source`.
pub fn http_call_config(source: &str) -> Value {
    let namespace = if source == "nacos" {
        "public"
    } else {
        "default"
    };
    json!({
        "tokenHeader": "x-auth-token",
        "requestPath": "/token",
        "serviceSource": source,
        "serviceName": "token",
        "servicePort": TOKEN_PORT,
        "namespace": namespace,
        "domain": "token.example.com",
    })
}

/// The Redis cluster of the `redis-demo` scenarios (the example takes
/// `serviceName` as the full FQDN: `outbound|<port>||<serviceName>`).
pub fn redis_cluster() -> String {
    format!("outbound|{REDIS_PORT}||redis.static")
}

/// The `redis-demo` configuration with limit `qpm`.
pub fn redis_demo_config(qpm: u32) -> Value {
    json!({
        "serviceName": "redis.static",
        "servicePort": REDIS_PORT,
        "domain": "redis.example.com",
        "username": "",
        "password": "",
        "timeout": 1000,
        "qpm": qpm,
    })
}

/// The `body-rewrite` configuration replacing `from` with `to` in responses
/// (empty `from`: uppercase).
pub fn body_rewrite_config(from: &str, to: &str) -> Value {
    json!({"fieldName": "gateway", "fieldValue": "gatewit", "replaceFrom": from, "replaceTo": to})
}

/// The `route-call` configuration of the scenarios: questions to `/ask` go
/// to `/v1/answer?lang=en` with `PUT`.
pub fn route_call_config() -> Value {
    json!({"askPath": "/ask", "answerUrl": "/v1/answer?lang=en", "method": "PUT", "model": "demo"})
}

/// A `route-call` scenario: the gateway runs body callbacks while headers
/// are paused, which route calls need.
fn route_call_scenario(name: &'static str) -> Scenario {
    let mut scenario = Scenario::new(name, "route-call", route_call_config());
    scenario.body_during_paused_headers = true;
    scenario
}

/// `POST /ask` with `{"question": question}`, in two chunks, asking for a
/// compressed answer (which a route call must not pass on).
pub fn ask(question: &str) -> HttpRequest {
    let body = json!({ "question": question }).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    HttpRequest::post("example.com", "/ask", "")
        .header("content-type", "application/json")
        .header("accept-encoding", "gzip")
        .chunks([head, tail])
}

/// The request reached the upstream and the client got `status`, `body`.
fn reached(status: u16, body: &str) -> Expect {
    Expect {
        status,
        ..Expect::forwarded()
    }
    .body(Some(body.as_bytes()))
}

/// An upstream answer with `content-type: application/json`.
pub fn upstream_json(status: u16, chunks: &[&str]) -> UpstreamResponse {
    UpstreamResponse {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body_chunks: chunks.iter().map(|c| c.as_bytes().to_vec()).collect(),
    }
}

fn route_call_scenarios() -> Vec<Scenario> {
    let question = "what is six times seven?";
    let answered = route_call_scenario("route-call-reroutes-and-answers")
        // Not the ask path: untouched, and the plugin's own response phase
        // runs.
        .step(Step::new(
            HttpRequest::get("example.com", "/other"),
            Expect::forwarded()
                .upstream_method("GET")
                .upstream_path("/other")
                .upstream_absent("x-envoy-original-path")
                .header("x-plugin-response", "seen"),
        ))
        .step(
            Step::new(
                ask(question),
                reached(
                    200,
                    &json!({"answer": "42", "question": question}).to_string(),
                )
                .upstream_method("PUT")
                .upstream_path("/v1/answer?lang=en")
                .upstream_header("x-envoy-original-method", "POST")
                .upstream_header("x-envoy-original-path", "/ask")
                .upstream_header("x-envoy-original-host", "example.com")
                .upstream_header("x-route-call", "ask")
                .upstream_header("content-type", "application/json")
                .upstream_absent("accept-encoding")
                .upstream_body(json!({"model": "demo", "prompt": question}).to_string())
                .header("x-route-call", "answered")
                .header("content-type", "application/json")
                .absent("x-plugin-response"),
            )
            .upstream(upstream_json(200, &[r#"{"answer":"#, r#""42"}"#])),
        );
    let headers_only = route_call_scenario("route-call-headers-only-answers")
        // No body and no local reply: the upstream's answer goes on, with
        // the callback's header.
        .step(
            Step::new(
                ask("anything new?"),
                reached(204, "")
                    .upstream_path("/v1/answer?lang=en")
                    .upstream_body(json!({"model": "demo", "prompt": "anything new?"}).to_string())
                    .header("x-route-call", "no-content")
                    .absent("x-plugin-response"),
            )
            .upstream(upstream_json(204, &[])),
        )
        // No body, and the callback answers locally from the response
        // headers phase.
        .step(
            Step::new(
                ask("are you there?"),
                reached(502, r#"{"error":"no answer","upstreamStatus":500}"#)
                    .upstream_path("/v1/answer?lang=en")
                    .header("x-route-call", "failed"),
            )
            .upstream(upstream_json(500, &[])),
        );
    let errors = route_call_scenario("route-call-errors")
        // A route call from the headers phase: the SDK's error reaches the
        // plugin, which answers with it.
        .step(Step::new(
            HttpRequest::get("example.com", "/ask"),
            Expect::local(
                400,
                "route call failed: route_call is only allowed in the request body phase \
                 (called in the request headers phase)",
            ),
        ))
        .step(Step::new(
            HttpRequest::post("example.com", "/ask", "nope"),
            Expect::local(
                400,
                "request body must be a JSON object with a string `question`",
            ),
        ))
        // An error answer with a body: a local reply from the response body
        // phase replaces it.
        .step(
            Step::new(
                ask("down?"),
                reached(502, r#"{"error":"no answer","upstreamStatus":503}"#)
                    .upstream_path("/v1/answer?lang=en")
                    .header("x-route-call", "failed")
                    .absent("x-plugin-response"),
            )
            .upstream(upstream_json(503, &["down"])),
        );
    vec![answered, headers_only, errors]
}

fn upstream_chunks(chunks: &[&str]) -> UpstreamResponse {
    upstream_typed("text/plain", chunks)
}

/// A `200` answer of `content_type` in `chunks`.
fn upstream_typed(content_type: &str, chunks: &[&str]) -> UpstreamResponse {
    UpstreamResponse {
        status: 200,
        headers: vec![("content-type".into(), content_type.into())],
        body_chunks: chunks.iter().map(|c| c.as_bytes().to_vec()).collect(),
    }
}

fn http_call_scenario(name: &'static str, source: &str) -> Scenario {
    let namespace = if source == "nacos" {
        "public"
    } else {
        "default"
    };
    Scenario::new(name, "http-call", http_call_config(source))
        .http(
            &token_cluster(source, "token", namespace),
            Reply::new(200, "ok").header("x-auth-token", "secret-123"),
            Some(&["/token"]),
        )
        .step(Step::new(
            HttpRequest::get("example.com", "/api"),
            Expect::forwarded().upstream_header("x-auth-token", "secret-123"),
        ))
}

/// `my-plugin`'s first case, for each language it is written in: the
/// upstream sees the added `hello: world`.
fn my_plugin_adds_header(name: &'static str, plugin: &'static str) -> Scenario {
    Scenario::new(name, plugin, json!({"mockEnable": false})).step(Step::new(
        HttpRequest::get("example.com", "/"),
        Expect::forwarded().upstream_header("hello", "world"),
    ))
}

/// `my-plugin` with `mockEnable`: answered locally, upstream not reached.
fn my_plugin_mock(name: &'static str, plugin: &'static str) -> Scenario {
    Scenario::new(name, plugin, json!({"mockEnable": true})).step(Step::new(
        HttpRequest::get("example.com", "/"),
        Expect::local(200, "hello world"),
    ))
}

/// Every scenario, for every tier.
pub fn all() -> Vec<Scenario> {
    let qpm = 3;
    let mut rate_limit = Scenario::new(
        "redis-demo-rate-limit",
        "redis-demo",
        redis_demo_config(qpm),
    )
    .redis(&redis_cluster());
    rate_limit.minute_sensitive = true;
    for _ in 0..qpm {
        rate_limit = rate_limit.step(Step::new(
            HttpRequest::get("example.com", "/"),
            Expect::forwarded()
                .present("timestamp")
                .present("calltimeleft"),
        ));
    }
    rate_limit = rate_limit.step(Step::new(
        HttpRequest::get("example.com", "/"),
        Expect::local(429, "Too many requests")
            .present("timestamp")
            .header("calltimeleft", "0"),
    ));

    let mut upstream_hosts =
        Scenario::new("sdk-fixture-upstream-hosts", "sdk-fixture", Value::Null)
            .higress()
            .step(Step::new(
                HttpRequest::get("example.com", "/hosts"),
                Expect::forwarded()
                    .upstream_header("x-upstream-hosts", "127.0.0.1:8001=up 1;127.0.0.1:8002=")
                    .upstream_header("x-override", "ok")
                    .upstream_header("x-override-bad", "bad argument"),
            ));
    upstream_hosts.upstream_hosts = vec![
        ("127.0.0.1:8001".into(), "up 1".into()),
        ("127.0.0.1:8002".into(), String::new()),
    ];

    let mut all = vec![
        // Foreign functions answer alike on every tier, real Envoy included
        // (`compress`/`uncompress` are zlib's; an unknown name is
        // `not-found`).
        Scenario::new("sdk-fixture-foreign-functions", "sdk-fixture", Value::Null).step(Step::new(
            HttpRequest::get("example.com", "/foreign"),
            Expect::forwarded().upstream_header(
                "x-foreign",
                "round-trip=ok,garbage=serialization failure,unknown=not found,clear=ok",
            ),
        )),
        // Go's free helpers: response from upstream (`response.code_details`
        // is `via_upstream`), JSON content type, path without query.
        Scenario::new("sdk-fixture-helpers", "sdk-fixture", Value::Null).step(
            Step::new(
                HttpRequest::get("example.com", "/helpers?x=1"),
                Expect::forwarded()
                    .body(None)
                    .header("x-helpers", "upstream=true,json=true,path=/helpers"),
            )
            .upstream(UpstreamResponse {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body_chunks: vec![b"{}".to_vec()],
            }),
        ),
        // Header names in any case find the header (the proxy-wasm glue
        // compares them folded, four bytes at a time while they agree).
        Scenario::new("sdk-fixture-header-case", "sdk-fixture", Value::Null).step(Step::new(
            HttpRequest::get("example.com", "/header-case").header("x-probe", "Found-It"),
            Expect::forwarded()
                .upstream_header("x-probe-any-case", "Found-It,Found-It,Found-It,none"),
        )),
        // The request headers are not served in the response phase: a read
        // finds nothing, a change fails and the attributes Envoy derives
        // from them are gone, on every tier as on Envoy.
        Scenario::new("sdk-fixture-late-read", "sdk-fixture", Value::Null).step(Step::new(
            HttpRequest::get("example.com", "/late-read").header("x-probe", "here"),
            Expect::forwarded().header("x-late-read", "none,bad argument,none"),
        )),
        // A map-valued property (Go's `GetPropertyMap`), as Envoy serializes
        // `request.headers`.
        Scenario::new("sdk-fixture-property-map", "sdk-fixture", Value::Null).step(Step::new(
            HttpRequest::get("example.com", "/property-map").header("x-probe", "found"),
            Expect::forwarded().upstream_header("x-probe-from-map", "found"),
        )),
        // The only instance takes the leader lease and renews it.
        Scenario::new("sdk-fixture-leader", "sdk-fixture", Value::Null)
            .step(Step::new(
                HttpRequest::get("example.com", "/leader"),
                Expect::forwarded().upstream_header("x-leader", "true"),
            ))
            .step(Step::new(
                HttpRequest::get("example.com", "/leader"),
                Expect::forwarded().upstream_header("x-leader", "true"),
            )),
        // Higress: the route's upstream hosts, and choosing one.
        upstream_hosts,
        // A reset costs the request, not the gateway: the client's
        // connection closes unanswered and the next request is served.
        Scenario::new("sdk-fixture-reset", "sdk-fixture", Value::Null)
            .step(Step::reset(HttpRequest::get("example.com", "/reset")))
            .step(Step::new(
                HttpRequest::get("example.com", "/"),
                Expect::forwarded(),
            )),
        // Higress streaming: every upstream chunk held (stop-no-buffer) and
        // sent on uppercased by injection, which also ends the response.
        Scenario::new("sdk-fixture-inject", "sdk-fixture", Value::Null)
            .higress()
            .step(
                Step::new(
                    HttpRequest::get("example.com", "/inject"),
                    Expect::forwarded().body(Some(b"HELLO WORLD[end]")),
                )
                .upstream(UpstreamResponse {
                    status: 200,
                    headers: vec![("content-type".into(), "text/plain".into())],
                    body_chunks: vec![b"hello ".to_vec(), b"world".to_vec()],
                }),
            ),
        // An HTTP call's callback sees the request's phase (Go's
        // `GetExecutionPhase`), not a phase of its own.
        Scenario::new("sdk-fixture-phase-in-callback", "sdk-fixture", Value::Null)
            .http("phase-backend", Reply::new(200, "ok"), Some(&["/"]))
            .step(Step::new(
                HttpRequest::get("example.com", "/phase"),
                Expect::forwarded().upstream_header("x-phase-in-callback", "RequestHeaders"),
            )),
        // A call that times out before the answer's headers: Envoy's async
        // client answers it with a 504 of its own, so the plugin gets an
        // answer, not a failure.
        Scenario::new("sdk-fixture-call-timeout", "sdk-fixture", Value::Null)
            .http(
                "phase-backend",
                Reply::new(200, "late").delay(Duration::from_millis(1500)),
                None,
            )
            .step(Step::new(
                HttpRequest::get("example.com", "/call-answer"),
                Expect::forwarded()
                    .upstream_header("x-call-answer", "504,none,upstream request timeout"),
            )),
        // A call whose connection is refused: Envoy answers it with a 503
        // of its own naming the reset reason.
        Scenario::new("sdk-fixture-call-refused", "sdk-fixture", Value::Null)
            .dead_http("phase-backend")
            .step(Step::new(
                HttpRequest::get("example.com", "/call-answer"),
                Expect::forwarded().upstream_header(
                    "x-call-answer",
                    "503,none,upstream connect error or disconnect/reset before headers. \
                     reset reason: remote connection failure",
                ),
            )),
        // Header reads and writes in one callback: the adapter serves reads
        // from one fetch of the whole map, which every write must refresh.
        Scenario::new("raw-fixture-header-reads", "raw-fixture", Value::Null).step(Step::new(
            HttpRequest::get("example.com", "/")
                .header("x-action", "headers")
                .header("user-agent", "probe/1")
                .header("x-dup", "first")
                .header("x-dup", "second")
                .header("x-remove-me", "1"),
            Expect::forwarded()
                .upstream_header(
                    "x-seen",
                    "ua=Some(\"probe/1\");dup=Some(\"first\");missing=None;dups=2;\
                     added=Some(\"late\");dup2=Some(\"replaced\");removed=None;status=None",
                )
                .upstream_header("x-dup", "replaced")
                .upstream_header("x-added", "late")
                .upstream_absent("x-remove-me"),
        )),
        // A local reply from the response headers phase replaces the
        // upstream's answer as it is: the response phases do not run again
        // on it (no `x-raw-response`), as Envoy sends it directly.
        Scenario::new("raw-fixture-local-in-response", "raw-fixture", Value::Null).step(Step::new(
            HttpRequest::get("example.com", "/").header("x-action", "local-in-response"),
            Expect {
                status: 502,
                body: Some(b"replaced in the response".to_vec()),
                ..Expect::forwarded()
            }
            .header("x-replaced", "yes")
            .absent("x-raw-response"),
        )),
        Scenario::new("hello-world-get", "hello-world", Value::Null)
            .step(Step::new(
                HttpRequest::get("example.com", "/"),
                Expect::local(200, "hello world"),
            ))
            .step(Step::new(
                HttpRequest::post("example.com", "/x", "payload"),
                Expect::local(200, "hello world"),
            )),
        my_plugin_adds_header("my-plugin-adds-header", "my-plugin"),
        my_plugin_mock("my-plugin-mock", "my-plugin"),
        // The same plugin in JavaScript (componentize-js): same expectations.
        my_plugin_adds_header("my-plugin-js-adds-header", "my-plugin-js"),
        my_plugin_mock("my-plugin-js-mock", "my-plugin-js"),
        // And in Python (componentize-py, CPython linked by the adapter).
        my_plugin_adds_header("my-plugin-py-adds-header", "my-plugin-py"),
        // What only the Python one does besides: read a header and echo it,
        // in the same gateway (each Envoy start compiles the 17 MB module).
        my_plugin_mock("my-plugin-py-mock", "my-plugin-py").step(Step::new(
            HttpRequest::get("example.com", "/").header("user-agent", "curl-py"),
            Expect::local(200, "hello world").header("x-ua", "curl-py"),
        )),
        // And composed (`wac plug`): a Rust plugin asking a Rust library
        // component, each with its own memory, through generated
        // canonical-ABI adapters (records, lists, options, variants,
        // results, flags and numbers both ways).
        my_plugin_adds_header("my-plugin-composed-adds-header", "my-plugin-composed"),
        my_plugin_mock("my-plugin-composed-mock", "my-plugin-composed")
            .step(Step::new(
                HttpRequest::get("example.com", "/").header("user-agent", "curl-composed"),
                Expect::local(200, "hello world").header("x-ua", "curl-composed"),
            ))
            .step(Step::new(
                HttpRequest::get("example.com", "/").header("x-pass", "1"),
                Expect::forwarded().upstream_absent("hello"),
            ))
            .step(Step::new(
                HttpRequest::get("example.com", "/fail/here"),
                Expect::local(500, "no decision for `/fail/here`"),
            )),
        http_call_scenario("http-call-k8s", "k8s"),
        http_call_scenario("http-call-nacos", "nacos"),
        http_call_scenario("http-call-ip", "ip"),
        http_call_scenario("http-call-dns", "dns"),
        Scenario::new(
            "http-call-token-service-fails",
            "http-call",
            http_call_config("ip"),
        )
        .http(
            &token_cluster("ip", "token", "default"),
            Reply::new(503, "down"),
            Some(&["/token"]),
        )
        .step(Step::new(
            HttpRequest::get("example.com", "/api"),
            Expect::local(500, "http call failed"),
        )),
        Scenario::new(
            "http-call-token-service-slow",
            "http-call",
            http_call_config("ip"),
        )
        .http(
            &token_cluster("ip", "token", "default"),
            Reply::new(200, "late")
                .header("x-auth-token", "late")
                .delay(Duration::from_millis(1500)),
            None,
        )
        .step(Step::new(
            HttpRequest::get("example.com", "/api"),
            Expect::local(500, "http call failed"),
        )),
        rate_limit,
        Scenario::new(
            "redis-demo-redis-down",
            "redis-demo",
            redis_demo_config(100),
        )
        .redis(&redis_cluster())
        .step(Step::new(
            HttpRequest::get("example.com", "/"),
            Expect::forwarded().present("timestamp"),
        ))
        .step(
            Step::new(
                HttpRequest::get("example.com", "/"),
                Expect::local(430, "Error while calling redis"),
            )
            .before(Action::StopRedis),
        ),
        Scenario::new(
            "body-rewrite-json-and-uppercase",
            "body-rewrite",
            body_rewrite_config("", ""),
        )
        .step(
            Step::new(
                HttpRequest::post("example.com", "/json", "")
                    .header("content-type", "application/json")
                    .chunks([r#"{"a":"#, r#"1}"#]),
                Expect::forwarded()
                    .upstream_body(r#"{"a":1,"gateway":"gatewit"}"#)
                    .body(Some(b"HELLO WORLD")),
            )
            .upstream(upstream_chunks(&["hello ", "world"])),
        ),
        Scenario::new(
            "body-rewrite-streamed-replace",
            "body-rewrite",
            body_rewrite_config("hello", "bye"),
        )
        .step(
            Step::new(
                HttpRequest::post("example.com", "/json", r#"{"list":[1,2]}"#),
                Expect::forwarded()
                    .upstream_body(r#"{"list":[1,2],"gateway":"gatewit"}"#)
                    .body(Some(b"say bye, bye!")),
            )
            .upstream(upstream_chunks(&["say hel", "lo, hello", "!"])),
        ),
        // The reply text contains neither `hello` nor lowercase-only words
        // that the plugin's response phase would change, so it reads the
        // same whether or not a tier runs response phases on local replies.
        Scenario::new(
            "body-rewrite-rejects-non-json",
            "body-rewrite",
            body_rewrite_config("hello", "bye"),
        )
        .step(Step::new(
            HttpRequest::post("example.com", "/json", "nope"),
            Expect::local(400, "request body is not valid JSON"),
        ))
        .step(Step::new(
            HttpRequest::post("example.com", "/json", "[1]"),
            Expect::local(400, "request body is not a JSON object"),
        ))
        // `content-length: 0` ends the stream with the headers: Envoy never
        // calls the body callback, so there is no body to reject (the host
        // shim used to call it with an empty body; the differential fuzz
        // target found it).
        .step(Step::new(
            HttpRequest::post("example.com", "/json", ""),
            Expect::forwarded(),
        )),
        // Binary bodies skip the body methods, as in Go: decided from the
        // headers in their phase, since Envoy serves the request headers
        // in no later phase and the response headers only in theirs (so
        // this fails on Envoy alone if the SDK reads them at the body).
        Scenario::new(
            "body-rewrite-skips-binary-bodies",
            "body-rewrite",
            body_rewrite_config("", ""),
        )
        .step(
            Step::new(
                HttpRequest::post("example.com", "/bin", "not json")
                    .header("content-type", "application/octet-stream"),
                Expect::forwarded()
                    .upstream_body("not json")
                    .body(Some(b"raw bytes")),
            )
            .upstream(upstream_typed(
                "application/octet-stream",
                &["raw ", "bytes"],
            )),
        )
        .step(
            Step::new(
                HttpRequest::post("example.com", "/gz", "not json")
                    .header("content-type", "application/json")
                    .header("content-encoding", "gzip"),
                Expect::forwarded()
                    .upstream_body("not json")
                    .body(Some(b"RAW BYTES")),
            )
            .upstream(upstream_chunks(&["raw ", "bytes"])),
        ),
        queue_counter_scenario(),
    ];
    all.extend(route_call_scenarios());
    all
}

/// Three requests through `queue-counter`: each enqueues its path in the
/// request headers phase; the gateway delivers `on_queue_ready` (which adds
/// the batch to `hits-total`) before the upstream's answer comes back, so
/// response n shows n. (Envoy posts the queue-ready callback to the
/// registering worker's dispatcher at enqueue time; with the upstream a
/// network round trip away it runs first.)
fn queue_counter_scenario() -> Scenario {
    let mut scenario = Scenario::new("queue-counter-counts-hits", "queue-counter", Value::Null);
    for (i, path) in ["/a", "/b", "/c"].into_iter().enumerate() {
        scenario = scenario.step(Step::new(
            HttpRequest::get("example.com", path),
            Expect::forwarded()
                .upstream_path(path)
                .header("x-hits-total", &(i + 1).to_string()),
        ));
    }
    scenario
}

/// The scenario named `name`.
pub fn by_name(name: &str) -> anyhow::Result<Scenario> {
    all()
        .into_iter()
        .find(|s| s.name == name)
        .with_context(|| format!("no scenario named `{name}`"))
}

/// Configurations the examples must reject at start.
pub fn config_errors() -> Vec<ConfigError> {
    let without = |plugin: &'static str, name: &'static str, base: Value, key: &'static str| {
        let mut config = base;
        if let Value::Object(map) = &mut config {
            map.remove(key);
        }
        ConfigError {
            name,
            plugin,
            config,
            message_contains: key,
        }
    };
    let mut errors = vec![
        without(
            "http-call",
            "http-call-missing-token-header",
            http_call_config("ip"),
            "tokenHeader",
        ),
        without(
            "http-call",
            "http-call-missing-request-path",
            http_call_config("ip"),
            "requestPath",
        ),
        ConfigError {
            message_contains: "invalid service config",
            ..without(
                "http-call",
                "http-call-missing-service-name",
                http_call_config("ip"),
                "serviceName",
            )
        },
        ConfigError {
            message_contains: "invalid service config",
            ..without(
                "http-call",
                "http-call-missing-service-port",
                http_call_config("ip"),
                "servicePort",
            )
        },
    ];
    let mut bad_source = http_call_config("ip");
    bad_source["serviceSource"] = json!("carrier-pigeon");
    errors.push(ConfigError {
        name: "http-call-unknown-service-source",
        plugin: "http-call",
        config: bad_source,
        message_contains: "unknown service source: carrier-pigeon",
    });
    let mut bad_type = body_rewrite_config("", "");
    bad_type["fieldName"] = json!(42);
    errors.push(ConfigError {
        name: "body-rewrite-mistyped-field",
        plugin: "body-rewrite",
        config: bad_type,
        message_contains: "fieldName",
    });
    // A secret of the wrong type: serde quotes the value it rejects, the
    // SDK redacts it before the message reaches the gateway's log.
    errors.push(ConfigError {
        name: "redis-demo-password-redacted",
        plugin: "redis-demo",
        config: json!({"serviceName": "redis.static", "password": 73519204}),
        message_contains: "invalid type: integer `<redacted>`",
    });
    errors.push(ConfigError {
        name: "my-plugin-not-json",
        plugin: "my-plugin",
        config: Value::String("{not json".into()),
        message_contains: "JSON object",
    });
    // A JavaScript plugin's `throw` in `on-plugin-start` is its `err(string)`.
    errors.push(ConfigError {
        name: "my-plugin-js-not-json",
        plugin: "my-plugin-js",
        config: Value::String("{not json".into()),
        message_contains: "invalid plugin configuration: expected a JSON object",
    });
    // The composed plugin's configuration is read by its plugin component.
    errors.push(ConfigError {
        name: "my-plugin-composed-not-json",
        plugin: "my-plugin-composed",
        config: Value::String("{not json".into()),
        message_contains: "plugin config must be a JSON object",
    });
    // A Python plugin's `raise Err(...)` is its `err(string)`.
    errors.push(ConfigError {
        name: "my-plugin-py-not-json",
        plugin: "my-plugin-py",
        config: Value::String("{not json".into()),
        message_contains: "invalid plugin configuration: expected a JSON object",
    });
    errors
}

/// Every scenario's cluster names, for tiers that must declare them up front.
pub fn cluster_names() -> BTreeMap<&'static str, Vec<String>> {
    all()
        .into_iter()
        .map(|s| {
            (
                s.name,
                s.http_backends
                    .iter()
                    .map(|b| b.cluster.clone())
                    .chain(s.redis_clusters.clone())
                    .collect(),
            )
        })
        .collect()
}
