//! What the raw bench modules (`empty`, `floor-values`, `floor-pairs`)
//! share: the proxy-wasm v0.2.1 ABI marker, the allocator the host hands
//! data through (a bump heap that can be started over), and the header
//! hostcalls, with nothing else in between. Linking this crate exports
//! `proxy_abi_version_0_2_1`, `malloc` and `proxy_on_memory_allocate`.
//!
//! On wasm32 it is `no_std` and brings the panic handler; on the host target
//! it is empty so workspace-wide builds keep working.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![deny(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::sync::atomic::{AtomicUsize, Ordering};

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }

    const PAGE: usize = 65536;

    /// Where the bump heap starts (the memory's end when it was first
    /// used); 0 until the first allocation.
    static BASE: AtomicUsize = AtomicUsize::new(0);
    /// The next free byte of the bump heap; 0 until the first allocation.
    static NEXT: AtomicUsize = AtomicUsize::new(0);

    /// proxy-wasm's ABI version marker; its presence is all Envoy checks.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_abi_version_0_2_1() {}

    /// The allocator the host uses to hand data to the guest: a bump
    /// allocator over fresh pages, started over by [`reset_heap`].
    #[unsafe(no_mangle)]
    pub extern "C" fn malloc(size: usize) -> *mut u8 {
        let mut start = NEXT.load(Ordering::Relaxed);
        if start == 0 {
            start = core::arch::wasm32::memory_size(0) * PAGE;
            BASE.store(start, Ordering::Relaxed);
        }
        let end = (start + size + 7) & !7;
        let have = core::arch::wasm32::memory_size(0) * PAGE;
        if end > have
            && core::arch::wasm32::memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX
        {
            return core::ptr::null_mut();
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    /// The same allocator under the name newer hosts look up.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_memory_allocate(size: usize) -> *mut u8 {
        malloc(size)
    }

    /// Starts the bump heap over: the caller promises nothing allocated so
    /// far is still in use (a module that keeps nothing across callbacks
    /// calls it when a request begins, so the heap never grows past one
    /// request's needs).
    pub fn reset_heap() {
        let base = BASE.load(Ordering::Relaxed);
        if base != 0 {
            NEXT.store(base, Ordering::Relaxed);
        }
    }

    #[link(wasm_import_module = "env")]
    unsafe extern "C" {
        fn proxy_add_header_map_value(
            map: u32,
            key: *const u8,
            key_len: usize,
            value: *const u8,
            value_len: usize,
        ) -> u32;
        fn proxy_get_header_map_value(
            map: u32,
            key: *const u8,
            key_len: usize,
            value: *mut *mut u8,
            value_len: *mut usize,
        ) -> u32;
        fn proxy_get_header_map_pairs(map: u32, data: *mut *mut u8, data_len: *mut usize) -> u32;
        fn proxy_get_buffer_bytes(
            buffer: u32,
            start: usize,
            len: usize,
            data: *mut *mut u8,
            data_len: *mut usize,
        ) -> u32;
    }

    /// `proxy_add_header_map_value`; returns the proxy-wasm status.
    pub fn add_header(map: u32, key: &[u8], value: &[u8]) -> u32 {
        // SAFETY: both slices are valid for their lengths.
        unsafe {
            proxy_add_header_map_value(map, key.as_ptr(), key.len(), value.as_ptr(), value.len())
        }
    }

    /// `proxy_get_header_map_value`: the value lands on the bump heap.
    pub fn header(map: u32, name: &[u8]) -> Option<&'static [u8]> {
        let (mut value, mut len) = (core::ptr::null_mut(), 0);
        // SAFETY: `name` is valid for its length; the host writes the two
        // out-parameters, which live on this stack frame.
        let status = unsafe {
            proxy_get_header_map_value(map, name.as_ptr(), name.len(), &mut value, &mut len)
        };
        heap_slice(status, value, len)
    }

    /// `proxy_get_header_map_pairs`: the serialized map lands on the bump
    /// heap (empty when the host has none).
    pub fn header_pairs(map: u32) -> &'static [u8] {
        let (mut data, mut len) = (core::ptr::null_mut(), 0);
        // SAFETY: the host writes the two out-parameters, which live on this
        // stack frame.
        let status = unsafe { proxy_get_header_map_pairs(map, &mut data, &mut len) };
        heap_slice(status, data, len).unwrap_or_default()
    }

    /// `proxy_get_buffer_bytes` of the first `len` bytes of `buffer`: the
    /// bytes land on the bump heap (empty when the host has none).
    pub fn buffer(buffer: u32, len: usize) -> &'static [u8] {
        let (mut data, mut got) = (core::ptr::null_mut(), 0);
        // SAFETY: the host writes the two out-parameters, which live on this
        // stack frame.
        let status = unsafe { proxy_get_buffer_bytes(buffer, 0, len, &mut data, &mut got) };
        heap_slice(status, data, got).unwrap_or_default()
    }

    fn heap_slice(status: u32, data: *mut u8, len: usize) -> Option<&'static [u8]> {
        if status != 0 {
            return None;
        }
        if data.is_null() {
            return Some(&[]);
        }
        // SAFETY: the host allocated `len` bytes at `data` with `malloc` and
        // wrote them there; the heap is only started over by `reset_heap`,
        // whose caller promises nothing is still in use.
        Some(unsafe { core::slice::from_raw_parts(data, len) })
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::{add_header, buffer, header, header_pairs, reset_heap};

/// proxy-wasm's numbers, from the one place the project states them.
pub use gatewit_abi::proxy;
pub use gatewit_abi::proxy::header_action::CONTINUE;
pub use gatewit_abi::proxy::map::{REQUEST_HEADERS, RESPONSE_HEADERS};
