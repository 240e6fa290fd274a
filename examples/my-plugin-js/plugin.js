// `my-plugin-js`: the JavaScript version of `examples/my-plugin` — adds
// request header `hello: world`; with `{"mockEnable": true}` answers
// `200 hello world` instead of forwarding.
//
// componentize-js turns this module into a component of the
// `gatewit:plugin/plugin` world: each WIT import is an ES module import,
// the `guest` export an object of functions. WIT enums are strings,
// `result<_, E>` is "return, or throw E", `option<T>` is "T or undefined".

import { addHeader, sendLocalReply } from 'gatewit:plugin/http@0.1.0';
import { log } from 'gatewit:plugin/log@0.1.0';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let config = { mockEnable: false };

function parseConfig(bytes) {
  const text = decoder.decode(bytes).trim();
  if (text === '' || text === 'null') {
    return { mockEnable: false };
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw `invalid plugin configuration: ${e.message}`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw 'invalid plugin configuration: expected a JSON object';
  }
  if (value.mockEnable !== undefined && typeof value.mockEnable !== 'boolean') {
    throw 'invalid plugin configuration: `mockEnable` must be a boolean';
  }
  return { mockEnable: value.mockEnable === true };
}

export const guest = {
  onPluginStart(bytes) {
    config = parseConfig(bytes);
  },
  onRequestHeaders(_ctx, _headerCount, _endOfStream) {
    try {
      addHeader('request-headers', 'hello', 'world');
    } catch (e) {
      log('error', `failed to add request header \`hello\`: ${e}`);
    }
    if (config.mockEnable) {
      try {
        sendLocalReply(200, [], encoder.encode('hello world'), undefined, '');
      } catch (e) {
        log('error', `failed to send the local reply: ${e}`);
      }
    }
    return 'continue';
  },
  // The world's other callbacks: this plugin has nothing to do in them.
  onContextCreate(_ctx) {},
  onRequestBody(_ctx, _size, _endOfStream) { return 'continue'; },
  onRequestTrailers(_ctx, _count) { return 'continue'; },
  onResponseHeaders(_ctx, _count, _endOfStream) { return 'continue'; },
  onResponseBody(_ctx, _size, _endOfStream) { return 'continue'; },
  onResponseTrailers(_ctx, _count) { return 'continue'; },
  onRequestDone(_ctx) {},
  onTick() {},
  onHttpCallResponse(_ctx, _call, _response) {},
  onRedisCallResponse(_ctx, _call, _reply) {},
  onQueueReady(_queue) {},
};
