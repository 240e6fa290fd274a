//! The optional `gatewit:hooks` custom section (see `wit/README.md`): which
//! guest callbacks a plugin needs.

use anyhow::{Context, bail};

/// The custom section's name.
pub const SECTION: &str = "gatewit:hooks";

/// Bit numbers of the guest callbacks in the hooks bit set.
pub mod bit {
    /// `on-plugin-start`.
    pub const ON_PLUGIN_START: u32 = 0;
    /// `on-context-create`.
    pub const ON_CONTEXT_CREATE: u32 = 1;
    /// `on-request-headers`.
    pub const ON_REQUEST_HEADERS: u32 = 2;
    /// `on-request-body`.
    pub const ON_REQUEST_BODY: u32 = 3;
    /// `on-request-trailers`.
    pub const ON_REQUEST_TRAILERS: u32 = 4;
    /// `on-response-headers`.
    pub const ON_RESPONSE_HEADERS: u32 = 5;
    /// `on-response-body`.
    pub const ON_RESPONSE_BODY: u32 = 6;
    /// `on-response-trailers`.
    pub const ON_RESPONSE_TRAILERS: u32 = 7;
    /// `on-request-done`.
    pub const ON_REQUEST_DONE: u32 = 8;
    /// `on-tick`.
    pub const ON_TICK: u32 = 9;
    /// `on-http-call-response`.
    pub const ON_HTTP_CALL_RESPONSE: u32 = 10;
    /// `on-redis-call-response`.
    pub const ON_REDIS_CALL_RESPONSE: u32 = 11;
    /// `on-queue-ready`.
    pub const ON_QUEUE_READY: u32 = 12;
}

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
