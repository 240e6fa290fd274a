"""`my-plugin-py`: the Python version of `examples/my-plugin` -- adds request
header `hello: world`; with `{"mockEnable": true}` answers `200 hello world`
instead of forwarding. The mock answer also echoes the request's
`user-agent` in `x-ua` and `print`s it: stdout is the gateway's log.

componentize-py turns this module (`app`) into a component of the
`gatewit:plugin/plugin` world: each WIT import is a module under
`wit_world.imports`, the `guest` export a class named `Guest`. WIT enums are
Python enums, `result<_, E>` is "return, or raise `Err(E)`", `option<T>` is
"T or None".
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import http, log, types

_config = {"mockEnable": False}


def _parse(raw: bytes) -> dict:
    text = raw.decode("utf-8", "replace").strip()
    if text in ("", "null"):
        return {"mockEnable": False}
    try:
        value = json.loads(text)
    except ValueError as e:
        raise Err(f"invalid plugin configuration: {e}")
    if not isinstance(value, dict):
        raise Err("invalid plugin configuration: expected a JSON object")
    mock = value.get("mockEnable", False)
    if not isinstance(mock, bool):
        raise Err("invalid plugin configuration: `mockEnable` must be a boolean")
    return {"mockEnable": mock}


class Guest(exports.Guest):
    def on_plugin_start(self, config: bytes) -> None:
        # An error fails the configuration; the gateway logs its message.
        global _config
        _config = _parse(config)

    def on_context_create(self, ctx: int) -> None:
        pass

    def on_request_headers(self, ctx, header_count, end_of_stream):
        try:
            http.add_header(types.MapKind.REQUEST_HEADERS, "hello", "world")
        except Err as e:
            log.log(types.LogLevel.ERROR, f"failed to add request header `hello`: {e.value}")
        if _config["mockEnable"]:
            agent = http.get_header(types.MapKind.REQUEST_HEADERS, "user-agent")
            print(f"my-plugin-py: user-agent {agent}")
            http.send_local_reply(200, [("x-ua", agent or "none")], b"hello world", None, "")
        return types.HeaderAction.CONTINUE

    # The world's other callbacks: this plugin has nothing to do in them.
    def on_request_body(self, ctx, body_size, end_of_stream):
        return types.BodyAction.CONTINUE

    def on_request_trailers(self, ctx, trailer_count):
        return types.HeaderAction.CONTINUE

    def on_response_headers(self, ctx, header_count, end_of_stream):
        return types.HeaderAction.CONTINUE

    def on_response_body(self, ctx, body_size, end_of_stream):
        return types.BodyAction.CONTINUE

    def on_response_trailers(self, ctx, trailer_count):
        return types.HeaderAction.CONTINUE

    def on_request_done(self, ctx):
        pass

    def on_tick(self):
        pass

    def on_http_call_response(self, ctx, call, response):
        pass

    def on_redis_call_response(self, ctx, call, reply):
        pass

    def on_queue_ready(self, queue):
        pass
