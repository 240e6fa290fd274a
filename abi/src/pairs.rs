//! proxy-wasm's serialized pair map (header maps, HTTP-call headers,
//! map-valued properties, Higress's upstream hosts): `u32` count, `count ×
//! (u32 key length, u32 value length)`, then every key and value followed
//! by a NUL byte; all little-endian. An empty input is an empty map (hosts
//! and guests send size 0 for "none").

use alloc::vec::Vec;

/// Serializes `pairs`.
pub fn serialize<K: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(K, V)]) -> Vec<u8> {
    let size = 4 + pairs
        .iter()
        .map(|(k, v)| 8 + k.as_ref().len() + v.as_ref().len() + 2)
        .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
    for (k, v) in pairs {
        out.extend_from_slice(&(k.as_ref().len() as u32).to_le_bytes());
        out.extend_from_slice(&(v.as_ref().len() as u32).to_le_bytes());
    }
    for (k, v) in pairs {
        out.extend_from_slice(k.as_ref());
        out.push(0);
        out.extend_from_slice(v.as_ref());
        out.push(0);
    }
    out
}

/// Why bytes are not a serialized pair map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairsError {
    /// The data ends before what the counts and lengths announce.
    Truncated,
    /// The count is more than the data could hold.
    CountTooLarge,
}

/// A key and its value, borrowed from the serialized map.
pub type Pair<'a> = (&'a [u8], &'a [u8]);

/// The pairs in `data`, borrowed from it.
pub fn deserialize(data: &[u8]) -> Result<Vec<Pair<'_>>, PairsError> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let word = |at: usize| -> Result<usize, PairsError> {
        let bytes = data.get(at..at + 4).ok_or(PairsError::Truncated)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize)
    };
    let count = word(0)?;
    if count > data.len() / 8 {
        return Err(PairsError::CountTooLarge);
    }
    let mut at = 4 + count * 8;
    let mut pairs = Vec::with_capacity(count);
    for i in 0..count {
        let (klen, vlen) = (word(4 + i * 8)?, word(8 + i * 8)?);
        let mut take = |len: usize| -> Result<&[u8], PairsError> {
            // On wasm32 (the SDK) a length near 4 GiB overflows `usize`.
            let end = at.checked_add(len).ok_or(PairsError::Truncated)?;
            let bytes = data.get(at..end).ok_or(PairsError::Truncated)?;
            at += len + 1;
            Ok(bytes)
        };
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
    fn pairs_round_trip() {
        let pairs: [(&[u8], &[u8]); 2] = [(b":path", b"/x"), (b"a", b"")];
        let bytes = serialize(&pairs);
        assert_eq!(&bytes[..4], &2u32.to_le_bytes());
        assert_eq!(deserialize(&bytes).unwrap(), pairs);
        assert_eq!(
            deserialize(&bytes[..bytes.len() - 3]),
            Err(PairsError::Truncated)
        );
        assert_eq!(deserialize(&[9, 0, 0, 0]), Err(PairsError::CountTooLarge));
        assert!(deserialize(&[]).unwrap().is_empty());
    }
}
