//! User attributes in the access log, byte for byte as Higress's Go wrapper
//! writes them (`WriteUserAttributeToLogWithKey`, `MarshalStr`): the
//! property holds the attributes' JSON **escaped as the body of a JSON
//! string**, because Higress's access-log format embeds it between quotes
//! (`"ai_log":"%FILTER_STATE(wasm.ai_log:PLAIN)%"`). Raw JSON there would
//! make the whole log line invalid JSON, and Go and Rust plugins sharing a
//! key (`ai_log`) must read each other's values.
//!
//! Go's `encoding/json` is the reference: map keys sorted, `<`, `>`, `&`,
//! U+2028 and U+2029 escaped, numbers as `float64` prints them.

use serde_json::{Map, Value};

/// The property value for `attributes` merged over `previous` (the
/// property's current value, empty if unset). `Err` when `previous` is not
/// a value this format wrote: Go then leaves the property alone, and so do
/// we.
pub fn merged_value(previous: &[u8], attributes: &Map<String, Value>) -> Result<String, String> {
    let mut merged = if previous.is_empty() {
        Map::new()
    } else {
        let body = String::from_utf8_lossy(previous);
        let text: String = serde_json::from_str(&format!("\"{body}\""))
            .map_err(|e| format!("not an escaped JSON string: {e}"))?;
        serde_json::from_str::<Map<String, Value>>(&text)
            .map_err(|e| format!("not a JSON object: {e}"))?
    };
    for (k, v) in attributes {
        merged.insert(k.clone(), v.clone());
    }
    let mut json = String::new();
    go_json(&Value::Object(merged), &mut json);
    let mut escaped = String::with_capacity(json.len() + 16);
    go_string_body(&json, &mut escaped);
    Ok(escaped)
}

/// `value` as Go's `json.Marshal` writes it: what a Higress plugin that
/// answers with `json.Marshal(map[string]string{...})` sends, byte for byte
/// (keys sorted; `<`, `>`, `&`, U+2028 and U+2029 escaped).
pub fn go_json_marshal(value: &Value) -> String {
    let mut out = String::new();
    go_json(value, &mut out);
    out
}

/// `json.Marshal` of a value decoded into `interface{}`.
fn go_json(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => go_number(n, out),
        Value::String(s) => {
            out.push('"');
            go_string_body(s, out);
            out.push('"');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Go sorts map keys; collect in case the map keeps insertion
            // order.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                go_string_body(k, out);
                out.push_str("\":");
                go_json(&map[k], out);
            }
            out.push('}');
        }
    }
}

/// A value as Go's `fmt.Sprint` prints what `encoding/json` decoded:
/// strings bare, numbers as `%v` (`7`, `1.5`, `1e+21`), `<nil>`, arrays as
/// `[a b]`, objects as `map[k:v]` with sorted keys.
pub fn go_sprint(value: &Value) -> String {
    let mut out = String::new();
    sprint_into(value, &mut out);
    out
}

fn sprint_into(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => go_number_in(n, 1e-4, out),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                sprint_into(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("map[");
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                sprint_into(&map[k.as_str()], out);
            }
            out.push(']');
        }
    }
}

/// Numbers as Go's `float64` encoder prints them: integers without a
/// fraction, exponent form from 1e21 up and below 1e-6.
fn go_number(n: &serde_json::Number, out: &mut String) {
    go_number_in(n, 1e-6, out);
}

/// Go's float formatting with the exponent form below `min_plain` (JSON:
/// 1e-6; `fmt`'s `%v`: 1e-4) and from 1e21 up.
fn go_number_in(n: &serde_json::Number, min_plain: f64, out: &mut String) {
    let Some(f) = n.as_f64() else {
        out.push_str(&n.to_string());
        return;
    };
    let abs = f.abs();
    if abs != 0.0 && !(min_plain..1e21).contains(&abs) {
        // Go: strconv 'e' format with the shortest digits, exponent with a
        // sign and at least two digits.
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        out.push_str(mantissa);
        out.push('e');
        out.push(sign);
        if digits.len() < 2 {
            out.push('0');
        }
        out.push_str(digits);
    } else if f.fract() == 0.0 && abs < 1e21 {
        out.push_str(&format!("{f:.0}"));
    } else {
        out.push_str(&f.to_string());
    }
}

/// A string's body as Go's encoder writes it (`HTMLEscape` on).
fn go_string_body(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod sprint_tests {
    use super::go_sprint;
    use serde_json::json;

    #[test]
    fn values_print_as_go_sprint_prints_decoded_json() {
        for (value, go) in [
            (json!("qwen"), "qwen"),
            (json!(7), "7"),
            (json!(1.5), "1.5"),
            (json!(1e21), "1e+21"),
            (json!(0.00001), "1e-05"),
            (json!(0.001), "0.001"),
            (json!(true), "true"),
            (json!(null), "<nil>"),
            (json!([1, "a", [2]]), "[1 a [2]]"),
            (json!({"b": 1, "a": {"c": "d"}}), "map[a:map[c:d] b:1]"),
        ] {
            assert_eq!(go_sprint(&value), go, "{value}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merged_value;
    use serde_json::{Map, Value, json};

    fn attrs(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    /// Vectors worked out from Go's `encoding/json` (`MarshalStr` of
    /// `json.Marshal(map[string]interface{})`).
    #[test]
    fn writes_what_go_writes() {
        let cases = [
            (
                json!({"field1": "value1", "field2": 2}),
                r#"{\"field1\":\"value1\",\"field2\":2}"#,
            ),
            (
                json!({"b": 1.5, "a": [true, null]}),
                r#"{\"a\":[true,null],\"b\":1.5}"#,
            ),
            (
                json!({"q": "a<b & c>\"d\"\n"}),
                r#"{\"q\":\"a\\u003cb \\u0026 c\\u003e\\\"d\\\"\\n\"}"#,
            ),
            (
                json!({"big": 1e21, "small": 0.000001, "tiny": 1e-7}),
                r#"{\"big\":1e+21,\"small\":0.000001,\"tiny\":1e-07}"#,
            ),
            (
                json!({"nested": {"z": 1, "y": "é"}}),
                r#"{\"nested\":{\"y\":\"é\",\"z\":1}}"#,
            ),
        ];
        for (attributes, want) in cases {
            assert_eq!(merged_value(b"", &attrs(attributes)).unwrap(), want);
        }
    }

    #[test]
    fn merges_over_a_value_go_wrote_and_refuses_anything_else() {
        let previous = br#"{\"model\":\"qwen\",\"n\":1}"#;
        let out = merged_value(previous, &attrs(json!({"n": 2, "tokens": 7}))).unwrap();
        assert_eq!(out, r#"{\"model\":\"qwen\",\"n\":2,\"tokens\":7}"#);
        // What gatewit wrote before (raw JSON) is not Go's format.
        assert!(merged_value(br#"{"model":"qwen"}"#, &attrs(json!({}))).is_err());
        assert!(merged_value(b"plain text", &attrs(json!({}))).is_err());
    }
}
