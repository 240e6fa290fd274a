//! The `env` hostcalls of proxy-wasm v0.2.1 (plus Higress's Redis calls),
//! with Envoy's semantics.

use anyhow::bail;
use wasmtime::{Caller, Linker};

mod buffers;
mod calls;
mod gateway;
mod headers;
mod metrics;
mod properties;
mod runtime;
mod shared;
mod stream;

pub(crate) use shared::enqueue;

use crate::abi::status;
use crate::state::{HostState, Phase};

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

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The `env` functions [`add_to_linker`] defines on every profile, one
/// list per file.
const EVERY_PROFILE: &[&[&str]] = &[
    runtime::NAMES,
    headers::NAMES,
    buffers::NAMES,
    stream::NAMES,
    properties::NAMES,
    shared::NAMES,
    metrics::NAMES,
    calls::NAMES,
    gateway::EVERY_PROFILE,
];

/// The `env` functions [`add_to_linker`] defines.
pub(crate) fn is_implemented(name: &str, redis: bool) -> bool {
    EVERY_PROFILE.iter().any(|names| names.contains(&name)) || (redis && is_higress_only(name))
}

/// Higress-only imports (the emulator implements them all).
pub(crate) fn is_higress_only(name: &str) -> bool {
    calls::HIGRESS_ONLY.contains(&name) || gateway::HIGRESS_ONLY.contains(&name)
}

/// Adds every implemented `env` hostcall to `linker`; the Higress ones
/// (Redis, streaming, upstream hosts) only when `redis` (the Higress
/// profile).
pub(crate) fn add_to_linker(linker: &mut Linker<HostState>, redis: bool) -> wasmtime::Result<()> {
    runtime::add_to_linker(linker)?;
    headers::add_to_linker(linker)?;
    buffers::add_to_linker(linker)?;
    stream::add_to_linker(linker)?;
    properties::add_to_linker(linker)?;
    shared::add_to_linker(linker)?;
    metrics::add_to_linker(linker)?;
    calls::add_to_linker(linker, redis)?;
    gateway::add_to_linker(linker, redis)
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
