//! `body-rewrite`: both body modes of the SDK in one plugin.
//!
//! - Request body, **buffered** mode: the whole JSON body gets a field set
//!   (`fieldName` = `fieldValue`); a body that is not a JSON object is
//!   answered with 400.
//! - Response body, **streaming** mode: each chunk is transformed as it
//!   passes: `replaceFrom` → `replaceTo` (a match split across chunks is
//!   still found), or ASCII uppercase when `replaceFrom` is empty.

use gatewit_sdk::{DataAction, HeaderAction, HttpContext, Plugin, log_error};
use serde::Deserialize;
use serde_json::Value;

/// Configuration; every key is optional.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Config {
    /// Field set in JSON request bodies.
    pub field_name: String,
    /// Value of that field (any JSON).
    pub field_value: Value,
    /// Text replaced in response bodies; empty means "uppercase".
    pub replace_from: String,
    /// Replacement text.
    pub replace_to: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            field_name: "gateway".into(),
            field_value: Value::from("gatewit"),
            replace_from: String::new(),
            replace_to: String::new(),
        }
    }
}

/// Key of the bytes held back between response chunks.
const CARRY: &str = "body-rewrite.carry";

/// The plugin.
pub struct BodyRewrite;

/// Rewrite a JSON request body, or say why it cannot be.
pub fn rewrite_json(body: &[u8], config: &Config) -> Result<Vec<u8>, &'static str> {
    let mut json: Value =
        serde_json::from_slice(body).map_err(|_| "request body is not valid JSON")?;
    let Value::Object(map) = &mut json else {
        return Err("request body is not a JSON object");
    };
    map.insert(config.field_name.clone(), config.field_value.clone());
    serde_json::to_vec(&json).map_err(|_| "request body could not be serialized")
}

/// Replace `from` with `to` in `carry + chunk`. Returns the bytes to send
/// now; keeps in `carry` a tail that could be the start of a match (empty
/// on the last chunk).
pub fn replace_streaming(
    carry: &mut Vec<u8>,
    chunk: &[u8],
    from: &[u8],
    to: &[u8],
    is_last: bool,
) -> Vec<u8> {
    let mut data = std::mem::take(carry);
    data.extend_from_slice(chunk);
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i + from.len() <= data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    let rest = &data[i..];
    if is_last {
        out.extend_from_slice(rest);
    } else {
        carry.extend_from_slice(rest);
    }
    out
}

#[gatewit_sdk::plugin]
impl Plugin for BodyRewrite {
    type Config = Config;

    fn on_request_headers(ctx: &mut HttpContext, _config: &Config) -> HeaderAction {
        if ctx.has_request_body() {
            // The rewritten body has another length; the upstream request
            // starts before the body is known.
            if let Err(e) = ctx.remove_request_header("content-length") {
                log_error!("failed to remove request header `content-length`: {e}");
            }
        }
        HeaderAction::Continue
    }

    fn on_request_body(ctx: &mut HttpContext, config: &Config, body: &[u8]) -> DataAction {
        match rewrite_json(body, config) {
            Ok(new_body) => {
                if let Err(e) = ctx.replace_request_body(&new_body) {
                    log_error!("failed to replace the request body: {e}");
                }
            }
            Err(why) => {
                let headers = [("content-type", "text/plain")];
                if let Err(e) = ctx.send_http_response(400, &headers, why) {
                    log_error!("failed to send the local reply: {e}");
                }
            }
        }
        DataAction::Continue
    }

    fn on_response_headers(ctx: &mut HttpContext, config: &Config) -> HeaderAction {
        if config.replace_from.len() != config.replace_to.len()
            && let Err(e) = ctx.remove_response_header("content-length")
        {
            log_error!("failed to remove response header `content-length`: {e}");
        }
        HeaderAction::Continue
    }

    fn on_streaming_response_body(
        ctx: &mut HttpContext,
        config: &Config,
        mut chunk: Vec<u8>,
        is_last: bool,
    ) -> Vec<u8> {
        if config.replace_from.is_empty() {
            chunk.make_ascii_uppercase();
            return chunk;
        }
        let mut carry = ctx
            .get_mut::<Vec<u8>>(CARRY)
            .map(std::mem::take)
            .unwrap_or_default();
        let out = replace_streaming(
            &mut carry,
            &chunk,
            config.replace_from.as_bytes(),
            config.replace_to.as_bytes(),
            is_last,
        );
        ctx.set(CARRY, carry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rewrite() {
        let c = Config::default();
        assert_eq!(
            rewrite_json(br#"{"a":1}"#, &c).unwrap(),
            br#"{"a":1,"gateway":"gatewit"}"#.to_vec()
        );
        assert_eq!(
            rewrite_json(b"nope", &c),
            Err("request body is not valid JSON")
        );
        assert_eq!(
            rewrite_json(b"[1]", &c),
            Err("request body is not a JSON object")
        );
    }

    #[test]
    fn streaming_replace_across_chunks() {
        let mut carry = Vec::new();
        let mut out = Vec::new();
        for (chunk, last) in [
            (&b"say hel"[..], false),
            (b"lo, hello", false),
            (b"!", true),
        ] {
            out.extend(replace_streaming(&mut carry, chunk, b"hello", b"bye", last));
        }
        assert_eq!(out, b"say bye, bye!".to_vec());
        assert!(carry.is_empty());
        let mut carry = Vec::new();
        assert_eq!(
            replace_streaming(&mut carry, b"hel", b"hello", b"x", true),
            b"hel"
        );
    }
}
