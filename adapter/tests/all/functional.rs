//! Functional check: run adapted modules under wasmtime's core API with
//! small `env.proxy_*` stubs and drive the `proxy_on_*` callbacks the way
//! Envoy does.

use crate::common;

use anyhow::Result;
use common::host::{Host, f, instantiate};
use gatewit_adapter::{Options, Profile, adapt};
use wasmtime::Store;

fn adapted(case: &str, profile: Profile) -> Result<Vec<u8>> {
    adapted_with(
        case,
        &Options {
            profile,
            ..common::options()
        },
    )
}

fn adapted_with(case: &str, options: &Options) -> Result<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(case);
    let wat = std::fs::read_to_string(dir.join("module.wat"))?;
    let extra = std::fs::read_to_string(dir.join("world.wit")).ok();
    let world = if extra.is_some() { "test" } else { "plugin" };
    let component = common::component(&wat, extra.as_deref(), world)?;
    Ok(adapt(&component, options)?.module)
}

fn log(s: &Store<Host>, level: i32, text: &str) -> bool {
    s.data().logs.iter().any(|(l, t)| *l == level && t == text)
}

#[test]
fn configure_and_request_headers_round_trip() -> Result<()> {
    round_trip(&adapted("minimal", Profile::Envoy)?)
}

/// The `minimal` plugin's behaviour: configure (accepted, then rejected
/// with its message logged), and copying `x-name` into `x-hello`.
fn round_trip(module: &[u8]) -> Result<()> {
    let (mut s, i) = instantiate(module)?;
    let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    create.call(&mut s, (1, 0))?;
    s.data_mut().buffers.insert(7, b"{}".to_vec());
    assert_eq!(configure.call(&mut s, (1, 2))?, 1);
    // a config the plugin rejects: false, and the message is logged
    s.data_mut().buffers.insert(7, b"xyz".to_vec());
    assert_eq!(configure.call(&mut s, (1, 3))?, 0);
    assert!(log(&s, 4, "bad config"), "{:?}", s.data().logs);

    s.data_mut()
        .maps
        .insert(0, vec![("x-name".into(), "world".into())]);
    create.call(&mut s, (2, 1))?;
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 0);
    assert_eq!(
        s.data().added,
        vec![(0, "x-hello".to_string(), "world".to_string())]
    );
    assert!(log(&s, 2, "hello"));

    // no header: get-header is none, nothing added
    s.data_mut().maps.insert(0, vec![]);
    assert_eq!(headers.call(&mut s, (3, 1, 1))?, 0);
    assert_eq!(s.data().added.len(), 1);
    Ok(())
}

#[test]
fn higress_calls_redis_and_http() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("higress", Profile::Higress)?)?;
    let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let resp_headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_headers");
    let http_resp = f::<(i32, i32, i32, i32, i32), ()>(&mut s, &i, "proxy_on_http_call_response");
    let redis_resp = f::<(i32, i32, i32, i32), ()>(&mut s, &i, "proxy_on_redis_call_response");
    i.get_typed_func::<(), ()>(&mut s, "proxy_abi_version_0_2_100")?;

    create.call(&mut s, (1, 0))?;
    assert_eq!(configure.call(&mut s, (1, 0))?, 1);
    assert_eq!(
        s.data().redis_init,
        vec![
            (
                "redis?db=2&max_buffer_size_before_flush=1024".to_string(),
                String::new(),
                1000
            ),
            // `db` only when not 0, as Higress's Go SDK writes the query.
            (
                "redis?buffer_flush_timeout=3&max_buffer_size_before_flush=1024".to_string(),
                String::new(),
                1000
            )
        ]
    );
    assert_eq!(s.data().tick, Some(1000));

    create.call(&mut s, (2, 1))?;
    // higress passes stop-all-and-buffer (3) through
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 3);
    assert_eq!(resp_headers.call(&mut s, (2, 1, 1))?, 2);
    assert_eq!(
        s.data().calls,
        vec![(
            "backend".to_string(),
            vec![(":path".to_string(), "/".to_string())],
            500
        )]
    );
    assert_eq!(
        s.data().redis_calls,
        vec![("redis".to_string(), b"*1\r\n$4\r\nPING\r\n".to_vec())]
    );

    // the answer: request 2 is made current again, then the plugin logs
    // the body and the first header
    s.data_mut()
        .maps
        .insert(6, vec![(":status".into(), "200".into())]);
    s.data_mut().buffers.insert(4, b"hello".to_vec());
    http_resp.call(&mut s, (1, 1, 1, 5, 0))?;
    assert_eq!(s.data().effective, vec![2]);
    assert!(
        log(&s, 2, "hello") && log(&s, 2, "200"),
        "{:?}",
        s.data().logs
    );

    s.data_mut().buffers.insert(9, b"+PONG\r\n".to_vec());
    redis_resp.call(&mut s, (1, 2, 0, 7))?;
    assert_eq!(s.data().effective, vec![2, 2]);
    assert!(log(&s, 2, "+PONG\r\n"));
    redis_resp.call(&mut s, (1, 99, 1, 0))?;
    assert!(log(&s, 4, "redis failed"));

    // a failed call (no headers)
    headers.call(&mut s, (3, 1, 1))?;
    s.data_mut().now += 10_000_000_000;
    http_resp.call(&mut s, (1, 3, 0, 0, 0))?;
    assert_eq!(s.data().effective, vec![2, 2, 3]);
    assert!(log(&s, 4, "call failed"));

    // steady state: the glue's own memory does not grow per request
    let memory = i.get_memory(&mut s, "memory").unwrap();
    for ctx in 10..200 {
        headers.call(&mut s, (ctx, 1, 1))?;
        let t = s.data().next_token;
        http_resp.call(&mut s, (1, t - 1, 1, 5, 0))?;
        redis_resp.call(&mut s, (1, t, 1, 0))?;
    }
    assert!(
        memory.size(&s) <= 2,
        "memory grew to {} pages",
        memory.size(&s)
    );
    Ok(())
}

#[test]
fn envoy_profile_maps_actions_and_has_no_redis() -> Result<()> {
    let module = adapted("envoy-redis", Profile::Envoy)?;
    let (mut s, i) = instantiate(&module)?;
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let resp_headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_headers");
    let body = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_body");
    assert_eq!(configure.call(&mut s, (1, 0))?, 1);
    assert!(s.data().redis_init.is_empty());
    assert_eq!(
        headers.call(&mut s, (2, 1, 1))?,
        1,
        "stop-all-and-buffer → pause"
    );
    assert_eq!(
        resp_headers.call(&mut s, (2, 1, 1))?,
        0,
        "continue-and-end-stream → continue"
    );
    assert_eq!(body.call(&mut s, (2, 1, 1))?, 1, "stop-no-buffer → pause");
    assert!(s.data().redis_calls.is_empty());
    assert!(i.get_func(&mut s, "proxy_on_redis_call_response").is_none());
    let text = wasmprinter::print_bytes(&module)?;
    assert!(!text.contains("proxy_redis"));
    Ok(())
}

#[test]
fn wasi_stdio_goes_to_the_log() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("wasi-stdio", Profile::Envoy)?)?;
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let done = f::<i32, ()>(&mut s, &i, "proxy_on_log");
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 0);
    assert!(log(&s, 2, "to stdout"), "{:?}", s.data().logs);
    assert!(log(&s, 4, "to stderr"));
    // exit: logged, then a trap
    assert!(done.call(&mut s, 2).is_err());
    assert!(
        log(&s, 5, "gatewit: plugin called exit"),
        "{:?}",
        s.data().logs
    );
    Ok(())
}

/// A plugin that calls the rest of the http, properties, shared-data and
/// metrics functions on request headers, and logs what comes back.
const EVERYTHING: &str = r#"
(module
  (import "gatewit:plugin/http@0.1.0" "get-headers" (func $get-headers (param i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "set-headers" (func $set-headers (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "get-body" (func $get-body (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "replace-body" (func $replace-body (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "append-body" (func $append-body (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "prepend-body" (func $prepend-body (param i32 i32 i32 i32)))
  (import "gatewit:plugin/http@0.1.0" "send-local-reply" (func $send-local-reply (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "gatewit:plugin/properties@0.1.0" "get-property" (func $get-property (param i32 i32 i32)))
  (import "gatewit:plugin/properties@0.1.0" "set-property" (func $set-property (param i32 i32 i32 i32 i32)))
  (import "gatewit:plugin/shared-data@0.1.0" "get-shared-data" (func $get-shared-data (param i32 i32 i32)))
  (import "gatewit:plugin/shared-data@0.1.0" "set-shared-data" (func $set-shared-data (param i32 i32 i32 i32 i32 i32)))
  (import "gatewit:plugin/metrics@0.1.0" "define-metric" (func $define-metric (param i32 i32 i32 i32)))
  (import "gatewit:plugin/metrics@0.1.0" "increment-metric" (func $increment-metric (param i32 i64 i32)))
  (import "gatewit:plugin/metrics@0.1.0" "get-metric" (func $get-metric (param i32 i32)))
  (import "gatewit:plugin/log@0.1.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))
  (data (i32.const 128) "\a0\00\00\00\06\00\00\00\a8\00\00\00\04\00\00\00")
  (data (i32.const 160) "server")
  (data (i32.const 168) "test")
  (data (i32.const 192) "denied")
  (data (i32.const 200) "nope")
  (data (i32.const 256) "\20\01\00\00\07\00\00\00\28\01\00\00\04\00\00\00")
  (data (i32.const 288) "request")
  (data (i32.const 296) "path")
  (data (i32.const 320) "\50\01\00\00\01\00\00\00")
  (data (i32.const 336) "a")
  (data (i32.const 340) "v")
  (data (i32.const 352) "new")
  (data (i32.const 356) "x")
  (data (i32.const 358) "y")
  (data (i32.const 360) "k")
  (data (i32.const 364) "v2")
  (data (i32.const 368) "m")
  (data (i32.const 372) "cas-mismatch")
  (data (i32.const 388) "metric-42")
  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "gatewit:plugin/guest@0.1.0#on-plugin-start") (param i32 i32) (result i32)
    (i32.store8 (i32.const 512) (i32.const 0)) (i32.const 512))
  (func (export "gatewit:plugin/guest@0.1.0#on-context-create") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-headers") (param i32 i32 i32) (result i32)
    (local $list i32)
    ;; get-headers → log the second header's name and value
    (call $get-headers (i32.const 0) (i32.const 1024))
    (local.set $list (i32.load (i32.const 1024)))
    (call $log (i32.const 2) (i32.load offset=16 (local.get $list)) (i32.load offset=20 (local.get $list)))
    (call $log (i32.const 2) (i32.load offset=24 (local.get $list)) (i32.load offset=28 (local.get $list)))
    ;; set-headers(response-headers, the same list)
    (call $set-headers (i32.const 2) (local.get $list) (i32.load (i32.const 1028)) (i32.const 1040))
    ;; send-local-reply(403, [server: test], "denied", none, "nope")
    (call $send-local-reply (i32.const 403) (i32.const 128) (i32.const 1) (i32.const 192) (i32.const 6)
      (i32.const 0) (i32.const 0) (i32.const 200) (i32.const 4) (i32.const 1044))
    ;; get-property(["request", "path"]) → log it
    (call $get-property (i32.const 256) (i32.const 2) (i32.const 1056))
    (if (i32.load8_u (i32.const 1056))
      (then (call $log (i32.const 2) (i32.load (i32.const 1060)) (i32.load (i32.const 1064)))))
    (call $set-property (i32.const 320) (i32.const 1) (i32.const 340) (i32.const 1) (i32.const 1068))
    ;; body
    (call $get-body (i32.const 0) (i32.const 0) (i32.const 100) (i32.const 1072))
    (call $log (i32.const 2) (i32.load (i32.const 1072)) (i32.load (i32.const 1076)))
    (call $replace-body (i32.const 0) (i32.const 352) (i32.const 3) (i32.const 1080))
    (call $append-body (i32.const 1) (i32.const 356) (i32.const 1) (i32.const 1080))
    (call $prepend-body (i32.const 1) (i32.const 358) (i32.const 1) (i32.const 1080))
    ;; shared data: get → log value; set with its cas → err(cas-mismatch) → log
    (call $get-shared-data (i32.const 360) (i32.const 1) (i32.const 1088))
    (call $log (i32.const 2) (i32.load (i32.const 1092)) (i32.load (i32.const 1096)))
    (call $set-shared-data (i32.const 360) (i32.const 1) (i32.const 364) (i32.const 2) (i32.load (i32.const 1100)) (i32.const 1104))
    (if (i32.and (i32.load8_u (i32.const 1104)) (i32.eq (i32.load8_u (i32.const 1105)) (i32.const 7)))
      (then (call $log (i32.const 3) (i32.const 372) (i32.const 12))))
    ;; metrics: define → increment by 3 → get, expect 42
    (call $define-metric (i32.const 0) (i32.const 368) (i32.const 1) (i32.const 1112))
    (call $increment-metric (i32.load (i32.const 1116)) (i64.const 3) (i32.const 1120))
    (call $get-metric (i32.load (i32.const 1116)) (i32.const 1128))
    (if (i64.eq (i64.load (i32.const 1136)) (i64.const 42))
      (then (call $log (i32.const 2) (i32.const 388) (i32.const 9))))
    (i32.const 1))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-response-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "gatewit:plugin/guest@0.1.0#on-request-done") (param i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-tick"))
  (func (export "gatewit:plugin/guest@0.1.0#on-http-call-response") (param i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-redis-call-response") (param i32 i32 i32 i32 i32))
  (func (export "gatewit:plugin/guest@0.1.0#on-queue-ready") (param i32))
)
"#;

#[test]
fn headers_bodies_properties_shared_data_and_metrics() -> Result<()> {
    let component = common::plugin_component(EVERYTHING)?;
    let module = adapt(&component, &common::options())?.module;
    let (mut s, i) = instantiate(&module)?;
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    s.data_mut().maps.insert(
        0,
        vec![
            (":path".into(), "/index".into()),
            ("user-agent".into(), "curl/8".into()),
        ],
    );
    s.data_mut().buffers.insert(0, b"the body".to_vec());
    assert_eq!(headers.call(&mut s, (2, 2, 1))?, 1);
    let d = s.data();
    let logs: Vec<&str> = d.logs.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        logs,
        [
            "user-agent",
            "curl/8",
            "/index",
            "the body",
            "shared!",
            "cas-mismatch",
            "metric-42"
        ]
    );
    assert_eq!(
        d.hostcalls,
        [
            r#"set_header_map_pairs(2, [(":path", "/index"), ("user-agent", "curl/8")])"#,
            r#"send_local_response(403, "nope", "denied", [("server", "test")], -1)"#,
            r#"get_property("request\0path")"#,
            r#"set_property("a", "v")"#,
            r#"set_buffer_bytes(0, 0, 2147483647, "new")"#,
            r#"set_buffer_bytes(1, 2147483647, 0, "x")"#,
            r#"set_buffer_bytes(1, 0, 0, "y")"#,
            r#"get_shared_data("k")"#,
            r#"set_shared_data("k", "v2", 5)"#,
            r#"define_metric(0, "m")"#,
            "increment_metric(77, 3)",
            "get_metric(77)",
        ]
    );
    Ok(())
}

#[test]
fn shared_queues_map_to_the_queue_hostcalls() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("queues", Profile::Envoy)?)?;
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let ready = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_queue_ready");
    assert_eq!(configure.call(&mut s, (1, 0))?, 1);
    // registered as queue 1 of this VM; `other-vm` has no queue `q`
    assert_eq!(s.data().queues.len(), 1);
    assert!(log(&s, 2, "registered"), "{:?}", s.data().logs);
    assert!(log(&s, 3, "resolve: not-found"), "{:?}", s.data().logs);
    assert_eq!(headers.call(&mut s, (2, 1, 1))?, 0);
    assert_eq!(s.data().ready, [1]);
    assert_eq!(s.data().queues[0].2.len(), 2);
    s.data_mut().logs.clear();
    // items come out in order (the empty one too), then none
    ready.call(&mut s, (1, 1))?;
    let logs: Vec<(i32, &str)> = s
        .data()
        .logs
        .iter()
        .map(|(l, t)| (*l, t.as_str()))
        .collect();
    assert_eq!(logs, [(2, "item-1"), (2, ""), (2, "empty")]);
    assert!(s.data().queues[0].2.is_empty());
    // an unknown queue: dequeue is err(not-found)
    s.data_mut().logs.clear();
    ready.call(&mut s, (1, 9))?;
    assert!(log(&s, 4, "dequeue failed"), "{:?}", s.data().logs);
    assert_eq!(
        s.data().hostcalls,
        [
            r#"register_shared_queue("q")"#,
            r#"resolve_shared_queue("other-vm", "q")"#,
            r#"enqueue_shared_queue(1, "item-1")"#,
            r#"enqueue_shared_queue(1, "")"#,
            "dequeue_shared_queue(1)",
            "dequeue_shared_queue(1)",
            "dequeue_shared_queue(1)",
            "dequeue_shared_queue(9)",
        ]
    );
    Ok(())
}

#[test]
fn queue_ready_follows_the_hooks_bit_and_the_register_import() -> Result<()> {
    let wat = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/queues/module.wat"),
    )?;
    let exports = |wat: &str| -> Result<Vec<String>> {
        let component = common::plugin_component(wat)?;
        Ok(adapt(&component, &common::options())?.report.exports)
    };
    assert!(exports(&wat)?.contains(&"proxy_on_queue_ready".to_string()));
    // bit 12 clear: no callback, though the plugin registers a queue
    let no_bit = wat.replace(r#""\05\10\00\00""#, r#""\05\00\00\00""#);
    assert_ne!(no_bit, wat);
    assert!(!exports(&no_bit)?.contains(&"proxy_on_queue_ready".to_string()));
    // `minimal` exports on-queue-ready, has no hooks section, but never
    // registers a queue: Envoy could not call it, so it is left out
    let minimal = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/minimal/module.wat"),
    )?;
    assert!(!exports(&minimal)?.contains(&"proxy_on_queue_ready".to_string()));
    Ok(())
}

/// Post-return after every export: the `post-return` plugin traps on any
/// call made before the previous call's post-return ran (as componentize-js
/// output does) and counts post-return calls at address 600.
#[test]
fn every_export_is_followed_by_its_post_return() -> Result<()> {
    let (mut s, i) = instantiate(&adapted("post-return", Profile::Envoy)?)?;
    let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
    let configure = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_configure");
    let three = |s: &mut Store<Host>, name: &str| f::<(i32, i32, i32), i32>(s, &i, name);
    let two = |s: &mut Store<Host>, name: &str| f::<(i32, i32), i32>(s, &i, name);
    let req_headers = three(&mut s, "proxy_on_request_headers");
    let req_body = three(&mut s, "proxy_on_request_body");
    let req_trailers = two(&mut s, "proxy_on_request_trailers");
    let resp_headers = three(&mut s, "proxy_on_response_headers");
    let resp_body = three(&mut s, "proxy_on_response_body");
    let resp_trailers = two(&mut s, "proxy_on_response_trailers");
    let done = f::<i32, ()>(&mut s, &i, "proxy_on_log");
    let tick = f::<i32, ()>(&mut s, &i, "proxy_on_tick");
    let http_resp = f::<(i32, i32, i32, i32, i32), ()>(&mut s, &i, "proxy_on_http_call_response");

    create.call(&mut s, (1, 0))?;
    assert_eq!(configure.call(&mut s, (1, 0))?, 1);
    // Twice through every request callback: a missing post-return traps the
    // second time at the latest.
    for ctx in [2, 3] {
        create.call(&mut s, (ctx, 1))?;
        assert_eq!(req_headers.call(&mut s, (ctx, 1, 0))?, 0);
        assert_eq!(req_body.call(&mut s, (ctx, 1, 0))?, 0);
        assert_eq!(req_trailers.call(&mut s, (ctx, 0))?, 0);
        assert_eq!(resp_headers.call(&mut s, (ctx, 1, 0))?, 0);
        assert_eq!(resp_body.call(&mut s, (ctx, 1, 0))?, 0);
        assert_eq!(resp_trailers.call(&mut s, (ctx, 0))?, 0);
        done.call(&mut s, ctx)?;
    }
    tick.call(&mut s, 1)?;
    tick.call(&mut s, 1)?;
    // An answer to a call nobody made: the failed-call path, then again.
    http_resp.call(&mut s, (1, 77, 0, 0, 0))?;
    http_resp.call(&mut s, (1, 78, 0, 0, 0))?;

    let memory = i.get_memory(&mut s, "memory").expect("memory export");
    let mut count = [0u8; 4];
    memory.read(&s, 600, &mut count)?;
    // configure + 2 × (create + 6 phases + done) + 2 ticks + 2 answers
    assert_eq!(u32::from_le_bytes(count), 1 + 2 * 8 + 2 + 2);
    Ok(())
}

/// A module with the `standard32` canonical-ABI names adapts to the same
/// module as the legacy-named `minimal` one, and behaves the same.
#[test]
fn standard32_names_adapt_like_legacy_names() -> Result<()> {
    let standard = adapted("standard32", Profile::Envoy)?;
    let legacy = adapted("minimal", Profile::Envoy)?;
    // The same code; only the glue's debug names (taken from the import
    // names) may differ.
    let sections = sections_but_names(&legacy)?;
    assert!(sections.len() >= 8, "{} sections", sections.len());
    assert_eq!(sections_but_names(&standard)?, sections);
    round_trip(&standard)
}

/// A module's sections, raw, without its custom sections.
fn sections_but_names(module: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        let payload = payload?;
        if let Some((id, range)) = payload.as_section()
            && id != 0
        {
            out.push(module[range].to_vec());
        }
    }
    Ok(out)
}

/// Panics unless the glue logged that `callback` ran out of steps.
fn assert_out_of_steps(s: &Store<Host>, callback: &str) {
    let line = format!(
        "gatewit: `{callback}` ran out of the plugin's step budget \
         (a runaway loop?) and was stopped, so the gateway worker is not hung"
    );
    assert!(log(s, 4, &line), "{:?}", s.data().logs);
}

/// `run(store, n)` runs `n` scans of `per_scan` iterations, each counted
/// in the word at `at`, under a budget of 10,000: 50 scans fit (three
/// times over), 200 are stopped once the iterations that ran spend it.
fn scans_fit_then_stop(
    s: &mut Store<Host>,
    memory: &wasmtime::Memory,
    (at, per_scan): (usize, i32),
    callback: &str,
    run: impl Fn(&mut Store<Host>, i32) -> wasmtime::Result<i32>,
) -> Result<()> {
    let ran = |s: &mut Store<Host>| -> Result<i32> {
        let mut word = [0u8; 4];
        memory.read(&*s, at, &mut word)?;
        Ok(i32::from_le_bytes(word))
    };
    for _ in 0..3 {
        let before = ran(s)?;
        assert_eq!(run(s, 50)?, 0);
        assert_eq!(ran(s)? - before, 50 * per_scan, "{callback}");
    }
    let before = ran(s)?;
    let trap = run(s, 200).expect_err("200 scans are over the budget");
    assert!(format!("{trap:?}").contains("unreachable"), "{trap:?}");
    let spent = ran(s)? - before;
    assert!(
        (9_000..=10_200).contains(&spent),
        "{callback}: stopped once the budget was spent: {spent} iterations ran"
    );
    assert_out_of_steps(s, callback);
    Ok(())
}

/// A runaway loop is stopped by the step budget with a log line naming the
/// callback, and the next callback gets a fresh budget; `memory.grow` past
/// the cap fails as wasm defines it, within the cap it works.
#[test]
fn step_budget_and_memory_cap() -> Result<()> {
    let options = Options {
        max_steps: Some(10_000),
        max_memory_pages: Some(4),
        ..common::options()
    };
    let (mut s, i) = instantiate(&adapted_with("limits", &options)?)?;
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    let body = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_body");

    let trap = headers
        .call(&mut s, (7, 1, 1))
        .expect_err("request 7 loops forever");
    assert!(format!("{trap:?}").contains("unreachable"), "{trap:?}");
    assert_out_of_steps(&s, "proxy_on_request_headers");
    // A loop the meter cannot count, around a bounded loop that stops at
    // once, is still stopped: each run of the inner loop costs a step.
    let trap = headers
        .call(&mut s, (6, 1, 1))
        .expect_err("request 6 loops forever");
    assert!(format!("{trap:?}").contains("unreachable"), "{trap:?}");
    // The budget is per callback: the next ones run in full.
    for ctx in 8..40 {
        assert_eq!(headers.call(&mut s, (ctx, 1, 1))?, 0);
    }

    // A counted loop is charged before it starts: 5,000 iterations fit the
    // budget; 50,000 do not, and not one of them runs.
    let response = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_headers");
    let memory = i.get_memory(&mut s, "memory").expect("memory export");
    let counted = |s: &mut Store<Host>| -> Result<i32> {
        let mut word = [0u8; 4];
        memory.read(&*s, 704, &mut word)?;
        Ok(i32::from_le_bytes(word))
    };
    assert_eq!(response.call(&mut s, (5, 1, 1))?, 0);
    assert_eq!(counted(&mut s)?, 5_000);
    let trap = response
        .call(&mut s, (50, 1, 1))
        .expect_err("50,000 iterations are over the budget");
    assert!(format!("{trap:?}").contains("unreachable"), "{trap:?}");
    assert_eq!(
        counted(&mut s)?,
        5_000,
        "the loop was stopped before it began"
    );

    // A loop that may stop early is charged its bound (1,000,000 here,
    // far over the budget) and given back what it did not run: 50 scans
    // of 100 iterations fit the budget of 10,000; 200 do not, and the
    // callback is stopped once the iterations that ran spend it.
    let response_body = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_body");
    scans_fit_then_stop(
        &mut s,
        &memory,
        (708, 100),
        "proxy_on_response_body",
        |s, n| response_body.call(s, (n, 100, 1)),
    )?;
    // The same with scans tested at the top (serde_json's shape), which
    // also leave by falling out of the loop (101 iterations each).
    let trailers = f::<(i32, i32), i32>(&mut s, &i, "proxy_on_response_trailers");
    scans_fit_then_stop(
        &mut s,
        &memory,
        (712, 101),
        "proxy_on_response_trailers",
        |s, n| trailers.call(s, (n, 100)),
    )?;

    let memory = i.get_memory(&mut s, "memory").expect("memory export");
    let grown = |s: &mut Store<Host>| -> Result<i32> {
        let mut word = [0u8; 4];
        memory.read(&*s, 700, &mut word)?;
        Ok(i32::from_le_bytes(word))
    };
    let pages = memory.size(&s) as i32;
    assert!(pages < 4, "the plugin starts below the cap ({pages} pages)");
    body.call(&mut s, (8, 4 - pages, 0))?;
    assert_eq!(grown(&mut s)?, pages, "growing up to the cap works");
    body.call(&mut s, (8, 1, 0))?;
    assert_eq!(grown(&mut s)?, -1, "one page past the cap fails");
    body.call(&mut s, (8, -1, 0))?;
    assert_eq!(grown(&mut s)?, -1, "a huge delta fails too");
    assert_eq!(memory.size(&s), 4);

    // Without limits the same module spins: the default budget is on, `off`
    // means off.
    let unlimited = Options {
        max_steps: None,
        max_memory_pages: None,
        ..common::options()
    };
    let text = wasmprinter::print_bytes(adapted_with("limits", &unlimited)?)?;
    assert!(!text.contains("StepsExhausted") && !text.contains("gatewit-glue:Grow"));
    let text = wasmprinter::print_bytes(adapted("limits", Profile::Envoy)?)?;
    assert!(text.contains("StepsExhausted") && text.contains("gatewit-glue:Grow"));
    Ok(())
}

/// Reads of constant globals (position-independent code's
/// `__memory_base` and `__table_base`) become constants, folded with the
/// offsets added to them, inside a loop the step budget counts and
/// outside one, with the budget on and off; what the plugin computes
/// through them is unchanged, and a mutable global is still read.
#[test]
fn constant_globals_fold_into_their_addresses() -> Result<()> {
    for max_steps in [Some(10_000), None] {
        let options = Options {
            max_steps,
            ..common::options()
        };
        let module = adapted_with("pic", &options)?;
        let text = wasmprinter::print_bytes(&module)?;
        // Globals 1 to 3 are the constants, 0 the mutable heap pointer.
        for constant in 1..=3 {
            let read = format!("global.get {constant}\n");
            assert!(!text.contains(&read), "{max_steps:?}: `{read}` is left");
        }
        assert!(text.contains("global.get 0\n"), "{max_steps:?}");
        // The loop's table address and the function pointer, folded.
        for folded in [
            "i32.const 1040\n        local.get",
            "i32.const 2\n    call_indirect",
        ] {
            assert!(text.contains(folded), "{max_steps:?}: no `{folded}`");
        }
        let (mut s, i) = instantiate(&module)?;
        let create = f::<(i32, i32), ()>(&mut s, &i, "proxy_on_context_create");
        let response = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_response_headers");
        let memory = i.get_memory(&mut s, "memory").expect("memory export");
        create.call(&mut s, (1, 0))?;
        create.call(&mut s, (4, 1))?;
        assert_eq!(response.call(&mut s, (4, 0, 0))?, 0);
        let mut words = [0u8; 28];
        memory.read(&s, 700, &mut words)?;
        let word = |at: usize| i32::from_le_bytes(words[at..at + 4].try_into().unwrap());
        assert_eq!(word(0), 1 + 2 + 3 + 4, "{max_steps:?}: the table's sum");
        assert_eq!(
            word(4),
            7,
            "{max_steps:?}: the function at the table base + 1"
        );
        let scaled = i64::from_le_bytes(words[12..20].try_into().unwrap());
        assert_eq!(scaled, 4 * 1_000_000_007, "{max_steps:?}");
        assert!(word(20) >= 4096, "{max_steps:?}: the heap pointer, read");
    }
    Ok(())
}
