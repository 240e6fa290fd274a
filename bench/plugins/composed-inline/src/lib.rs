//! `my-plugin-composed` as one component: the plugin's code
//! (`examples/my-plugin-composed/plugin/src/plugin.rs`) and the library's
//! (`…/greeter/src/logic.rs`), the same files, joined by plain Rust calls
//! instead of a component boundary. The benchmark compares the two: the
//! difference is what the cross-component calls cost (copying the values
//! into the library's memory and back).

#[path = "../../../../examples/my-plugin-composed/greeter/src/logic.rs"]
mod logic;

/// `example:greeter/greeter`'s types, as plain Rust: what the bindings
/// would generate.
mod types {
    #[derive(Clone, Debug)]
    pub struct Header {
        pub name: String,
        pub value: String,
    }

    #[derive(Clone, Debug)]
    pub struct Request {
        pub path: String,
        pub headers: Vec<Header>,
        pub user_agent: Option<String>,
    }

    #[derive(Clone, Copy, Debug)]
    pub enum Mode {
        Forward,
        Mock,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Features(u8);

    impl Features {
        pub const ECHO_USER_AGENT: Features = Features(1);
        pub const COUNT: Features = Features(2);
        pub fn contains(self, other: Features) -> bool {
            self.0 & other.0 == other.0
        }
    }

    impl std::ops::BitOr for Features {
        type Output = Features;
        fn bitor(self, other: Features) -> Features {
            Features(self.0 | other.0)
        }
    }

    #[derive(Clone, Debug)]
    pub struct Answer {
        pub status: u16,
        pub headers: Vec<Header>,
        pub body: Vec<u8>,
    }

    #[derive(Clone, Debug)]
    pub enum Decision {
        Forward(Vec<Header>),
        Reply(Answer),
        Pass,
    }
}
pub(crate) use types::{Answer, Decision, Features, Header, Mode, Request};

/// `example:greeter/greeter`'s functions, calling the library's logic.
/// Arguments are cloned, as the library takes them by value (the
/// composition copies them).
mod greeter {
    use super::logic;
    pub(crate) use super::{Decision, Features, Header, Mode, Request};

    pub fn decide(req: &Request, mode: Mode, features: Features) -> Result<Decision, String> {
        logic::decide(req.clone(), mode, features)
    }

    pub fn total_headers(a: &Request, b: &Request, c: &Request) -> u32 {
        logic::total_headers(a.clone(), b.clone(), c.clone())
    }

    pub fn stats(tag: logic::Tag) -> (u64, logic::Tag) {
        logic::stats(tag)
    }
}

#[path = "../../../../examples/my-plugin-composed/plugin/src/plugin.rs"]
mod plugin;
pub use plugin::{ComposedPlugin, MyConfig};
