//! Glue for `gatewit:plugin/shared-data`: the VM-shared key-value store and queues.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::super::*;
use super::ints;
use super::simple;
use gatewit_abi::proxy::status;
/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    Some(ints(match hostcall {
        // (key, key len, *value, *value len, *cas)
        "proxy_get_shared_data" => 5,
        // (key, key len, value, value len, cas)
        "proxy_set_shared_data" => 5,
        // (name, name len, *queue)
        "proxy_register_shared_queue" => 3,
        // (vm id, vm id len, name, name len, *queue)
        "proxy_resolve_shared_queue" => 5,
        // (queue, data / *data, len / *len)
        "proxy_enqueue_shared_queue" | "proxy_dequeue_shared_queue" => 3,
        _ => return None,
    }))
}

/// The glue of `shared-data.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "get-shared-data" => {
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
        "set-shared-data" => simple(b, "proxy_set_shared_data", &[0, 1, 2, 3, 4], 5),
        // Queue names and items go to Envoy in place; the id comes back
        // through the state block.
        "register-shared-queue" => {
            // (name ptr, name len, ret)
            let s = b.state();
            b.lg(0).lg(1).lg(s).c(S_OUT0 as i32).add();
            b.host("proxy_register_shared_queue");
            id_result(b, s, 2);
        }
        "resolve-shared-queue" => {
            // (vm-id ptr, vm-id len, name ptr, name len, ret)
            let s = b.state();
            b.lg(0).lg(1).lg(2).lg(3).lg(s).c(S_OUT0 as i32).add();
            b.host("proxy_resolve_shared_queue");
            id_result(b, s, 4);
        }
        "enqueue-shared-queue" => simple(b, "proxy_enqueue_shared_queue", &[0, 1, 2], 3),
        "dequeue-shared-queue" => {
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
            // Empty: ok(none); any other status: err(status - 1).
            b.lg(st).abi(status::EMPTY).i(I::I32Eq).if_();
            b.lg(1).c(0).st8(0).lg(1).c(0).st8(4);
            b.else_();
            b.lg(1).c(1).st8(0).lg(1).lg(st).c(1).i(I::I32Sub).st8(4);
            b.end().end();
        }
        _ => return None,
    }
    Some(())
}

/// With a hostcall's status on the stack: `result<u32, status-error>` at
/// parameter `ret`, the id taken from the state block's first out-param.
fn id_result(b: &mut Body, s: u32, ret: u32) {
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
