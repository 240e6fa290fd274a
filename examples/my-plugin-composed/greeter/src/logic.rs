//! The library's logic, on the interface's types (`super::…`), so the
//! benchmark's one-component twin (`bench/plugins/composed-inline`) runs
//! the very same code without the component boundary.

use super::{Answer, Decision, Features, Header, Mode, Request};
use std::sync::atomic::{AtomicU64, Ordering};

static DECIDED: AtomicU64 = AtomicU64::new(0);

/// A value of every number type (and `char`, `bool`), echoed by `stats`.
pub type Tag = (u8, i16, u32, i64, f32, f64, char, bool);

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
    }
}

/// What to do with a request.
pub fn decide(req: Request, mode: Mode, features: Features) -> Result<Decision, String> {
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

/// Headers (and user agents) of three requests.
pub fn total_headers(a: Request, b: Request, c: Request) -> u32 {
    [a, b, c]
        .iter()
        .map(|r| r.headers.len() as u32 + u32::from(r.user_agent.is_some()))
        .sum()
}

/// How many requests were decided, and the tag echoed.
pub fn stats(tag: Tag) -> (u64, Tag) {
    (DECIDED.load(Ordering::Relaxed), tag)
}
