//! Outbound calls: HTTP calls on every profile, Higress's Redis calls.

use std::net::SocketAddr;
use std::time::Duration;

use gatewit_host_shim::backend::HttpCallRequest;
use wasmtime::{Caller, Linker};

use super::{Fail, done, guard, header_value, read, read_string, write_u32};
use crate::abi::{deserialize_pairs, status};
use crate::state::{CallRecord, HostState, Pending, RedisClient};

/// The hostcalls of this file.
pub(super) const NAMES: &[&str] = &["proxy_http_call"];
/// The ones only Higress has (the emulator's Higress profile).
pub(super) const HIGRESS_ONLY: &[&str] = &["proxy_redis_init", "proxy_redis_call"];

/// Adds the HTTP call, and the Redis calls when `higress`.
pub(super) fn add_to_linker(linker: &mut Linker<HostState>, higress: bool) -> wasmtime::Result<()> {
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
    if higress {
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
}
