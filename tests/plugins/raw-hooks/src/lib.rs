//! A raw plugin that declares, through the `gatewit:hooks` custom section,
//! that it only needs `on-request-headers`. Every other callback panics, so a
//! host that ignored the section would trap.
//!
//! With request header `x-action: queue` it registers shared queue
//! `hooks-q` and enqueues `item` into it: a host that called
//! `on-queue-ready` despite bit 12 missing would trap.

#![allow(
    missing_docs,
    reason = "a test plugin: wit-bindgen's generated exports carry no docs"
)]

wit_bindgen::generate!({
    path: "../../../wit",
    world: "plugin",
});

use exports::gatewit::plugin::guest::{CallFailure, Guest, HttpResponse};
use gatewit::plugin::types::{BodyAction, HeaderAction, MapKind};
use gatewit::plugin::{http, shared_data};

/// Bit 2: `on-request-headers` only (see `wit/README.md`).
#[unsafe(link_section = "gatewit:hooks")]
#[used]
static HOOKS: [u8; 4] = (1u32 << 2).to_le_bytes();

struct RawHooks;

impl Guest for RawHooks {
    fn on_plugin_start(_config: Vec<u8>) -> Result<(), String> {
        panic!("on-plugin-start is not in the hooks section")
    }
    fn on_context_create(_ctx: u32) {
        panic!("on-context-create is not in the hooks section")
    }
    fn on_request_headers(_ctx: u32, _count: u32, _eos: bool) -> HeaderAction {
        let _ = http::add_header(MapKind::RequestHeaders, "x-hooks", "headers-only");
        if http::get_header(MapKind::RequestHeaders, "x-action").as_deref() == Some("queue") {
            let enqueued = shared_data::register_shared_queue("hooks-q")
                .and_then(|q| shared_data::enqueue_shared_queue(q, b"item"));
            let _ = http::add_header(
                MapKind::RequestHeaders,
                "x-enqueued",
                &format!("{enqueued:?}"),
            );
        }
        HeaderAction::Continue
    }
    fn on_request_body(_ctx: u32, _size: u32, _eos: bool) -> BodyAction {
        panic!("on-request-body is not in the hooks section")
    }
    fn on_request_trailers(_ctx: u32, _count: u32) -> HeaderAction {
        panic!("on-request-trailers is not in the hooks section")
    }
    fn on_response_headers(_ctx: u32, _count: u32, _eos: bool) -> HeaderAction {
        panic!("on-response-headers is not in the hooks section")
    }
    fn on_response_body(_ctx: u32, _size: u32, _eos: bool) -> BodyAction {
        panic!("on-response-body is not in the hooks section")
    }
    fn on_response_trailers(_ctx: u32, _count: u32) -> HeaderAction {
        panic!("on-response-trailers is not in the hooks section")
    }
    fn on_request_done(_ctx: u32) {
        panic!("on-request-done is not in the hooks section")
    }
    fn on_tick() {
        panic!("on-tick is not in the hooks section")
    }
    fn on_http_call_response(_ctx: u32, _call: u32, _response: Result<HttpResponse, CallFailure>) {
        panic!("on-http-call-response is not in the hooks section")
    }
    fn on_redis_call_response(_ctx: u32, _call: u32, _reply: Result<Vec<u8>, u32>) {
        panic!("on-redis-call-response is not in the hooks section")
    }
    fn on_queue_ready(_queue: u32) {
        panic!("on-queue-ready is not in the hooks section")
    }
}

export!(RawHooks);
