//! Benchmark floor for the body logic (`bench/plugins/body-logic`): the
//! work of `crate-body` and `gatewit-body` written directly against the
//! proxy-wasm v0.2.1 ABI, with no SDK and no contexts. The host hands bytes
//! over through `malloc` (Rust's allocator) and the module frees them when
//! done, as any plugin must; what is left is Envoy calling the callbacks,
//! copying the bodies in and out, and the logic itself. The body section of
//! the report compares the SDK-based plugins with it.
//!
//! Per request:
//! - request headers: remove `content-length` (the rewritten body has
//!   another length);
//! - request body: buffer to the end (`StopIterationAndBuffer`), then read
//!   it whole, rewrite it, and replace it; a body that is not a JSON object
//!   gets a `400`;
//! - response headers: add the memory-pages header;
//! - response body: read each chunk, uppercase it, and write it back.
//!
//! With feature `body-kind` it also decides, in each headers phase, what
//! Higress's Go wrapper decides before a body method runs: whether the body
//! is binary (`octet-stream`, gRPC, any `content-encoding`) or the request a
//! WebSocket upgrade, in which case the body callbacks leave it alone. One
//! `proxy_get_header_map_pairs` per direction, the answer kept per stream
//! and dropped in `proxy_on_log`. The gatewit SDK keeps these semantics, so
//! this is its floor; the plain build is the floor of the body work alone.
#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod wasm {
    use gatewit_abi::proxy::{body_action, buffer, header_action, map};
    use gatewit_bench_body_logic::{PAGES_HEADER, memory_pages, rewrite_json, uppercase};
    use std::alloc::{Layout, alloc};

    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        fn proxy_get_buffer_bytes(
            buffer: u32,
            start: usize,
            max: usize,
            data: *mut *mut u8,
            len: *mut usize,
        ) -> u32;
        fn proxy_set_buffer_bytes(
            buffer: u32,
            start: usize,
            size: usize,
            data: *const u8,
            len: usize,
        ) -> u32;
        fn proxy_remove_header_map_value(map: u32, key: *const u8, key_len: usize) -> u32;
        fn proxy_add_header_map_value(
            map: u32,
            key: *const u8,
            key_len: usize,
            value: *const u8,
            value_len: usize,
        ) -> u32;
        fn proxy_send_local_response(
            status: u32,
            details: *const u8,
            details_len: usize,
            body: *const u8,
            body_len: usize,
            headers: *const u8,
            headers_len: usize,
            grpc_status: i32,
        ) -> u32;
    }

    /// proxy-wasm's ABI version marker.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_abi_version_0_2_1() {}

    /// The allocator the host hands data through; [`body`] takes the bytes
    /// back as a `Vec` and so frees them.
    #[unsafe(no_mangle)]
    pub extern "C" fn malloc(size: usize) -> *mut u8 {
        match Layout::from_size_align(size.max(1), 1) {
            // SAFETY: the layout has a non-zero size.
            Ok(layout) => unsafe { alloc(layout) },
            Err(_) => std::ptr::null_mut(),
        }
    }

    /// The same allocator under the name newer hosts look up.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_memory_allocate(size: usize) -> *mut u8 {
        malloc(size)
    }

    /// The first `size` bytes of a body buffer, owned.
    fn body(which: u32, size: usize) -> Vec<u8> {
        let (mut data, mut len) = (std::ptr::null_mut(), 0);
        // SAFETY: the host writes the two out-parameters, which live on
        // this stack frame.
        let status = unsafe { proxy_get_buffer_bytes(which, 0, size, &mut data, &mut len) };
        if status != 0 || data.is_null() {
            return Vec::new();
        }
        // SAFETY: the host allocated `len` bytes at `data` with `malloc`
        // (align 1, size `len`, or 1 when `len` is 0) and wrote them.
        unsafe { Vec::from_raw_parts(data, len, len.max(1)) }
    }

    fn replace_body(which: u32, size: usize, bytes: &[u8]) {
        // SAFETY: `bytes` is valid for its length. A failure leaves the
        // body as it was, which the driver's checks then catch.
        unsafe { proxy_set_buffer_bytes(which, 0, size, bytes.as_ptr(), bytes.len()) };
    }

    /// Request headers: the body will change length.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_request_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        #[cfg(feature = "body-kind")]
        kind::note_request(_context);
        let name = b"content-length";
        // SAFETY: `name` is valid for its length.
        unsafe { proxy_remove_header_map_value(map::REQUEST_HEADERS, name.as_ptr(), name.len()) };
        header_action::CONTINUE
    }

    /// Request body: buffered to the end, then rewritten whole.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_request_body(_context: u32, size: usize, eos: u32) -> u32 {
        #[cfg(feature = "body-kind")]
        if kind::skip(_context, false) {
            return body_action::CONTINUE;
        }
        if eos == 0 {
            return body_action::PAUSE;
        }
        match rewrite_json(&body(buffer::REQUEST_BODY, size)) {
            Some(new_body) => replace_body(buffer::REQUEST_BODY, size, &new_body),
            None => {
                let text = b"request body is not a JSON object";
                // SAFETY: every slice is valid for its length; no headers.
                unsafe {
                    proxy_send_local_response(
                        400,
                        std::ptr::null(),
                        0,
                        text.as_ptr(),
                        text.len(),
                        std::ptr::null(),
                        0,
                        -1,
                    )
                };
            }
        }
        body_action::CONTINUE
    }

    /// Response headers: report the memory's size.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_response_headers(_context: u32, _headers: u32, _eos: u32) -> u32 {
        #[cfg(feature = "body-kind")]
        kind::note_response(_context);
        let pages = memory_pages().to_string();
        let name = PAGES_HEADER.as_bytes();
        // SAFETY: both slices are valid for their lengths.
        unsafe {
            proxy_add_header_map_value(
                map::RESPONSE_HEADERS,
                name.as_ptr(),
                name.len(),
                pages.as_ptr(),
                pages.len(),
            )
        };
        header_action::CONTINUE
    }

    /// Response body: each chunk uppercased as it passes.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_response_body(_context: u32, size: usize, _eos: u32) -> u32 {
        #[cfg(feature = "body-kind")]
        if kind::skip(_context, true) {
            return body_action::CONTINUE;
        }
        if size > 0 {
            let mut chunk = body(buffer::RESPONSE_BODY, size);
            uppercase(&mut chunk);
            replace_body(buffer::RESPONSE_BODY, size, &chunk);
        }
        body_action::CONTINUE
    }

    /// The stream ended: what was kept for it goes.
    #[cfg(feature = "body-kind")]
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_log(context: u32) {
        kind::forget(context);
    }

    /// Feature `body-kind`: which bodies the body callbacks skip.
    #[cfg(feature = "body-kind")]
    mod kind {
        use gatewit_abi::proxy::map;
        use std::cell::RefCell;

        #[link(wasm_import_module = "env")]
        unsafe extern "C" {
            fn proxy_get_header_map_pairs(map: u32, data: *mut *mut u8, len: *mut usize) -> u32;
        }

        /// Per live stream: its context, whether the request is a WebSocket
        /// upgrade, and whether each body is skipped.
        #[derive(Clone, Copy)]
        struct Stream {
            context: u32,
            websocket: bool,
            skip_request: bool,
            skip_response: bool,
        }

        thread_local! {
            static STREAMS: RefCell<Vec<Stream>> = const { RefCell::new(Vec::new()) };
        }

        /// A header map, serialised (proxy-wasm's map encoding), owned.
        fn pairs(which: u32) -> Vec<u8> {
            let (mut data, mut len) = (std::ptr::null_mut(), 0);
            // SAFETY: the host writes the two out-parameters, which live
            // on this stack frame.
            let status = unsafe { proxy_get_header_map_pairs(which, &mut data, &mut len) };
            if status != 0 || data.is_null() {
                return Vec::new();
            }
            // SAFETY: the host allocated `len` bytes at `data` with
            // `malloc` (align 1) and wrote them.
            unsafe { Vec::from_raw_parts(data, len, len.max(1)) }
        }

        fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
            let word = bytes.get(at..at + 4)?;
            Some(u32::from_le_bytes([word[0], word[1], word[2], word[3]]) as usize)
        }

        /// The value of `name` in a serialised map: a count, each pair's
        /// key and value sizes, then each key and value NUL-terminated.
        /// Not `gatewit_abi::pairs`, which checks every length and returns
        /// a `Vec`: a floor is the least the lookup can cost (built on an
        /// iterator over `pairs`, it cost 467 more wasm instructions a
        /// request).
        fn value<'m>(map: &'m [u8], name: &[u8]) -> Option<&'m [u8]> {
            let count = u32_at(map, 0)?;
            let mut data = 4 + count * 8;
            for i in 0..count {
                let (key_len, value_len) = (u32_at(map, 4 + i * 8)?, u32_at(map, 8 + i * 8)?);
                let value_at = data + key_len + 1;
                if map.get(data..data + key_len)? == name {
                    return map.get(value_at..value_at + value_len);
                }
                data = value_at + value_len + 1;
            }
            None
        }

        fn contains(haystack: &[u8], needle: &[u8]) -> bool {
            haystack.windows(needle.len()).any(|w| w == needle)
        }

        /// Go's `IsBinaryRequestBody` / `IsBinaryResponseBody`.
        fn binary(map: &[u8]) -> bool {
            value(map, b"content-type")
                .is_some_and(|t| contains(t, b"octet-stream") || contains(t, b"grpc"))
                || value(map, b"content-encoding").is_some_and(|e| !e.is_empty())
        }

        /// Request headers, in their phase: the request's kind.
        pub fn note_request(context: u32) {
            let map = pairs(map::REQUEST_HEADERS);
            let is = |name: &[u8], want: &[u8]| {
                value(&map, name).is_some_and(|v| v.eq_ignore_ascii_case(want))
            };
            let websocket = is(b"connection", b"upgrade") && is(b"upgrade", b"websocket");
            let stream = Stream {
                context,
                websocket,
                skip_request: websocket || binary(&map),
                skip_response: websocket,
            };
            STREAMS.with_borrow_mut(|streams| streams.push(stream));
        }

        /// Response headers, in their phase: the response's kind.
        pub fn note_response(context: u32) {
            let binary = binary(&pairs(map::RESPONSE_HEADERS));
            STREAMS.with_borrow_mut(|streams| {
                if let Some(s) = streams.iter_mut().find(|s| s.context == context) {
                    s.skip_response = s.websocket || binary;
                }
            });
        }

        /// Whether the body callbacks leave this body alone.
        pub fn skip(context: u32, response: bool) -> bool {
            STREAMS.with_borrow(|streams| {
                streams
                    .iter()
                    .find(|s| s.context == context)
                    .is_some_and(|s| {
                        if response {
                            s.skip_response
                        } else {
                            s.skip_request
                        }
                    })
            })
        }

        /// The stream ended.
        pub fn forget(context: u32) {
            STREAMS.with_borrow_mut(|streams| streams.retain(|s| s.context != context));
        }
    }
}
