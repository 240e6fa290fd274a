//! Glue for `gatewit:plugin/http`: the current request's header maps, bodies, local replies and resumption.

#[allow(
    clippy::wildcard_imports,
    reason = "a part of the glue module: its vocabulary (Body, Op, the state-block offsets) is shared"
)]
use super::super::*;
use super::ints;
use super::simple;
/// The core signature of a hostcall this interface's glue calls (each
/// returns an `i32` status); `None` for another name.
pub(super) fn hostcall(hostcall: &str) -> Option<Sig> {
    Some(ints(match hostcall {
        // (map, *pairs, *len)
        "proxy_get_header_map_pairs" | "proxy_set_header_map_pairs" => 3,
        // (map, key, key len, *value, *value len)
        "proxy_get_header_map_value" => 5,
        // (map, key, key len, value, value len)
        "proxy_add_header_map_value" | "proxy_replace_header_map_value" => 5,
        // (map, key, key len)
        "proxy_remove_header_map_value" => 3,
        // (buffer, start, size, *data / data, *len / len)
        "proxy_get_buffer_bytes" | "proxy_set_buffer_bytes" => 5,
        // (status, details, details len, body, body len, pairs, pairs len, grpc status)
        "proxy_send_local_response" => 8,
        // (stream)
        "proxy_continue_stream" | "proxy_close_stream" => 1,
        _ => return None,
    }))
}

/// The glue of `http.<name>`, or `None` for a name the WIT lacks.
pub(super) fn import(cx: &Cx, name: &str, b: &mut Body) -> Option<()> {
    match name {
        "get-header" => {
            // (map, name ptr, name len, ret): served from the cached map.
            let s = b.state();
            let [p, n, e, end, w, kl, vl] = [(); 7].map(|_| b.local(I32));
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
            // The pairs' sizes run from `e` to `end`, their bytes from `w`.
            b.lg(p).c(4).add().ls(e);
            b.lg(e).lg(n).c(8).i(I::I32Mul).add().ls(end);
            b.lg(end).ls(w);
            b.i(I::Block(BlockType::Empty)).i(I::Loop(BlockType::Empty));
            b.lg(e).lg(end).i(I::I32GeU).i(I::BrIf(1));
            b.lg(e).ld(0).ls(kl).lg(e).ld(4).ls(vl);
            b.lg(kl).lg(2).i(I::I32Eq).if_();
            // Most names of the same length differ in their first byte: a
            // test that case cannot fail (the bytes differ at most in bit
            // 0x20) before the full comparison; an empty name has none.
            b.lg(2).i(I::I32Eqz);
            b.lg(w)
                .ld8(0)
                .lg(1)
                .ld8(0)
                .i(I::I32Xor)
                .c(0xDF)
                .i(I::I32And)
                .i(I::I32Eqz);
            b.i(I::I32Or).if_();
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
            b.end().end().end();
            b.lg(w).lg(kl).add().lg(vl).add().c(2).add().ls(w);
            b.lg(e).c(8).add().ls(e).i(I::Br(0));
            b.end().end();
        }
        "get-headers" => {
            let s = b.state();
            b.lg(1).lg(0).helper(Helper::GetMap).st(0);
            b.lg(1).lg(s).ld(S_COUNT).st(4);
        }
        "set-headers" => {
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
        "add-header" => {
            let s = b.state();
            invalidate_map_cache(b, s);
            simple(b, "proxy_add_header_map_value", &[0, 1, 2, 3, 4], 5)
        }
        "replace-header" => {
            let s = b.state();
            invalidate_map_cache(b, s);
            simple(b, "proxy_replace_header_map_value", &[0, 1, 2, 3, 4], 5)
        }
        "remove-header" => {
            let s = b.state();
            invalidate_map_cache(b, s);
            simple(b, "proxy_remove_header_map_value", &[0, 1, 2], 3)
        }
        "get-body" => {
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
        "replace-body" | "append-body" | "prepend-body" => {
            let (start, size) = match name {
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
        "send-local-reply" => {
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
        "resume-request" | "resume-response" => {
            let stream = if name == "resume-request" { 0 } else { 1 };
            // Resuming runs the filters after this one, which may change
            // the maps before control comes back.
            let s = b.state();
            invalidate_map_cache(b, s);
            b.c(stream)
                .host("proxy_continue_stream")
                .lg(0)
                .helper(Helper::StatusResult);
        }
        // (ret): Envoy resets the whole stream whichever side is named.
        "reset-stream" => {
            b.c(0)
                .host("proxy_close_stream")
                .lg(0)
                .helper(Helper::StatusResult);
        }
        _ => return None,
    }
    Some(())
}
