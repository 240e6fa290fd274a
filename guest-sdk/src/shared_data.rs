//! Key-value data shared by every plugin instance (VM) of the gateway,
//! with compare-and-swap.

use crate::Status;
use crate::host;

/// The value at `key` and its version (`cas`), if any.
pub fn get(key: &str) -> Option<(Vec<u8>, u32)> {
    host::get_shared_data(key)
}

/// Store `value` at `key` unconditionally.
pub fn set(key: &str, value: &[u8]) -> Result<(), Status> {
    host::set_shared_data(key, value, 0)
}

/// Store `value` at `key` only if its version is still `cas` (as returned
/// by [`get`]); [`Status::CasMismatch`] otherwise. `cas` 0 always writes.
pub fn set_with_cas(key: &str, value: &[u8], cas: u32) -> Result<(), Status> {
    host::set_shared_data(key, value, cas)
}
