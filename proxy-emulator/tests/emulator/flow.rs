//! Ticks, initialisation, pauses, actions, WASI and shared queues.

use super::*;

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
