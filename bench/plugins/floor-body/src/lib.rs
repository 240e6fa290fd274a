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
        let name = b"content-length";
        // SAFETY: `name` is valid for its length.
        unsafe { proxy_remove_header_map_value(map::REQUEST_HEADERS, name.as_ptr(), name.len()) };
        header_action::CONTINUE
    }

    /// Request body: buffered to the end, then rewritten whole.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_request_body(_context: u32, size: usize, eos: u32) -> u32 {
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
        if size > 0 {
            let mut chunk = body(buffer::RESPONSE_BODY, size);
            uppercase(&mut chunk);
            replace_body(buffer::RESPONSE_BODY, size, &chunk);
        }
        body_action::CONTINUE
    }
}
