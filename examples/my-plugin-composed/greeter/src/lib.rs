//! The library component of `my-plugin-composed`: exports
//! `example:greeter/greeter`, the plugin's whole decision, as a component
//! of its own with its own memory.

#[allow(missing_docs, reason = "generated bindings")]
mod bindings {
    wit_bindgen::generate!({ path: "../wit", world: "library" });
}

use bindings::exports::example::greeter::greeter::{
    Answer, Decision, Features, Guest, Header, Mode, Request,
};

mod logic;

struct Greeter;

impl Guest for Greeter {
    fn decide(req: Request, mode: Mode, features: Features) -> Result<Decision, String> {
        logic::decide(req, mode, features)
    }

    fn total_headers(a: Request, b: Request, c: Request) -> u32 {
        logic::total_headers(a, b, c)
    }

    fn stats(tag: logic::Tag) -> (u64, logic::Tag) {
        logic::stats(tag)
    }
}

bindings::export!(Greeter with_types_in bindings);
