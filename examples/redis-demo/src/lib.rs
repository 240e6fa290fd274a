//! `redis-demo`: a per-minute request quota kept in Redis.
//!
//! The Rust version of Higress's `redis-demo` example: each request
//! increments the counter of the current minute (`INCR <minute>`, with
//! `EXPIRE <minute> 60` on the first increment). Over `qpm` requests in a
//! minute the plugin answers 429 `Too many requests`; otherwise the
//! response carries `timeStamp` and `CallTimeLeft` headers. A Redis error
//! answers 430 `Error while calling redis`.

use std::time::UNIX_EPOCH;

use gatewit_sdk::redis::Value;
use gatewit_sdk::{
    FqdnCluster, HeaderAction, HttpContext, Plugin, RedisClient, RedisError, RedisOptions,
    log_error,
};
use serde::Deserialize;

const TIME_STAMP: &str = "timeStamp";
const CALL_TIME_LEFT: &str = "CallTimeLeft";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawConfig {
    service_name: String,
    service_port: u16,
    domain: String,
    username: String,
    password: String,
    timeout: u32,
    qpm: i64,
}

/// The parsed configuration.
#[derive(Debug, Deserialize)]
#[serde(from = "RawConfig")]
pub struct RedisCallConfig {
    client: RedisClient,
    qpm: i64,
}

impl From<RawConfig> for RedisCallConfig {
    fn from(raw: RawConfig) -> Self {
        // `serviceName` is the full FQDN with its kind suffix, e.g.
        // `my-redis.dns`, `redis.static`, `redis.my-ns.svc.cluster.local`.
        let client = RedisClient::new(FqdnCluster {
            fqdn: raw.service_name,
            port: if raw.service_port == 0 {
                6379
            } else {
                raw.service_port
            },
            host: raw.domain,
        });
        let timeout = if raw.timeout == 0 { 1000 } else { raw.timeout };
        // A failed init does not fail the configuration: the client keeps
        // the reason, and every request answers 430 and logs it.
        if let Err(e) = client.init(
            &raw.username,
            &raw.password,
            timeout,
            RedisOptions::default(),
        ) {
            log_error!("{e}");
        }
        RedisCallConfig {
            client,
            qpm: raw.qpm,
        }
    }
}

/// The plugin.
pub struct RedisDemo;

fn redis_failed(ctx: &mut HttpContext, e: &RedisError) {
    log_error!("Error occured while calling redis: {e}");
    if let Err(e) = ctx.send_http_response(430, &[], "Error while calling redis") {
        log_error!("failed to send the local reply: {e}");
    }
}

fn resume(ctx: &mut HttpContext) {
    if let Err(e) = ctx.resume_request() {
        log_error!("failed to resume the request: {e}");
    }
}

#[gatewit_sdk::plugin]
impl Plugin for RedisDemo {
    type Config = RedisCallConfig;

    fn on_request_headers(ctx: &mut HttpContext, config: &RedisCallConfig) -> HeaderAction {
        let secs = gatewit_sdk::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let time_stamp = (secs - secs % 60).to_string();
        let client = config.client.clone();
        let qpm = config.qpm;
        let key = time_stamp.clone();
        let sent = config
            .client
            .incr(&key, move |ctx, reply: Result<Value, RedisError>| {
                let count = match reply.and_then(|v| {
                    v.as_integer()
                        .ok_or_else(|| RedisError::Parse(format!("`INCR` answered {v:?}")))
                }) {
                    Ok(n) => n,
                    Err(e) => return redis_failed(ctx, &e),
                };
                if count != 1 && count > qpm {
                    let headers = [(TIME_STAMP, time_stamp.as_str()), (CALL_TIME_LEFT, "0")];
                    if let Err(e) = ctx.send_http_response(429, &headers, "Too many requests") {
                        log_error!("failed to send the local reply: {e}");
                    }
                    return;
                }
                // Added to the upstream's response by `on_response_headers`.
                ctx.set(TIME_STAMP, time_stamp.clone());
                ctx.set(CALL_TIME_LEFT, (qpm - count).to_string());
                if count == 1 {
                    let expired = client.expire(&time_stamp, 60, |ctx, reply| {
                        if let Err(e) = reply {
                            log_error!("call redis error: {e}");
                        }
                        resume(ctx);
                    });
                    if let Err(e) = expired {
                        log_error!("call redis error: {e}");
                        resume(ctx);
                    }
                } else {
                    resume(ctx);
                }
            });
        match sent {
            Ok(()) => HeaderAction::Pause,
            Err(e) => {
                redis_failed(ctx, &e);
                HeaderAction::Continue
            }
        }
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &RedisCallConfig) -> HeaderAction {
        for key in [TIME_STAMP, CALL_TIME_LEFT] {
            if let Some(value) = ctx.get::<String>(key).cloned()
                && let Err(e) = ctx.add_response_header(key, &value)
            {
                log_error!("failed to add response header `{key}`: {e}");
            }
        }
        HeaderAction::Continue
    }
}
