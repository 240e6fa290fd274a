//! [`Gateway`] for the host shim: whole exchanges through one plugin instance.

use anyhow::{Context, bail};

use crate::engine::ComponentSource;
use crate::exchange::{
    ClientResponse, Exchange, Gateway, GatewaySetup, HttpRequest, UpstreamResponse,
};
use crate::harness::{PluginHost, PluginHostBuilder};
use crate::state::LogSource;
use gatewit_abi::proxy::log_level;

/// The host-shim tier: the plugin component under wasmtime, its clusters
/// leading to the real servers of the [`GatewaySetup`].
#[derive(Debug)]
pub struct ShimGateway {
    host: PluginHost,
}

impl ShimGateway {
    /// Loads the component at `source` (path or bytes) and configures it as
    /// `setup` says.
    pub fn new(source: impl Into<ComponentSource>, setup: &GatewaySetup) -> anyhow::Result<Self> {
        Self::with(source, setup, |b| b)
    }

    /// Like [`ShimGateway::new`], with a chance to adjust the builder (time
    /// budget, mocks, log level). The plugin's code is compiled
    /// unoptimised, since a scenario runs a few requests
    /// ([`PluginHostBuilder::optimise_code`]; `adjust` may turn it on).
    pub fn with(
        source: impl Into<ComponentSource>,
        setup: &GatewaySetup,
        adjust: impl FnOnce(PluginHostBuilder) -> PluginHostBuilder,
    ) -> anyhow::Result<Self> {
        let mut builder = PluginHost::builder(source)
            .optimise_code(false)
            .config_json(&setup.plugin_config)
            .route_name(&setup.route_name)
            .upstream_cluster(&setup.upstream_cluster)
            .body_during_paused_headers(setup.body_during_paused_headers)
            .upstream_hosts(setup.upstream_hosts.clone());
        for (name, addr) in &setup.clusters.http {
            builder = builder.http_real(name, *addr);
        }
        for (name, addr) in &setup.clusters.redis {
            builder = builder.redis_real(name, *addr);
        }
        let host = adjust(builder)
            .start()
            .context("the host shim could not start the plugin")?;
        Ok(Self { host })
    }

    /// Wraps an already configured harness.
    pub fn from_host(host: PluginHost) -> Self {
        Self { host }
    }

    /// The underlying harness (logs, calls, metrics).
    pub fn host(&self) -> &PluginHost {
        &self.host
    }

    /// The underlying harness, mutably.
    pub fn host_mut(&mut self) -> &mut PluginHost {
        &mut self.host
    }
}

impl Gateway for ShimGateway {
    fn tier(&self) -> &'static str {
        "host-shim"
    }

    fn send(
        &mut self,
        request: &HttpRequest,
        upstream: &UpstreamResponse,
    ) -> anyhow::Result<Exchange> {
        let mut stream = self.host.stream()?;
        stream.send_request(request)?;
        let received = if stream.local_reply().is_none() {
            let Some(received) = stream.upstream_request() else {
                bail!("the plugin paused the request and never resumed it (nor answered locally)");
            };
            stream.send_response(upstream)?;
            Some(received)
        } else {
            None
        };
        let response: Option<ClientResponse> = stream.finish()?;
        let Some(response) = response else {
            bail!("the plugin paused the response and never resumed it");
        };
        Ok(Exchange {
            upstream: received,
            response,
        })
    }

    fn plugin_logs(&self) -> Vec<String> {
        self.host
            .logs()
            .iter()
            .filter(|r| r.source != LogSource::Host)
            .map(|r| format!("[{}] {}", log_level::envoy_name(r.level as u32), r.message))
            .collect()
    }
}
