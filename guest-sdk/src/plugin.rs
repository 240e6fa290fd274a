//! The [`Plugin`] trait and the actions phases return.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::HttpContext;
use crate::shared_data::SharedQueue;

/// What the gateway does after a header phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HeaderAction {
    /// Pass the headers on.
    #[default]
    Continue,
    /// Stop until [`HttpContext::resume_request`] /
    /// [`HttpContext::resume_response`] or a local reply.
    Pause,
    /// Higress: continue, and end the stream after the headers.
    ContinueAndEndStream,
    /// Higress: stop all iteration and buffer the body.
    StopAllAndBuffer,
    /// Higress: stop all iteration, buffering up to the watermark.
    StopAllAndWatermark,
}

/// What the gateway does after a body phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DataAction {
    /// Pass the body on.
    #[default]
    Continue,
    /// Keep the body buffered and wait (resume with
    /// [`HttpContext::resume_request`] / [`HttpContext::resume_response`]).
    Pause,
    /// Higress: stop, buffering up to the watermark.
    StopAndWatermark,
    /// Higress: stop without buffering.
    StopNoBuffer,
}

/// Bits of the `gatewit:hooks` custom section (see `wit/README.md`) plus
/// the SDK's own flags above bit 15, which never reach the section.
pub mod hooks {
    use gatewit_abi::Callback;

    /// `on-plugin-start`.
    pub const PLUGIN_START: u32 = Callback::PluginStart.bit();
    /// `on-context-create`.
    pub const CONTEXT_CREATE: u32 = Callback::ContextCreate.bit();
    /// `on-request-headers`.
    pub const REQUEST_HEADERS: u32 = Callback::RequestHeaders.bit();
    /// `on-request-body`.
    pub const REQUEST_BODY: u32 = Callback::RequestBody.bit();
    /// `on-request-trailers`.
    pub const REQUEST_TRAILERS: u32 = Callback::RequestTrailers.bit();
    /// `on-response-headers`.
    pub const RESPONSE_HEADERS: u32 = Callback::ResponseHeaders.bit();
    /// `on-response-body`.
    pub const RESPONSE_BODY: u32 = Callback::ResponseBody.bit();
    /// `on-response-trailers`.
    pub const RESPONSE_TRAILERS: u32 = Callback::ResponseTrailers.bit();
    /// `on-request-done`.
    pub const REQUEST_DONE: u32 = Callback::RequestDone.bit();
    /// `on-tick`.
    pub const TICK: u32 = Callback::Tick.bit();
    /// `on-http-call-response`.
    pub const HTTP_CALL_RESPONSE: u32 = Callback::HttpCallResponse.bit();
    /// `on-redis-call-response`.
    pub const REDIS_CALL_RESPONSE: u32 = Callback::RedisCallResponse.bit();
    /// `on-queue-ready`.
    pub const QUEUE_READY: u32 = Callback::QueueReady.bit();
    /// Every callback bit: what the section means when it is absent.
    pub const ALL_CALLBACKS: u32 = gatewit_abi::ALL_CALLBACKS;

    pub use gatewit_abi::sdk_flags::*;

    /// The section value for a set of SDK flags: only callback bits.
    pub const fn section(bits: u32) -> u32 {
        bits & ALL_CALLBACKS
    }
}

/// Context of [`Plugin::on_plugin_start`]: the parsed configuration and
/// plugin-level services.
pub struct PluginContext<'a, C> {
    pub(crate) global: Option<&'a C>,
    pub(crate) raw: &'a [u8],
    pub(crate) plugin_id: &'a str,
}

impl<C> PluginContext<'_, C> {
    /// The global configuration; `None` when the configuration only has
    /// `_rules_`.
    pub fn global_config(&self) -> Option<&C> {
        self.global
    }

    /// The configuration bytes as the gateway sent them.
    pub fn raw_config(&self) -> &[u8] {
        self.raw
    }

    /// The `_plugin_id_` of the configuration (empty if none).
    pub fn plugin_id(&self) -> &str {
        self.plugin_id
    }

    /// Run `f` every `period_ms` milliseconds; see [`crate::register_tick`].
    pub fn register_tick(&mut self, period_ms: u32, f: impl FnMut() + 'static) {
        crate::register_tick(period_ms, f)
    }

    /// Ask the gateway for a fresh plugin instance every `requests`
    /// requests (counted at their headers; 0: never), by setting property
    /// `wasm_need_rebuild`: Higress's gateway acts on it, stock Envoy
    /// ignores it. Go's `WithRebuildAfterRequests`.
    pub fn rebuild_after_requests(&mut self, requests: u64) {
        crate::rebuild::after_requests(requests);
    }

    /// The same once the plugin's linear memory reaches `bytes` (checked
    /// at each request's headers; 0: never). Go's `WithRebuildMaxMemBytes`.
    pub fn rebuild_max_memory_bytes(&mut self, bytes: u64) {
        crate::rebuild::max_memory_bytes(bytes);
    }
}

/// Deserialize a config from JSON with serde, naming the top-level key at
/// fault in the error (serde's own messages for a mistyped value do not).
pub fn parse_json<C: DeserializeOwned>(json: &Value) -> Result<C, String> {
    let err = match C::deserialize(json) {
        Ok(c) => return Ok(c),
        Err(e) => e.to_string(),
    };
    if err.starts_with("missing field") {
        return Err(err);
    }
    // Only on the error path: find the first key whose removal changes
    // the outcome; that key holds the bad value.
    if let Value::Object(map) = json {
        for key in map.keys() {
            let mut without = map.clone();
            without.remove(key);
            let changed = match C::deserialize(&Value::Object(without)) {
                Ok(_) => true,
                Err(e) => e.to_string() != err,
            };
            if changed {
                return Err(format!("invalid value for `{key}`: {err}"));
            }
        }
    }
    Err(err)
}

/// Configuration type for plugins that take none: accepts any JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoConfig;

impl<'de> serde::Deserialize<'de> for NoConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| NoConfig)
    }
}

/// A gateway plugin. Implement it on a (usually empty) type and put
/// [`#[gatewit_sdk::plugin]`](macro@crate::plugin) on the `impl` block.
///
/// Every phase method has a default that lets the request through; the
/// attribute records which methods the `impl` defines, and only those are
/// called (and asked of the host).
pub trait Plugin: Sized + 'static {
    /// The typed configuration: the global config, and each rule's config
    /// (global keys overridden by the rule's).
    type Config: DeserializeOwned + 'static;

    /// Build a config from its JSON (the global one, or a rule's). The
    /// default deserializes with serde; an error fails the configuration
    /// with its message.
    fn parse_config(json: &Value) -> Result<Self::Config, String> {
        parse_json(json)
    }

    /// Build a rule's config. The default is Higress's `ParseConfig`: the
    /// rule's own JSON alone (match keys removed), parsed with
    /// [`Self::parse_config`], so a rule does not inherit the global keys.
    /// Override it for Higress's `ParseOverrideConfig` form: `merged` is the
    /// global JSON with the rule's keys on top, `global` the parsed global
    /// config (`None` with rules only, or when it failed to parse).
    fn parse_rule_config(
        global: Option<&Self::Config>,
        merged: &Value,
        rule: &Value,
    ) -> Result<Self::Config, String> {
        let _ = (global, merged);
        Self::parse_config(rule)
    }

    /// Called once the configuration is parsed, at start and on every
    /// reload: register tick functions, initialize clients. An error fails
    /// the configuration.
    fn on_plugin_start(ctx: &mut PluginContext<'_, Self::Config>) -> Result<(), String> {
        let _ = ctx;
        Ok(())
    }

    /// The request headers arrived.
    fn on_request_headers(ctx: &mut HttpContext, config: &Self::Config) -> HeaderAction {
        let _ = (ctx, config);
        HeaderAction::Continue
    }

    /// Buffered mode: the whole request body, once the stream ended.
    fn on_request_body(ctx: &mut HttpContext, config: &Self::Config, body: &[u8]) -> DataAction {
        let _ = (ctx, config, body);
        DataAction::Continue
    }

    /// Streaming mode: one request body chunk; the return value replaces it.
    fn on_streaming_request_body(
        ctx: &mut HttpContext,
        config: &Self::Config,
        chunk: Vec<u8>,
        is_last: bool,
    ) -> Vec<u8> {
        let _ = (ctx, config, is_last);
        chunk
    }

    /// The response headers arrived.
    fn on_response_headers(ctx: &mut HttpContext, config: &Self::Config) -> HeaderAction {
        let _ = (ctx, config);
        HeaderAction::Continue
    }

    /// Buffered mode: the whole response body, once the stream ended.
    fn on_response_body(ctx: &mut HttpContext, config: &Self::Config, body: &[u8]) -> DataAction {
        let _ = (ctx, config, body);
        DataAction::Continue
    }

    /// Streaming mode: one response body chunk; the return value replaces it.
    fn on_streaming_response_body(
        ctx: &mut HttpContext,
        config: &Self::Config,
        chunk: Vec<u8>,
        is_last: bool,
    ) -> Vec<u8> {
        let _ = (ctx, config, is_last);
        chunk
    }

    /// The request is finished (answered, failed or reset): log, clean up.
    fn on_stream_done(ctx: &mut HttpContext, config: &Self::Config) {
        let _ = (ctx, config);
    }

    /// Items were enqueued into `queue`, a shared queue this plugin
    /// registered with [`SharedQueue::register`] (proxy-wasm
    /// `on_queue_ready`). Plugin level: no request is current. Dequeue
    /// until [`SharedQueue::dequeue`] returns `None`: the host calls this
    /// once for a batch of items, not once per item.
    fn on_queue_ready(queue: SharedQueue) {
        let _ = queue;
    }

    /// Set by `#[gatewit_sdk::plugin]`: which methods the `impl` defines.
    #[doc(hidden)]
    const __HOOKS: u32 = hooks::ALL_CALLBACKS;
    /// Set by `#[gatewit_sdk::plugin]`: the plugin name used in logs.
    #[doc(hidden)]
    const __NAME: &'static str = "";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code, reason = "only deserialized: the test reads its errors")]
    struct Cfg {
        field_name: String,
        #[serde(default)]
        count: u32,
    }

    #[test]
    fn errors_name_the_key() {
        let e = parse_json::<Cfg>(&serde_json::json!({"fieldName": 42})).unwrap_err();
        assert!(
            e.starts_with("invalid value for `fieldName`: invalid type"),
            "{e}"
        );
        let e =
            parse_json::<Cfg>(&serde_json::json!({"fieldName": "x", "count": "no"})).unwrap_err();
        assert!(e.starts_with("invalid value for `count`"), "{e}");
        let e = parse_json::<Cfg>(&serde_json::json!({})).unwrap_err();
        assert_eq!(e, "missing field `fieldName`");
        assert!(parse_json::<NoConfig>(&Value::Null).is_ok());
    }
}
