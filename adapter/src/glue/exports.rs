//! The `proxy_on_*` callbacks: each calls the plugin's guest export,
//! maps its answer to proxy-wasm's, and keeps the current request.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::*;
use gatewit_abi::proxy::{body_action, buffer, header_action, log_level, map};

/// The plugin's guest exports the callbacks call, by input index.
#[derive(Default)]
pub(crate) struct Guest {
    pub funcs: std::collections::BTreeMap<String, u32>,
    pub post: std::collections::BTreeMap<String, u32>,
    pub initialize: Option<u32>,
}

impl Guest {
    fn f(&self, name: &str) -> Option<u32> {
        self.funcs.get(name).copied()
    }
}

/// Calls guest export `name` (input index `f`; its arguments are on the
/// stack), then its post-return function when the plugin has one: the
/// canonical ABI requires it after every call, and toolchains such as
/// componentize-js free the call's results (and trap on the next call)
/// there. `returns_i32`: the export returns one `i32` (an action or a
/// return-area pointer), which stays on the stack and is also what
/// post-return receives.
pub(super) fn call_guest(b: &mut Body, g: &Guest, name: &str, f: u32, returns_i32: bool) {
    b.call(FuncRef::Orig(f));
    let Some(post) = g.post.get(name).copied() else {
        return;
    };
    if returns_i32 {
        let r = b.local(I32);
        b.lt(r).lg(r).call(FuncRef::Orig(post));
    } else {
        b.call(FuncRef::Orig(post));
    }
}

/// Map a plugin header action to the profile's.
pub(super) fn header_action(b: &mut Body, profile: Profile) {
    if profile == Profile::Envoy {
        // The WIT enum's values are Higress's; stock Envoy knows continue
        // and pause: continue-and-end-stream → continue; stop-all-* →
        // pause.
        let a = b.local(I32);
        b.ls(a);
        b.lg(a)
            .abi(header_action::PAUSE)
            .lg(a)
            .abi(header_action::PAUSE)
            .i(I::I32LtU)
            .i(I::Select);
        b.abi(header_action::CONTINUE)
            .lg(a)
            .abi(header_action::CONTINUE_AND_END_STREAM)
            .i(I::I32Ne)
            .i(I::Select);
    }
}

pub(super) fn body_action(b: &mut Body, profile: Profile) {
    if profile == Profile::Envoy {
        // As for headers: stop-and-watermark / stop-no-buffer → pause
        // (stop and buffer).
        let a = b.local(I32);
        b.ls(a)
            .lg(a)
            .abi(body_action::PAUSE)
            .lg(a)
            .abi(body_action::STOP_AND_WATERMARK)
            .i(I::I32LtU)
            .i(I::Select);
    }
}

pub(super) fn set_current(b: &mut Body, ctx: Option<u32>) {
    let s = b.state();
    b.lg(s);
    match ctx {
        Some(c) => b.lg(c),
        None => b.c(0),
    };
    b.st(S_CURRENT);
    // Another callback: Envoy and other filters may have changed the maps.
    invalidate_map_cache(b, s);
}

pub(super) fn invalidate_map_cache(b: &mut Body, s: u32) {
    b.store_at(s, S_HCACHE_MAP, |b| {
        b.c(0);
    });
}

/// The body of a `proxy_*` export, or `None` when the plugin lacks the
/// guest function behind it.
pub(crate) fn export_glue(cx: &Cx, g: &Guest, name: &str) -> Option<Body> {
    let mut b;
    // The request an HTTP or Redis answer belongs to.
    let mut call_ctx = None;
    match name {
        "proxy_abi_version_0_2_1" | "proxy_abi_version_0_2_100" => {
            b = Body::new(&[], &[]);
        }
        "_initialize" => {
            b = Body::new(&[], &[]);
            if let Some(f) = g.initialize {
                b.call(FuncRef::Orig(f));
            }
        }
        "proxy_on_configure" => {
            let f = g.f("on-plugin-start")?;
            b = Body::new(&[I32, I32], &[I32]);
            let s = b.state();
            let (p, l, r, ok) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
            set_current(&mut b, None);
            read_buffer(&mut b, s, buffer::PLUGIN_CONFIGURATION, 1, (p, l));
            b.fix_ptr(cx, p, l, 1).lg(l).call(FuncRef::Orig(f)).lt(r);
            b.ld8(0).i(I::I32Eqz).ls(ok);
            // err(message): log it so the operator sees why the
            // configuration was rejected.
            b.lg(ok).i(I::I32Eqz).if_();
            b.abi(log_level::ERROR)
                .lg(r)
                .ld(4)
                .lg(r)
                .ld(8)
                .host("proxy_log")
                .i(I::Drop);
            b.end();
            if let Some(post) = g.post.get("on-plugin-start") {
                b.lg(r).call(FuncRef::Orig(*post));
            }
            b.lg(ok);
        }
        "proxy_on_context_create" => {
            let f = g.f("on-context-create")?;
            b = Body::new(&[I32, I32], &[]);
            // parent 0: the root (plugin) context, not a request
            b.lg(1).if_();
            set_current(&mut b, Some(0));
            b.lg(0);
            call_guest(&mut b, g, "on-context-create", f, false);
            b.end();
        }
        "proxy_on_request_headers"
        | "proxy_on_response_headers"
        | "proxy_on_request_body"
        | "proxy_on_response_body" => {
            let guest = name.trim_start_matches("proxy_").replace('_', "-");
            let f = g.f(&guest)?;
            b = Body::new(&[I32, I32, I32], &[I32]);
            set_current(&mut b, Some(0));
            b.lg(0).lg(1).lg(2);
            call_guest(&mut b, g, &guest, f, true);
            if name.ends_with("headers") {
                header_action(&mut b, cx.profile);
            } else {
                body_action(&mut b, cx.profile);
            }
        }
        "proxy_on_request_trailers" | "proxy_on_response_trailers" => {
            let guest = name.trim_start_matches("proxy_").replace('_', "-");
            let f = g.f(&guest)?;
            b = Body::new(&[I32, I32], &[I32]);
            set_current(&mut b, Some(0));
            b.lg(0).lg(1);
            call_guest(&mut b, g, &guest, f, true);
            header_action(&mut b, cx.profile);
        }
        "proxy_on_log" => {
            let f = g.f("on-request-done")?;
            b = Body::new(&[I32], &[]);
            set_current(&mut b, Some(0));
            b.lg(0);
            call_guest(&mut b, g, "on-request-done", f, false);
        }
        "proxy_on_tick" => {
            let f = g.f("on-tick")?;
            b = Body::new(&[I32], &[]);
            set_current(&mut b, None);
            call_guest(&mut b, g, "on-tick", f, false);
        }
        "proxy_on_queue_ready" => {
            // (root, queue): plugin level, like a tick.
            let f = g.f("on-queue-ready")?;
            b = Body::new(&[I32, I32], &[]);
            set_current(&mut b, None);
            b.lg(1);
            call_guest(&mut b, g, "on-queue-ready", f, false);
        }
        "proxy_on_http_call_response" => {
            let f = g.f("on-http-call-response")?;
            // (root, token, nheaders, body-size, ntrailers)
            b = Body::new(&[I32, I32, I32, I32, I32], &[]);
            let s = b.state();
            let ctx = b.local(I32);
            let (hp, hn, bp, bl, tp, tn) = (
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
            );
            call_ctx = Some(ctx);
            b.lg(1).c(KIND_HTTP).helper(Helper::TableTake).ls(ctx);
            b.lg(ctx)
                .if_()
                .lg(ctx)
                .host("proxy_set_effective_context")
                .i(I::Drop)
                .end();
            set_current(&mut b, Some(ctx));
            b.lg(2).i(I::I32Eqz).if_();
            // No headers: the call failed. Timeout if the call's time ran
            // out, reset otherwise.
            b.lg(ctx).lg(1);
            b.c(1);
            b.c(0).c(1);
            b.helper(Helper::Now).lg(s).ld64(S_START).i(I::I64Sub);
            b.lg(s)
                .ld(S_TIMEOUT)
                .i(I::I64ExtendI32U)
                .i(I::I64Const(1_000_000))
                .i(I::I64Mul);
            b.i(I::I64GeU)
                .lg(s)
                .ld(S_TIMEOUT)
                .c(0)
                .i(I::I32Ne)
                .i(I::I32And)
                .i(I::Select);
            b.c(0).c(0).c(0).c(0).c(0);
            call_guest(&mut b, g, "on-http-call-response", f, false);
            b.i(I::Return).end();
            b.abi(map::HTTP_CALL_RESPONSE_HEADERS)
                .helper(Helper::GetMap)
                .ls(hp)
                .lg(s)
                .ld(S_COUNT)
                .ls(hn);
            read_buffer(&mut b, s, buffer::HTTP_CALL_RESPONSE_BODY, 3, (bp, bl));
            b.empty_alloc(cx, 4).ls(tp).c(0).ls(tn);
            b.lg(4).if_();
            b.abi(map::HTTP_CALL_RESPONSE_TRAILERS)
                .helper(Helper::GetMap)
                .ls(tp)
                .lg(s)
                .ld(S_COUNT)
                .ls(tn);
            b.end();
            b.lg(ctx)
                .lg(1)
                .c(0)
                .lg(hp)
                .lg(hn)
                .fix_ptr(cx, bp, bl, 1)
                .lg(bl)
                .lg(tp)
                .lg(tn);
            call_guest(&mut b, g, "on-http-call-response", f, false);
        }
        "proxy_on_redis_call_response" => {
            let f = g.f("on-redis-call-response")?;
            // (root, token, status, size)
            b = Body::new(&[I32, I32, I32, I32], &[]);
            let s = b.state();
            let (ctx, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            call_ctx = Some(ctx);
            b.lg(1).c(KIND_REDIS).helper(Helper::TableTake).ls(ctx);
            b.lg(ctx)
                .if_()
                .lg(ctx)
                .host("proxy_set_effective_context")
                .i(I::Drop)
                .end();
            set_current(&mut b, Some(ctx));
            b.lg(2).if_();
            b.lg(ctx).lg(1).c(1).lg(2).c(0);
            call_guest(&mut b, g, "on-redis-call-response", f, false);
            b.i(I::Return);
            b.end();
            read_buffer(&mut b, s, buffer::REDIS_CALL_RESPONSE, 3, (p, l));
            b.lg(ctx).lg(1).c(0).fix_ptr(cx, p, l, 1).lg(l);
            call_guest(&mut b, g, "on-redis-call-response", f, false);
        }
        _ => return None,
    }
    if name.starts_with("proxy_on_") {
        recover::guard(&mut b, cx, name, call_ctx);
    }
    b.end();
    Some(b)
}

/// Reads the first `size` (a local) bytes of host buffer `buffer` into
/// guest memory: `(p, l)` its place, `l` left 0 when `size` is 0 or the
/// host has none.
fn read_buffer(b: &mut Body, s: u32, buffer: u32, size: u32, (p, l): (u32, u32)) {
    b.c(0).ls(l);
    b.lg(size).if_();
    b.abi(buffer)
        .c(0)
        .lg(size)
        .lg(s)
        .c(S_OUT0 as i32)
        .add()
        .lg(s)
        .c(S_OUT1 as i32)
        .add();
    b.host("proxy_get_buffer_bytes").i(I::I32Eqz).if_();
    b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
    b.end().end();
}
