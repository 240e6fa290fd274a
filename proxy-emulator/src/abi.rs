//! proxy-wasm v0.2.1 constants and the header-map wire format.

use anyhow::Context;
use gatewit_host_shim::exchange::HeaderList;

// The numbers themselves live once, in `gatewit-abi`.
pub(crate) use gatewit_abi::proxy::{buffer, map, status};

/// Serializes `pairs` as proxy-wasm does (`gatewit_abi::pairs`).
pub(crate) fn serialize_pairs(pairs: &HeaderList) -> Vec<u8> {
    gatewit_abi::pairs::serialize(pairs)
}

/// Parses the serialized form back, as UTF-8 names and values.
pub(crate) fn deserialize_pairs(data: &[u8]) -> anyhow::Result<HeaderList> {
    let pairs = gatewit_abi::pairs::deserialize(data)
        .map_err(|e| anyhow::anyhow!("not a serialized header map: {e:?}"))?;
    pairs
        .into_iter()
        .map(|(k, v)| {
            let text = |b: &[u8]| {
                String::from_utf8(b.to_vec()).context("a header name or value is not UTF-8")
            };
            Ok((text(k)?, text(v)?))
        })
        .collect()
}
