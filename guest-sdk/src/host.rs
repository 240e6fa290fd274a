//! The only module that calls imported host functions.
//!
//! Everything else in the SDK goes through here, so the pure logic (rule
//! matching, cluster names, RESP) can be unit-tested natively without
//! touching wit-bindgen's import stubs.

use crate::Status;
use crate::bindings::gatewit::plugin as wit;
pub(crate) use wit::types::{BodyKind, LogLevel, MapKind, MetricKind};

/// `(name, value)` header pairs, as the host hands them over.
pub(crate) type HeaderPairs = Vec<(String, String)>;

fn st<T>(r: Result<T, wit::types::StatusError>) -> Result<T, Status> {
    r.map_err(Status::from)
}

pub(crate) fn get_header(map: MapKind, name: &str) -> Option<String> {
    wit::http::get_header(map, name)
}
pub(crate) fn get_headers(map: MapKind) -> HeaderPairs {
    wit::http::get_headers(map)
}
pub(crate) fn set_headers(map: MapKind, headers: &[(&str, &str)]) -> Result<(), Status> {
    st(wit::http::set_headers(map, headers))
}
pub(crate) fn add_header(map: MapKind, name: &str, value: &str) -> Result<(), Status> {
    st(wit::http::add_header(map, name, value))
}
pub(crate) fn replace_header(map: MapKind, name: &str, value: &str) -> Result<(), Status> {
    st(wit::http::replace_header(map, name, value))
}
pub(crate) fn remove_header(map: MapKind, name: &str) -> Result<(), Status> {
    st(wit::http::remove_header(map, name))
}
pub(crate) fn get_body(kind: BodyKind, start: u32, max: u32) -> Vec<u8> {
    wit::http::get_body(kind, start, max)
}
pub(crate) fn replace_body(kind: BodyKind, data: &[u8]) -> Result<(), Status> {
    st(wit::http::replace_body(kind, data))
}
pub(crate) fn append_body(kind: BodyKind, data: &[u8]) -> Result<(), Status> {
    st(wit::http::append_body(kind, data))
}
pub(crate) fn prepend_body(kind: BodyKind, data: &[u8]) -> Result<(), Status> {
    st(wit::http::prepend_body(kind, data))
}
pub(crate) fn send_local_reply(
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    grpc_status: Option<i32>,
    details: &str,
) -> Result<(), Status> {
    st(wit::http::send_local_reply(
        status,
        headers,
        body,
        grpc_status,
        details,
    ))
}
pub(crate) fn resume_request() -> Result<(), Status> {
    st(wit::http::resume_request())
}
pub(crate) fn resume_response() -> Result<(), Status> {
    st(wit::http::resume_response())
}
pub(crate) fn reset_stream() -> Result<(), Status> {
    st(wit::http::reset_stream())
}

pub(crate) fn get_property(path: &[&str]) -> Option<Vec<u8>> {
    wit::properties::get_property(path)
}
pub(crate) fn set_property(path: &[&str], value: &[u8]) -> Result<(), Status> {
    st(wit::properties::set_property(path, value))
}

pub(crate) fn dispatch_http_call(
    cluster: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout_ms: u32,
) -> Result<u32, Status> {
    st(wit::http_client::dispatch_http_call(
        cluster,
        headers,
        body,
        &[],
        timeout_ms,
    ))
}

pub(crate) use wit::redis::{RedisInitError, RedisOptions as WitRedisOptions};
pub(crate) fn redis_init(
    cluster: &str,
    options: WitRedisOptions<'_>,
) -> Result<(), RedisInitError> {
    wit::redis::redis_init(cluster, options)
}
pub(crate) fn redis_call(cluster: &str, query: &[u8]) -> Result<u32, Status> {
    st(wit::redis::redis_call(cluster, query))
}

pub(crate) fn log(level: LogLevel, msg: &str) {
    wit::log::log(level, msg)
}
pub(crate) fn get_log_level() -> LogLevel {
    wit::log::get_log_level()
}

pub(crate) fn define_metric(kind: MetricKind, name: &str) -> Result<u32, Status> {
    st(wit::metrics::define_metric(kind, name))
}
pub(crate) fn increment_metric(id: u32, offset: i64) -> Result<(), Status> {
    st(wit::metrics::increment_metric(id, offset))
}
pub(crate) fn record_metric(id: u32, value: u64) -> Result<(), Status> {
    st(wit::metrics::record_metric(id, value))
}
pub(crate) fn get_metric(id: u32) -> Result<u64, Status> {
    st(wit::metrics::get_metric(id))
}

pub(crate) fn get_shared_data(key: &str) -> Option<(Vec<u8>, u32)> {
    wit::shared_data::get_shared_data(key).map(|v| (v.value, v.cas))
}
pub(crate) fn set_shared_data(key: &str, value: &[u8], cas: u32) -> Result<(), Status> {
    st(wit::shared_data::set_shared_data(key, value, cas))
}
pub(crate) fn register_shared_queue(name: &str) -> Result<u32, Status> {
    st(wit::shared_data::register_shared_queue(name))
}
pub(crate) fn resolve_shared_queue(vm_id: &str, name: &str) -> Result<u32, Status> {
    st(wit::shared_data::resolve_shared_queue(vm_id, name))
}
pub(crate) fn enqueue_shared_queue(queue: u32, item: &[u8]) -> Result<(), Status> {
    st(wit::shared_data::enqueue_shared_queue(queue, item))
}
pub(crate) fn dequeue_shared_queue(queue: u32) -> Result<Option<Vec<u8>>, Status> {
    st(wit::shared_data::dequeue_shared_queue(queue))
}

pub(crate) fn now_nanos() -> u64 {
    wit::time::now_nanos()
}
pub(crate) fn set_tick_period(ms: u32) {
    wit::time::set_tick_period(ms)
}

pub(crate) fn call_foreign_function(name: &str, args: &[u8]) -> Result<Vec<u8>, Status> {
    st(wit::gateway::call_foreign_function(name, args))
}
pub(crate) fn inject_encoded_data(data: &[u8], end_of_stream: bool) -> Result<(), Status> {
    st(wit::gateway::inject_encoded_data(data, end_of_stream))
}
pub(crate) fn get_upstream_hosts() -> Result<HeaderPairs, Status> {
    st(wit::gateway::get_upstream_hosts())
}
pub(crate) fn set_upstream_override_host(address: &str) -> Result<(), Status> {
    st(wit::gateway::set_upstream_override_host(address))
}
