//! `ip-acl`: per-consumer client-IP allow and deny lists, configured as the
//! `gpustack-ip-acl` Go plugin (`gpustack-higress-plugins` 0.5.1) is, so a
//! gateway can swap one for the other: the benchmark runs both on the same
//! configuration (`BENCHMARKS.md`, "Against a Go plugin").
//!
//! A request whose `x-mse-consumer` header names a consumer with a rule has
//! its client address checked: from `realIPHeader` when configured and
//! present (the first entry of a list, port stripped), else from the
//! connection. Denied: `403` with `{"message": "<reason>"}`. A broken
//! configuration fails closed: every consumer is denied (requests without a
//! consumer still pass), and a critical log line says why.

mod acl;

pub use acl::{Acl, AclConfig, Net, Pattern};
use gatewit_sdk::{HeaderAction, HttpContext, Plugin, log_critical, log_info, log_warn};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The header naming the authenticated consumer (Higress's convention:
/// set by the authentication plugin in front of this one).
pub const CONSUMER_HEADER: &str = "x-mse-consumer";

/// The configuration: [`AclConfig`], or deny-all when it does not parse.
#[derive(Debug, Clone, Default)]
pub struct Config(pub AclConfig);

impl<'de> Deserialize<'de> for Config {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Config::global(&Value::deserialize(d)?))
    }
}

impl Config {
    fn global(json: &Value) -> Config {
        Config(AclConfig::parse(json).unwrap_or_else(|e| {
            log_critical!("ip-acl: invalid configuration ({e}); failing closed with deny-all");
            AclConfig::deny_all()
        }))
    }
}

/// The plugin.
pub struct IpAcl;

/// The `403` every refusal gets.
fn reject(ctx: &mut HttpContext, reason: &str) -> HeaderAction {
    let body = gatewit_sdk::go_json_marshal(&serde_json::json!({ "message": reason }));
    // The route is settled before the reply, as the Go plugin does.
    if let Err(e) = ctx.disable_reroute() {
        log_warn!("ip-acl: failed to disable rerouting: {e}");
    }
    let headers = [("Content-Type", "application/json")];
    if let Err(e) =
        ctx.send_http_response_with_details(403, "gpustack.ip.acl.rejected", &headers, body)
    {
        log_warn!("ip-acl: failed to send the refusal: {e}");
    }
    HeaderAction::Pause
}

/// The client's address: the configured header's, else the connection's.
fn client_ip(ctx: &HttpContext, header: &str) -> Option<String> {
    if !header.is_empty()
        && let Some(value) = ctx.request_header(header)
        && let Some(ip) = acl::forwarded_ip(&value)
    {
        return Some(ip.to_owned());
    }
    let address = ctx.property(&["source", "address"])?;
    Some(acl::source_ip(&String::from_utf8_lossy(&address)).to_owned())
}

#[gatewit_sdk::plugin(name = "ip-acl")]
impl Plugin for IpAcl {
    type Config = Config;

    fn parse_config(json: &Value) -> Result<Config, String> {
        Ok(Config::global(json))
    }

    fn parse_rule_config(
        global: Option<&Config>,
        _merged: &Value,
        rule: &Value,
    ) -> Result<Config, String> {
        let global = global.map(|g| g.0.clone()).unwrap_or_default();
        Ok(Config(
            AclConfig::parse_override(rule, &global).unwrap_or_else(|e| {
                log_critical!(
                    "ip-acl: invalid rule configuration ({e}); failing closed with deny-all"
                );
                AclConfig::deny_all()
            }),
        ))
    }

    fn on_request_headers(ctx: &mut HttpContext, config: &Config) -> HeaderAction {
        let config = &config.0;
        if config.is_empty() {
            return HeaderAction::Continue;
        }
        let Some(consumer) = ctx
            .request_header(CONSUMER_HEADER)
            .filter(|c| !c.is_empty())
        else {
            return HeaderAction::Continue;
        };
        let Some(acl) = config
            .lookup(&consumer)
            .filter(|a| !a.allowed.is_empty() || !a.denied.is_empty())
        else {
            return HeaderAction::Continue;
        };
        let Some(ip) = client_ip(ctx, &config.real_ip_header) else {
            log_warn!("ip-acl: failed to resolve client IP: no `source.address`");
            return reject(ctx, "Unable to resolve client IP");
        };
        match acl.refuses(&ip) {
            None => HeaderAction::Continue,
            Some(reason) => {
                log_info!("ip-acl: rejected consumer {consumer:?} from {ip}: {reason}");
                reject(ctx, &reason)
            }
        }
    }
}
