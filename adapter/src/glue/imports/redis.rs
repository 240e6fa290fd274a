//! Glue for `gatewit:plugin/redis`: Redis calls (the Higress hostcalls; stock Envoy has none).

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::super::*;
use super::ints;
use gatewit_abi::proxy::status;
/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    Some(ints(match hostcall {
        // (cluster, cluster len, user, user len, password, password len, timeout)
        "proxy_redis_init" => 7,
        // (cluster, cluster len, query, query len, *token)
        "proxy_redis_call" => 5,
        _ => return None,
    }))
}

/// The glue of `redis.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "redis-init" => redis_init(cx, b),
        "redis-call" => {
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
                // Stock Envoy has no Redis: `unimplemented` (the WIT status
                // is the proxy-wasm one less 1).
                b.lg(4)
                    .c(1)
                    .st8(0)
                    .lg(4)
                    .abi(status::UNIMPLEMENTED - 1)
                    .st8(4);
            }
        }
        _ => return None,
    }
    Some(())
}

fn redis_init(cx: &Cx, b: &mut Body) {
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
