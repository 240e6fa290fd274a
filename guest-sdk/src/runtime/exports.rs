//! The exports: the WIT `guest` interface the component exports, each
//! callback handed to the dispatcher or the registries.

use std::any::Any;
use std::marker::PhantomData;
use std::rc::Rc;

use super::{dispatch, instance, registry, ticks};
use crate::bindings::exports::gatewit::plugin::guest::{
    CallFailure as WitCallFailure, Guest, HttpResponse as WitHttpResponse,
};
use crate::bindings::gatewit::plugin::types::{
    BodyAction as WitBodyAction, HeaderAction as WitHeaderAction,
};
use crate::context::Phase;
use crate::host;
use crate::http_client::{CallFailure, HttpResponse};
use crate::plugin::{HeaderAction, Plugin, PluginContext, hooks};
use crate::redis::RedisError;
use crate::rules::RuleSet;
use crate::shared_data::SharedQueue;

/// The exported `guest` interface for plugin `P` (used by the
/// `#[gatewit_sdk::plugin]` expansion).
pub struct Glue<P>(PhantomData<P>);

impl<P: Plugin> Guest for Glue<P> {
    fn on_plugin_start(config: Vec<u8>) -> Result<(), String> {
        instance::set_current(0);
        crate::panic::install_hook();
        instance::set_plugin(P::__NAME, P::__HOOKS);
        // A rejected reload keeps the previous configuration and its ticks.
        let old_ticks = ticks::take();
        let had_ticks = old_ticks.any();
        let old_id = instance::plugin_id();
        let started = RuleSet::<P::Config>::parse(
            &config,
            &mut |v| P::parse_config(v),
            &mut |g, merged, rule| P::parse_rule_config(g, merged, rule),
        )
        .and_then(|set| {
            instance::set_plugin_id(Rc::from(set.plugin_id()));
            let mut start = PluginContext {
                global: set.global().map(|c| &**c),
                raw: &config,
                plugin_id: set.plugin_id(),
            };
            P::on_plugin_start(&mut start)?;
            Ok(set)
        });
        let set = match started {
            Ok(set) => set,
            Err(e) => {
                let registered = ticks::take().any();
                if registered && !had_ticks {
                    host::set_tick_period(0);
                }
                ticks::restore(old_ticks);
                instance::set_plugin_id(old_id);
                // The message reaches the gateway's log.
                return Err(crate::redact::config_error(e, &config));
            }
        };
        for warning in set.warnings() {
            crate::log_warn!("{warning}");
        }
        let has_ticks = ticks::any();
        if had_ticks && !has_ticks {
            host::set_tick_period(0);
        }
        drop(old_ticks);
        let set: Rc<dyn Any> = Rc::new(set);
        registry::set_config(set);
        Ok(())
    }

    fn on_context_create(_ctx: u32) {
        // Contexts are created lazily by the first phase that needs one, so
        // a host calling this for a plugin without per-request methods (and
        // thus without `on-request-done`) cannot leak them.
    }

    fn on_request_headers(ctx: u32, _header_count: u32, end_of_stream: bool) -> WitHeaderAction {
        let action = dispatch::with_request::<P, _>(
            ctx,
            Phase::RequestHeaders,
            HeaderAction::Continue,
            |c, cfg| {
                c.request_headers_end_stream = Some(end_of_stream);
                let action = if P::__HOOKS & hooks::REQUEST_HEADERS_DEFINED != 0 {
                    P::on_request_headers(c, cfg)
                } else {
                    HeaderAction::Continue
                };
                c.request_headers_held = !matches!(
                    action,
                    HeaderAction::Continue | HeaderAction::ContinueAndEndStream
                );
                action
            },
        );
        dispatch::header_action(action)
    }

    fn on_request_body(ctx: u32, body_size: u32, end_of_stream: bool) -> WitBodyAction {
        dispatch::body_phase::<P>(ctx, body_size, end_of_stream, true)
    }

    fn on_request_trailers(_ctx: u32, _trailer_count: u32) -> WitHeaderAction {
        WitHeaderAction::Continue
    }

    fn on_response_headers(ctx: u32, _header_count: u32, end_of_stream: bool) -> WitHeaderAction {
        let action = dispatch::with_request::<P, _>(
            ctx,
            Phase::ResponseHeaders,
            HeaderAction::Continue,
            |c, cfg| {
                c.response_headers_end_stream = Some(end_of_stream);
                // Before the plugin, as Go's wrapper; a response that ends
                // with its headers has no body to decide on.
                if !end_of_stream && P::__HOOKS & dispatch::RESPONSE_BODIES != 0 {
                    c.note_response_kind();
                }
                if let Some(action) =
                    dispatch::takeover(c, |t, c| t.response_headers(c, end_of_stream))
                {
                    return action;
                }
                if P::__HOOKS & hooks::RESPONSE_HEADERS_DEFINED != 0 {
                    P::on_response_headers(c, cfg)
                } else {
                    HeaderAction::Continue
                }
            },
        );
        dispatch::header_action(action)
    }

    fn on_response_body(ctx: u32, body_size: u32, end_of_stream: bool) -> WitBodyAction {
        dispatch::body_phase::<P>(ctx, body_size, end_of_stream, false)
    }

    fn on_response_trailers(_ctx: u32, _trailer_count: u32) -> WitHeaderAction {
        WitHeaderAction::Continue
    }

    fn on_request_done(ctx: u32) {
        instance::set_current(ctx);
        if P::__HOOKS & hooks::STREAM_DONE != 0 {
            dispatch::with_request::<P, _>(ctx, Phase::StreamDone, (), |c, cfg| {
                P::on_stream_done(c, cfg)
            });
        }
        // Dropped outside the registries' borrows: the callbacks' captures
        // may run `Drop` code that calls back into the SDK.
        drop(registry::take_request(ctx));
        crate::panic::forget(ctx);
        instance::set_current(0);
    }

    fn on_tick() {
        ticks::run();
    }

    fn on_queue_ready(queue: u32) {
        instance::set_current(0);
        if P::__HOOKS & hooks::QUEUE_READY != 0 {
            P::on_queue_ready(SharedQueue::from_id(queue));
        }
    }

    fn on_http_call_response(
        ctx: u32,
        call: u32,
        response: Result<WitHttpResponse, WitCallFailure>,
    ) {
        let Some(pending) = registry::take_http_callback(call) else {
            return;
        };
        let response = match response {
            Ok(r) => HttpResponse::from_parts(r.headers, r.body),
            Err(WitCallFailure::Timeout) => HttpResponse::failed(CallFailure::Timeout),
            Err(WitCallFailure::Reset) => HttpResponse::failed(CallFailure::Reset),
        };
        let id = if ctx != 0 { ctx } else { pending.ctx };
        dispatch::run_with_context(id, |c| (pending.callback)(c, response));
    }

    fn on_redis_call_response(ctx: u32, call: u32, reply: Result<Vec<u8>, u32>) {
        let Some(pending) = registry::take_redis_callback(call) else {
            return;
        };
        let result = match reply {
            Ok(bytes) => crate::redis::parse_reply(&bytes),
            Err(status) => Err(RedisError::CallFailed(status)),
        };
        let id = if ctx != 0 { ctx } else { pending.ctx };
        dispatch::run_with_context(id, |c| (pending.callback)(c, result));
    }
}
