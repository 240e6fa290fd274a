//! The dispatcher: one phase callback of one request, from the host's
//! call to the plugin's method and back to the host's action.
//!
//! It finds the request's context and configuration, skips requests the
//! plugin is not configured for, picks the body method (streaming or
//! buffered) and lets a feature that took the response over (a route call)
//! answer the response phases instead of the plugin.

use super::{instance, registry};
use crate::bindings::gatewit::plugin::types::{
    BodyAction as WitBodyAction, HeaderAction as WitHeaderAction,
};
use crate::context::{HttpContext, Phase, Resolved, ResponseTakeover};
use crate::host::{self, BodyKind};
use crate::plugin::{DataAction, HeaderAction, Plugin, hooks};
use crate::rules::{MatchInputs, RuleSet};

/// Runs `f` on the feature that took request `ctx`'s response over, if one
/// did; `None` hands the phase to the plugin.
pub(super) fn takeover<R>(
    ctx: &mut HttpContext,
    f: impl FnOnce(&mut dyn ResponseTakeover, &mut HttpContext) -> R,
) -> Option<R> {
    // Out of the context while it runs, as the feature gets the context.
    let mut t = ctx.takeover.take()?;
    let result = f(&mut *t, ctx);
    ctx.takeover = Some(t);
    Some(result)
}

struct LazyInputs {
    authority: Option<String>,
    route: Option<String>,
    cluster: Option<String>,
}

fn property_string(name: &str) -> String {
    host::get_property(&[name])
        .map(|v| String::from_utf8_lossy(&v).into_owned())
        .unwrap_or_default()
}

impl MatchInputs for LazyInputs {
    fn authority(&mut self) -> &str {
        self.authority.get_or_insert_with(|| {
            host::get_header(host::MapKind::RequestHeaders, ":authority").unwrap_or_default()
        })
    }
    fn route_name(&mut self) -> &str {
        self.route
            .get_or_insert_with(|| property_string("route_name"))
    }
    fn cluster_name(&mut self) -> &str {
        self.cluster
            .get_or_insert_with(|| property_string("cluster_name"))
    }
}

/// The request's config, resolved at its first phase and kept: taken out
/// of the context for the callback (the plugin gets the context mutably and
/// the config alongside), to be put back after it.
fn resolve<P: Plugin>(ctx: &mut HttpContext) -> Resolved {
    if let Resolved::Pending = ctx.config {
        let set = registry::config();
        let found = set
            .and_then(|any| any.downcast::<RuleSet<P::Config>>().ok())
            .and_then(|set| {
                set.lookup(&mut LazyInputs {
                    authority: None,
                    route: None,
                    cluster: None,
                })
            });
        ctx.config = match found {
            Some(c) => Resolved::Ready(c),
            None => Resolved::Skip,
        };
    }
    std::mem::take(&mut ctx.config)
}

/// Run `f` for request `id` with its resolved config; `default` when the
/// plugin is skipped for this request.
pub(super) fn with_request<P: Plugin, R>(
    id: u32,
    phase: Phase,
    default: R,
    f: impl FnOnce(&mut HttpContext, &P::Config) -> R,
) -> R {
    instance::set_current(id);
    if crate::panic::failed(id) {
        return default;
    }
    let mut ctx = registry::take_context(id).unwrap_or_else(|| Box::new(HttpContext::new(id)));
    ctx.phase = phase;
    let outer_id = instance::swap_request_id(ctx.request_id.take());
    if phase == Phase::RequestHeaders {
        crate::rebuild::on_request();
    }
    let config = resolve::<P>(&mut ctx);
    // Kept for log lines in the later phases of a request the plugin runs
    // for (a request its rules skip runs no later phase).
    let keep_id = phase == Phase::RequestHeaders
        && P::__HOOKS & LATER_PHASES != 0
        && matches!(config, Resolved::Ready(_));
    let mut id_read = false;
    let result = match &config {
        Resolved::Ready(c) => match c.downcast_ref::<P::Config>() {
            Some(c) => {
                if phase == Phase::RequestHeaders && P::__HOOKS & BODIES != 0 {
                    // Before the plugin, as Go's wrapper: the header map is
                    // fetched once for both, before the plugin's changes
                    // invalidate it.
                    ctx.note_request_kind(P::__HOOKS & REQUEST_BODIES != 0);
                    if keep_id {
                        instance::swap_request_id(request_id_header());
                        id_read = true;
                    }
                }
                f(&mut ctx, c)
            }
            None => default,
        },
        _ => default,
    };
    ctx.config = config;
    ctx.request_id = instance::swap_request_id(outer_id);
    if keep_id && !id_read && ctx.request_id.is_none() {
        // After the plugin's code: a plugin that read headers last has
        // the map cached, so this usually costs no hostcall (measured:
        // +0.9k instructions a request on the header benchmark; the
        // `request.id` attribute costs ~14k in Envoy, a fresh header-map
        // fetch ~12k).
        ctx.request_id = request_id_header();
    }
    registry::put_context(ctx);
    result
}

/// Phases after the request headers, whose log lines need the request's
/// `x-request-id` kept.
const LATER_PHASES: u32 = hooks::RESPONSE_HEADERS_DEFINED
    | hooks::BUFFERED_RESPONSE_BODY
    | hooks::STREAMING_RESPONSE_BODY
    | hooks::STREAM_DONE;
const REQUEST_BODIES: u32 = hooks::BUFFERED_REQUEST_BODY | hooks::STREAMING_REQUEST_BODY;
pub(super) const RESPONSE_BODIES: u32 =
    hooks::BUFFERED_RESPONSE_BODY | hooks::STREAMING_RESPONSE_BODY;
const BODIES: u32 = REQUEST_BODIES | RESPONSE_BODIES;

/// Header `x-request-id`, kept for log lines in the response phases, where
/// Envoy serves neither the request headers nor `request.id` (Higress's Go
/// wrapper writes property `x_request_id` on every request for the same
/// reason).
fn request_id_header() -> Option<String> {
    host::get_header(host::MapKind::RequestHeaders, "x-request-id").filter(|v| !v.is_empty())
}

pub(super) fn header_action(a: HeaderAction) -> WitHeaderAction {
    match a {
        HeaderAction::Continue => WitHeaderAction::Continue,
        HeaderAction::Pause => WitHeaderAction::Pause,
        HeaderAction::ContinueAndEndStream => WitHeaderAction::ContinueAndEndStream,
        HeaderAction::StopAllAndBuffer => WitHeaderAction::StopAllAndBuffer,
        HeaderAction::StopAllAndWatermark => WitHeaderAction::StopAllAndWatermark,
    }
}

pub(super) fn data_action(a: DataAction) -> WitBodyAction {
    match a {
        DataAction::Continue => WitBodyAction::Continue,
        DataAction::Pause => WitBodyAction::Pause,
        DataAction::StopAndWatermark => WitBodyAction::StopAndWatermark,
        DataAction::StopNoBuffer => WitBodyAction::StopNoBuffer,
    }
}

/// Which body method handles this request: `Some(true)` streaming,
/// `Some(false)` buffered, `None` neither.
pub(super) fn body_mode(
    bits: u32,
    buffered_flag: u32,
    streaming_flag: u32,
    force_buffer: bool,
) -> Option<bool> {
    let buffered = bits & buffered_flag != 0;
    let streaming = bits & streaming_flag != 0;
    match (buffered, streaming) {
        (_, true) if !(buffered && force_buffer) => Some(true),
        (true, _) => Some(false),
        _ => None,
    }
}

pub(super) fn body_phase<P: Plugin>(
    id: u32,
    size: u32,
    end_of_stream: bool,
    request: bool,
) -> WitBodyAction {
    let phase = if request {
        Phase::RequestBody
    } else {
        Phase::ResponseBody
    };
    let action = with_request::<P, _>(id, phase, DataAction::Continue, |ctx, config| {
        let action = body_callback::<P>(ctx, config, size, end_of_stream, request);
        if request && action == DataAction::Continue {
            // A body Continue lets held request headers go on too.
            ctx.request_headers_held = false;
        }
        action
    });
    data_action(action)
}

/// One body callback of request `ctx` with its config.
fn body_callback<P: Plugin>(
    ctx: &mut HttpContext,
    config: &P::Config,
    size: u32,
    end_of_stream: bool,
    request: bool,
) -> DataAction {
    if request {
        ctx.request_body_complete = end_of_stream;
    } else if let Some(action) = takeover(ctx, |t, ctx| t.response_body(ctx, size, end_of_stream)) {
        // The plugin's methods are not called, whatever its body switches
        // say.
        return action;
    }
    let skip = if request {
        ctx.skip_request_body()
    } else {
        ctx.skip_response_body()
    };
    if skip {
        return DataAction::Continue;
    }
    let (mode, kind) = if request {
        (
            body_mode(
                P::__HOOKS,
                hooks::BUFFERED_REQUEST_BODY,
                hooks::STREAMING_REQUEST_BODY,
                ctx.buffer_request_body,
            ),
            BodyKind::RequestBody,
        )
    } else {
        (
            body_mode(
                P::__HOOKS,
                hooks::BUFFERED_RESPONSE_BODY,
                hooks::STREAMING_RESPONSE_BODY,
                ctx.buffer_response_body,
            ),
            BodyKind::ResponseBody,
        )
    };
    match mode {
        None => DataAction::Continue,
        Some(true) => {
            let chunk = host::get_body(kind, 0, size);
            let was_empty = chunk.is_empty();
            // The chunk goes back whatever the handler did, as Higress's Go
            // wrapper does: telling an unchanged chunk apart would take a
            // copy and a comparison of every chunk, which cost more than
            // the host's copy of it.
            let replaced = if request {
                P::on_streaming_request_body(ctx, config, chunk, end_of_stream)
            } else {
                P::on_streaming_response_body(ctx, config, chunk, end_of_stream)
            };
            // A takeover started from this chunk (a route call) replaced
            // the body itself.
            let routed = request && ctx.takeover.as_ref().is_some_and(|t| t.pending());
            let nothing_to_send = was_empty && replaced.is_empty();
            if !(routed || nothing_to_send)
                && let Err(e) = host::replace_body(kind, &replaced)
            {
                crate::log_error!("failed to replace body chunk: {e}");
            }
            if !request && std::mem::take(&mut ctx.pause_streaming_response) {
                return DataAction::StopNoBuffer;
            }
            DataAction::Continue
        }
        Some(false) => {
            if !end_of_stream {
                // Envoy keeps buffering while the callback pauses.
                return DataAction::Pause;
            }
            let body = host::get_body(kind, 0, size);
            if request {
                P::on_request_body(ctx, config, &body)
            } else {
                P::on_response_body(ctx, config, &body)
            }
        }
    }
}

/// Runs an HTTP or Redis call's callback `f` for request `id`; the request
/// keeps its phase.
pub(super) fn run_with_context<F: FnOnce(&mut HttpContext)>(id: u32, f: F) {
    instance::set_current(id);
    if crate::panic::failed(id) {
        // The request panicked earlier: its callbacks are dropped unrun.
        return;
    }
    let existing = registry::take_context(id);
    let known = existing.is_some();
    let mut ctx = existing.unwrap_or_else(|| Box::new(HttpContext::new(id)));
    ctx.in_call_callback = true;
    let outer_id = instance::swap_request_id(ctx.request_id.take());
    f(&mut ctx);
    ctx.request_id = instance::swap_request_id(outer_id);
    ctx.in_call_callback = false;
    if known {
        registry::put_context(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_modes() {
        let b = hooks::BUFFERED_REQUEST_BODY;
        let s = hooks::STREAMING_REQUEST_BODY;
        assert_eq!(body_mode(0, b, s, false), None);
        assert_eq!(body_mode(b, b, s, false), Some(false));
        assert_eq!(body_mode(s, b, s, false), Some(true));
        assert_eq!(body_mode(s, b, s, true), Some(true), "no buffered method");
        assert_eq!(body_mode(b | s, b, s, false), Some(true));
        assert_eq!(body_mode(b | s, b, s, true), Some(false));
    }
}
