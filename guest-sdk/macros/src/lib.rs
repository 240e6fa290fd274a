//! Procedural macros of the gatewit guest SDK. Use them through
//! `gatewit_sdk` (`#[gatewit_sdk::plugin]`), not directly.
#![deny(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, ImplItem, ItemImpl, LitStr, Token, parse_macro_input, parse_quote};

use gatewit_abi::Callback;
use gatewit_abi::sdk_flags::{
    BUFFERED_REQUEST_BODY, BUFFERED_RESPONSE_BODY, REQUEST_HEADERS_DEFINED,
    RESPONSE_HEADERS_DEFINED, STREAM_DONE, STREAMING_REQUEST_BODY, STREAMING_RESPONSE_BODY,
};

const PLUGIN_START: u32 = Callback::PluginStart.bit();
const REQUEST_HEADERS: u32 = Callback::RequestHeaders.bit();
const REQUEST_BODY: u32 = Callback::RequestBody.bit();
const RESPONSE_HEADERS: u32 = Callback::ResponseHeaders.bit();
const RESPONSE_BODY: u32 = Callback::ResponseBody.bit();
const REQUEST_DONE: u32 = Callback::RequestDone.bit();
const TICK: u32 = Callback::Tick.bit();
const HTTP_CALL_RESPONSE: u32 = Callback::HttpCallResponse.bit();
const REDIS_CALL_RESPONSE: u32 = Callback::RedisCallResponse.bit();
const QUEUE_READY: u32 = Callback::QueueReady.bit();
/// The callback bits of the section; SDK flags sit above.
const SECTION_BITS: u32 = gatewit_abi::ALL_CALLBACKS;

struct Args {
    name: Option<LitStr>,
    route_call: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut name = None;
        let mut route_call = false;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "route_call" {
                route_call = true;
            } else if key == "name" {
                input.parse::<Token![=]>()?;
                name = Some(input.parse()?);
            } else {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown argument `{key}`: expected `name = \"...\"` or `route_call`"),
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Args { name, route_call })
    }
}

/// Whether `tokens` contain the identifier `name` anywhere.
fn mentions(tokens: TokenStream2, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == name,
        TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}

/// The hook bits for the methods an `impl Plugin` block defines; with
/// `route_call`, the response phases too (a route call hands the answer
/// over from them).
fn hook_bits(methods: &[String], route_call: bool) -> u32 {
    let has = |m: &str| methods.iter().any(|x| x == m);
    // The SDK parses configuration, and the callbacks below cost nothing
    // per request unless the plugin makes calls or registers ticks.
    let mut bits = PLUGIN_START | TICK | HTTP_CALL_RESPONSE | REDIS_CALL_RESPONSE;
    let mut per_request = false;
    if has("on_request_headers") {
        bits |= REQUEST_HEADERS | REQUEST_HEADERS_DEFINED;
        per_request = true;
    }
    if has("on_request_body") {
        bits |= REQUEST_BODY | BUFFERED_REQUEST_BODY;
        per_request = true;
    }
    if has("on_streaming_request_body") {
        bits |= REQUEST_BODY | STREAMING_REQUEST_BODY;
        per_request = true;
    }
    if has("on_response_headers") {
        bits |= RESPONSE_HEADERS | RESPONSE_HEADERS_DEFINED;
        per_request = true;
    }
    if has("on_response_body") {
        bits |= RESPONSE_BODY | BUFFERED_RESPONSE_BODY;
        per_request = true;
    }
    if has("on_streaming_response_body") {
        bits |= RESPONSE_BODY | STREAMING_RESPONSE_BODY;
        per_request = true;
    }
    if has("on_stream_done") {
        bits |= STREAM_DONE;
        per_request = true;
    }
    // Whether the body methods run is read from the headers in their
    // phase, as Go's wrapper does: Envoy serves the request headers in no
    // later phase, and the response headers only in theirs.
    if bits & (REQUEST_BODY | RESPONSE_BODY) != 0 {
        bits |= REQUEST_HEADERS;
    }
    if bits & RESPONSE_BODY != 0 {
        bits |= RESPONSE_HEADERS;
    }
    // Plugin level: no per-request state.
    if has("on_queue_ready") {
        bits |= QUEUE_READY;
    }
    if route_call {
        bits |= RESPONSE_HEADERS | RESPONSE_BODY;
        per_request = true;
    }
    // Per-request state (context, pending call callbacks) is released in
    // on-request-done.
    if per_request {
        bits |= REQUEST_DONE;
    }
    bits
}

/// Export an `impl gatewit_sdk::Plugin for X` block as the plugin of this
/// crate.
///
/// It emits the WIT export glue, and a `gatewit:hooks` custom section (a
/// little-endian `u32` bit set, see `wit/README.md`) that tells hosts which
/// callbacks the plugin needs, derived from the methods the block defines.
/// The plugin name used in logs is the crate name, or
/// `#[gatewit_sdk::plugin(name = "my-plugin")]`.
///
/// A route call (`HttpContext::route_call`) needs the response phases;
/// they are added when the block mentions `route_call`, or with
/// `#[gatewit_sdk::plugin(route_call)]` when it is called from elsewhere.
#[proc_macro_attribute]
pub fn plugin(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = parse_macro_input!(attr as Args);
    let mut block = parse_macro_input!(item as ItemImpl);

    let is_plugin_impl = block
        .trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last())
        .is_some_and(|s| s.ident == "Plugin");
    if !is_plugin_impl {
        return syn::Error::new(
            Span::call_site(),
            "`#[gatewit_sdk::plugin]` goes on an `impl Plugin for YourType` block",
        )
        .to_compile_error()
        .into();
    }

    let mut methods = Vec::new();
    for item in &block.items {
        match item {
            ImplItem::Fn(f) => methods.push(f.sig.ident.to_string()),
            ImplItem::Const(c) if c.ident.to_string().starts_with("__") => {
                return syn::Error::new(
                    c.ident.span(),
                    format!("`{}` is set by `#[gatewit_sdk::plugin]`", c.ident),
                )
                .to_compile_error()
                .into();
            }
            _ => {}
        }
    }
    let route_call = args.route_call || mentions(quote!(#block), "route_call");
    let bits = hook_bits(&methods, route_call);
    let section = bits & SECTION_BITS;
    let name = match args.name {
        Some(lit) => quote!(#lit),
        None => quote!(::core::env!("CARGO_PKG_NAME")),
    };
    block.items.push(parse_quote! {
        #[doc(hidden)]
        const __HOOKS: u32 = #bits;
    });
    block.items.push(parse_quote! {
        #[doc(hidden)]
        const __NAME: &'static str = #name;
    });
    let self_ty = &block.self_ty;

    quote! {
        #block

        const _: () = {
            type __GatewitGlue = ::gatewit_sdk::__private::Glue<#self_ty>;
            ::gatewit_sdk::bindings::__export_plugin!(
                __GatewitGlue with_types_in ::gatewit_sdk::bindings
            );

            #[cfg(target_family = "wasm")]
            #[used]
            #[unsafe(link_section = "gatewit:hooks")]
            static __GATEWIT_HOOKS: [u8; 4] = (#section as u32).to_le_bytes();
        };
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(methods: &[&str]) -> u32 {
        hook_bits(
            &methods.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            false,
        )
    }

    #[test]
    fn bits_follow_methods() {
        let always = PLUGIN_START | TICK | HTTP_CALL_RESPONSE | REDIS_CALL_RESPONSE;
        assert_eq!(bits(&[]), always);
        assert_eq!(
            bits(&["on_request_headers"]) & 0xfff,
            always | REQUEST_HEADERS | REQUEST_DONE
        );
        // A body method brings the headers phases that say whether it runs.
        let b = bits(&["on_streaming_response_body"]);
        assert_eq!(
            b & 0xfff,
            always | REQUEST_HEADERS | RESPONSE_HEADERS | RESPONSE_BODY | REQUEST_DONE
        );
        assert_eq!(b & (REQUEST_HEADERS_DEFINED | RESPONSE_HEADERS_DEFINED), 0);
        assert_eq!(
            bits(&["on_request_body"]) & 0xfff,
            always | REQUEST_HEADERS | REQUEST_BODY | REQUEST_DONE
        );
        assert_ne!(b & STREAMING_RESPONSE_BODY, 0);
        assert_eq!(b & BUFFERED_RESPONSE_BODY, 0);
        let b = bits(&["on_stream_done", "parse_config"]);
        assert_eq!(b & 0xfff, always | REQUEST_DONE);
        // Bit 12 only when the block defines `on_queue_ready`.
        assert_eq!(bits(&["on_request_headers"]) & QUEUE_READY, 0);
        assert_eq!(
            bits(&["on_queue_ready"]) & SECTION_BITS,
            always | QUEUE_READY
        );
    }

    #[test]
    fn route_calls_add_the_response_phases() {
        let always = PLUGIN_START | TICK | HTTP_CALL_RESPONSE | REDIS_CALL_RESPONSE;
        let b = hook_bits(&["on_request_body".to_string()], true);
        assert_eq!(
            b & 0xfff,
            always
                | REQUEST_HEADERS
                | REQUEST_BODY
                | RESPONSE_HEADERS
                | RESPONSE_BODY
                | REQUEST_DONE
        );
        // The plugin's own response methods stay undefined.
        assert_eq!(b & (RESPONSE_HEADERS_DEFINED | BUFFERED_RESPONSE_BODY), 0);
        assert!(mentions(
            quote!(
                fn f(c: &mut C) {
                    let _ = c.route_call("GET", "/", &[], "", |_, _| {});
                }
            ),
            "route_call"
        ));
        assert!(!mentions(
            quote!(
                fn f() {
                    route_calls();
                }
            ),
            "route_call"
        ));
    }
}
