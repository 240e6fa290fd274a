//! Header bytes that are not UTF-8 (HTTP allows obs-text; Envoy passes it
//! on) reach the plugin as valid UTF-8 strings: each byte that does not
//! start or continue a valid sequence becomes `?`, valid sequences stay.
//! Rust guests lift strings unchecked in release builds, so without this a
//! crafted header would put an invalid `String` in the plugin.

use crate::common;

use anyhow::Result;
use common::host::{f, instantiate};
use gatewit_adapter::adapt;

/// One map of one pair, serialized as proxy-wasm does.
fn pairs(key: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = 1u32.to_le_bytes().to_vec();
    out.extend((key.len() as u32).to_le_bytes());
    out.extend((value.len() as u32).to_le_bytes());
    for part in [key, value] {
        out.extend(part);
        out.push(0);
    }
    out
}

#[test]
fn header_values_reach_the_plugin_as_valid_utf8() -> Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/minimal");
    let component = common::component(
        &std::fs::read_to_string(dir.join("module.wat"))?,
        None,
        "plugin",
    )?;
    let module = adapt(&component, &common::options())?.module;
    let (mut s, i) = instantiate(&module)?;
    let headers = f::<(i32, i32, i32), i32>(&mut s, &i, "proxy_on_request_headers");
    // The `minimal` plugin copies `x-name` into `x-hello`.
    let cases: [(&[u8], &str); 9] = [
        (
            b"plain ascii value, longer than eight",
            "plain ascii value, longer than eight",
        ),
        ("café crème ✓ 𝄞".as_bytes(), "café crème ✓ 𝄞"),
        (b"caf\xe9", "caf?"),
        (
            b"\xff\xfe ascii after bad bytes, long enough",
            "?? ascii after bad bytes, long enough",
        ),
        (b"cut \xe2\x82", "cut ??"),
        (b"overlong \xc0\xaf", "overlong ??"),
        (b"surrogate \xed\xa0\x80", "surrogate ???"),
        (b"too high \xf4\x90\x80\x80", "too high ????"),
        (b"lone continuation \x80 mid", "lone continuation ? mid"),
    ];
    for (n, (raw, expected)) in cases.iter().enumerate() {
        s.data_mut().raw_pairs.insert(0, pairs(b"x-name", raw));
        s.data_mut().added.clear();
        assert_eq!(headers.call(&mut s, (n as i32 + 2, 1, 1))?, 0);
        // The test host reads what the plugin wrote back as UTF-8 (it
        // panics on anything else).
        assert_eq!(
            s.data().added,
            vec![(0, "x-hello".to_string(), expected.to_string())],
            "{raw:x?}"
        );
    }
    Ok(())
}
