//! The plugin component of `my-plugin-composed`: `my-plugin`'s behaviour,
//! with every decision asked of a library component through
//! `example:greeter/greeter` (see `../wit/greeter.wit`).

#[allow(missing_docs, reason = "generated bindings")]
mod bindings {
    wit_bindgen::generate!({ path: "../wit", world: "user" });
}

pub(crate) use bindings::example::greeter::greeter;

mod plugin;
pub use plugin::{ComposedPlugin, MyConfig};
