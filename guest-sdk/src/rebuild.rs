//! Go's `WithRebuildAfterRequests` / `WithRebuildMaxMemBytes`: after so
//! many requests, or once the plugin's memory reaches a size, the plugin
//! sets property `wasm_need_rebuild`, and Higress's gateway replaces the
//! VM with a fresh one (stock Envoy stores the property and does nothing).
//! Long-running VMs fragment their heap; a periodic fresh start bounds it.

use std::cell::Cell;

use crate::host;

#[derive(Clone, Copy, Default)]
struct Rebuild {
    after_requests: u64,
    max_memory_bytes: u64,
    requests: u64,
}

thread_local! {
    static REBUILD: Cell<Rebuild> = const {
        Cell::new(Rebuild { after_requests: 0, max_memory_bytes: 0, requests: 0 })
    };
}

/// Ask for a fresh VM every `requests` requests (0: never).
pub(crate) fn after_requests(requests: u64) {
    REBUILD.set(Rebuild {
        after_requests: requests,
        ..REBUILD.get()
    });
}

/// Ask for a fresh VM once linear memory reaches `bytes` (0: never).
pub(crate) fn max_memory_bytes(bytes: u64) {
    REBUILD.set(Rebuild {
        max_memory_bytes: bytes,
        ..REBUILD.get()
    });
}

/// Counts a request (at its headers, as Go does) and sets the property
/// when a threshold is reached.
pub(crate) fn on_request() {
    let mut r = REBUILD.get();
    if r.after_requests == 0 && r.max_memory_bytes == 0 {
        return;
    }
    let due = step(&mut r, memory_bytes());
    REBUILD.set(r);
    if due && let Err(e) = host::set_property(&["wasm_need_rebuild"], b"true") {
        crate::log_warn!("cannot ask for a fresh VM (`wasm_need_rebuild`): {e}");
    }
}

/// Counts one request; whether a rebuild is due. The request count starts
/// over once it is reached, as in Go.
fn step(r: &mut Rebuild, memory: u64) -> bool {
    let mut due = false;
    if r.after_requests > 0 {
        r.requests += 1;
        if r.requests >= r.after_requests {
            r.requests = 0;
            due = true;
        }
    }
    due || (r.max_memory_bytes > 0 && memory >= r.max_memory_bytes)
}

/// The plugin's linear memory in bytes: what Higress's `plugin_vm_memory`
/// property reports, read without a hostcall.
fn memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_request_and_memory_over_the_cap_are_due() {
        let mut r = Rebuild {
            after_requests: 3,
            ..Rebuild::default()
        };
        let due: Vec<bool> = (0..7).map(|_| step(&mut r, 0)).collect();
        assert_eq!(due, [false, false, true, false, false, true, false]);

        let mut r = Rebuild {
            max_memory_bytes: 1 << 20,
            ..Rebuild::default()
        };
        assert!(!step(&mut r, (1 << 20) - 1));
        assert!(step(&mut r, 1 << 20));
        assert!(step(&mut r, 2 << 20), "due on every request while over");
    }
}
