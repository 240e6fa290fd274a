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
use std::sync::atomic::{AtomicU64, Ordering};

static DECIDED: AtomicU64 = AtomicU64::new(0);

struct Greeter;

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
    }
}

impl Guest for Greeter {
    fn decide(req: Request, mode: Mode, features: Features) -> Result<Decision, String> {
        if features.contains(Features::COUNT) {
            DECIDED.fetch_add(1, Ordering::Relaxed);
        }
        if req.path.starts_with("/fail") {
            return Err(format!("no decision for `{}`", req.path));
        }
        if req.headers.iter().any(|h| h.name == "x-pass") {
            return Ok(Decision::Pass);
        }
        match mode {
            Mode::Forward => Ok(Decision::Forward(vec![header("hello", "world")])),
            Mode::Mock => {
                let mut headers = vec![header("content-type", "text/plain")];
                if features.contains(Features::ECHO_USER_AGENT)
                    && let Some(ua) = &req.user_agent
                {
                    headers.push(header("x-ua", ua));
                }
                Ok(Decision::Reply(Answer {
                    status: 200,
                    headers,
                    body: b"hello world".to_vec(),
                }))
            }
        }
    }

    fn total_headers(a: Request, b: Request, c: Request) -> u32 {
        [a, b, c]
            .iter()
            .map(|r| r.headers.len() as u32 + u32::from(r.user_agent.is_some()))
            .sum()
    }

    fn stats(
        tag: (u8, i16, u32, i64, f32, f64, char, bool),
    ) -> (u64, (u8, i16, u32, i64, f32, f64, char, bool)) {
        (DECIDED.load(Ordering::Relaxed), tag)
    }
}

bindings::export!(Greeter with_types_in bindings);
