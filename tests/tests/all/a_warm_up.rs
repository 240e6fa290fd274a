//! Runs first (libtest goes by name): starts compiling the biggest plugin
//! — the 12 MB JavaScript component, for the host shim and, adapted, for
//! the emulator — on background threads, into the per-process caches the
//! tiers' tests then find it in. Without it those compiles start when
//! their tests come up, late in the run, and the run waits on them at the
//! end.

use gatewit_adapter::Profile;
use gatewit_tests::adapted::{Toolchain, emulator_module};
use gatewit_tests::plugins::wasm_plugin;

#[test]
fn the_javascript_plugin_starts_compiling_first() -> anyhow::Result<()> {
    let component = wasm_plugin("my-plugin-js")?;
    let module = emulator_module("my-plugin-js", Toolchain::Wasip2, Profile::Envoy)?;
    anyhow::ensure!(
        std::fs::metadata(&component)?.len() > 1 << 20,
        "`{}` is not the JavaScript engine-sized component this warms up for",
        component.display()
    );
    // A failure here shows again, with context, in the tests that use it.
    std::thread::spawn(move || {
        let _ = gatewit_host_shim::PluginComponent::load(component);
    });
    std::thread::spawn(move || {
        if let Ok(bytes) = std::fs::read(module) {
            let _ = gatewit_proxy_emulator::precompile(&bytes);
        }
    });
    Ok(())
}
