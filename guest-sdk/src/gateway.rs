//! What one gateway offers beyond the common ABI: foreign functions, with
//! typed wrappers for the ones Higress's Go plugins call, and Higress's
//! upstream-host hostcalls. The per-request ones are on
//! [`HttpContext`](crate::HttpContext): `inject_encoded_data` and
//! `set_upstream_override_host`.
//!
//! A gateway without a function answers [`Status::Unimplemented`] (a
//! Higress-only function on stock Envoy) or, for a foreign function it does
//! not know, [`Status::NotFound`].

use crate::{Status, host};

/// Calls the gateway's foreign function `name` with `args` (Go's
/// `proxywasm.CallForeignFunction`). Stock Envoy has `compress`,
/// `uncompress`, `clear_route_cache`, `declare_property`,
/// `set_envoy_filter_state` and `verify_signature`; Higress adds
/// `get_log_level`, `set_global_max_requests_per_io_cycle` and more.
pub fn call_foreign_function(name: &str, args: &[u8]) -> Result<Vec<u8>, Status> {
    host::call_foreign_function(name, args)
}

/// `data` compressed by the gateway (Envoy's `compress`: zlib format).
pub fn compress(data: &[u8]) -> Result<Vec<u8>, Status> {
    call_foreign_function("compress", data)
}

/// `data` (zlib format) decompressed by the gateway (Envoy's `uncompress`);
/// [`Status::SerializationFailure`] when it is not zlib data.
pub fn uncompress(data: &[u8]) -> Result<Vec<u8>, Status> {
    call_foreign_function("uncompress", data)
}

/// Makes the gateway choose the current request's route again, after the
/// plugin changed what routing reads (Envoy's `clear_route_cache`).
pub fn clear_route_cache() -> Result<(), Status> {
    call_foreign_function("clear_route_cache", &[]).map(drop)
}

/// Higress: caps how many requests a worker starts per I/O cycle, for
/// every plugin of the gateway (the smallest cap set wins); Go's
/// `WithMaxRequestsPerIoCycle`.
pub fn set_global_max_requests_per_io_cycle(max_requests: u64) -> Result<(), Status> {
    call_foreign_function(
        "set_global_max_requests_per_io_cycle",
        &max_requests.to_le_bytes(),
    )
    .map(drop)
}

/// Higress: the hosts of the current route's upstream cluster, each
/// `(address, metrics)`: `IP:port` and the host's metrics in Prometheus
/// text (empty when the cluster keeps none). Go's `GetUpstreamHosts`.
pub fn upstream_hosts() -> Result<Vec<(String, String)>, Status> {
    host::get_upstream_hosts()
}
