//! The vocabulary every gatewit crate shares, stated once: the guest
//! callbacks of `gatewit:plugin/guest` (their WIT names, their bits in the
//! `gatewit:hooks` custom section, the proxy-wasm callbacks that drive
//! them) and the proxy-wasm v0.2.1 numbers the adapter's glue and the
//! emulator exchange.
//!
//! No dependencies and `no_std`: the SDK's proc macro, the guest SDK (in
//! wasm), the adapter, the host shim, the emulator and the raw bench
//! modules all use it. The pair-map format needs `alloc` (the default
//! feature); modules with no allocator (the bench floors) go without it.
#![no_std]
#![deny(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;

#[cfg(feature = "alloc")]
pub mod pairs;
pub mod proxy;

/// The custom section in which a plugin says which callbacks it needs: a
/// little-endian `u32` of [`Callback::bit`]s (absent: all of them).
pub const HOOKS_SECTION: &str = "gatewit:hooks";

/// The global an adapted composition exports: how many pages of its region
/// of the one memory the plugin uses (the memory's own size does not move
/// when the plugin grows; see the adapter's `lower` step).
pub const PLUGIN_PAGES_EXPORT: &str = "gatewit_plugin_pages";

/// A guest callback, numbered by its bit in the `gatewit:hooks` section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Callback {
    /// `on-plugin-start`, from `proxy_on_configure`.
    PluginStart = 0,
    /// `on-context-create`, from `proxy_on_context_create`.
    ContextCreate = 1,
    /// `on-request-headers`.
    RequestHeaders = 2,
    /// `on-request-body`.
    RequestBody = 3,
    /// `on-request-trailers`.
    RequestTrailers = 4,
    /// `on-response-headers`.
    ResponseHeaders = 5,
    /// `on-response-body`.
    ResponseBody = 6,
    /// `on-response-trailers`.
    ResponseTrailers = 7,
    /// `on-request-done`, from `proxy_on_log`.
    RequestDone = 8,
    /// `on-tick`.
    Tick = 9,
    /// `on-http-call-response`.
    HttpCallResponse = 10,
    /// `on-redis-call-response` (Higress).
    RedisCallResponse = 11,
    /// `on-queue-ready`.
    QueueReady = 12,
}

/// Every callback, in bit order.
pub const CALLBACKS: [Callback; 13] = [
    Callback::PluginStart,
    Callback::ContextCreate,
    Callback::RequestHeaders,
    Callback::RequestBody,
    Callback::RequestTrailers,
    Callback::ResponseHeaders,
    Callback::ResponseBody,
    Callback::ResponseTrailers,
    Callback::RequestDone,
    Callback::Tick,
    Callback::HttpCallResponse,
    Callback::RedisCallResponse,
    Callback::QueueReady,
];

/// Every callback's bit: what an absent section means.
pub const ALL_CALLBACKS: u32 = (1 << CALLBACKS.len()) - 1;

impl Callback {
    /// Its bit in the `gatewit:hooks` set.
    pub const fn bit(self) -> u32 {
        1 << self as u32
    }

    /// Whether the set `hooks` asks for it.
    pub const fn is_in(self, hooks: u32) -> bool {
        hooks & self.bit() != 0
    }

    /// The guest export's WIT name.
    pub const fn guest_name(self) -> &'static str {
        match self {
            Callback::PluginStart => "on-plugin-start",
            Callback::ContextCreate => "on-context-create",
            Callback::RequestHeaders => "on-request-headers",
            Callback::RequestBody => "on-request-body",
            Callback::RequestTrailers => "on-request-trailers",
            Callback::ResponseHeaders => "on-response-headers",
            Callback::ResponseBody => "on-response-body",
            Callback::ResponseTrailers => "on-response-trailers",
            Callback::RequestDone => "on-request-done",
            Callback::Tick => "on-tick",
            Callback::HttpCallResponse => "on-http-call-response",
            Callback::RedisCallResponse => "on-redis-call-response",
            Callback::QueueReady => "on-queue-ready",
        }
    }

    /// The proxy-wasm callback the adapted module exports for it.
    pub const fn proxy_name(self) -> &'static str {
        match self {
            Callback::PluginStart => "proxy_on_configure",
            Callback::ContextCreate => "proxy_on_context_create",
            Callback::RequestHeaders => "proxy_on_request_headers",
            Callback::RequestBody => "proxy_on_request_body",
            Callback::RequestTrailers => "proxy_on_request_trailers",
            Callback::ResponseHeaders => "proxy_on_response_headers",
            Callback::ResponseBody => "proxy_on_response_body",
            Callback::ResponseTrailers => "proxy_on_response_trailers",
            Callback::RequestDone => "proxy_on_log",
            Callback::Tick => "proxy_on_tick",
            Callback::HttpCallResponse => "proxy_on_http_call_response",
            Callback::RedisCallResponse => "proxy_on_redis_call_response",
            Callback::QueueReady => "proxy_on_queue_ready",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_follow_the_list() {
        for (i, c) in CALLBACKS.iter().enumerate() {
            assert_eq!(*c as usize, i);
            assert_eq!(c.bit(), 1 << i);
            assert!(c.is_in(ALL_CALLBACKS));
        }
        assert_eq!(ALL_CALLBACKS, 0x1fff);
    }
}

/// The guest SDK's own flags, above the section's bits (they never reach
/// the section): what its `#[plugin]` macro records about the methods a
/// plugin defines, and what its runtime reads back.
pub mod sdk_flags {
    /// `on_request_body` (buffered) is defined.
    pub const BUFFERED_REQUEST_BODY: u32 = 1 << 16;
    /// `on_streaming_request_body` is defined.
    pub const STREAMING_REQUEST_BODY: u32 = 1 << 17;
    /// `on_response_body` (buffered) is defined.
    pub const BUFFERED_RESPONSE_BODY: u32 = 1 << 18;
    /// `on_streaming_response_body` is defined.
    pub const STREAMING_RESPONSE_BODY: u32 = 1 << 19;
    /// `on_stream_done` is defined.
    pub const STREAM_DONE: u32 = 1 << 20;
    /// `on_request_headers` is defined.
    pub const REQUEST_HEADERS_DEFINED: u32 = 1 << 21;
    /// `on_response_headers` is defined.
    pub const RESPONSE_HEADERS_DEFINED: u32 = 1 << 22;
}
