//! Buffers: bodies, an HTTP call's answer, the configurations.

use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, read, return_bytes};
use crate::abi::{buffer, status};
use crate::state::HostState;

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &["proxy_get_buffer_bytes", "proxy_set_buffer_bytes"];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
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
    Ok(())
}

/// The buffer of `kind` for the effective context (`Err` status when the
/// type is unknown or not available here).
fn buffer_bytes(state: &mut HostState, kind: u32) -> Result<&mut Vec<u8>, Fail> {
    let missing = Fail::Status(status::NOT_FOUND);
    match kind {
        buffer::REQUEST_BODY => state
            .stream()
            .map(|s| &mut s.flow.request.body)
            .ok_or(missing),
        buffer::RESPONSE_BODY => state
            .stream()
            .map(|s| &mut s.flow.response.body)
            .ok_or(missing),
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
