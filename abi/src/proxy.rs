//! proxy-wasm ABI v0.2.1 numbers (and the Higress extensions), as the host
//! and the module exchange them.

/// Hostcall results (`WasmResult`).
pub mod status {
    /// Success.
    pub const OK: u32 = 0;
    /// No such key, header, property or queue.
    pub const NOT_FOUND: u32 = 1;
    /// An argument the host refuses.
    pub const BAD_ARGUMENT: u32 = 2;
    /// The host could not encode or decode a value.
    pub const SERIALIZATION_FAILURE: u32 = 3;
    /// A pointer or length outside the module's memory.
    pub const INVALID_MEMORY_ACCESS: u32 = 6;
    /// A queue with nothing in it.
    pub const EMPTY: u32 = 7;
    /// Shared data changed since its CAS value was read.
    pub const CAS_MISMATCH: u32 = 8;
    /// The host does not implement the call.
    pub const UNIMPLEMENTED: u32 = 12;
}

/// Header maps (`MapType`).
pub mod map {
    /// The request's headers.
    pub const REQUEST_HEADERS: u32 = 0;
    /// The request's trailers.
    pub const REQUEST_TRAILERS: u32 = 1;
    /// The response's headers.
    pub const RESPONSE_HEADERS: u32 = 2;
    /// The response's trailers.
    pub const RESPONSE_TRAILERS: u32 = 3;
    /// An HTTP call's answer: headers.
    pub const HTTP_CALL_RESPONSE_HEADERS: u32 = 6;
    /// An HTTP call's answer: trailers.
    pub const HTTP_CALL_RESPONSE_TRAILERS: u32 = 7;
}

/// Buffers (`BufferType`).
pub mod buffer {
    /// The request body.
    pub const REQUEST_BODY: u32 = 0;
    /// The response body.
    pub const RESPONSE_BODY: u32 = 1;
    /// An HTTP call's answer: body.
    pub const HTTP_CALL_RESPONSE_BODY: u32 = 4;
    /// The VM configuration.
    pub const VM_CONFIGURATION: u32 = 6;
    /// The plugin configuration.
    pub const PLUGIN_CONFIGURATION: u32 = 7;
    /// Higress: a Redis call's reply.
    pub const REDIS_CALL_RESPONSE: u32 = 9;
}

/// The stream a hostcall acts on (`StreamType`: `proxy_continue_stream`,
/// `proxy_close_stream`).
pub mod stream {
    /// The request (downstream to upstream).
    pub const REQUEST: u32 = 0;
    /// The response (upstream to downstream).
    pub const RESPONSE: u32 = 1;
}

/// What header callbacks return (`FilterHeadersStatus`; Higress adds the
/// last three).
pub mod header_action {
    /// Go on.
    pub const CONTINUE: u32 = 0;
    /// Stop iteration until resumed.
    pub const PAUSE: u32 = 1;
    /// Higress: go on and end the stream here.
    pub const CONTINUE_AND_END_STREAM: u32 = 2;
    /// Higress: stop everything and buffer.
    pub const STOP_ALL_AND_BUFFER: u32 = 3;
    /// Higress: stop everything, buffer up to the watermark.
    pub const STOP_ALL_AND_WATERMARK: u32 = 4;
}

/// What body callbacks return (`FilterDataStatus`; Higress adds the last two).
pub mod body_action {
    /// Go on.
    pub const CONTINUE: u32 = 0;
    /// Stop iteration and buffer.
    pub const PAUSE: u32 = 1;
    /// Higress: stop and buffer up to the watermark.
    pub const STOP_AND_WATERMARK: u32 = 2;
    /// Higress: stop without buffering.
    pub const STOP_NO_BUFFER: u32 = 3;
}

/// `proxy_log` levels.
pub mod log_level {
    /// Trace.
    pub const TRACE: u32 = 0;
    /// Debug.
    pub const DEBUG: u32 = 1;
    /// Info.
    pub const INFO: u32 = 2;
    /// Warn.
    pub const WARN: u32 = 3;
    /// Error.
    pub const ERROR: u32 = 4;
    /// Critical.
    pub const CRITICAL: u32 = 5;

    /// The name Envoy prints for `level` in its log (`trace` … `critical`;
    /// out of range counts as `critical`, as Envoy clamps it).
    pub const fn envoy_name(level: u32) -> &'static str {
        match level {
            TRACE => "trace",
            DEBUG => "debug",
            INFO => "info",
            WARN => "warning",
            ERROR => "error",
            _ => "critical",
        }
    }
}

/// The export naming the ABI version the module speaks (stock Envoy).
pub const ABI_VERSION_EXPORT: &str = "proxy_abi_version_0_2_1";
/// The Higress fork's ABI marker (exported first under the Higress profile).
pub const HIGRESS_ABI_VERSION_EXPORT: &str = "proxy_abi_version_0_2_100";

/// The core signature proxy-wasm ABI v0.2.1 gives an export the host calls,
/// as `(i32 parameters, returns an i32)`; `None` for a name that is not one.
/// Every parameter of these is an `i32` and every result one `i32`.
pub fn export_signature(name: &str) -> Option<(usize, bool)> {
    Some(match name {
        "_initialize" | ABI_VERSION_EXPORT | HIGRESS_ABI_VERSION_EXPORT => (0, false),
        "malloc" | "proxy_on_memory_allocate" => (1, true),
        "proxy_on_vm_start" | "proxy_on_configure" => (2, true),
        "proxy_on_context_create" => (2, false),
        "proxy_on_request_headers"
        | "proxy_on_request_body"
        | "proxy_on_response_headers"
        | "proxy_on_response_body" => (3, true),
        "proxy_on_request_trailers" | "proxy_on_response_trailers" => (2, true),
        "proxy_on_done" => (1, true),
        "proxy_on_log" | "proxy_on_delete" | "proxy_on_tick" => (1, false),
        "proxy_on_queue_ready" => (2, false),
        "proxy_on_http_call_response" => (5, false),
        // The Higress fork's.
        "proxy_on_redis_call_response" => (4, false),
        _ => return None,
    })
}
