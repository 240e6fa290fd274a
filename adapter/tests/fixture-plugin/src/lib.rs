//! A small real plugin built straight on wit-bindgen (no SDK), so the
//! adapter is tested against what rustc + wasm-component-ld really emit:
//! std, `println!`/`eprintln!`, a `HashMap` (random seed), owned strings,
//! and a shared queue (items Envoy allocated handed over as owned lists).
#![allow(
    missing_docs,
    reason = "a test plugin: wit-bindgen's generated exports carry no docs"
)]

wit_bindgen::generate!({
    path: "../../../wit",
    world: "plugin",
});

use exports::gatewit::plugin::guest::{
    BodyAction, CallFailure, CallId, ContextId, Guest, HeaderAction, HttpResponse, QueueId,
};
use gatewit::plugin::http::{self, MapKind};
use gatewit::plugin::log::{LogLevel, log};
use gatewit::plugin::shared_data;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

thread_local! {
    static SEEN: RefCell<HashMap<u32, String>> = RefCell::new(HashMap::new());
    /// The queue every request's `x-name` goes through.
    static QUEUE: Cell<Option<QueueId>> = const { Cell::new(None) };
}

struct Plugin;

impl Guest for Plugin {
    fn on_plugin_start(config: Vec<u8>) -> Result<(), String> {
        if config.starts_with(b"x") {
            return Err(format!("bad config: {} bytes", config.len()));
        }
        println!("plugin started with {} bytes of config", config.len());
        if QUEUE.get().is_none() {
            let queue = shared_data::register_shared_queue("fixture-names")
                .map_err(|e| format!("cannot register the queue: {e:?}"))?;
            QUEUE.set(Some(queue));
        }
        Ok(())
    }
    fn on_context_create(_ctx: ContextId) {}
    fn on_request_headers(ctx: ContextId, _n: u32, _eos: bool) -> HeaderAction {
        let name = http::get_header(MapKind::RequestHeaders, "x-name").unwrap_or_default();
        let all = http::get_headers(MapKind::RequestHeaders);
        let _ = http::add_header(MapKind::RequestHeaders, "x-hello", &name);
        let _ = http::add_header(MapKind::RequestHeaders, "x-count", &all.len().to_string());
        if let Some(queue) = QUEUE.get() {
            let _ = shared_data::enqueue_shared_queue(queue, name.as_bytes());
        }
        SEEN.with(|s| s.borrow_mut().insert(ctx, name.clone()));
        eprintln!("request {ctx} from {name}");
        log(LogLevel::Info, &format!("hello {name}"));
        HeaderAction::Continue
    }
    fn on_request_body(_ctx: ContextId, _size: u32, _eos: bool) -> BodyAction {
        BodyAction::Continue
    }
    fn on_request_trailers(_ctx: ContextId, _n: u32) -> HeaderAction {
        HeaderAction::Continue
    }
    fn on_response_headers(_ctx: ContextId, _n: u32, _eos: bool) -> HeaderAction {
        HeaderAction::Continue
    }
    fn on_response_body(_ctx: ContextId, _size: u32, _eos: bool) -> BodyAction {
        BodyAction::Continue
    }
    fn on_response_trailers(_ctx: ContextId, _n: u32) -> HeaderAction {
        HeaderAction::Continue
    }
    fn on_request_done(ctx: ContextId) {
        SEEN.with(|s| s.borrow_mut().remove(&ctx));
    }
    fn on_tick() {}
    fn on_http_call_response(
        _ctx: ContextId,
        _call: CallId,
        _response: Result<HttpResponse, CallFailure>,
    ) {
    }
    fn on_redis_call_response(_ctx: ContextId, _call: CallId, _reply: Result<Vec<u8>, u32>) {}
    fn on_queue_ready(queue: QueueId) {
        while let Ok(Some(item)) = shared_data::dequeue_shared_queue(queue) {
            log(
                LogLevel::Debug,
                &format!("dequeued {}", String::from_utf8_lossy(&item)),
            );
        }
    }
}

export!(Plugin);
