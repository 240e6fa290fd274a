//! Benchmark floor for one HTTP call per request: the per-request work of
//! `bench/plugins/crate-call` written directly against the proxy-wasm
//! v0.2.1 ABI, with no SDK and a bump heap. The lowest cost this logic can
//! have on a given Envoy: what is left is Envoy calling the callbacks, making
//! the call and serving the hostcalls.
//!
//! Per request:
//! - request headers: `GET /token` to cluster `bench-token` (the headers
//!   pre-serialised at compile time), pause;
//! - the call's answer: read `x-bench-token` from its headers, add it to the
//!   request, resume the request;
//! - response headers: add `x-gatewit-bench-response: 1` (the driver's
//!   proof that the plugin ran).
//!
//! With feature `eager` the answer is read as a gatewit (or Higress Go)
//! call callback receives it: every header (one pairs read), the body and
//! the trailers, then `x-bench-token` is looked up among the pairs. The
//! difference between the two builds is what handing the whole answer to
//! the callback costs on this Envoy, whatever the SDK.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::sync::atomic::{AtomicU32, Ordering};

    use gatewit_bench_raw_abi::proxy::{header_action, map, status, stream};
    use gatewit_bench_raw_abi::{add_header, reset_heap};

    /// The cluster the driver points at its token server.
    const CLUSTER: &[u8] = b"bench-token";
    /// Generous: Envoy under callgrind runs some 50 times slower.
    const TIMEOUT_MS: u32 = 60_000;

    const CALL_PAIRS: [(&[u8], &[u8]); 3] = [
        (b":method", b"GET"),
        (b":path", b"/token"),
        (b":authority", b"token"),
    ];
    const CALL_HEADERS_LEN: usize = serialized_len(&CALL_PAIRS);
    /// The call's headers in proxy-wasm's pair-map encoding (see
    /// `gatewit_abi::pairs`), built by the compiler.
    static CALL_HEADERS: [u8; CALL_HEADERS_LEN] = serialize(&CALL_PAIRS);

    const fn serialized_len(pairs: &[(&[u8], &[u8])]) -> usize {
        let (mut len, mut i) = (4, 0);
        while i < pairs.len() {
            len += 8 + pairs[i].0.len() + 1 + pairs[i].1.len() + 1;
            i += 1;
        }
        len
    }

    const fn serialize<const N: usize>(pairs: &[(&[u8], &[u8])]) -> [u8; N] {
        const fn put_u32(out: &mut [u8], at: usize, n: usize) {
            let bytes = (n as u32).to_le_bytes();
            let mut i = 0;
            while i < 4 {
                out[at + i] = bytes[i];
                i += 1;
            }
        }
        let mut out = [0u8; N];
        put_u32(&mut out, 0, pairs.len());
        let mut at = 4 + pairs.len() * 8;
        let mut i = 0;
        while i < pairs.len() {
            let (k, v) = pairs[i];
            put_u32(&mut out, 4 + i * 8, k.len());
            put_u32(&mut out, 8 + i * 8, v.len());
            let mut j = 0;
            while j < k.len() {
                out[at + j] = k[j];
                j += 1;
            }
            at += k.len() + 1;
            j = 0;
            while j < v.len() {
                out[at + j] = v[j];
                j += 1;
            }
            at += v.len() + 1;
            i += 1;
        }
        out
    }

    /// Calls in flight: (token, stream context) slots, token 0 = free.
    /// Envoy makes every call on the root context and answers it there, so
    /// the stream a call belongs to is found by its token.
    static PENDING: [(AtomicU32, AtomicU32); 64] =
        [const { (AtomicU32::new(0), AtomicU32::new(0)) }; 64];

    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        #[allow(
            clippy::too_many_arguments,
            reason = "the proxy-wasm hostcall's signature"
        )]
        fn proxy_http_call(
            upstream: *const u8,
            upstream_len: usize,
            headers: *const u8,
            headers_len: usize,
            body: *const u8,
            body_len: usize,
            trailers: *const u8,
            trailers_len: usize,
            timeout_ms: u32,
            token: *mut u32,
        ) -> u32;
        fn proxy_set_effective_context(context: u32) -> u32;
        fn proxy_continue_stream(stream: u32) -> u32;
    }

    /// Request headers: send the call, pause until it is answered.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_request_headers(context: u32, _headers: u32, _eos: u32) -> u32 {
        reset_heap();
        let mut token = 0;
        // SAFETY: every pointer is valid for its length; `token` lives on
        // this stack frame.
        let sent = unsafe {
            proxy_http_call(
                CLUSTER.as_ptr(),
                CLUSTER.len(),
                CALL_HEADERS.as_ptr(),
                CALL_HEADERS.len(),
                core::ptr::null(),
                0,
                core::ptr::null(),
                0,
                TIMEOUT_MS,
                &mut token,
            )
        };
        if sent != status::OK {
            return header_action::CONTINUE;
        }
        let free = PENDING.iter().find(|(t, _)| {
            t.compare_exchange(0, token, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        });
        match free {
            Some((_, slot)) => {
                slot.store(context, Ordering::Relaxed);
                header_action::PAUSE
            }
            // More calls in flight than slots: this request goes on unpaused.
            None => header_action::CONTINUE,
        }
    }

    /// The call's answer (on the root context): back to the stream that made
    /// the call, copy its `x-bench-token` into the request, resume.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_http_call_response(
        _root: u32,
        token: u32,
        _headers: u32,
        body_size: u32,
        trailers: u32,
    ) {
        let Some((slot_token, slot_context)) = PENDING
            .iter()
            .find(|(t, _)| t.load(Ordering::Relaxed) == token)
        else {
            return;
        };
        let context = slot_context.load(Ordering::Relaxed);
        slot_token.store(0, Ordering::Relaxed);
        // SAFETY: a plain hostcall on a number.
        if unsafe { proxy_set_effective_context(context) } != status::OK {
            return;
        }
        if let Some(value) = token_of_answer(body_size, trailers) {
            add_header(map::REQUEST_HEADERS, b"x-bench-token", value);
        }
        // SAFETY: a plain hostcall on a number.
        unsafe { proxy_continue_stream(stream::REQUEST) };
    }

    /// The answer's `x-bench-token`: one value read.
    #[cfg(not(feature = "eager"))]
    fn token_of_answer(_body_size: u32, _trailers: u32) -> Option<&'static [u8]> {
        gatewit_bench_raw_abi::header(map::HTTP_CALL_RESPONSE_HEADERS, b"x-bench-token")
    }

    /// The answer's `x-bench-token`, with the whole answer read first.
    #[cfg(feature = "eager")]
    fn token_of_answer(body_size: u32, trailers: u32) -> Option<&'static [u8]> {
        use gatewit_bench_raw_abi::{buffer, header_pairs};
        let headers = header_pairs(map::HTTP_CALL_RESPONSE_HEADERS);
        let body = buffer(
            gatewit_bench_raw_abi::proxy::buffer::HTTP_CALL_RESPONSE_BODY,
            body_size as usize,
        );
        let trailers = if trailers > 0 {
            header_pairs(map::HTTP_CALL_RESPONSE_TRAILERS)
        } else {
            &[]
        };
        core::hint::black_box((body, trailers));
        find(headers, b"x-bench-token")
    }

    /// `name`'s value in a serialised pair map (`gatewit_abi::pairs`'s
    /// format).
    #[cfg(feature = "eager")]
    fn find<'m>(map: &'m [u8], name: &[u8]) -> Option<&'m [u8]> {
        let word = |at: usize| -> Option<usize> {
            let w = map.get(at..at + 4)?;
            Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
        };
        let count = word(0)?;
        let mut data = 4 + count * 8;
        for i in 0..count {
            let (key_len, value_len) = (word(4 + i * 8)?, word(8 + i * 8)?);
            let key = map.get(data..data + key_len)?;
            let value_at = data + key_len + 1;
            data = value_at + value_len + 1;
            if key == name {
                return map.get(value_at..value_at + value_len);
            }
        }
        None
    }

    /// Response headers: add `x-gatewit-bench-response: 1`.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_response_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        add_header(map::RESPONSE_HEADERS, b"x-gatewit-bench-response", b"1");
        header_action::CONTINUE
    }
}
