//! The per-request work of the body bench plugins (`floor-body`,
//! `crate-body`, `gatewit-body`), written once so the three differ only in
//! how they reach Envoy:
//!
//! - request body, **buffered**: the whole body is a JSON object; its
//!   `model` field is set to [`MODEL`] (an AI-gateway style rewrite);
//! - response body, **streaming**: every chunk is ASCII-uppercased as it
//!   passes, nothing held back.
//!
//! The bench driver checks both on every answer: the upstream reports the
//! length of the body it received, and no lowercase letter may reach the
//! client.
#![deny(missing_docs)]

use serde_json::Value;

/// The value the rewrite gives `model`.
pub const MODEL: &str = "gatewit";

/// The response header carrying the plugin's linear memory size in 64 KiB
/// pages, so the driver can see that memory stays flat across a run.
pub const PAGES_HEADER: &str = "x-bench-pages";

/// Sets `model` in a JSON object body; `None` when the body is not one.
pub fn rewrite_json(body: &[u8]) -> Option<Vec<u8>> {
    let mut json: Value = serde_json::from_slice(body).ok()?;
    json.as_object_mut()?
        .insert("model".to_owned(), Value::from(MODEL));
    // Sized up front: grown by doubling, a 100 MiB body would hold 128 MiB
    // and copy itself on the way.
    let mut out = Vec::with_capacity(body.len() + MODEL.len());
    serde_json::to_writer(&mut out, &json).ok()?;
    Some(out)
}

/// The streaming transform, in place.
pub fn uppercase(chunk: &mut [u8]) {
    chunk.make_ascii_uppercase();
}

/// The linear memory's size in pages (0 off wasm, where there is none to
/// report).
pub fn memory_pages() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_model_and_refuses_non_objects() {
        let out = rewrite_json(br#"{"model":"bench","messages":[]}"#).unwrap();
        assert_eq!(out, br#"{"model":"gatewit","messages":[]}"#);
        assert_eq!(rewrite_json(b"[1]"), None);
        assert_eq!(rewrite_json(b"nope"), None);
    }

    #[test]
    fn uppercases_ascii_only() {
        let mut chunk = *b"abc-\xc3\xa9z";
        uppercase(&mut chunk);
        assert_eq!(&chunk, b"ABC-\xc3\xa9Z");
    }
}
