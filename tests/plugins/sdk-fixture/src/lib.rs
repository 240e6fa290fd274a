//! Test fixture: an SDK plugin for what the examples do not show.
//!
//! - `/boom`: panics in the request headers phase;
//! - `/boom-late`: panics in the response headers phase;
//! - `/attrs`: writes user attributes to the access log (property
//!   `ai_log`, Higress's format) in the request phase (`model`, `prompt`)
//!   and again in the response phase (`tokens`), which merges; logs
//!   `attributes written in the <phase> phase` in each (for the request id
//!   in the line);
//! - `/phase`: calls cluster `phase-backend` and pauses; the answer's
//!   callback adds request header `x-phase-in-callback` (what
//!   `ctx.phase()` says there: the request's phase, as Go) and resumes;
//! - `/call-answer`: calls cluster `phase-backend` with a 300 ms timeout
//!   and pauses; the callback adds request header `x-call-answer:
//!   <status>,<failure or none>,<body>` and resumes;
//! - `/deny`: answers 403 `denied` with response code details
//!   `sdk-fixture.deny`;
//! - `/kind`: adds request header `x-kind: ws=<is_websocket>,binary=
//!   <is_binary_request_body>`;
//! - `/foreign`: runs the gateway's foreign functions (`compress` then
//!   `uncompress`, `uncompress` of non-zlib bytes, an unknown name,
//!   `clear_route_cache`) and adds request header `x-foreign` with what
//!   each gave;
//! - `/hosts`: reads the upstream hosts and chooses the first (Higress),
//!   then an address that is not one; request headers `x-upstream-hosts`
//!   (`addr=metrics;…` or the error), `x-override`, `x-override-bad`;
//! - `/inject`: holds every response chunk and injects it uppercased
//!   instead (Higress streaming), then `[end]` ending the response;
//! - `/unsafe`: logs `token=t0p` with `log_unsafe_info!`; `/safe-log`
//!   turns safe log mode on first;
//! - `/helpers…`: response header `x-helpers: upstream=<is response
//!   from upstream>,json=<is application json>,path=<path without query>`;
//! - `/late-read`: in the response phase, reads request header `x-probe`,
//!   adds request header `x-late` and reads property `request.path`, and
//!   reports them as response header `x-late-read: <value or none>,<ok or
//!   the status>,<path or none>` (Envoy serves the request headers, and
//!   what it derives from them, in no later phase than theirs);
//! - `/header-case`: reads request header `x-probe` as `x-probe`, `X-Probe`
//!   and `X-PROBE` (and a missing `x-Probe-Missing`) and adds
//!   `x-probe-any-case: <each value or none, comma-separated>`;
//! - `/property-map`: reads property `request.headers` as a map and adds
//!   request header `x-probe-from-map` with its `x-probe`;
//! - `/trace`: replaces the user attributes with `{"empty": "", "n": 7,
//!   "list": [1, "a"]}` and writes them as trace span tags; keeps buffers
//!   `one` and `two`, takes one back, and adds request header `x-buffers:
//!   <taken>,<left>`;
//! - `/leader`: runs the leader election (shared-data lease) and adds
//!   request header `x-leader: <is leader>`;
//! - any other path: adds request header `x-served: <n>`, the number of
//!   requests this plugin instance has served (state that lives as long as
//!   the instance: a count that goes on after a panic shows the instance
//!   survived it);
//! - response headers: adds `x-response-phase: ran` (never on a request
//!   that panicked earlier: the SDK skips the rest of a failed request);
//! - asks for a fresh VM every 3 requests (`wasm_need_rebuild`);
//! - ticks: two functions, every 1 s and every 3 s, count their runs;
//!   every request carries them as request header `x-ticks: <1 s>/<3 s>`.

use gatewit_sdk::{
    HeaderAction, HttpClient, HttpContext, NoConfig, Plugin, PluginContext, Status, TargetCluster,
    gateway,
};
use std::cell::Cell;

thread_local! {
    static SERVED: Cell<u32> = const { Cell::new(0) };
    static TICKS: Cell<(u32, u32)> = const { Cell::new((0, 0)) };
}

/// The plugin.
pub struct SdkFixture;

#[gatewit_sdk::plugin]
impl Plugin for SdkFixture {
    type Config = NoConfig;

    fn on_plugin_start(ctx: &mut PluginContext<'_, NoConfig>) -> Result<(), String> {
        ctx.register_tick(1000, || TICKS.set((TICKS.get().0 + 1, TICKS.get().1)));
        ctx.register_tick(3000, || TICKS.set((TICKS.get().0, TICKS.get().1 + 1)));
        ctx.rebuild_after_requests(3);
        Ok(())
    }

    fn on_request_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        let path = ctx.path();
        // Kept for the response phase: Envoy does not serve request
        // headers there.
        ctx.set("path", path.clone());
        if path.starts_with("/helpers") {
            // Request headers are not served in the response phase.
            let trimmed = ctx.path_without_query();
            ctx.set("trimmed", trimmed);
        }
        match path.as_str() {
            "/boom" => panic!("sdk-fixture panics on `{path}`"),
            "/attrs" => {
                ctx.set_user_attribute("model", "qwen-<max>");
                ctx.set_user_attribute("prompt", "say \"hi\"\n");
                if let Err(e) = ctx.write_user_attribute_to_log_with_key("ai_log") {
                    gatewit_sdk::log_error!("cannot write ai_log: {e}");
                }
                gatewit_sdk::log_info!("attributes written in the request phase");
            }
            "/reset" => {
                if let Err(e) = ctx.reset_stream() {
                    gatewit_sdk::log_error!("cannot reset: {e}");
                }
                return HeaderAction::Pause;
            }
            "/deny" => {
                if let Err(e) =
                    ctx.send_http_response_with_details(403, "sdk-fixture.deny", &[], "denied")
                {
                    gatewit_sdk::log_error!("cannot deny: {e}");
                }
                return HeaderAction::Pause;
            }
            "/kind" => {
                let kind = format!(
                    "ws={},binary={}",
                    ctx.is_websocket(),
                    ctx.is_binary_request_body()
                );
                if let Err(e) = ctx.add_request_header("x-kind", &kind) {
                    gatewit_sdk::log_error!("cannot add x-kind: {e}");
                }
            }
            "/foreign" => {
                let text = b"gatewit ".repeat(16);
                let round_trip = gateway::compress(&text)
                    .and_then(|z| gateway::uncompress(&z).map(|back| (z.len(), back)));
                let summary = format!(
                    "round-trip={},garbage={},unknown={},clear={}",
                    match round_trip {
                        Ok((len, back)) if back == text && len < text.len() => "ok".to_string(),
                        Ok((len, _)) => format!("wrong ({len} bytes)"),
                        Err(e) => e.to_string(),
                    },
                    outcome(gateway::uncompress(b"not zlib").map(drop)),
                    outcome(gateway::call_foreign_function("no_such_function", b"").map(drop)),
                    outcome(gateway::clear_route_cache()),
                );
                add_request_header(ctx, "x-foreign", &summary);
            }
            "/hosts" => {
                let hosts = gateway::upstream_hosts();
                let listed = match &hosts {
                    Ok(hosts) => hosts
                        .iter()
                        .map(|(addr, metrics)| format!("{addr}={metrics}"))
                        .collect::<Vec<_>>()
                        .join(";"),
                    Err(e) => format!("error: {e}"),
                };
                add_request_header(ctx, "x-upstream-hosts", &listed);
                let first = hosts.ok().and_then(|h| h.into_iter().next());
                let chosen = match first {
                    Some((addr, _)) => outcome(ctx.set_upstream_override_host(&addr)),
                    None => "no host".to_string(),
                };
                add_request_header(ctx, "x-override", &chosen);
                let bad = outcome(ctx.set_upstream_override_host("not an address"));
                add_request_header(ctx, "x-override-bad", &bad);
            }
            "/unsafe" | "/safe-log" => {
                if path == "/safe-log" {
                    gatewit_sdk::log::enable_safe_log();
                }
                gatewit_sdk::log_unsafe_info!("token=t0p");
            }
            "/header-case" => {
                // Names compare case-insensitively, whatever case the
                // plugin writes them in (the SDK passes them as written).
                let read = ["x-probe", "X-Probe", "X-PROBE", "x-Probe-Missing"]
                    .map(|name| ctx.request_header(name).unwrap_or_else(|| "none".into()));
                add_request_header(ctx, "x-probe-any-case", &read.join(","));
            }
            "/chatty" => {
                // Several lines in one callback, as plugins ported from Go
                // log: the SDK asks the host's level once.
                for step in ["parsed", "matched", "decided"] {
                    gatewit_sdk::log_debug!("chatty: {step}");
                }
                gatewit_sdk::log_info!("chatty: done");
            }
            "/property-map" => {
                let probe = gatewit_sdk::get_property_map(&["request", "headers"])
                    .and_then(|m| m.into_iter().find(|(k, _)| k == "x-probe"))
                    .map_or_else(|| "none".to_string(), |(_, v)| v);
                add_request_header(ctx, "x-probe-from-map", &probe);
            }
            "/trace" => {
                let attributes = serde_json::json!({"empty": "", "n": 7, "list": [1, "a"]});
                if let serde_json::Value::Object(map) = attributes {
                    ctx.set_user_attributes(map);
                }
                if let Err(e) = ctx.write_user_attribute_to_trace() {
                    gatewit_sdk::log_error!("cannot write trace tags: {e}");
                }
                ctx.push_buffer(b"one".to_vec());
                ctx.push_buffer(b"two".to_vec());
                let taken = ctx.pop_buffer().unwrap_or_default();
                let summary = format!(
                    "{},{}",
                    String::from_utf8_lossy(&taken),
                    ctx.buffer_queue_size()
                );
                add_request_header(ctx, "x-buffers", &summary);
            }
            "/leader" => {
                let leader = gatewit_sdk::leader::elect();
                add_request_header(ctx, "x-leader", &leader.to_string());
            }
            "/phase" => {
                let sent = phase_backend().get("/", &[], |ctx, _answer| {
                    let phase = format!("{:?}", ctx.phase());
                    add_request_header(ctx, "x-phase-in-callback", &phase);
                    resume(ctx);
                });
                if sent.is_ok() {
                    return HeaderAction::Pause;
                }
            }
            "/call-answer" => {
                let client = phase_backend().with_timeout(300);
                let sent = client.get("/", &[], |ctx, answer| {
                    let failure = answer
                        .failure
                        .map_or_else(|| "none".to_string(), |f| f.to_string());
                    let body = String::from_utf8_lossy(&answer.body);
                    let seen = format!("{},{failure},{body}", answer.status);
                    add_request_header(ctx, "x-call-answer", &seen);
                    resume(ctx);
                });
                if sent.is_ok() {
                    return HeaderAction::Pause;
                }
            }
            _ => {}
        }
        let n = SERVED.with(|s| {
            s.set(s.get() + 1);
            s.get()
        });
        if let Err(e) = ctx.add_request_header("x-served", &n.to_string()) {
            gatewit_sdk::log_error!("cannot add x-served: {e}");
        }
        let (fast, slow) = TICKS.get();
        if let Err(e) = ctx.add_request_header("x-ticks", &format!("{fast}/{slow}")) {
            gatewit_sdk::log_error!("cannot add x-ticks: {e}");
        }
        HeaderAction::Continue
    }

    fn on_streaming_response_body(
        ctx: &mut HttpContext,
        _config: &NoConfig,
        chunk: Vec<u8>,
        is_last: bool,
    ) -> Vec<u8> {
        if ctx.get::<String>("path").map(String::as_str) != Some("/inject") {
            return chunk;
        }
        ctx.need_pause_streaming_response();
        let mut out = chunk.to_ascii_uppercase();
        if is_last {
            out.extend_from_slice(b"[end]");
        }
        if let Err(e) = ctx.inject_encoded_data(&out, is_last) {
            gatewit_sdk::log_error!("cannot inject: {e}");
        }
        Vec::new()
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &NoConfig) -> HeaderAction {
        let path = ctx.get::<String>("path").cloned().unwrap_or_default();
        if path == "/boom-late" {
            panic!("sdk-fixture panics in the response of `/boom-late`");
        }
        if path == "/attrs" {
            ctx.set_user_attribute("tokens", 7);
            if let Err(e) = ctx.write_user_attribute_to_log_with_key("ai_log") {
                gatewit_sdk::log_error!("cannot write ai_log: {e}");
            }
            gatewit_sdk::log_info!("attributes written in the response phase");
        }
        if let Some(trimmed) = ctx.get::<String>("trimmed").cloned() {
            let helpers = format!(
                "upstream={},json={},path={trimmed}",
                ctx.is_response_from_upstream(),
                ctx.is_application_json()
            );
            if let Err(e) = ctx.add_response_header("x-helpers", &helpers) {
                gatewit_sdk::log_error!("cannot add x-helpers: {e}");
            }
        }
        if path == "/late-read" {
            let seen = ctx
                .request_header("x-probe")
                .unwrap_or_else(|| "none".into());
            let added = outcome(ctx.add_request_header("x-late", "1"));
            let path = ctx.property(&["request", "path"]).map_or_else(
                || "none".to_string(),
                |p| String::from_utf8_lossy(&p).into_owned(),
            );
            let report = format!("{seen},{added},{path}");
            if let Err(e) = ctx.add_response_header("x-late-read", &report) {
                gatewit_sdk::log_error!("cannot add x-late-read: {e}");
            }
        }
        if let Err(e) = ctx.add_response_header("x-response-phase", "ran") {
            gatewit_sdk::log_error!("cannot add x-response-phase: {e}");
        }
        HeaderAction::Continue
    }
}

/// A client of cluster `phase-backend`.
fn phase_backend() -> HttpClient {
    HttpClient::new(TargetCluster {
        host: "backend".into(),
        cluster: "phase-backend".into(),
    })
}

fn resume(ctx: &mut HttpContext) {
    if let Err(e) = ctx.resume_request() {
        gatewit_sdk::log_error!("cannot resume: {e}");
    }
}

/// `ok`, or the status as the SDK prints it.
fn outcome(r: Result<(), Status>) -> String {
    r.map_or_else(|e| e.to_string(), |()| "ok".to_string())
}

fn add_request_header(ctx: &mut HttpContext, name: &str, value: &str) {
    if let Err(e) = ctx.add_request_header(name, value) {
        gatewit_sdk::log_error!("cannot add {name}: {e}");
    }
}
