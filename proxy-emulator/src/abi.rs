//! proxy-wasm v0.2.1 constants and the header-map wire format.

use anyhow::{Context, bail};
use gatewit_host_shim::exchange::HeaderList;

// The numbers themselves live once, in `gatewit-abi`.
pub(crate) use gatewit_abi::proxy::{buffer, map, status};

/// Serializes `pairs` as proxy-wasm does: `u32` count, `count × (u32 key
/// length, u32 value length)`, then every key and value NUL-terminated.
pub(crate) fn serialize_pairs(pairs: &HeaderList) -> Vec<u8> {
    let size = 4 + pairs
        .iter()
        .map(|(k, v)| 8 + k.len() + v.len() + 2)
        .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (k, v) in pairs {
        out.extend_from_slice(&(k.len() as u32).to_le_bytes());
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
    }
    for (k, v) in pairs {
        out.extend_from_slice(k.as_bytes());
        out.push(0);
        out.extend_from_slice(v.as_bytes());
        out.push(0);
    }
    out
}

/// Parses the serialized form back. An empty input is an empty map (guests
/// send size 0 for "no headers").
pub(crate) fn deserialize_pairs(data: &[u8]) -> anyhow::Result<HeaderList> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let word = |at: usize| -> anyhow::Result<usize> {
        let bytes = data
            .get(at..at + 4)
            .context("serialized header map is truncated")?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
    };
    let count = word(0)?;
    if count > data.len() / 8 {
        bail!(
            "serialized header map claims {count} pairs in {} bytes",
            data.len()
        );
    }
    let mut lens = Vec::with_capacity(count);
    for i in 0..count {
        lens.push((word(4 + i * 8)?, word(8 + i * 8)?));
    }
    let mut at = 4 + count * 8;
    let mut take = |len: usize| -> anyhow::Result<String> {
        let bytes = data
            .get(at..at + len)
            .context("serialized header map is truncated")?;
        at += len + 1;
        String::from_utf8(bytes.to_vec()).context("a header name or value is not UTF-8")
    };
    let mut pairs = Vec::with_capacity(count);
    for (klen, vlen) in lens {
        let k = take(klen)?;
        let v = take(vlen)?;
        pairs.push((k, v));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_roundtrip() {
        let pairs = vec![
            (":path".to_string(), "/x".to_string()),
            ("a".to_string(), String::new()),
        ];
        let bytes = serialize_pairs(&pairs);
        assert_eq!(&bytes[..4], &2u32.to_le_bytes());
        assert_eq!(deserialize_pairs(&bytes).expect("valid map"), pairs);
        assert!(deserialize_pairs(&bytes[..bytes.len() - 3]).is_err());
        assert!(deserialize_pairs(&[]).expect("empty map").is_empty());
    }
}
