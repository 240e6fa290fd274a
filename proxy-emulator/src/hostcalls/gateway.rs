//! `proxy_call_foreign_function` (every Envoy; the functions the host shim
//! also offers, from one list) and Higress's streaming and load-balancing
//! hostcalls (`proxy_inject_encoded_data_to_filter_chain`,
//! `proxy_get_upstream_hosts`, `proxy_set_upstream_override_host`).

use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, read, read_string, return_bytes};
use crate::abi::{serialize_pairs, status};
use crate::state::HostState;

/// The hostcalls of this file every profile has.
pub(super) const EVERY_PROFILE: &[&str] = &["proxy_call_foreign_function"];
/// The ones only Higress has.
pub(super) const HIGRESS_ONLY: &[&str] = &[
    "proxy_inject_encoded_data_to_filter_chain",
    "proxy_get_upstream_hosts",
    "proxy_set_upstream_override_host",
];

/// Adds the foreign-function call, and the Higress hostcalls when `higress`.
pub(super) fn add_to_linker(linker: &mut Linker<HostState>, higress: bool) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_call_foreign_function",
        |mut c: Caller<'_, HostState>,
         name_ptr: u32,
         name_len: u32,
         args_ptr: u32,
         args_len: u32,
         ptr_out: u32,
         size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_call_foreign_function")?;
                let name = read_string(&c, name_ptr, name_len)?;
                let args = read(&c, args_ptr, args_len)?;
                let answer =
                    gatewit_host_shim::foreign::call(&name, &args).map_err(Fail::Status)?;
                // A function with nothing to answer allocates nothing and
                // leaves the out-params alone, as Envoy does.
                if answer.is_empty() {
                    return Ok(status::OK);
                }
                return_bytes(&mut c, &answer, ptr_out, size_out)
            })())
        },
    )?;
    if !higress {
        return Ok(());
    }
    linker.func_wrap(
        "env",
        "proxy_inject_encoded_data_to_filter_chain",
        |mut c: Caller<'_, HostState>, ptr: u32, len: u32, end_stream: u32| {
            done((|| {
                guard(&mut c, "proxy_inject_encoded_data_to_filter_chain")?;
                let data = read(&c, ptr, len)?;
                let stream = c
                    .data_mut()
                    .stream()
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                // Towards the client: only once the response started, and
                // until it ended.
                if !stream.flow.response.inject(&data, end_stream != 0) {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                Ok(status::OK)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_upstream_hosts",
        |mut c: Caller<'_, HostState>, ptr_out: u32, size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_upstream_hosts")?;
                let hosts = serialize_pairs(&c.data().upstream_hosts);
                return_bytes(&mut c, &hosts, ptr_out, size_out)
            })())
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_upstream_override_host",
        |mut c: Caller<'_, HostState>, ptr: u32, len: u32| {
            done((|| {
                guard(&mut c, "proxy_set_upstream_override_host")?;
                let address = read_string(&c, ptr, len)?;
                if address.parse::<std::net::SocketAddr>().is_err() {
                    return Err(Fail::Status(status::BAD_ARGUMENT));
                }
                let stream = c
                    .data_mut()
                    .stream()
                    .ok_or(Fail::Status(status::NOT_FOUND))?;
                stream.upstream_override_host = Some(address);
                Ok(status::OK)
            })())
        },
    )?;
    Ok(())
}
