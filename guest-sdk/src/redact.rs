//! Configuration errors reach the gateway's log: they must never carry a
//! secret from the configuration, nor a whole (possibly huge) config.

use serde_json::Value;

/// Keys whose values are secrets, matched case-insensitively as substrings
/// (`redis_password`, `apiKey`, `client-secret`, …).
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
    "private_key",
    "privatekey",
];

/// The longest error message passed on, in bytes.
const MAX_MESSAGE: usize = 1024;

/// `message` with every secret value of the configuration `raw` replaced
/// by `<redacted>`, and cut to [`MAX_MESSAGE`] bytes.
pub(crate) fn config_error(message: String, raw: &[u8]) -> String {
    let mut secrets = Vec::new();
    if let Ok(root) = serde_json::from_slice::<Value>(raw) {
        collect(&root, false, &mut secrets);
    }
    let mut message = message;
    // Longest first, so a secret containing another is replaced whole.
    // Picked one at a time rather than sorted: a configuration has a few
    // secrets, and the gateway compiles a sort's code at start-up for every
    // plugin, though it runs only when a configuration fails.
    while let Some(at) = (0..secrets.len()).max_by_key(|&i| secrets[i].len()) {
        let secret = secrets.swap_remove(at);
        if secret.len() >= 3 {
            message = message.replace(secret.as_str(), "<redacted>");
        }
    }
    if message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        let rest = message.len() - cut;
        message.truncate(cut);
        message.push_str(&format!("… ({rest} more bytes)"));
    }
    message
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| key.contains(s))
}

/// Every scalar under a secret key (at any depth below it), as text.
fn collect(value: &Value, secret: bool, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, secret || is_secret_key(k), out);
            }
        }
        Value::Array(items) => {
            for v in items {
                collect(v, secret, out);
            }
        }
        Value::String(s) if secret => out.push(s.clone()),
        Value::Number(n) if secret => out.push(n.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::config_error;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let raw = br#"{"redis": {"password": "hunter2", "service": "r"},
                       "auth": [{"apiKey": "k-123456"}], "pin": {"token": 987654}}"#;
        let message = "bad value `hunter2` near `k-123456` and 987654; service `r`".to_string();
        assert_eq!(
            config_error(message, raw),
            "bad value `<redacted>` near `<redacted>` and <redacted>; service `r`"
        );
    }

    #[test]
    fn a_secret_containing_another_is_replaced_whole() {
        let raw = br#"{"token": "abc", "x": {"secret": "abcdef"}, "password": "zzz"}"#;
        let message = "got abcdef, then abc and zzz".to_string();
        assert_eq!(
            config_error(message, raw),
            "got <redacted>, then <redacted> and <redacted>"
        );
    }

    #[test]
    fn long_messages_are_cut() {
        let message = "x".repeat(5000);
        let cut = config_error(message, b"not json");
        assert!(cut.starts_with(&"x".repeat(1024)) && cut.ends_with("… (3976 more bytes)"));
    }
}
