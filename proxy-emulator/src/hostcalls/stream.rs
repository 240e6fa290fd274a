//! The stream: resuming, closing, local replies, the status of an answer.

use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, read, return_bytes, write_u32};
use crate::abi::{deserialize_pairs, status};
use crate::state::{HostState, LocalReply};

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &[
    "proxy_continue_stream",
    "proxy_close_stream",
    "proxy_send_local_response",
    "proxy_get_status",
];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
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
                    0 => stream.flow.request.resume = true,
                    1 => stream.flow.response.resume = true,
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
                stream.flow.reset = true;
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
                if stream.flow.local_reply.is_none() {
                    stream.flow.local_reply = Some(gatewit_gateway_flow::LocalReply {
                        status: reply.status,
                        headers: reply.headers.clone(),
                        body: reply.body.clone(),
                        grpc_status: (reply.grpc_status >= 0).then_some(reply.grpc_status),
                        details: reply.details.clone(),
                    });
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
    Ok(())
}
