//! Properties: Envoy's attributes (request, response, route, ...) and the plugin's own.

use gatewit_gateway_flow::Direction;
use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, header_value, read, return_bytes};
use crate::abi::{serialize_pairs, status};
use crate::state::HostState;

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &["proxy_get_property", "proxy_set_property"];

/// Adds the hostcalls of [`NAMES`].
pub(super) fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
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
    Ok(())
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
    let req = stream.flow.served_headers(Direction::Request);
    let resp = stream.flow.served_headers(Direction::Response);
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
        ["source", "address"] => text(gatewit_host_shim::exchange::CLIENT_ADDRESS),
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
            let code: i64 = header_value(&stream.flow.response.headers, ":status")?
                .parse()
                .ok()?;
            Some(code.to_le_bytes().to_vec())
        }
        ["response", "headers", name] => text(header_value(resp, name)?),
        ["response", "code_details"] => text(stream.flow.response_details()?),
        _ => None,
    }
}

fn split_path(raw: &[u8]) -> Vec<String> {
    let raw = raw.strip_suffix(&[0]).unwrap_or(raw);
    raw.split(|b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_paths() {
        assert_eq!(split_path(b"request\0path"), vec!["request", "path"]);
        assert_eq!(split_path(b"route_name\0"), vec!["route_name"]);
    }
}
