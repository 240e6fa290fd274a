//! `route-call`: Higress's `RouteCall` with the gatewit SDK.
//!
//! `POST /ask` with `{"question": "..."}` is not sent upstream as is: from
//! the request body phase the plugin reroutes it, on the same route, to
//! `answerUrl` with `method`, a JSON body `{"model": ..., "prompt": ...}`
//! and header `x-route-call: ask`; the upstream's answer `{"answer": ...}`
//! comes back to a callback, which turns it into the client's answer
//! `{"answer": ..., "question": ...}` (header `x-route-call: answered`).
//! A `2xx` answer without a body goes to the client as is, marked
//! `x-route-call: no-content`; any other answer becomes a local `502`.
//!
//! Every other request passes through; its response gets
//! `x-plugin-response: seen` from the plugin's own response phase, which a
//! route call replaces (so rerouted answers never carry it).

use gatewit_sdk::{
    DataAction, HeaderAction, HttpContext, Plugin, RouteResponse, log_error, log_info,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Configuration; every key is optional.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Config {
    /// Requests to this path (query ignored) are rerouted.
    pub ask_path: String,
    /// Where they go: a path (same host) or an absolute URL.
    pub answer_url: String,
    /// The method they go with.
    pub method: String,
    /// `model` of the rewritten body.
    pub model: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ask_path: "/ask".into(),
            answer_url: "/v1/answer".into(),
            method: "POST".into(),
            model: "demo".into(),
        }
    }
}

/// Why a request body cannot be asked upstream.
pub const BAD_QUESTION: &str = "request body must be a JSON object with a string `question`";

/// The question of a client body `{"question": "..."}`.
pub fn question_of(body: &[u8]) -> Result<String, &'static str> {
    let json: Value = serde_json::from_slice(body).map_err(|_| BAD_QUESTION)?;
    json.get("question")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(BAD_QUESTION)
}

/// The body the upstream gets.
pub fn route_body(model: &str, question: &str) -> Vec<u8> {
    json!({"model": model, "prompt": question})
        .to_string()
        .into_bytes()
}

/// The client's body for an upstream answer `{"answer": ...}`, if it is one.
pub fn client_body(question: &str, upstream: &[u8]) -> Option<Vec<u8>> {
    let json: Value = serde_json::from_slice(upstream).ok()?;
    let answer = json.get("answer")?;
    Some(
        json!({"answer": answer, "question": question})
            .to_string()
            .into_bytes(),
    )
}

/// The path without its query.
fn bare_path(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or_default()
}

/// The route call's callback: the upstream's answer → the client's.
fn answer(ctx: &mut HttpContext, response: RouteResponse, question: &str) {
    if response.status == 200
        && let Some(body) = client_body(question, &response.body)
    {
        let result = ctx
            .replace_response_body(&body)
            .and_then(|()| ctx.replace_response_header("content-type", "application/json"))
            .and_then(|()| ctx.replace_response_header("x-route-call", "answered"));
        if let Err(e) = result {
            log_error!("failed to rewrite the answer: {e}");
        }
        return;
    }
    if (200..300).contains(&response.status) && response.body.is_empty() {
        // Nothing to turn into an answer: the upstream's goes on, marked.
        if let Err(e) = ctx.replace_response_header("x-route-call", "no-content") {
            log_error!("failed to mark the answer: {e}");
        }
        return;
    }
    log_info!("no answer: upstream status {}", response.status);
    let body = json!({"error": "no answer", "upstreamStatus": response.status}).to_string();
    let headers = [
        ("content-type", "application/json"),
        ("x-route-call", "failed"),
    ];
    if let Err(e) = ctx.send_http_response(502, &headers, body) {
        log_error!("failed to send the local reply: {e}");
    }
}

/// The plugin.
pub struct RouteCallPlugin;

#[gatewit_sdk::plugin(name = "route-call")]
impl Plugin for RouteCallPlugin {
    type Config = Config;

    fn on_request_headers(ctx: &mut HttpContext, config: &Config) -> HeaderAction {
        if bare_path(&ctx.path()) != config.ask_path {
            ctx.dont_read_request_body();
            return HeaderAction::Continue;
        }
        if !ctx.has_request_body() {
            // No body, so no request body phase: show what the SDK says to
            // a route call from the headers phase.
            if let Err(e) = ctx.route_call(&config.method, &config.answer_url, &[], "", |_, _| {}) {
                log_error!("route call failed: {e}");
                let _ = ctx.send_http_response(400, &[], format!("route call failed: {e}"));
            }
            return HeaderAction::Continue;
        }
        // Hold the headers: the body phase rewrites them.
        HeaderAction::Pause
    }

    fn on_request_body(ctx: &mut HttpContext, config: &Config, body: &[u8]) -> DataAction {
        let question = match question_of(body) {
            Ok(q) => q,
            Err(why) => {
                let _ = ctx.send_http_response(400, &[], why);
                return DataAction::Continue;
            }
        };
        let headers = [
            ("content-type", "application/json"),
            ("x-route-call", "ask"),
        ];
        let new_body = route_body(&config.model, &question);
        let started = ctx.route_call(
            &config.method,
            &config.answer_url,
            &headers,
            new_body,
            move |ctx, response| answer(ctx, response, &question),
        );
        if let Err(e) = started {
            log_error!("route call failed: {e}");
            let _ = ctx.send_http_response(500, &[], format!("route call failed: {e}"));
        }
        DataAction::Continue
    }

    fn on_response_headers(ctx: &mut HttpContext, _config: &Config) -> HeaderAction {
        // Not called for rerouted requests: the route call's callback is.
        let _ = ctx.replace_response_header("x-plugin-response", "seen");
        HeaderAction::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions() {
        assert_eq!(
            question_of(br#"{"question":"why?"}"#),
            Ok("why?".to_string())
        );
        assert_eq!(question_of(b"nope"), Err(BAD_QUESTION));
        assert_eq!(question_of(br#"{"question":1}"#), Err(BAD_QUESTION));
    }

    #[test]
    fn bodies() {
        assert_eq!(
            route_body("demo", "why?"),
            br#"{"model":"demo","prompt":"why?"}"#.to_vec()
        );
        assert_eq!(
            client_body("why?", br#"{"answer":"because"}"#),
            Some(br#"{"answer":"because","question":"why?"}"#.to_vec())
        );
        assert_eq!(client_body("why?", b"{}"), None);
        assert_eq!(bare_path("/ask?x=1"), "/ask");
    }
}
