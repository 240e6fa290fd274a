//! The tiers agree on what a plugin may do: the same memory room, and no
//! tier stricter in time than the adapter's step budget in Envoy. A 16 MB
//! configuration of 800,000 keys (parsing it takes seconds and hundreds of
//! MiB in the plugin) loads and serves on the host shim, the emulator and
//! real Envoy alike; the shim used to reject it (1 s, 128 MiB).

use anyhow::{Context, Result, ensure};
use gatewit_adapter::Profile;
use gatewit_envoy_harness::EnvoyGateway;
use gatewit_host_shim::ShimGateway;
use gatewit_host_shim::exchange::{Gateway, GatewaySetup, HttpRequest, UpstreamResponse};
use gatewit_proxy_emulator::EmulatorOptions;
use gatewit_tests::adapted::{Toolchain, adapted_module, emulator_module};
use gatewit_tests::plugins::wasm_plugin;
use serde_json::{Map, Value, json};

#[test]
fn memory_limits_are_the_same_on_every_tier() {
    let adapter = gatewit_adapter::DEFAULT_MAX_MEMORY_PAGES as usize * 65536;
    assert_eq!(gatewit_host_shim::harness::DEFAULT_MEMORY_LIMIT, adapter);
    assert_eq!(EmulatorOptions::default().max_memory_bytes, adapter);
}

#[test]
fn a_16_mb_configuration_loads_on_every_tier() -> Result<()> {
    let mut config: Map<String, Value> = (0..800_000)
        .map(|i| (format!("k{i}"), json!([i])))
        .collect();
    config.insert("mockEnable".into(), json!(false));
    let setup = GatewaySetup {
        plugin_config: Value::Object(config),
        ..GatewaySetup::default()
    };
    let shim = ShimGateway::new(wasm_plugin("my-plugin")?, &setup).context("host shim")?;
    let emulator = crate::emulator_tier::emulator(
        &emulator_module("my-plugin", Toolchain::Wasip2, Profile::Envoy)?,
        &setup,
        Profile::Envoy,
    )
    .context("emulator")?;
    let module = adapted_module("my-plugin", Toolchain::Wasip2, Profile::Envoy)?;
    let envoy = EnvoyGateway::start(&module, &setup).context("envoy")?;
    let tiers: [Box<dyn Gateway>; 3] = [Box::new(shim), Box::new(emulator), Box::new(envoy)];
    for mut gw in tiers {
        let ex = gw.send(
            &HttpRequest::get("example.com", "/"),
            &UpstreamResponse::default(),
        )?;
        ensure!(
            ex.upstream_header("hello") == Some("world"),
            "{}: {ex:?}",
            gw.tier()
        );
    }
    Ok(())
}
