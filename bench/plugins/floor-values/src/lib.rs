//! Benchmark floor for the header logic: the per-request work of
//! `bench/plugins/crate-headers` written directly against the proxy-wasm
//! v0.2.1 ABI, with no SDK, no contexts and no allocator beyond a bump heap
//! that is started over on every request. It is the lowest cost this logic
//! can have on a given Envoy: what is left is Envoy calling the two
//! callbacks and serving the four hostcalls. The report compares the
//! SDK-based plugins with it (`gatewit-bench`, section "Instructions per
//! request").
//!
//! Per request:
//! - request headers: add `x-gatewit-bench: 1`, read `user-agent` and
//!   `x-bench` with one `proxy_get_header_map_value` each (the values are
//!   only looked at, as a plugin deciding on them would);
//! - response headers: add `x-gatewit-bench-response: 1`.
//!
//! `bench/plugins/floor-pairs` does the same with one
//! `proxy_get_header_map_pairs` instead of the two value reads. There is no
//! configuration (the response value is always `1`) and no
//! `proxy_on_context_create`: Envoy skips callbacks a module does not export.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gatewit_bench_raw_abi::{
        CONTINUE, REQUEST_HEADERS, RESPONSE_HEADERS, add_header, header, reset_heap,
    };

    /// Request headers: add `x-gatewit-bench: 1`, read `user-agent` and
    /// `x-bench`.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_request_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        // Nothing allocated in an earlier callback is still in use.
        reset_heap();
        add_header(REQUEST_HEADERS, b"x-gatewit-bench", b"1");
        // black_box keeps the reads from being optimised away.
        core::hint::black_box(header(REQUEST_HEADERS, b"user-agent"));
        core::hint::black_box(header(REQUEST_HEADERS, b"x-bench"));
        CONTINUE
    }

    /// Response headers: add `x-gatewit-bench-response: 1`.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_response_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        add_header(RESPONSE_HEADERS, b"x-gatewit-bench-response", b"1");
        CONTINUE
    }
}
