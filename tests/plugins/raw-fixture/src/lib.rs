//! A gatewit plugin written directly on wit-bindgen against `wit/` — no SDK —
//! to prove any toolchain that produces a component can target the world.
//!
//! Configuration: `key=value` lines (`fail=<msg>` rejects the config,
//! `tick=<ms>` starts a tick timer, `redis=<cluster>` initialises Redis).
//! Behaviour per request, from the `x-action` request header:
//! - absent: add request header `x-raw: yes`, continue;
//! - `trap`: panic; `loop`: spin forever; `oom`: allocate without bound;
//! - `local`: answer 403 `denied` locally;
//! - `call`: call cluster `x-cluster` at `/token`, pause; copy the answer's
//!   `x-token` header into the request and resume; on failure answer 500;
//! - `redis`: `INCR` key `x-key` on the configured cluster, pause; put the
//!   raw reply into header `x-redis` and resume; on failure answer 430;
//! - `buffer`: buffer the whole request body, upper-case it;
//! - `pause-response`: pause the response headers, call cluster `x-cluster`
//!   and resume from its answer (header `x-late`); buffer the response body
//!   and append ` (seen <n> bytes)`.
//!
//! - `hold-headers`: pause the request headers (when a body follows) and
//!   count the body callbacks (logging `body callback <n>`); buffer the
//!   body and, at its end, add request headers `x-body-callbacks: <n>` and
//!   `x-body-bytes: <size>` and continue (as `envoy-harness`'s pause
//!   probe); `hold-headers-resume`: the same, but resume the request from
//!   the last body callback and return Pause.
//!
//! - `local-in-response`: answer 502 `replaced in the response` (header
//!   `x-replaced: yes`) from the response headers phase; the reply replaces
//!   the upstream's answer as it is, without running the response phases
//!   again (so no `x-raw-response` on it).
//!
//! - `headers`: exercise header reads and writes in one callback (mixed-case
//!   names, duplicates, missing names, reads after each kind of write, the
//!   response map before there is one) and report what was seen in request
//!   header `x-seen`, so every tier can be checked for the same answer.
//!
//! - `queue`: exercise the shared queue calls (resolve of an unknown VM id
//!   and of an unregistered name, register twice, dequeue from the empty
//!   queue, enqueue to an unknown id) and report the results in request
//!   header `x-queue`; then enqueue the request path into queue
//!   `fixture-q`. `on-queue-ready` dequeues every item and appends them,
//!   `;`-separated, to shared data `fixture-q-seen`.
//!
//! Responses get header `x-raw-response: <context id>`.

#![allow(
    missing_docs,
    reason = "a test plugin: its exports are the ABI's, documented there"
)]

use std::cell::RefCell;
use std::collections::HashMap;

wit_bindgen::generate!({
    path: "../../../wit",
    world: "plugin",
});

use exports::gatewit::plugin::guest::{CallFailure, Guest, HttpResponse};
use gatewit::plugin::types::{BodyAction, BodyKind, HeaderAction, LogLevel, MapKind, MetricKind};
use gatewit::plugin::{http, http_client, log, metrics, properties, redis, shared_data};

#[derive(Default)]
struct State {
    config: HashMap<String, String>,
    actions: HashMap<u32, String>,
    /// `pause-response`'s `x-cluster`, read in the request headers phase:
    /// Envoy serves the request headers in no later phase.
    late_clusters: HashMap<u32, String>,
    body_callbacks: HashMap<u32, u32>,
    hoard: Vec<Vec<u8>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// `Ok(<value>)` or `Err(<status name>)`, e.g. `Err(not-found)`.
fn short<T: std::fmt::Debug>(r: &Result<T, gatewit::plugin::types::StatusError>) -> String {
    match r {
        Ok(v) => format!("Ok({v:?})"),
        Err(e) => format!("Err({})", e.name()),
    }
}

fn action_of(ctx: u32) -> String {
    STATE.with(|s| s.borrow().actions.get(&ctx).cloned().unwrap_or_default())
}

fn config(key: &str) -> Option<String> {
    STATE.with(|s| s.borrow().config.get(key).cloned())
}

fn resp_command(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

struct RawFixture;

impl Guest for RawFixture {
    fn on_plugin_start(config: Vec<u8>) -> Result<(), String> {
        let text = String::from_utf8(config).map_err(|_| "config is not UTF-8".to_string())?;
        let parsed: HashMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        if let Some(msg) = parsed.get("fail") {
            return Err(format!("raw fixture refuses this config: {msg}"));
        }
        println!("raw fixture starting");
        if let Some(ms) = parsed.get("tick").and_then(|t| t.parse().ok()) {
            gatewit::plugin::time::set_tick_period(ms);
        }
        if let Some(cluster) = parsed.get("redis") {
            let options = redis::RedisOptions {
                username: String::new(),
                password: parsed.get("password").cloned().unwrap_or_default(),
                timeout_ms: 500,
                database: 0,
                buffer_flush_timeout_ms: None,
                max_buffer_size: None,
                disable_buffer: true,
            };
            redis::redis_init(cluster, &options)
                .map_err(|e| format!("redis init failed: {e:?}"))?;
        }
        STATE.with(|s| s.borrow_mut().config = parsed);
        Ok(())
    }

    fn on_context_create(_ctx: u32) {}

    fn on_request_headers(ctx: u32, _count: u32, eos: bool) -> HeaderAction {
        let action = http::get_header(MapKind::RequestHeaders, "x-action").unwrap_or_default();
        STATE.with(|s| s.borrow_mut().actions.insert(ctx, action.clone()));
        if action == "pause-response" {
            let cluster =
                http::get_header(MapKind::RequestHeaders, "x-cluster").unwrap_or_default();
            STATE.with(|s| s.borrow_mut().late_clusters.insert(ctx, cluster));
        }
        log::log(LogLevel::Info, &format!("request {ctx} action `{action}`"));
        match action.as_str() {
            "hold-headers" | "hold-headers-resume" if !eos => HeaderAction::Pause,
            "trap" => panic!("raw fixture traps on purpose"),
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "oom" => STATE.with(|s| {
                let mut s = s.borrow_mut();
                loop {
                    s.hoard.push(vec![1u8; 1 << 20]);
                }
            }),
            "local" => {
                let _ = http::send_local_reply(
                    403,
                    &[("x-denied".into(), "1".into())],
                    b"denied",
                    None,
                    "raw-denied",
                );
                HeaderAction::Pause
            }
            "call" => {
                let cluster =
                    http::get_header(MapKind::RequestHeaders, "x-cluster").unwrap_or_default();
                let headers = vec![
                    (":method".into(), "GET".into()),
                    (":path".into(), "/token".into()),
                    (":authority".into(), "token".into()),
                ];
                match http_client::dispatch_http_call(&cluster, &headers, &[], &[], 500) {
                    Ok(_) => HeaderAction::Pause,
                    Err(e) => {
                        let body = format!("dispatch failed: {e:?}");
                        let _ =
                            http::send_local_reply(503, &[], body.as_bytes(), None, "raw-dispatch");
                        HeaderAction::Pause
                    }
                }
            }
            "redis" => {
                let cluster = config("redis").unwrap_or_default();
                let key = http::get_header(MapKind::RequestHeaders, "x-key")
                    .unwrap_or_else(|| "k".into());
                match redis::redis_call(&cluster, &resp_command(&["INCR", &key])) {
                    Ok(_) => HeaderAction::Pause,
                    Err(e) => {
                        let _ = http::send_local_reply(
                            503,
                            &[],
                            format!("redis call failed: {e:?}").as_bytes(),
                            None,
                            "",
                        );
                        HeaderAction::Pause
                    }
                }
            }
            "queue" => {
                let vm = properties::get_property(&["plugin_vm_id".to_string()])
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .unwrap_or_default();
                let other_vm = shared_data::resolve_shared_queue("other-vm", "fixture-q");
                let missing = shared_data::resolve_shared_queue(&vm, "missing");
                let id = shared_data::register_shared_queue("fixture-q");
                let again = shared_data::register_shared_queue("fixture-q");
                let resolved = shared_data::resolve_shared_queue(&vm, "fixture-q");
                let (same, empty, unknown, enqueued) = match id {
                    Ok(id) => {
                        let empty = shared_data::dequeue_shared_queue(id);
                        let unknown = shared_data::enqueue_shared_queue(id + 1000, b"x");
                        let path =
                            http::get_header(MapKind::RequestHeaders, ":path").unwrap_or_default();
                        let enqueued = shared_data::enqueue_shared_queue(id, path.as_bytes());
                        let same =
                            again.as_ref().ok() == Some(&id) && resolved.as_ref().ok() == Some(&id);
                        (same, short(&empty), short(&unknown), short(&enqueued))
                    }
                    Err(e) => (false, e.name().to_string(), String::new(), String::new()),
                };
                let (other_vm, missing) = (short(&other_vm), short(&missing));
                let report = format!(
                    "vm={vm};other_vm={other_vm};missing={missing};same={same};\
                     empty={empty};unknown={unknown};enqueued={enqueued}"
                );
                let _ = http::add_header(MapKind::RequestHeaders, "x-queue", &report);
                HeaderAction::Continue
            }
            "headers" => {
                let req = MapKind::RequestHeaders;
                let ua = http::get_header(req, "User-Agent");
                let dup = http::get_header(req, "x-dup");
                let missing = http::get_header(req, "x-missing");
                let dups = http::get_headers(req)
                    .iter()
                    .filter(|(k, _)| k == "x-dup")
                    .count();
                let _ = http::add_header(req, "x-added", "late");
                let added = http::get_header(req, "x-added");
                let _ = http::replace_header(req, "x-dup", "replaced");
                let dup2 = http::get_header(req, "x-dup");
                let _ = http::remove_header(req, "x-remove-me");
                let removed = http::get_header(req, "x-remove-me");
                let status = http::get_header(MapKind::ResponseHeaders, ":status");
                let seen = format!(
                    "ua={ua:?};dup={dup:?};missing={missing:?};dups={dups};added={added:?};\
                     dup2={dup2:?};removed={removed:?};status={status:?}"
                );
                let _ = http::add_header(req, "x-seen", &seen);
                HeaderAction::Continue
            }
            _ => {
                let _ = http::add_header(MapKind::RequestHeaders, "x-raw", "yes");
                HeaderAction::Continue
            }
        }
    }

    fn on_request_body(ctx: u32, size: u32, eos: bool) -> BodyAction {
        let action = action_of(ctx);
        if action.starts_with("hold-headers") {
            let n = STATE.with(|s| {
                let mut s = s.borrow_mut();
                let n = s.body_callbacks.entry(ctx).or_default();
                *n += 1;
                *n
            });
            log::log(LogLevel::Info, &format!("body callback {n}"));
            if !eos {
                return BodyAction::Pause;
            }
            let req = MapKind::RequestHeaders;
            let _ = http::replace_header(req, "x-body-callbacks", &n.to_string());
            let _ = http::replace_header(req, "x-body-bytes", &size.to_string());
            if action == "hold-headers-resume" {
                let _ = http::resume_request();
                return BodyAction::Pause;
            }
            return BodyAction::Continue;
        }
        if action != "buffer" {
            return BodyAction::Continue;
        }
        if !eos {
            return BodyAction::Pause;
        }
        let body = http::get_body(BodyKind::RequestBody, 0, size);
        let _ = http::replace_body(BodyKind::RequestBody, &body.to_ascii_uppercase());
        BodyAction::Continue
    }

    fn on_request_trailers(_ctx: u32, _count: u32) -> HeaderAction {
        HeaderAction::Continue
    }

    fn on_response_headers(ctx: u32, _count: u32, _eos: bool) -> HeaderAction {
        let _ = http::add_header(MapKind::ResponseHeaders, "x-raw-response", &ctx.to_string());
        let action = action_of(ctx);
        if action == "local-in-response" {
            let _ = http::send_local_reply(
                502,
                &[("x-replaced".into(), "yes".into())],
                b"replaced in the response",
                None,
                "raw-fixture",
            );
            return HeaderAction::Pause;
        }
        if action == "pause-response" {
            let cluster = STATE
                .with(|s| s.borrow().late_clusters.get(&ctx).cloned())
                .unwrap_or_default();
            let headers = vec![
                (":method".into(), "GET".into()),
                (":path".into(), "/late".into()),
                (":authority".into(), "late".into()),
            ];
            if http_client::dispatch_http_call(&cluster, &headers, &[], &[], 500).is_ok() {
                return HeaderAction::Pause;
            }
        }
        HeaderAction::Continue
    }

    fn on_response_body(ctx: u32, size: u32, eos: bool) -> BodyAction {
        if action_of(ctx) == "pause-response" {
            // Buffer the whole response, then append to it.
            if !eos {
                return BodyAction::Pause;
            }
            let _ = http::append_body(
                BodyKind::ResponseBody,
                format!(" (seen {size} bytes)").as_bytes(),
            );
        }
        BodyAction::Continue
    }

    fn on_response_trailers(_ctx: u32, _count: u32) -> HeaderAction {
        HeaderAction::Continue
    }

    fn on_request_done(ctx: u32) {
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            s.actions.remove(&ctx);
            s.late_clusters.remove(&ctx);
            s.body_callbacks.remove(&ctx);
        });
    }

    fn on_tick() {
        if let Ok(id) = metrics::define_metric(MetricKind::Counter, "raw_ticks") {
            let _ = metrics::increment_metric(id, 1);
        }
    }

    fn on_http_call_response(ctx: u32, _call: u32, response: Result<HttpResponse, CallFailure>) {
        if action_of(ctx) == "pause-response" {
            let _ = http::replace_header(
                MapKind::ResponseHeaders,
                "x-late",
                if response.is_ok() { "ok" } else { "failed" },
            );
            let _ = http::resume_response();
            return;
        }
        match response {
            Ok(resp) => {
                let status = resp
                    .headers
                    .iter()
                    .find(|(k, _)| k == ":status")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                if status != "200" {
                    let _ = http::send_local_reply(
                        500,
                        &[],
                        format!("token service answered {status}").as_bytes(),
                        None,
                        "",
                    );
                    return;
                }
                if let Some((_, token)) = resp.headers.iter().find(|(k, _)| k == "x-token") {
                    let _ = http::replace_header(MapKind::RequestHeaders, "x-token", token);
                }
                let _ = http::replace_header(
                    MapKind::RequestHeaders,
                    "x-token-body",
                    &String::from_utf8_lossy(&resp.body),
                );
                let _ = http::resume_request();
            }
            Err(failure) => {
                let body = format!("call failed: {failure:?}");
                let _ = http::send_local_reply(500, &[], body.as_bytes(), None, "raw-call-failed");
            }
        }
    }

    fn on_queue_ready(queue: u32) {
        let mut items = Vec::new();
        while let Ok(Some(item)) = shared_data::dequeue_shared_queue(queue) {
            items.push(String::from_utf8_lossy(&item).into_owned());
        }
        log::log(
            LogLevel::Info,
            &format!("queue {queue} ready: {} item(s)", items.len()),
        );
        let seen = shared_data::get_shared_data("fixture-q-seen")
            .map(|v| String::from_utf8_lossy(&v.value).into_owned())
            .unwrap_or_default();
        let mut all: Vec<String> = seen
            .split(';')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        all.extend(items);
        let _ = shared_data::set_shared_data("fixture-q-seen", all.join(";").as_bytes(), 0);
    }

    fn on_redis_call_response(_ctx: u32, _call: u32, reply: Result<Vec<u8>, u32>) {
        match reply {
            Ok(raw) => {
                let text = String::from_utf8_lossy(&raw).trim_end().to_string();
                let _ = http::replace_header(MapKind::RequestHeaders, "x-redis", &text);
                let _ = http::resume_request();
            }
            Err(status) => {
                let body = format!("redis failed with status {status}");
                let _ = http::send_local_reply(430, &[], body.as_bytes(), None, "raw-redis-failed");
            }
        }
    }
}

export!(RawFixture);
