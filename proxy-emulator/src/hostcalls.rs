//! The `env` hostcalls of proxy-wasm v0.2.1 (plus Higress's Redis calls),
//! with Envoy's semantics.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use gatewit_host_shim::backend::HttpCallRequest;
use gatewit_host_shim::exchange::HeaderList;
use wasmtime::{Caller, Linker};

mod gateway;

use crate::abi::{buffer, deserialize_pairs, map, serialize_pairs, status};
use crate::state::{
    CallRecord, HostState, LocalReply, LogLevel, Metric, Pending, Phase, RedisClient, SharedQueue,
};

/// A hostcall either answers with a status for the guest or fails the call
/// (a trap carrying the error, e.g. when the guest's `malloc` traps).
pub(crate) enum Fail {
    Status(u32),
    Trap(wasmtime::Error),
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Self {
        Fail::Trap(wasmtime::Error::msg(format!("{e:#}")))
    }
}

type Hc = Result<u32, Fail>;

fn done(r: Hc) -> wasmtime::Result<u32> {
    match r {
        Ok(s) | Err(Fail::Status(s)) => Ok(s),
        Err(Fail::Trap(e)) => Err(e),
    }
}

/// Imports usable while `_initialize` runs, as proxy-wasm-cpp-host allows
/// (WASI is always allowed; of `env`, only logging).
fn allowed_during_init(name: &str) -> bool {
    matches!(name, "proxy_log" | "proxy_get_log_level")
}

/// Counts the hostcall (what a plugin costs Envoy is mostly its hostcalls)
/// and refuses it while `_initialize` runs unless allowed then.
fn guard(caller: &mut Caller<'_, HostState>, name: &'static str) -> Result<(), Fail> {
    *caller.data_mut().hostcalls.entry(name).or_insert(0) += 1;
    if caller.data().phase == Phase::Initializing && !allowed_during_init(name) {
        return Err(Fail::Trap(wasmtime::Error::msg(format!(
            "`{name}` was called during `_initialize`, where a proxy-wasm host allows only logging and WASI calls"
        ))));
    }
    Ok(())
}

/// Reads `len` bytes of guest memory at `ptr`.
pub(crate) fn read(caller: &Caller<'_, HostState>, ptr: u32, len: u32) -> Result<Vec<u8>, Fail> {
    let memory = caller
        .data()
        .memory
        .ok_or(Fail::Status(status::INVALID_MEMORY_ACCESS))?;
    let data = memory.data(caller);
    let start = ptr as usize;
    let end = start
        .checked_add(len as usize)
        .ok_or(Fail::Status(status::INVALID_MEMORY_ACCESS))?;
    data.get(start..end)
        .map(<[u8]>::to_vec)
        .ok_or(Fail::Status(status::INVALID_MEMORY_ACCESS))
}

fn read_string(caller: &Caller<'_, HostState>, ptr: u32, len: u32) -> Result<String, Fail> {
    let bytes = read(caller, ptr, len)?;
    String::from_utf8(bytes).map_err(|_| Fail::Status(status::BAD_ARGUMENT))
}

/// Writes `bytes` into guest memory at `ptr`.
pub(crate) fn write(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    bytes: &[u8],
) -> Result<(), Fail> {
    let memory = caller
        .data()
        .memory
        .ok_or(Fail::Status(status::INVALID_MEMORY_ACCESS))?;
    memory
        .write(caller, ptr as usize, bytes)
        .map_err(|_| Fail::Status(status::INVALID_MEMORY_ACCESS))
}

pub(crate) fn write_u32(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    value: u32,
) -> Result<(), Fail> {
    write(caller, ptr, &value.to_le_bytes())
}

fn write_u64(caller: &mut Caller<'_, HostState>, ptr: u32, value: u64) -> Result<(), Fail> {
    write(caller, ptr, &value.to_le_bytes())
}

/// Hands `data` to the guest as cpp-host does: allocate with the guest's
/// `malloc`, copy, then store pointer and size in the out-params. Empty data
/// is returned as pointer 0, size 0 (no allocation).
fn return_bytes(
    caller: &mut Caller<'_, HostState>,
    data: &[u8],
    ptr_out: u32,
    size_out: u32,
) -> Hc {
    let mut pointer = 0u32;
    if !data.is_empty() {
        let malloc = caller
            .data()
            .malloc
            .clone()
            .ok_or(Fail::Status(status::INVALID_MEMORY_ACCESS))?;
        let size =
            u32::try_from(data.len()).map_err(|_| Fail::Status(status::INVALID_MEMORY_ACCESS))?;
        caller.data_mut().guest_allocations += 1;
        pointer = malloc
            .call(&mut *caller, size)
            .map_err(|e| Fail::Trap(e.context("the plugin's allocator (`malloc`) failed")))?;
        if pointer == 0 {
            return Err(Fail::Status(status::INVALID_MEMORY_ACCESS));
        }
        write(caller, pointer, data)?;
    }
    write_u32(caller, ptr_out, pointer)?;
    write_u32(caller, size_out, data.len() as u32)?;
    Ok(status::OK)
}

/// The header map of `kind` for the effective context, if it exists there.
fn header_map(state: &mut HostState, kind: u32) -> Option<&mut HeaderList> {
    match kind {
        map::HTTP_CALL_RESPONSE_HEADERS => state.call_response.as_mut().map(|r| &mut r.headers),
        map::HTTP_CALL_RESPONSE_TRAILERS => state.call_response.as_mut().map(|r| &mut r.trailers),
        _ => {
            let stream = state.stream()?;
            match kind {
                map::REQUEST_HEADERS => Some(&mut stream.request_headers),
                map::REQUEST_TRAILERS => Some(&mut stream.request_trailers),
                map::RESPONSE_HEADERS => Some(&mut stream.response_headers),
                map::RESPONSE_TRAILERS => Some(&mut stream.response_trailers),
                _ => None,
            }
        }
    }
}

/// The buffer of `kind` for the effective context (`Err` status when the
/// type is unknown or not available here).
fn buffer_bytes(state: &mut HostState, kind: u32) -> Result<&mut Vec<u8>, Fail> {
    let missing = Fail::Status(status::NOT_FOUND);
    match kind {
        buffer::REQUEST_BODY => state.stream().map(|s| &mut s.request_body).ok_or(missing),
        buffer::RESPONSE_BODY => state.stream().map(|s| &mut s.response_body).ok_or(missing),
        buffer::HTTP_CALL_RESPONSE_BODY => state
            .call_response
            .as_mut()
            .map(|r| &mut r.body)
            .ok_or(missing),
        buffer::VM_CONFIGURATION => Ok(&mut state.vm_config),
        buffer::PLUGIN_CONFIGURATION => Ok(&mut state.plugin_config),
        buffer::REDIS_CALL_RESPONSE if state.redis_enabled => {
            state.redis_reply.as_mut().ok_or(missing)
        }
        _ => Err(missing),
    }
}

fn header_value<'a>(headers: &'a HeaderList, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Built-in properties (Envoy attributes) for `path`; `None` when unknown.
fn builtin_property(state: &mut HostState, path: &[&str]) -> Option<Vec<u8>> {
    let text = |s: &str| Some(s.as_bytes().to_vec());
    match path {
        ["plugin_name"] => return text(&state.plugin_name.clone()),
        ["plugin_root_id"] => return text(""),
        // What Envoy reports: the filter's `vm_config.vm_id`, the id that
        // `proxy_resolve_shared_queue` takes.
        ["plugin_vm_id"] => return text(crate::VM_ID),
        _ => {}
    }
    let route = state.route_name.clone();
    let cluster = state.upstream_cluster.clone();
    let stream = state.stream()?;
    let req = &stream.request_headers;
    match path {
        ["route_name"] | ["xds", "route_name"] => text(&route),
        ["cluster_name"] | ["xds", "cluster_name"] => text(&cluster),
        ["request", "path"] => text(header_value(req, ":path")?),
        ["request", "url_path"] => text(
            header_value(req, ":path")?
                .split('?')
                .next()
                .unwrap_or_default(),
        ),
        ["request", "host"] => text(header_value(req, ":authority")?),
        ["request", "method"] => text(header_value(req, ":method")?),
        ["request", "scheme"] => text(header_value(req, ":scheme")?),
        ["request", "protocol"] => text("HTTP/1.1"),
        // Envoy's request id attribute: the `x-request-id` header.
        ["request", "id"] => text(header_value(req, "x-request-id")?),
        ["request", "headers", name] => text(header_value(req, name)?),
        // A map-valued attribute: Envoy serializes it as a pair map.
        ["request", "headers"] => Some(serialize_pairs(
            &req.iter()
                .filter(|(k, _)| !k.starts_with(':'))
                .cloned()
                .collect(),
        )),
        ["response", "code"] => {
            let code: i64 = header_value(&stream.response_headers, ":status")?
                .parse()
                .ok()?;
            Some(code.to_le_bytes().to_vec())
        }
        ["response", "headers", name] => text(header_value(&stream.response_headers, name)?),
        ["response", "code_details"] => text(stream.response_details.as_deref()?),
        _ => None,
    }
}

fn split_path(raw: &[u8]) -> Vec<String> {
    let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
    raw.split(|b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Splits `name?db=N&...` into the cluster name and its database.
fn parse_redis_upstream(upstream: &str) -> Result<(String, u32), Fail> {
    let (name, query) = upstream.split_once('?').unwrap_or((upstream, ""));
    let mut db = 0;
    for param in query.split('&').filter(|p| !p.is_empty()) {
        if let Some(value) = param.strip_prefix("db=") {
            db = value
                .parse()
                .map_err(|_| Fail::Status(status::BAD_ARGUMENT))?;
        }
    }
    Ok((name.to_string(), db))
}

/// proxy-wasm function names the emulator answers with `Unimplemented`
/// (gRPC, foreign functions, v0.1.0 leftovers): a plugin that only
/// imports them still loads, as in Envoy, and learns at call time.
pub(crate) fn is_known_unimplemented(name: &str) -> bool {
    matches!(
        name,
        "proxy_grpc_call"
            | "proxy_grpc_stream"
            | "proxy_grpc_send"
            | "proxy_grpc_cancel"
            | "proxy_grpc_close"
            | "proxy_get_buffer_status"
            | "proxy_continue_request"
            | "proxy_continue_response"
            | "proxy_clear_route_cache"
    )
}

/// The `env` functions [`add_to_linker`] defines.
pub(crate) fn is_implemented(name: &str, redis: bool) -> bool {
    const IMPLEMENTED: &[&str] = &[
        "proxy_log",
        "proxy_get_log_level",
        "proxy_get_current_time_nanoseconds",
        "proxy_set_tick_period_milliseconds",
        "proxy_done",
        "proxy_set_effective_context",
        "proxy_get_header_map_pairs",
        "proxy_set_header_map_pairs",
        "proxy_get_header_map_value",
        "proxy_add_header_map_value",
        "proxy_replace_header_map_value",
        "proxy_remove_header_map_value",
        "proxy_get_buffer_bytes",
        "proxy_set_buffer_bytes",
        "proxy_continue_stream",
        "proxy_close_stream",
        "proxy_send_local_response",
        "proxy_get_status",
        "proxy_get_property",
        "proxy_set_property",
        "proxy_get_shared_data",
        "proxy_set_shared_data",
        "proxy_define_metric",
        "proxy_increment_metric",
        "proxy_record_metric",
        "proxy_get_metric",
        "proxy_http_call",
        "proxy_register_shared_queue",
        "proxy_resolve_shared_queue",
        "proxy_enqueue_shared_queue",
        "proxy_dequeue_shared_queue",
    ];
    IMPLEMENTED.contains(&name)
        || gateway::EVERY_PROFILE.contains(&name)
        || (redis && is_higress_only(name))
}

/// Higress-only imports (besides the Redis calls the emulator implements).
pub(crate) fn is_higress_only(name: &str) -> bool {
    matches!(name, "proxy_redis_init" | "proxy_redis_call") || gateway::HIGRESS_ONLY.contains(&name)
}

/// Adds every implemented `env` hostcall to `linker`; the Higress ones
/// (Redis, streaming, upstream hosts) only when `redis` (the Higress
/// profile).
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>, redis: bool) -> wasmtime::Result<()> {
    gateway::add_to_linker(linker, redis)?;
    linker.func_wrap(
        "env",
        "proxy_log",
        |mut c: Caller<'_, HostState>, level: u32, ptr: u32, len: u32| {
            done((|| {
                guard(&mut c, "proxy_log")?;
                let message = String::from_utf8_lossy(&read(&c, ptr, len)?).into_owned();
                c.data_mut().log(LogLevel::from_abi(level), message);
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_log_level",
        |mut c: Caller<'_, HostState>, out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_log_level")?;
                let level = c.data().log_level.abi();
                write_u32(&mut c, out, level)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_current_time_nanoseconds",
        |mut c: Caller<'_, HostState>, out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_current_time_nanoseconds")?;
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default();
                write_u64(&mut c, out, now.as_nanos() as u64)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_tick_period_milliseconds",
        |mut c: Caller<'_, HostState>, period: u32| {
            done((|| {
                guard(&mut c, "proxy_set_tick_period_milliseconds")?;
                c.data_mut().tick_period_ms = period;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap("env", "proxy_done", |mut c: Caller<'_, HostState>| {
        done((|| {
            guard(&mut c, "proxy_done")?;
            c.data_mut().done_calls += 1;
            Ok(status::OK)
        })())
    })?;
    linker.func_wrap(
        "env",
        "proxy_set_effective_context",
        |mut c: Caller<'_, HostState>, id: u32| {
            done((|| {
                guard(&mut c, "proxy_set_effective_context")?;
                let state = c.data_mut();
                if id != state.root_id && !state.streams.contains_key(&id) {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                state.effective = id;
                Ok(status::OK)
            })())
        },
    )?;

    // Header maps.
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut c: Caller<'_, HostState>, kind: u32, ptr_out: u32, size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_header_map_pairs")?;
                // Envoy hands out an empty map when the map is not available.
                let pairs = header_map(c.data_mut(), kind)
                    .map(|m| serialize_pairs(m))
                    .unwrap_or_default();
                return_bytes(&mut c, &pairs, ptr_out, size_out)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_header_map_pairs",
        |mut c: Caller<'_, HostState>, kind: u32, ptr: u32, size: u32| {
            done((|| {
                guard(&mut c, "proxy_set_header_map_pairs")?;
                let raw = read(&c, ptr, size)?;
                let pairs =
                    deserialize_pairs(&raw).map_err(|_| Fail::Status(status::BAD_ARGUMENT))?;
                let target =
                    header_map(c.data_mut(), kind).ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                *target = pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v))
                    .collect();
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_value",
        |mut c: Caller<'_, HostState>,
         kind: u32,
         key_ptr: u32,
         key_len: u32,
         ptr_out: u32,
         size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_header_map_value")?;
                let key = read_string(&c, key_ptr, key_len)?;
                let target =
                    header_map(c.data_mut(), kind).ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                // Envoy returns the first value of a repeated header.
                let value = header_value(target, &key)
                    .ok_or(Fail::Status(status::NOT_FOUND))?
                    .to_string();
                return_bytes(&mut c, value.as_bytes(), ptr_out, size_out)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_add_header_map_value",
        |mut c: Caller<'_, HostState>,
         kind: u32,
         key_ptr: u32,
         key_len: u32,
         value_ptr: u32,
         value_len: u32| {
            done((|| {
                guard(&mut c, "proxy_add_header_map_value")?;
                let key = read_string(&c, key_ptr, key_len)?.to_ascii_lowercase();
                let value = read_string(&c, value_ptr, value_len)?;
                let target =
                    header_map(c.data_mut(), kind).ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                target.push((key, value));
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_replace_header_map_value",
        |mut c: Caller<'_, HostState>,
         kind: u32,
         key_ptr: u32,
         key_len: u32,
         value_ptr: u32,
         value_len: u32| {
            done((|| {
                guard(&mut c, "proxy_replace_header_map_value")?;
                let key = read_string(&c, key_ptr, key_len)?.to_ascii_lowercase();
                let value = read_string(&c, value_ptr, value_len)?;
                let target =
                    header_map(c.data_mut(), kind).ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                // Envoy's `setCopy`: the first occurrence keeps its place and
                // takes the value; other occurrences go.
                match target.iter().position(|(k, _)| *k == key) {
                    Some(first) => {
                        target[first].1 = value;
                        let mut index = 0;
                        target.retain(|(k, _)| {
                            let keep = index == first || *k != key;
                            index += 1;
                            keep
                        });
                    }
                    None => target.push((key, value)),
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_remove_header_map_value",
        |mut c: Caller<'_, HostState>, kind: u32, key_ptr: u32, key_len: u32| {
            done((|| {
                guard(&mut c, "proxy_remove_header_map_value")?;
                let key = read_string(&c, key_ptr, key_len)?.to_ascii_lowercase();
                let target =
                    header_map(c.data_mut(), kind).ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                target.retain(|(k, _)| *k != key);
                Ok(status::OK)
            })())
        },
    )?;

    // Buffers.
    linker.func_wrap(
        "env",
        "proxy_get_buffer_bytes",
        |mut c: Caller<'_, HostState>,
         kind: u32,
         start: u32,
         max: u32,
         ptr_out: u32,
         size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_buffer_bytes")?;
                let data = buffer_bytes(c.data_mut(), kind)?;
                let start = start as usize;
                if start > data.len() {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let len = (max as usize).min(data.len() - start);
                if len == 0 {
                    // cpp-host leaves the out-params alone for an empty read.
                    return Ok(status::OK);
                }
                let slice = data[start..start + len].to_vec();
                return_bytes(&mut c, &slice, ptr_out, size_out)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_buffer_bytes",
        |mut c: Caller<'_, HostState>, kind: u32, start: u32, size: u32, ptr: u32, len: u32| {
            done((|| {
                guard(&mut c, "proxy_set_buffer_bytes")?;
                if !matches!(kind, buffer::REQUEST_BODY | buffer::RESPONSE_BODY) {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let bytes = read(&c, ptr, len)?;
                let data = buffer_bytes(c.data_mut(), kind)?;
                // Envoy's `Buffer::copyFrom`: start 0 + size 0 prepends,
                // start 0 + size ≥ length replaces, start ≥ length appends;
                // anything else (a splice) is refused.
                let (start, size) = (start as usize, size as usize);
                if start == 0 && size == 0 {
                    data.splice(0..0, bytes);
                } else if start == 0 && size >= data.len() {
                    *data = bytes;
                } else if start >= data.len() {
                    data.extend_from_slice(&bytes);
                } else {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                Ok(status::OK)
            })())
        },
    )?;

    // Flow.
    linker.func_wrap(
        "env",
        "proxy_continue_stream",
        |mut c: Caller<'_, HostState>, kind: u32| {
            done((|| {
                guard(&mut c, "proxy_continue_stream")?;
                let stream = c
                    .data_mut()
                    .stream()
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                match kind {
                    0 => stream.resume_request = true,
                    1 => stream.resume_response = true,
                    _ => return Err(Fail::Status(status::BAD_ARGUMENT)),
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_close_stream",
        |mut c: Caller<'_, HostState>, kind: u32| {
            done((|| {
                guard(&mut c, "proxy_close_stream")?;
                if kind > 1 {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let stream = c
                    .data_mut()
                    .stream()
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                stream.reset = true;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_send_local_response",
        |mut c: Caller<'_, HostState>,
         code: u32,
         details_ptr: u32,
         details_len: u32,
         body_ptr: u32,
         body_len: u32,
         headers_ptr: u32,
         headers_len: u32,
         grpc_status: i32| {
            done((|| {
                guard(&mut c, "proxy_send_local_response")?;
                let details =
                    String::from_utf8_lossy(&read(&c, details_ptr, details_len)?).into_owned();
                let body = read(&c, body_ptr, body_len)?;
                let raw = read(&c, headers_ptr, headers_len)?;
                let headers =
                    deserialize_pairs(&raw).map_err(|_| Fail::Status(status::BAD_ARGUMENT))?;
                let status_code =
                    u16::try_from(code).map_err(|_| Fail::Status(status::BAD_ARGUMENT))?;
                let state = c.data_mut();
                let context_id = state.effective;
                let reply = LocalReply {
                    context_id,
                    status: status_code,
                    details,
                    headers: headers
                        .into_iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v))
                        .collect(),
                    body,
                    grpc_status,
                };
                let stream = state
                    .streams
                    .get_mut(&context_id)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                // The first local reply wins: Envoy ends the stream with it.
                if stream.local_reply.is_none() {
                    stream.local_reply = Some(reply.clone());
                }
                state.local_replies.push(reply);
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_status",
        |mut c: Caller<'_, HostState>, code_out: u32, ptr_out: u32, size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_status")?;
                write_u32(&mut c, code_out, 0)?;
                return_bytes(&mut c, &[], ptr_out, size_out)
            })())
        },
    )?;

    // Properties.
    linker.func_wrap(
        "env",
        "proxy_get_property",
        |mut c: Caller<'_, HostState>,
         path_ptr: u32,
         path_len: u32,
         ptr_out: u32,
         size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_property")?;
                let raw = read(&c, path_ptr, path_len)?;
                let parts = split_path(&raw);
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                let key = raw.strip_suffix(&[0]).unwrap_or(&raw).to_vec();
                let state = c.data_mut();
                let value = match builtin_property(state, &parts) {
                    Some(v) => v,
                    None => {
                        let custom = state.stream().and_then(|s| s.properties.get(&key).cloned());
                        custom
                            .or_else(|| state.root_properties.get(&key).cloned())
                            .ok_or(Fail::Status(status::NOT_FOUND))?
                    }
                };
                return_bytes(&mut c, &value, ptr_out, size_out)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_property",
        |mut c: Caller<'_, HostState>,
         path_ptr: u32,
         path_len: u32,
         value_ptr: u32,
         value_len: u32| {
            done((|| {
                guard(&mut c, "proxy_set_property")?;
                let raw = read(&c, path_ptr, path_len)?;
                let key = raw.strip_suffix(&[0]).unwrap_or(&raw).to_vec();
                let value = read(&c, value_ptr, value_len)?;
                let state = c.data_mut();
                match state.stream() {
                    Some(stream) => stream.properties.insert(key, value),
                    None => state.root_properties.insert(key, value),
                };
                Ok(status::OK)
            })())
        },
    )?;

    // Shared data (cpp-host semantics: cas 0 writes unconditionally, a
    // missing key accepts any cas, every write takes a fresh cas).
    linker.func_wrap(
        "env",
        "proxy_get_shared_data",
        |mut c: Caller<'_, HostState>,
         key_ptr: u32,
         key_len: u32,
         ptr_out: u32,
         size_out: u32,
         cas_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_shared_data")?;
                let key = read_string(&c, key_ptr, key_len)?;
                let (value, cas) = c
                    .data()
                    .shared
                    .get(&key)
                    .cloned()
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                return_bytes(&mut c, &value, ptr_out, size_out)?;
                write_u32(&mut c, cas_out, cas)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_shared_data",
        |mut c: Caller<'_, HostState>,
         key_ptr: u32,
         key_len: u32,
         value_ptr: u32,
         value_len: u32,
         cas: u32| {
            done((|| {
                guard(&mut c, "proxy_set_shared_data")?;
                let key = read_string(&c, key_ptr, key_len)?;
                let value = read(&c, value_ptr, value_len)?;
                let state = c.data_mut();
                if let Some((_, current)) = state.shared.get(&key)
                    && cas != 0
                    && cas != *current
                {
                    return Err(Fail::Status(status::CAS_MISMATCH));
                }
                state.next_cas = state.next_cas.wrapping_add(1).max(1);
                let next = state.next_cas;
                state.shared.insert(key, (value, next));
                Ok(status::OK)
            })())
        },
    )?;

    add_queues(linker)?;

    // Metrics.
    linker.func_wrap(
        "env",
        "proxy_define_metric",
        |mut c: Caller<'_, HostState>, kind: u32, name_ptr: u32, name_len: u32, id_out: u32| {
            done((|| {
                guard(&mut c, "proxy_define_metric")?;
                if kind > 2 {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let name = read_string(&c, name_ptr, name_len)?;
                let metrics = &mut c.data_mut().metrics;
                let id = match metrics
                    .iter()
                    .position(|m| m.name == name && m.kind == kind)
                {
                    Some(id) => id,
                    None => {
                        metrics.push(Metric {
                            name,
                            kind,
                            value: 0,
                            recorded: Vec::new(),
                        });
                        metrics.len() - 1
                    }
                };
                write_u32(&mut c, id_out, id as u32)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_increment_metric",
        |mut c: Caller<'_, HostState>, id: u32, offset: i64| {
            done((|| {
                guard(&mut c, "proxy_increment_metric")?;
                let metric = c
                    .data_mut()
                    .metrics
                    .get_mut(id as usize)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                match metric.kind {
                    0 if offset < 0 => return Err(Fail::Status(status::BAD_ARGUMENT)),
                    0 | 1 => metric.value = metric.value.saturating_add(offset),
                    _ => return Err(Fail::Status(status::BAD_ARGUMENT)),
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_record_metric",
        |mut c: Caller<'_, HostState>, id: u32, value: u64| {
            done((|| {
                guard(&mut c, "proxy_record_metric")?;
                let metric = c
                    .data_mut()
                    .metrics
                    .get_mut(id as usize)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                let signed = i64::try_from(value).unwrap_or(i64::MAX);
                match metric.kind {
                    0 => metric.value = metric.value.saturating_add(signed),
                    1 => metric.value = signed,
                    _ => {
                        metric.value = signed;
                        metric.recorded.push(value);
                    }
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_metric",
        |mut c: Caller<'_, HostState>, id: u32, out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_metric")?;
                let metric = c
                    .data()
                    .metrics
                    .get(id as usize)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                if metric.kind == 2 {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let value = metric.value as u64;
                write_u64(&mut c, out, value)?;
                Ok(status::OK)
            })())
        },
    )?;

    // HTTP calls.
    linker.func_wrap(
        "env",
        "proxy_http_call",
        |mut c: Caller<'_, HostState>,
         upstream_ptr: u32,
         upstream_len: u32,
         headers_ptr: u32,
         headers_len: u32,
         body_ptr: u32,
         body_len: u32,
         trailers_ptr: u32,
         trailers_len: u32,
         timeout_ms: u32,
         token_out: u32| {
            done((|| {
                guard(&mut c, "proxy_http_call")?;
                let cluster = read_string(&c, upstream_ptr, upstream_len)?;
                let headers = deserialize_pairs(&read(&c, headers_ptr, headers_len)?)
                    .map_err(|_| Fail::Status(status::BAD_ARGUMENT))?;
                let body = read(&c, body_ptr, body_len)?;
                let trailers = deserialize_pairs(&read(&c, trailers_ptr, trailers_len)?)
                    .map_err(|_| Fail::Status(status::BAD_ARGUMENT))?;
                let state = c.data_mut();
                // Envoy refuses unknown clusters and requests without the
                // three pseudo-headers with `BadArgument`.
                let addr: SocketAddr = *state
                    .http_clusters
                    .get(&cluster)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                if [":method", ":path", ":authority"]
                    .iter()
                    .any(|h| header_value(&headers, h).is_none())
                {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let token = state.token();
                let context_id = state.effective;
                let record = state.calls.len();
                state.calls.push(CallRecord::Http {
                    token,
                    context_id,
                    cluster,
                    request: HttpCallRequest {
                        headers,
                        body,
                        trailers,
                    },
                    timeout: Duration::from_millis(u64::from(timeout_ms)),
                    outcome: None,
                });
                state.pending.push_back(Pending::Http {
                    token,
                    record,
                    addr,
                });
                write_u32(&mut c, token_out, token)?;
                Ok(status::OK)
            })())
        },
    )?;

    if redis {
        add_redis(linker)?;
    }
    Ok(())
}

/// Higress's Redis hostcalls.
fn add_redis(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_redis_init",
        |mut c: Caller<'_, HostState>,
         upstream_ptr: u32,
         upstream_len: u32,
         user_ptr: u32,
         user_len: u32,
         pass_ptr: u32,
         pass_len: u32,
         timeout_ms: u32| {
            done((|| {
                guard(&mut c, "proxy_redis_init")?;
                let upstream = read_string(&c, upstream_ptr, upstream_len)?;
                let username = read_string(&c, user_ptr, user_len)?;
                let password = read_string(&c, pass_ptr, pass_len)?;
                let (name, database) = parse_redis_upstream(&upstream)?;
                let state = c.data_mut();
                let addr = *state
                    .redis_clusters
                    .get(&name)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                // Like Higress, init only sets the client up; the connection
                // is made by the first call, whose callback reports failures.
                state.redis.insert(
                    name,
                    RedisClient {
                        addr,
                        username,
                        password,
                        database,
                        timeout: Duration::from_millis(u64::from(timeout_ms.max(1))),
                        connection: None,
                    },
                );
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_redis_call",
        |mut c: Caller<'_, HostState>,
         upstream_ptr: u32,
         upstream_len: u32,
         query_ptr: u32,
         query_len: u32,
         token_out: u32| {
            done((|| {
                guard(&mut c, "proxy_redis_call")?;
                let upstream = read_string(&c, upstream_ptr, upstream_len)?;
                let query = read(&c, query_ptr, query_len)?;
                let (cluster, _) = parse_redis_upstream(&upstream)?;
                let state = c.data_mut();
                if !state.redis.contains_key(&cluster) {
                    let note = format!(
                        "`proxy_redis_call` on `{cluster}`, which no `proxy_redis_init` set up"
                    );
                    state.notes.push(note);
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let token = state.token();
                let context_id = state.effective;
                let record = state.calls.len();
                state.calls.push(CallRecord::Redis {
                    token,
                    context_id,
                    cluster: cluster.clone(),
                    query,
                    outcome: None,
                });
                state.pending.push_back(Pending::Redis {
                    token,
                    record,
                    cluster,
                });
                write_u32(&mut c, token_out, token)?;
                Ok(status::OK)
            })())
        },
    )?;
    Ok(())
}

/// The queue with id `id` (ids are indices + 1), if any.
fn queue(state: &mut HostState, id: u32) -> Option<&mut SharedQueue> {
    let index = (id as usize).checked_sub(1)?;
    state.queues.get_mut(index)
}

/// Enqueues `item` into queue `id` as Envoy does: `NotFound` for an unknown
/// id; otherwise the item is appended and, when a queue of this VM got it,
/// `proxy_on_queue_ready` is posted (one call per enqueue, delivered after
/// the running callback returns).
pub(crate) fn enqueue(state: &mut HostState, id: u32, item: Vec<u8>) -> Result<(), u32> {
    let queue = queue(state, id).ok_or(status::NOT_FOUND)?;
    queue.items.push_back(item);
    if queue.vm_id == crate::VM_ID {
        state.queue_ready.push_back(id);
    }
    Ok(())
}

/// Shared queues (cpp-host semantics): keyed by (VM id, name), ids from 1,
/// registering an existing name returns its id.
fn add_queues(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_register_shared_queue",
        |mut c: Caller<'_, HostState>, name_ptr: u32, name_len: u32, id_out: u32| {
            done((|| {
                guard(&mut c, "proxy_register_shared_queue")?;
                let name = read_string(&c, name_ptr, name_len)?;
                let queues = &mut c.data_mut().queues;
                let index = match queues
                    .iter()
                    .position(|q| q.vm_id == crate::VM_ID && q.name == name)
                {
                    Some(index) => index,
                    None => {
                        queues.push(SharedQueue {
                            vm_id: crate::VM_ID.into(),
                            name,
                            items: Default::default(),
                        });
                        queues.len() - 1
                    }
                };
                write_u32(&mut c, id_out, index as u32 + 1)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_resolve_shared_queue",
        |mut c: Caller<'_, HostState>,
         vm_ptr: u32,
         vm_len: u32,
         name_ptr: u32,
         name_len: u32,
         id_out: u32| {
            done((|| {
                guard(&mut c, "proxy_resolve_shared_queue")?;
                let vm_id = read_string(&c, vm_ptr, vm_len)?;
                let name = read_string(&c, name_ptr, name_len)?;
                let index = c
                    .data()
                    .queues
                    .iter()
                    .position(|q| q.vm_id == vm_id && q.name == name)
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                write_u32(&mut c, id_out, index as u32 + 1)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_enqueue_shared_queue",
        |mut c: Caller<'_, HostState>, id: u32, ptr: u32, len: u32| {
            done((|| {
                guard(&mut c, "proxy_enqueue_shared_queue")?;
                let item = read(&c, ptr, len)?;
                enqueue(c.data_mut(), id, item).map_err(Fail::Status)?;
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_dequeue_shared_queue",
        |mut c: Caller<'_, HostState>, id: u32, ptr_out: u32, size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_dequeue_shared_queue")?;
                let queue = queue(c.data_mut(), id).ok_or(Fail::Status(status::NOT_FOUND))?;
                let item = queue.items.pop_front().ok_or(Fail::Status(status::EMPTY))?;
                return_bytes(&mut c, &item, ptr_out, size_out)
            })())
        },
    )?;
    Ok(())
}

/// Checks that `name` exists in the `env` namespace of a proxy-wasm host of
/// this profile, for a clear load error.
pub(crate) fn check_env_import(name: &str, redis: bool) -> anyhow::Result<()> {
    if is_higress_only(name) && !redis {
        bail!(
            "the module imports `env.{name}`, which only Higress provides (the emulator runs with the `envoy` profile)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_upstream_params() {
        assert!(
            matches!(parse_redis_upstream("outbound|6379||redis.static?db=3&buffer_flush_timeout=1"), Ok((n, 3)) if n == "outbound|6379||redis.static")
        );
        assert!(matches!(parse_redis_upstream("r"), Ok((n, 0)) if n == "r"));
        assert!(parse_redis_upstream("r?db=x").is_err());
    }

    #[test]
    fn property_paths() {
        assert_eq!(split_path(b"request\0path"), vec!["request", "path"]);
        assert_eq!(split_path(b"route_name\0"), vec!["route_name"]);
    }
}
