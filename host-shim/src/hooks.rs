//! The optional `gatewit:hooks` custom section (see `wit/README.md`): which
//! guest callbacks a plugin needs.

use anyhow::{Context, bail};

/// The custom section's name.
pub use gatewit_abi::HOOKS_SECTION as SECTION;

/// Reads the hooks bit set from a component (the section sits in one of its
/// core modules). Without the section every callback is needed.
pub fn read_hooks(component: &[u8]) -> anyhow::Result<u32> {
    let mut found: Option<u32> = None;
    for payload in wasmparser::Parser::new(0).parse_all(component) {
        let payload = payload.context("cannot parse the component")?;
        if let wasmparser::Payload::CustomSection(section) = payload
            && section.name() == SECTION
        {
            let data = section.data();
            let Ok(bytes) = <[u8; 4]>::try_from(data) else {
                bail!(
                    "custom section `{SECTION}` must hold 4 bytes, found {}",
                    data.len()
                );
            };
            // Several core modules may carry a section: any needed bit counts.
            found = Some(found.unwrap_or(0) | u32::from_le_bytes(bytes));
        }
    }
    Ok(found.unwrap_or(u32::MAX))
}
