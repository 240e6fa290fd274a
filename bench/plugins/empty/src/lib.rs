//! The benchmark floor: the smallest module Envoy accepts as a proxy-wasm
//! v0.2.1 plugin. It exports the ABI marker and an allocator and no callback,
//! so Envoy runs its Wasm filter machinery (context per stream, callbacks
//! looked up and skipped) without any plugin code. Every other bench plugin's
//! cost is measured above this one.
//!
//! Built for `wasm32-unknown-unknown` without `std` so nothing but those
//! exports ends up in the module; on the host target it compiles with `std`
//! (and exports nothing useful) so workspace-wide builds keep working.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::sync::atomic::{AtomicUsize, Ordering};

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        core::arch::wasm32::unreachable()
    }

    /// The next free byte of the bump heap; 0 until the first allocation.
    static NEXT: AtomicUsize = AtomicUsize::new(0);

    const PAGE: usize = 65536;

    /// proxy-wasm's ABI version marker; its presence is all Envoy checks.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_abi_version_0_2_1() {}

    /// The allocator the host uses to hand data to the guest. This module
    /// defines no callback that receives data, so it is never called while
    /// serving requests; a bump allocator over fresh pages is enough.
    #[unsafe(no_mangle)]
    pub extern "C" fn malloc(size: usize) -> *mut u8 {
        let mut start = NEXT.load(Ordering::Relaxed);
        if start == 0 {
            start = core::arch::wasm32::memory_size(0) * PAGE;
        }
        let end = (start + size + 7) & !7;
        let have = core::arch::wasm32::memory_size(0) * PAGE;
        if end > have {
            let pages = (end - have).div_ceil(PAGE);
            if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                return core::ptr::null_mut();
            }
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    /// The same allocator under the name newer hosts look up.
    #[unsafe(no_mangle)]
    pub extern "C" fn proxy_on_memory_allocate(size: usize) -> *mut u8 {
        malloc(size)
    }
}
