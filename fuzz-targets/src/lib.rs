//! The bodies of gatewit's fuzz targets. `fuzz/` runs them under libFuzzer
//! (`scripts/fuzz.sh`, long runs); `tests/short_pass.rs` runs them over the
//! seeds and a few thousand deterministic mutations in the test suite.
//! Each panics on a finding: a panic in the code under test, or a result
//! that breaks its contract.
#![deny(missing_docs)]

use gatewit_adapter::{AdaptError, Options, adapt as adapt_component};

pub mod differential;
pub use differential::differential;

/// `gatewit_adapter::adapt` on arbitrary bytes: never a panic; an output is
/// valid (adapt verifies every output itself); "failed verification" is
/// reserved for adapter bugs, so a malformed or unsupported input must come
/// back as an input error. Small inputs (the hand-written compositions and
/// their mutants) are adapted with `check_bounds` too.
pub fn adapt(data: &[u8]) {
    let checked = Options {
        check_bounds: true,
        ..Options::default()
    };
    let runs: &[Options] = if data.len() < 64 << 10 {
        &[Options::default(), checked]
    } else {
        &[Options::default()]
    };
    for options in runs {
        if let Err(AdaptError::Verify(why)) = adapt_component(data, options) {
            panic!("adapter bug: output failed verification: {why}");
        }
    }
}

/// Components that no toolchain of the workspace emits but the adapter
/// handles, for `adapt`'s seeds: the adapter's hand-written golden
/// components (the link step's several modules sharing one memory).
pub fn adapt_extra_seeds() -> anyhow::Result<Vec<Vec<u8>>> {
    let golden = gatewit_test_programs::workspace_root().join("adapter/tests/golden");
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(&golden)? {
        let path = entry?.path().join("component.wat");
        if path.is_file() {
            seeds.push(wat::parse_file(&path)?);
        }
    }
    anyhow::ensure!(
        !seeds.is_empty(),
        "no `component.wat` under `{}`",
        golden.display()
    );
    Ok(seeds)
}

/// The SDK's RESP parser on arbitrary bytes: never a panic; a reply that
/// parses is the whole input.
pub fn resp(data: &[u8]) {
    let _ = gatewit_sdk::redis::parse_reply(data);
}

/// proxy-wasm's pair-map decoding (header maps, call headers, map-valued
/// properties; the SDK and the emulator read hosts' maps with it) on
/// arbitrary bytes: never a panic; a map that decodes re-encodes to one
/// that decodes the same.
pub fn pairs(data: &[u8]) {
    use gatewit_abi::pairs::{deserialize, serialize};
    if let Ok(pairs) = deserialize(data) {
        let again = serialize(&pairs);
        assert_eq!(
            deserialize(&again).as_deref(),
            Ok(pairs.as_slice()),
            "a decoded map does not survive re-encoding"
        );
    }
}

/// Seeds for the pair-map decoder: empty, one pair, several, truncated,
/// and counts and lengths past the data.
pub fn pairs_seeds() -> Vec<Vec<u8>> {
    let mut seeds = vec![
        Vec::new(),
        gatewit_abi::pairs::serialize(&[(":path", "/x")]),
        gatewit_abi::pairs::serialize(&[
            (":method", "GET"),
            ("a", ""),
            ("", "b"),
            ("x-dup", "1"),
            ("x-dup", "2"),
        ]),
        vec![9, 0, 0, 0],
        vec![1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, b'k', 0],
    ];
    let full = gatewit_abi::pairs::serialize(&[("key", "value")]);
    seeds.push(full[..full.len() - 3].to_vec());
    seeds
}

/// The SDK's plugin-configuration parsing (`_rules_`, matchers, overrides)
/// on arbitrary bytes: never a panic; an error message stays short and
/// never quotes a secret of the configuration.
pub fn config(data: &[u8]) {
    let Err(message) = gatewit_sdk::__private::parse_for_fuzzing(data) else {
        return;
    };
    assert!(
        message.len() <= 1100,
        "a configuration error of {} bytes",
        message.len()
    );
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let mut secrets = Vec::new();
        secret_values(&value, false, &mut secrets);
        for secret in secrets.iter().filter(|s| s.len() >= 3) {
            assert!(
                !message.contains(secret.as_str()),
                "the error quotes secret `{secret}`: {message}"
            );
        }
    }
}

/// The values under `password`/`token` keys, found independently of the
/// SDK's redaction (an oracle must not share the code it checks).
fn secret_values(value: &serde_json::Value, secret: bool, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = k.to_ascii_lowercase();
                secret_values(
                    v,
                    secret || key.contains("password") || key.contains("token"),
                    out,
                );
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secret_values(v, secret, out)),
        Value::String(s) if secret => out.push(s.clone()),
        _ => {}
    }
}

/// Deterministic mutations of seeds, for the short pass (libFuzzer does
/// better in long runs).
pub struct Mutator {
    state: u64,
}

impl Mutator {
    /// A mutator whose sequence depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Mutator { state: seed | 1 }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// One mutant of `seeds[k]` for a random `k`: byte flips, interesting
    /// bytes, a truncation, a duplicated or deleted range, or a splice with
    /// another seed.
    pub fn mutate(&mut self, seeds: &[Vec<u8>]) -> Vec<u8> {
        let mut data = seeds[self.below(seeds.len())].clone();
        for _ in 0..1 + self.below(4) {
            let len = data.len();
            match self.below(6) {
                0 if len > 0 => {
                    let at = self.below(len);
                    data[at] ^= 1 << self.below(8);
                }
                1 if len > 0 => {
                    let at = self.below(len);
                    data[at] = [0x00, 0x01, 0x7f, 0x80, 0xff, b'"', b'{', b'['][self.below(8)];
                }
                2 if len > 0 => data.truncate(self.below(len)),
                3 if len > 0 => {
                    let from = self.below(len);
                    let to = (from + 1 + self.below(64)).min(len);
                    let copy = data[from..to].to_vec();
                    let at = self.below(len);
                    data.splice(at..at, copy);
                }
                4 if len > 0 => {
                    let from = self.below(len);
                    let to = (from + 1 + self.below(64)).min(len);
                    data.drain(from..to);
                }
                _ => {
                    let other = &seeds[self.below(seeds.len())];
                    let cut = self.below(data.len() + 1);
                    let from = self.below(other.len() + 1);
                    data.truncate(cut);
                    data.extend_from_slice(&other[from..]);
                }
            }
        }
        data
    }
}

/// Seeds for the RESP parser: every reply type, nested, and broken ones.
pub fn resp_seeds() -> Vec<Vec<u8>> {
    [
        &b"+OK\r\n"[..],
        b"-ERR wrong type\r\n",
        b":1234\r\n",
        b"$5\r\nhello\r\n",
        b"$-1\r\n",
        b"*2\r\n$3\r\nfoo\r\n:7\r\n",
        b"*-1\r\n",
        b"*3\r\n*1\r\n+a\r\n$0\r\n\r\n-e\r\n",
        b"$10\r\nshort\r\n",
        b"*99999999999\r\n",
        b":\r\n",
    ]
    .iter()
    .map(|s| s.to_vec())
    .collect()
}

/// Seeds for configuration parsing: the shapes Higress's control plane
/// sends, secrets included.
pub fn config_seeds() -> Vec<Vec<u8>> {
    [
        &br#"{}"#[..],
        br#"{"name": "x", "mockEnable": true}"#,
        br#"{"redis": {"serviceName": "r.dns", "password": "hunter22"}, "qpm": 10}"#,
        br#"{"_rules_": [{"_match_route_": ["route-a"], "k": 1}, {"_match_domain_": ["*.example.com", "example.com"], "token": "s3cr3t-tok"}]}"#,
        br#"{"global": 1, "_rules_": [{"_match_service_": ["svc.ns.svc.cluster.local:80"], "x": [1, 2]}, {"_match_route_prefix_": ["route-"], "y": null}]}"#,
        br#"{"_rules_": []}"#,
        br#"{"_plugin_id_": "p1", "_rules_": [{"_match_route_": "not-a-list"}]}"#,
        br#"[1, 2, 3]"#,
        b"",
    ]
    .iter()
    .map(|s| s.to_vec())
    .collect()
}
