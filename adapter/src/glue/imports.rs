//! Glue for the `gatewit:plugin` imports: each WIT function onto its
//! proxy-wasm hostcalls (the `gateway` interface in `gateway.rs`).

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::*;

/// Glue for `gatewit:plugin/<iface>#<func>`; `sig` is the checked core type.
pub(crate) fn gatewit_import(cx: &Cx, iface: &str, func: &str, sig: &Sig) -> Option<Body> {
    let mut b = Body::with_sig(sig);
    let simple = |b: &mut Body, host: &'static str, args: &[u32], ret: u32| {
        for a in args {
            b.lg(*a);
        }
        b.host(host).lg(ret).helper(Helper::StatusResult);
    };
    match (iface, func) {
        ("http", "get-header") => {
            // (map, name ptr, name len, ret): served from the cached map.
            let s = b.state();
            let (p, n, w, i, kl, vl) = (
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
                b.local(I32),
            );
            b.lg(3).c(0).st8(0);
            b.lg(0).helper(Helper::FetchMap).if_().i(I::Return).end();
            b.lg(s).ld(S_HCACHE_PTR).ls(p).c(0).ls(n);
            b.lg(s)
                .ld(S_HCACHE_LEN)
                .c(4)
                .i(I::I32GeU)
                .if_()
                .lg(p)
                .ld(0)
                .ls(n)
                .end();
            b.lg(p).c(4).add().lg(n).c(8).i(I::I32Mul).add().ls(w);
            b.c(0).ls(i);
            loop_over(&mut b, i, n, |b| {
                b.lg(p).lg(i).c(8).i(I::I32Mul).add().ld(4).ls(kl);
                b.lg(p).lg(i).c(8).i(I::I32Mul).add().ld(8).ls(vl);
                b.lg(kl).lg(2).i(I::I32Eq).if_();
                b.lg(w).lg(1).lg(2).helper(Helper::KeyEq).if_();
                b.lg(3).c(1).st8(0);
                b.lg(3)
                    .lg(w)
                    .lg(kl)
                    .add()
                    .c(1)
                    .add()
                    .lg(vl)
                    .helper(Helper::CopyOut)
                    .st(4);
                b.lg(3).lg(vl).st(8).i(I::Return);
                b.end().end();
                b.lg(w).lg(kl).add().lg(vl).add().c(2).add().ls(w);
            });
        }
        ("http", "get-headers") => {
            let s = b.state();
            b.lg(1).lg(0).helper(Helper::GetMap).st(0);
            b.lg(1).lg(s).ld(S_COUNT).st(4);
        }
        ("http", "set-headers") => {
            let s = b.state();
            let end = b.local(I32);
            b.lg(1).lg(2).c(0).helper(Helper::SerializeMap).ls(end);
            b.lg(0)
                .lg(s)
                .ld(S_SCRATCH)
                .lg(end)
                .host("proxy_set_header_map_pairs");
            b.lg(3).helper(Helper::StatusResult);
        }
        ("http", "add-header") => {
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            simple(&mut b, "proxy_add_header_map_value", &[0, 1, 2, 3, 4], 5)
        }
        ("http", "replace-header") => {
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            simple(
                &mut b,
                "proxy_replace_header_map_value",
                &[0, 1, 2, 3, 4],
                5,
            )
        }
        ("http", "remove-header") => {
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            simple(&mut b, "proxy_remove_header_map_value", &[0, 1, 2], 3)
        }
        ("http", "get-body") => {
            let s = b.state();
            let (p, l) = (b.local(I32), b.local(I32));
            b.c(0).ls(l);
            b.lg(0).lg(1).lg(2);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_get_buffer_bytes").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.end();
            b.lg(3).fix_ptr(cx, p, l, 1).st(0).lg(3).lg(l).st(4);
        }
        // proxy_set_buffer_bytes(start, size): (0, max) replaces, (max, 0)
        // appends, (0, 0) prepends (Envoy's Buffer::copyFrom).
        ("http", "replace-body") | ("http", "append-body") | ("http", "prepend-body") => {
            let (start, size) = match func {
                "replace-body" => (0, i32::MAX),
                "append-body" => (i32::MAX, 0),
                _ => (0, 0),
            };
            b.lg(0)
                .c(start)
                .c(size)
                .lg(1)
                .lg(2)
                .host("proxy_set_buffer_bytes");
            b.lg(3).helper(Helper::StatusResult);
        }
        ("http", "send-local-reply") => {
            // (status, hp, hn, bp, bl, grpc?, grpc, dp, dl, ret)
            let s = b.state();
            let end = b.local(I32);
            b.lg(1).lg(2).c(0).helper(Helper::SerializeMap).ls(end);
            b.lg(0).lg(7).lg(8).lg(3).lg(4).lg(s).ld(S_SCRATCH).lg(end);
            b.lg(6).c(-1).lg(5).i(I::Select);
            b.host("proxy_send_local_response")
                .lg(9)
                .helper(Helper::StatusResult);
        }
        ("http", "resume-request") | ("http", "resume-response") => {
            let stream = if func == "resume-request" { 0 } else { 1 };
            // Resuming runs the filters after this one, which may change
            // the maps before control comes back.
            let s = b.state();
            invalidate_map_cache(&mut b, s);
            b.c(stream)
                .host("proxy_continue_stream")
                .lg(0)
                .helper(Helper::StatusResult);
        }
        ("properties", "get-property") => {
            let s = b.state();
            let (n, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            b.lg(0).lg(1).helper(Helper::SerializePath).ls(n);
            b.lg(s).ld(S_SCRATCH).lg(n);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_get_property").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(2)
                .c(1)
                .st8(0)
                .lg(2)
                .fix_ptr(cx, p, l, 1)
                .st(4)
                .lg(2)
                .lg(l)
                .st(8);
            b.else_().lg(2).c(0).st8(0).end();
        }
        ("properties", "set-property") => {
            let s = b.state();
            let n = b.local(I32);
            b.lg(0).lg(1).helper(Helper::SerializePath).ls(n);
            b.lg(s)
                .ld(S_SCRATCH)
                .lg(n)
                .lg(2)
                .lg(3)
                .host("proxy_set_property");
            b.lg(4).helper(Helper::StatusResult);
        }
        ("http-client", "dispatch-http-call") => {
            // (cp, cl, hp, hn, bp, bl, tp, tn, timeout, ret)
            let s = b.state();
            let (e1, e2, base, st) = (b.local(I32), b.local(I32), b.local(I32), b.local(I32));
            b.lg(2).lg(3).c(0).helper(Helper::SerializeMap).ls(e1);
            b.lg(6).lg(7).lg(e1).helper(Helper::SerializeMap).ls(e2);
            b.lg(s).ld(S_SCRATCH).ls(base);
            b.lg(0).lg(1).lg(base).lg(e1).lg(4).lg(5);
            b.lg(base).lg(e1).add().lg(e2).lg(e1).i(I::I32Sub);
            b.lg(8)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_http_call")
                .lt(st);
            b.i(I::I32Eqz).if_();
            b.lg(s)
                .ld(S_OUT0)
                .lg(s)
                .ld(S_CURRENT)
                .c(KIND_HTTP)
                .lg(8)
                .helper(Helper::TableInsert);
            b.lg(9).c(0).st8(0).lg(9).lg(s).ld(S_OUT0).st(4);
            b.else_();
            b.lg(9).c(1).st8(0).lg(9).lg(st).c(1).i(I::I32Sub).st8(4);
            b.end();
        }
        ("redis", "redis-init") => redis_init(cx, &mut b),
        ("redis", "redis-call") => {
            // (cp, cl, qp, ql, ret)
            if cx.profile == Profile::Higress {
                let s = b.state();
                let st = b.local(I32);
                b.lg(0).lg(1).lg(2).lg(3).lg(s).c(S_OUT0 as i32).add();
                b.host("proxy_redis_call").lt(st).i(I::I32Eqz).if_();
                b.lg(s).ld(S_OUT0).lg(s).ld(S_CURRENT).c(KIND_REDIS).c(0);
                b.helper(Helper::TableInsert);
                b.lg(4).c(0).st8(0).lg(4).lg(s).ld(S_OUT0).st(4);
                b.else_();
                b.lg(4).c(1).st8(0).lg(4).lg(st).c(1).i(I::I32Sub).st8(4);
                b.end();
            } else {
                // Stock Envoy has no Redis: `unimplemented` (status 12 - 1).
                b.lg(4).c(1).st8(0).lg(4).c(11).st8(4);
            }
        }
        ("log", "log") => {
            b.lg(0).lg(1).lg(2).host("proxy_log").i(I::Drop);
        }
        ("log", "get-log-level") => {
            let s = b.state();
            b.lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_get_log_level")
                .i(I::I32Eqz)
                .if_();
            b.lg(s).ld(S_OUT0).i(I::Return).end();
            b.c(2);
        }
        ("metrics", "define-metric") => {
            let s = b.state();
            let st = b.local(I32);
            b.lg(0)
                .lg(1)
                .lg(2)
                .lg(s)
                .c(S_OUT0 as i32)
                .add()
                .host("proxy_define_metric");
            b.lt(st).i(I::I32Eqz).if_();
            b.lg(3).c(0).st8(0).lg(3).lg(s).ld(S_OUT0).st(4);
            b.else_()
                .lg(3)
                .c(1)
                .st8(0)
                .lg(3)
                .lg(st)
                .c(1)
                .i(I::I32Sub)
                .st8(4)
                .end();
        }
        ("metrics", "increment-metric") => simple(&mut b, "proxy_increment_metric", &[0, 1], 2),
        ("metrics", "record-metric") => simple(&mut b, "proxy_record_metric", &[0, 1], 2),
        ("metrics", "get-metric") => {
            let s = b.state();
            let st = b.local(I32);
            b.lg(0)
                .lg(s)
                .c(S_OUT64 as i32)
                .add()
                .host("proxy_get_metric");
            b.lt(st).i(I::I32Eqz).if_();
            b.lg(1).c(0).st8(0).lg(1).lg(s).ld64(S_OUT64).st64(8);
            b.else_()
                .lg(1)
                .c(1)
                .st8(0)
                .lg(1)
                .lg(st)
                .c(1)
                .i(I::I32Sub)
                .st8(8)
                .end();
        }
        ("shared-data", "get-shared-data") => {
            let s = b.state();
            let (p, l) = (b.local(I32), b.local(I32));
            b.lg(0).lg(1);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.lg(s).c(S_OUT2 as i32).add();
            b.host("proxy_get_shared_data").i(I::I32Eqz).if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(2)
                .c(1)
                .st8(0)
                .lg(2)
                .fix_ptr(cx, p, l, 1)
                .st(4)
                .lg(2)
                .lg(l)
                .st(8);
            b.lg(2).lg(s).ld(S_OUT2).st(12);
            b.else_().lg(2).c(0).st8(0).end();
        }
        ("shared-data", "set-shared-data") => {
            simple(&mut b, "proxy_set_shared_data", &[0, 1, 2, 3, 4], 5)
        }
        // Queue names and items go to Envoy in place; the id comes back
        // through the state block.
        ("shared-data", "register-shared-queue") => {
            // (name ptr, name len, ret)
            let s = b.state();
            b.lg(0).lg(1).lg(s).c(S_OUT0 as i32).add();
            b.host("proxy_register_shared_queue");
            id_result(&mut b, s, 2);
        }
        ("shared-data", "resolve-shared-queue") => {
            // (vm-id ptr, vm-id len, name ptr, name len, ret)
            let s = b.state();
            b.lg(0).lg(1).lg(2).lg(3).lg(s).c(S_OUT0 as i32).add();
            b.host("proxy_resolve_shared_queue");
            id_result(&mut b, s, 4);
        }
        ("shared-data", "enqueue-shared-queue") => {
            simple(&mut b, "proxy_enqueue_shared_queue", &[0, 1, 2], 3)
        }
        ("shared-data", "dequeue-shared-queue") => {
            // (queue, ret) -> result<option<list<u8>>, status-error>: the
            // result's payload at 4, the option's list at 8. Envoy allocated
            // the item with `malloc` = `cabi_realloc`, so it is handed over
            // as the plugin's own list.
            let s = b.state();
            let (st, p, l) = (b.local(I32), b.local(I32), b.local(I32));
            b.lg(0);
            b.lg(s).c(S_OUT0 as i32).add().lg(s).c(S_OUT1 as i32).add();
            b.host("proxy_dequeue_shared_queue")
                .lt(st)
                .i(I::I32Eqz)
                .if_();
            b.lg(s).ld(S_OUT0).ls(p).lg(s).ld(S_OUT1).ls(l);
            b.lg(1).c(0).st8(0).lg(1).c(1).st8(4);
            b.lg(1).fix_ptr(cx, p, l, 1).st(8).lg(1).lg(l).st(12);
            b.else_();
            // Empty (7): ok(none); any other status: err(status - 1).
            b.lg(st).c(7).i(I::I32Eq).if_();
            b.lg(1).c(0).st8(0).lg(1).c(0).st8(4);
            b.else_();
            b.lg(1).c(1).st8(0).lg(1).lg(st).c(1).i(I::I32Sub).st8(4);
            b.end().end();
        }
        ("time", "now-nanos") => {
            b.helper(Helper::Now);
        }
        ("time", "set-tick-period") => {
            b.lg(0)
                .host("proxy_set_tick_period_milliseconds")
                .i(I::Drop);
        }
        ("gateway", name) => gateway::import(cx, name, &mut b)?,
        _ => return None,
    }
    b.end();
    Some(b)
}

/// With a hostcall's status on the stack: `result<u32, status-error>` at
/// parameter `ret`, the id taken from the state block's first out-param.
pub(super) fn id_result(b: &mut Body, s: u32, ret: u32) {
    let st = b.local(I32);
    b.lt(st).i(I::I32Eqz).if_();
    b.lg(ret).c(0).st8(0).lg(ret).lg(s).ld(S_OUT0).st(4);
    b.else_();
    b.lg(ret)
        .c(1)
        .st8(0)
        .lg(ret)
        .lg(st)
        .c(1)
        .i(I::I32Sub)
        .st8(4);
    b.end();
}

pub(super) fn redis_init(cx: &Cx, b: &mut Body) {
    // (cp, cl, up, ul, pp, pl, timeout, db, flush?, flush, max?, max,
    //  disable, ret)
    let ret = 13;
    if cx.profile != Profile::Higress {
        // Stock Envoy: err(unsupported).
        b.lg(ret).c(1).st8(0).lg(ret).c(0).st8(1);
        return;
    }
    let s = b.state();
    let (w, base, st) = (b.local(I32), b.local(I32), b.local(I32));
    // `disable-buffer` is flush timeout 0 and buffer size 0 (as Higress's
    // Go SDK does).
    b.lg(12)
        .if_()
        .c(1)
        .ls(8)
        .c(0)
        .ls(9)
        .c(1)
        .ls(10)
        .c(0)
        .ls(11)
        .end();
    // Enough room for the cluster and the query string.
    b.lg(1).c(96).add().helper(Helper::EnsureScratch);
    b.lg(s).ld(S_SCRATCH).ls(base);
    b.lg(base).lg(0).lg(1).i(I::MemoryCopy {
        src_mem: 0,
        dst_mem: 0,
    });
    b.lg(1).ls(w);
    // The query as Higress's Go SDK writes it: `db` only when non-zero,
    // then the buffer settings given, `?` before the first, `&` between.
    for (flag, value, key) in [
        (7, 7, b"db=".as_slice()),
        (8, 9, b"buffer_flush_timeout=".as_slice()),
        (10, 11, b"max_buffer_size_before_flush=".as_slice()),
    ] {
        b.lg(flag).if_();
        b.lg(base).lg(w).add();
        b.c(i32::from(b'?'))
            .c(i32::from(b'&'))
            .lg(w)
            .lg(1)
            .i(I::I32Eq)
            .i(I::Select);
        b.st8(0);
        b.lg(w).c(1).add().ls(w);
        b.put_const(base, w, key);
        b.lg(w)
            .lg(value)
            .lg(base)
            .lg(w)
            .add()
            .helper(Helper::Dec)
            .add()
            .ls(w);
        b.end();
    }
    b.lg(base)
        .lg(w)
        .lg(2)
        .lg(3)
        .lg(4)
        .lg(5)
        .lg(6)
        .host("proxy_redis_init")
        .lt(st);
    b.i(I::I32Eqz).if_();
    b.lg(ret).c(0).st8(0);
    b.else_();
    b.lg(ret)
        .c(1)
        .st8(0)
        .lg(ret)
        .c(1)
        .st8(1)
        .lg(ret)
        .lg(st)
        .c(1)
        .i(I::I32Sub)
        .st8(2);
    b.end();
}
