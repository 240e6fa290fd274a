//! `http-call`: before forwarding a request, call a token service and copy
//! the token response header into the request.
//!
//! The Rust version of the HTTP-call example of Higress's Go plugin guide,
//! with the same configuration keys and error messages.

use gatewit_sdk::{
    DnsCluster, HeaderAction, HttpClient, HttpContext, K8sCluster, NacosCluster, Plugin,
    StaticIpCluster, log_error, log_info,
};
use serde::Deserialize;

/// The raw configuration keys (all read as Higress's gjson would: missing
/// or mistyped values become empty / zero).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawConfig {
    token_header: String,
    request_path: String,
    service_source: String,
    service_name: String,
    service_port: u16,
    namespace: String,
    domain: String,
}

/// The parsed configuration.
#[derive(Debug, Deserialize)]
#[serde(try_from = "RawConfig")]
pub struct HttpCallConfig {
    client: HttpClient,
    request_path: String,
    token_header: String,
}

/// The plugin.
pub struct HttpCall;

impl TryFrom<RawConfig> for HttpCallConfig {
    type Error = String;

    fn try_from(raw: RawConfig) -> Result<Self, String> {
        if raw.token_header.is_empty() {
            return Err("missing tokenHeader in config".into());
        }
        if raw.request_path.is_empty() {
            return Err("missing requestPath in config".into());
        }
        if raw.service_name.is_empty() || raw.service_port == 0 {
            return Err("invalid service config".into());
        }
        let client = match raw.service_source.as_str() {
            "k8s" => HttpClient::new(K8sCluster {
                service_name: raw.service_name,
                namespace: raw.namespace,
                port: raw.service_port,
                ..Default::default()
            }),
            "nacos" => HttpClient::new(NacosCluster {
                service_name: raw.service_name,
                namespace_id: raw.namespace,
                port: raw.service_port,
                ..Default::default()
            }),
            "ip" => HttpClient::new(StaticIpCluster {
                service_name: raw.service_name,
                port: raw.service_port,
                ..Default::default()
            }),
            "dns" => HttpClient::new(DnsCluster {
                service_name: raw.service_name,
                port: raw.service_port,
                domain: raw.domain,
            }),
            other => return Err(format!("unknown service source: {other}")),
        };
        Ok(HttpCallConfig {
            client,
            request_path: raw.request_path,
            token_header: raw.token_header,
        })
    }
}

#[gatewit_sdk::plugin]
impl Plugin for HttpCall {
    type Config = HttpCallConfig;

    fn on_request_headers(_ctx: &mut HttpContext, config: &HttpCallConfig) -> HeaderAction {
        let token_header = config.token_header.clone();
        // Default timeout: 500 ms.
        let sent = config
            .client
            .get(&config.request_path, &[], move |ctx, resp| {
                if resp.status != 200 {
                    match resp.failure {
                        Some(why) => {
                            log_error!("http call failed, status: {} ({why})", resp.status)
                        }
                        None => log_error!("http call failed, status: {}", resp.status),
                    }
                    if let Err(e) = ctx.send_http_response(500, &[], "http call failed") {
                        log_error!("failed to send the local reply: {e}");
                    }
                    return;
                }
                log_info!(
                    "get status: {}, response body: {}",
                    resp.status,
                    String::from_utf8_lossy(&resp.body)
                );
                if let Some(token) = resp.header(&token_header).filter(|t| !t.is_empty())
                    && let Err(e) = ctx.add_request_header(&token_header, token)
                {
                    log_error!("failed to add request header `{token_header}`: {e}");
                }
                if let Err(e) = ctx.resume_request() {
                    log_error!("failed to resume the request: {e}");
                }
            });
        match sent {
            Ok(()) => HeaderAction::Pause,
            Err(e) => {
                log_error!(
                    "Error occured while calling http, it seems cannot find the service cluster: {e}"
                );
                HeaderAction::Continue
            }
        }
    }
}
