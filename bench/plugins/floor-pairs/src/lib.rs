//! Benchmark floor for the header logic: the per-request work of
//! `bench/plugins/crate-headers` written directly against the proxy-wasm
//! v0.2.1 ABI, with no SDK, no contexts and no allocator beyond a bump heap
//! that is reset on every request. It is the lowest cost this logic can have
//! on a given Envoy: what is left is Envoy calling the two callbacks and
//! serving the four hostcalls. The report compares the SDK-based plugins with
//! it (`gatewit-bench`, section "Instructions per request").
//!
//! Per request:
//! - request headers: add `x-gatewit-bench: 1`, read `user-agent` and
//!   `x-bench` with a single `proxy_get_header_map_pairs` (all request
//!   headers in one hostcall) and a scan of the serialised map for the two
//!   names (the values are only looked at, as a plugin deciding on them
//!   would);
//! - response headers: add `x-gatewit-bench-response: 1`.
//!
//! `bench/plugins/floor-values` does the same with two
//! `proxy_get_header_map_value` calls instead. There is no
//! configuration (the response value is always `1`) and no
//! `proxy_on_context_create`: Envoy skips callbacks a module does not export.
//!
//! With feature `stream-end` the request's heap is released by
//! `proxy_on_log`, when Envoy ends the stream, rather than by the next
//! request: the one callback any plugin (or SDK) that keeps state across a
//! request's phases needs to free it on every path, aborted streams
//! included. It is the floor for gatewit's contract, whose SDK keeps a
//! context per request.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gatewit_bench_raw_abi::{
        CONTINUE, REQUEST_HEADERS, RESPONSE_HEADERS, add_header, header_pairs, reset_heap,
    };

    fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
        let word = bytes.get(at..at + 4)?;
        Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]) as usize)
    }

    /// The values of `a` and `b` in a serialised header map: a count, then
    /// each pair's key and value sizes, then each key and value followed by
    /// a NUL (proxy-wasm's map encoding, all numbers `u32` little-endian).
    fn find_two<'m>(map: &'m [u8], a: &[u8], b: &[u8]) -> (Option<&'m [u8]>, Option<&'m [u8]>) {
        let (mut found_a, mut found_b) = (None, None);
        let Some(count) = u32_at(map, 0) else {
            return (None, None);
        };
        let mut data = 4 + count * 8;
        for i in 0..count {
            let (Some(key_len), Some(value_len)) = (u32_at(map, 4 + i * 8), u32_at(map, 8 + i * 8))
            else {
                break;
            };
            let key = map.get(data..data + key_len);
            let value_at = data + key_len + 1;
            let value = map.get(value_at..value_at + value_len);
            data = value_at + value_len + 1;
            if key == Some(a) {
                found_a = value;
            } else if key == Some(b) {
                found_b = value;
            }
        }
        (found_a, found_b)
    }

    /// Request headers: add `x-gatewit-bench: 1`, read `user-agent` and
    /// `x-bench`.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_request_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        // Nothing allocated in an earlier callback is still in use.
        #[cfg(not(feature = "stream-end"))]
        reset_heap();
        add_header(REQUEST_HEADERS, b"x-gatewit-bench", b"1");
        // black_box keeps the reads from being optimised away.
        let map = header_pairs(REQUEST_HEADERS);
        core::hint::black_box(find_two(map, b"user-agent", b"x-bench"));
        CONTINUE
    }

    /// The stream ended: its heap is free again.
    #[cfg(feature = "stream-end")]
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_log(_context: u32) {
        reset_heap();
    }

    /// Response headers: add `x-gatewit-bench-response: 1`.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_response_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        add_header(RESPONSE_HEADERS, b"x-gatewit-bench-response", b"1");
        CONTINUE
    }
}
