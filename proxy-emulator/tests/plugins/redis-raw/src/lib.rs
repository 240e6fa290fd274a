//! Fixture: a raw proxy-wasm module (no SDK) on the Higress ABI that uses the
//! Redis hostcalls. The plugin config is a JSON string naming the Redis
//! cluster (optionally with `?db=N`); each request runs `INCR emu-count`,
//! pauses, and resumes with the raw reply in header `x-redis-reply`.

use std::cell::RefCell;
use std::collections::HashMap;

#[link(wasm_import_module = "env")]
unsafe extern "C" {
    fn proxy_log(level: u32, ptr: *const u8, len: usize) -> u32;
    fn proxy_get_buffer_bytes(
        kind: u32,
        start: usize,
        max: usize,
        out_ptr: *mut *mut u8,
        out_len: *mut usize,
    ) -> u32;
    fn proxy_redis_init(
        upstream: *const u8,
        upstream_len: usize,
        user: *const u8,
        user_len: usize,
        pass: *const u8,
        pass_len: usize,
        timeout_ms: u32,
    ) -> u32;
    fn proxy_redis_call(
        upstream: *const u8,
        upstream_len: usize,
        query: *const u8,
        query_len: usize,
        token: *mut u32,
    ) -> u32;
    fn proxy_set_effective_context(context: u32) -> u32;
    fn proxy_add_header_map_value(
        map: u32,
        key: *const u8,
        key_len: usize,
        value: *const u8,
        value_len: usize,
    ) -> u32;
    fn proxy_continue_stream(stream: u32) -> u32;
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

thread_local! {
    static CLUSTER: RefCell<String> = const { RefCell::new(String::new()) };
    static PENDING: RefCell<HashMap<u32, u32>> = RefCell::new(HashMap::new());
}

fn log(level: u32, msg: &str) {
    unsafe { proxy_log(level, msg.as_ptr(), msg.len()) };
}

fn local_reply(status: u32, body: &str) {
    let details = "redis-fixture";
    unsafe {
        proxy_send_local_response(
            status,
            details.as_ptr(),
            details.len(),
            body.as_ptr(),
            body.len(),
            std::ptr::null(),
            0,
            -1,
        )
    };
}

fn buffer(kind: u32, size: usize) -> Vec<u8> {
    let mut ptr: *mut u8 = std::ptr::null_mut();
    let mut len: usize = 0;
    let status = unsafe { proxy_get_buffer_bytes(kind, 0, size, &mut ptr, &mut len) };
    if status != 0 || ptr.is_null() {
        return Vec::new();
    }
    // The host allocated it with `proxy_on_memory_allocate`: we own it.
    unsafe { Vec::from_raw_parts(ptr, len, len) }
}

/// The host allocates returned data through this export.
#[unsafe(no_mangle)]
pub extern "C" fn proxy_on_memory_allocate(size: usize) -> *mut u8 {
    let mut v: Vec<u8> = Vec::with_capacity(size);
    let ptr = v.as_mut_ptr();
    std::mem::forget(v);
    ptr
}

/// Higress ABI marker.
#[unsafe(no_mangle)]
pub extern "C" fn proxy_abi_version_0_2_100() {}

/// Nothing to set up per context.
#[unsafe(no_mangle)]
pub extern "C" fn proxy_on_context_create(_context: u32, _parent: u32) {}

/// Reads the cluster from the plugin config and initialises Redis.
#[unsafe(no_mangle)]
pub extern "C" fn proxy_on_configure(_root: u32, size: usize) -> u32 {
    let config = String::from_utf8_lossy(&buffer(7, size))
        .trim_matches('"')
        .to_string();
    let status = unsafe {
        proxy_redis_init(
            config.as_ptr(),
            config.len(),
            std::ptr::null(),
            0,
            std::ptr::null(),
            0,
            1000,
        )
    };
    if status != 0 {
        log(
            4,
            &format!("redis init of `{config}` failed with status {status}"),
        );
        return 0;
    }
    let bare = config.split('?').next().unwrap_or_default().to_string();
    CLUSTER.with(|c| *c.borrow_mut() = bare);
    1
}

/// Runs `INCR emu-count` and pauses until the reply.
#[unsafe(no_mangle)]
pub extern "C" fn proxy_on_request_headers(context: u32, _headers: usize, _eos: u32) -> u32 {
    let query = b"*2\r\n$4\r\nINCR\r\n$9\r\nemu-count\r\n";
    let cluster = CLUSTER.with(|c| c.borrow().clone());
    let mut token = 0u32;
    let status = unsafe {
        proxy_redis_call(
            cluster.as_ptr(),
            cluster.len(),
            query.as_ptr(),
            query.len(),
            &mut token,
        )
    };
    if status != 0 {
        local_reply(500, &format!("redis call failed: status {status}"));
        return 1;
    }
    PENDING.with(|p| p.borrow_mut().insert(token, context));
    1
}

/// Copies the reply into the request and resumes it.
#[unsafe(no_mangle)]
pub extern "C" fn proxy_on_redis_call_response(_root: u32, token: u32, status: u32, size: usize) {
    let Some(context) = PENDING.with(|p| p.borrow_mut().remove(&token)) else {
        log(4, "reply for an unknown token");
        return;
    };
    unsafe { proxy_set_effective_context(context) };
    if status != 0 {
        local_reply(503, &format!("redis status {status}"));
        return;
    }
    let reply = buffer(9, size);
    let text = String::from_utf8_lossy(&reply).trim_end().to_string();
    let key = "x-redis-reply";
    unsafe {
        proxy_add_header_map_value(0, key.as_ptr(), key.len(), text.as_ptr(), text.len());
        proxy_continue_stream(0);
    }
}
