//! Header maps: the request's and response's headers and trailers, and an HTTP call's answer.

use gatewit_gateway_flow::Direction;
use gatewit_host_shim::exchange::HeaderList;
use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, header_value, read, read_string, return_bytes};
use crate::abi::{deserialize_pairs, map, serialize_pairs, status};
use crate::state::HostState;

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &[
    "proxy_get_header_map_pairs",
    "proxy_set_header_map_pairs",
    "proxy_get_header_map_value",
    "proxy_add_header_map_value",
    "proxy_replace_header_map_value",
    "proxy_remove_header_map_value",
];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut c: Caller<'_, HostState>, kind: u32, ptr_out: u32, size_out: u32| {
            done((|| {
                guard(&mut c, "proxy_get_header_map_pairs")?;
                // Envoy hands out an empty map when the map is not available.
                let pairs = header_map(c.data_mut(), kind, false)
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
                let target = header_map(c.data_mut(), kind, true)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
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
                let target = header_map(c.data_mut(), kind, false)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
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
                let target = header_map(c.data_mut(), kind, true)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
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
                let target = header_map(c.data_mut(), kind, true)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
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
                let target = header_map(c.data_mut(), kind, true)
                    .ok_or(Fail::Status(status::BAD_ARGUMENT))?;
                target.retain(|(k, _)| *k != key);
                Ok(status::OK)
            })())
        },
    )?;
    Ok(())
}

/// The header map of `kind` for the effective context, if it exists there
/// and Envoy serves it now, to read or (`write`) to change (see
/// `StreamState::headers_served`).
fn header_map(state: &mut HostState, kind: u32, write: bool) -> Option<&mut HeaderList> {
    match kind {
        map::HTTP_CALL_RESPONSE_HEADERS => state.call_response.as_mut().map(|r| &mut r.headers),
        map::HTTP_CALL_RESPONSE_TRAILERS => state.call_response.as_mut().map(|r| &mut r.trailers),
        _ => {
            let stream = state.stream()?;
            let request = stream.flow.headers_served(Direction::Request, write);
            let response = stream.flow.headers_served(Direction::Response, write);
            match kind {
                map::REQUEST_HEADERS if !request => None,
                map::RESPONSE_HEADERS if !response => None,
                map::REQUEST_HEADERS => Some(&mut stream.flow.request.headers),
                map::REQUEST_TRAILERS => Some(&mut stream.flow.request.trailers),
                map::RESPONSE_HEADERS => Some(&mut stream.flow.response.headers),
                map::RESPONSE_TRAILERS => Some(&mut stream.flow.response.trailers),
                _ => None,
            }
        }
    }
}
