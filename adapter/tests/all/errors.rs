//! One test per rejection: each asserts the typed error and that the message
//! names the cause.

use crate::common;

use gatewit_adapter::{AdaptError, Options, adapt};

const REALLOC: &str = r#"
  (memory (export "memory") 1)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
"#;

fn guest_exports() -> String {
    let g = "gatewit:plugin/guest@0.1.0#";
    format!(
        r#"
  (func (export "{g}on-plugin-start") (param i32 i32) (result i32) (i32.const 512))
  (func (export "{g}on-context-create") (param i32))
  (func (export "{g}on-request-headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "{g}on-request-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "{g}on-request-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "{g}on-response-headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "{g}on-response-body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "{g}on-response-trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "{g}on-request-done") (param i32))
  (func (export "{g}on-tick"))
  (func (export "{g}on-http-call-response") (param i32 i32 i32 i32 i32 i32 i32 i32 i32))
  (func (export "{g}on-redis-call-response") (param i32 i32 i32 i32 i32))
  (func (export "{g}on-queue-ready") (param i32))
"#
    )
}

fn err(bytes: &[u8]) -> AdaptError {
    adapt(bytes, &Options::default()).expect_err("adapt should fail")
}

#[test]
fn garbage_is_malformed() {
    let e = err(b"definitely not wasm");
    assert!(matches!(e, AdaptError::Malformed(_)), "{e}");
    assert!(
        e.to_string().contains("not a valid WebAssembly component"),
        "{e}"
    );
    // a truncated component too
    let c = common::plugin_component(&format!("(module {REALLOC} {})", guest_exports())).unwrap();
    let e = err(&c[..c.len() / 2]);
    assert!(matches!(e, AdaptError::Malformed(_)), "{e}");
}

#[test]
fn core_module_is_rejected() {
    let m = wat::parse_str("(module (memory (export \"memory\") 1))").unwrap();
    let e = err(&m);
    assert!(matches!(e, AdaptError::CoreModule), "{e}");
    assert!(
        e.to_string().contains("core wasm module, not a component"),
        "{e}"
    );
}

#[test]
fn another_world_is_rejected() {
    let wit = "package test:other;\ninterface handler { handle: func(); }\nworld test { export handler; }\n";
    let c = common::component(
        &format!("(module {REALLOC} (func (export \"test:other/handler#handle\")))"),
        Some(wit),
        "test",
    )
    .unwrap();
    let e = err(&c);
    assert!(matches!(e, AdaptError::WrongWorld { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("`gatewit:plugin/guest@0.1.x`") && msg.contains("`test:other/handler`"),
        "{msg}"
    );
}

#[test]
fn incompatible_version_is_rejected() {
    let wit = "package test:v2;\npackage gatewit:plugin@0.2.0 { interface guest { on-tick: func(); } }\nworld test { export gatewit:plugin/guest@0.2.0; }\n";
    let c = common::component(
        &format!("(module {REALLOC} (func (export \"gatewit:plugin/guest@0.2.0#on-tick\")))"),
        Some(wit),
        "test",
    )
    .unwrap();
    let e = err(&c);
    assert!(matches!(e, AdaptError::IncompatibleVersion { .. }), "{e}");
    assert!(
        e.to_string().contains("`gatewit:plugin/guest@0.2.0`"),
        "{e}"
    );
}

#[test]
fn imports_the_host_cannot_provide_are_named() {
    let wit = "package test:net;\n\
        package wasi:http@0.2.0 { interface outgoing-handler { handle: func(); } }\n\
        package acme:kv@1.0.0 { interface store { get: func(k: string) -> string; } }\n\
        world test { include gatewit:plugin/plugin@0.1.0; import wasi:http/outgoing-handler@0.2.0; import acme:kv/store@1.0.0; }\n";
    let c = common::component(
        &format!(
            "(module (import \"wasi:http/outgoing-handler@0.2.0\" \"handle\" (func)) (import \"acme:kv/store@1.0.0\" \"get\" (func (param i32 i32 i32))) {REALLOC} {})",
            guest_exports()
        ),
        Some(wit),
        "test",
    )
    .unwrap();
    let e = err(&c);
    let AdaptError::UnsupportedImports { names } = &e else {
        panic!("{e}")
    };
    assert_eq!(names.len(), 2, "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("`wasi:http/outgoing-handler@0.2.0#handle`")
            && msg.contains("`acme:kv/store@1.0.0#get`"),
        "{msg}"
    );
}

#[test]
fn several_memory_owning_modules_are_rejected() {
    let c = wat::parse_str(
        r#"(component
            (core module $a (memory (export "memory") 1))
            (core module $b (memory (export "memory") 1))
            (core instance (instantiate $a))
            (core instance (instantiate $b)))"#,
    )
    .unwrap();
    let e = err(&c);
    assert!(matches!(e, AdaptError::UnsupportedShape(_)), "{e}");
    assert!(
        e.to_string().contains("2 core modules own a linear memory"),
        "{e}"
    );
}

/// `verify` catches outputs that break the glue rules.
#[test]
fn verify_rejects_rule_breaking_outputs() {
    let c = common::plugin_component(&format!("(module {REALLOC} {})", guest_exports())).unwrap();
    let out = adapt(&c, &Options::default()).unwrap().module;
    gatewit_adapter::verify(&c, &out).unwrap();
    let text = wasmprinter::print_bytes(&out).unwrap();
    let end = text.rfind(')').unwrap();
    let cases = [
        ("(start $gatewit-glue:_initialize)", "start function"),
        ("(data (i32.const 0) \"x\")", "data or element segments"),
        (
            "(export \"foo\" (func $gatewit-glue:_initialize))",
            "output exports `foo`",
        ),
        (
            "(global i32 (i32.const 0))",
            "glue must add one to three globals",
        ),
        ("(memory 1)", "exactly one memory"),
        (
            "(export \"proxy_on_delete\" (func $gatewit-glue:_initialize))",
            "output exports `proxy_on_delete` with type",
        ),
    ];
    for (extra, why) in cases {
        let broken = wat::parse_str(format!("{}{extra}\n)", &text[..end])).unwrap();
        let e = gatewit_adapter::verify(&c, &broken).expect_err(extra);
        assert!(matches!(e, AdaptError::Verify(_)), "{e}");
        assert!(e.to_string().contains(why), "{extra}: {e}");
    }
}

/// A memory a proxy-wasm host cannot share is refused up front, by name,
/// never reported as a failed verification (an adapter bug).
#[test]
fn memories_the_host_cannot_share_are_named() {
    for (memory, named) in [
        (
            "(memory (export \"memory\") 1 (pagesize 1))",
            "custom page size",
        ),
        (
            "(memory (export \"memory\") 1) (memory 1)",
            "defines 2 memories (multi-memory)",
        ),
    ] {
        let module = format!(
            r#"(module {memory}
              (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const 1024))
              {})"#,
            guest_exports()
        );
        let e = match common::plugin_component(&module) {
            Ok(c) => err(&c),
            // wit-component may refuse the module itself; then there is no
            // component to adapt and nothing for this test to check.
            Err(e) => panic!("cannot build the test component for `{memory}`: {e:#}"),
        };
        assert!(
            matches!(e, AdaptError::UnsupportedShape(_)),
            "{memory}: {e}"
        );
        assert!(e.to_string().contains(named), "{memory}: {e}");
    }
}

/// The plugin's exception-handling tags survive the merge (they used to be
/// dropped, which left `throw` pointing at nothing). The throw is in a
/// callback the host gets (`proxy_on_log`), so the function is kept.
#[test]
fn exception_tags_are_kept() {
    let module = format!(
        r#"(module {REALLOC}
          (tag $oops (param i32))
          (func (export "gatewit:plugin/guest@0.1.0#on-request-done") (param i32)
            (block $caught (result i32)
              (try_table (catch $oops $caught) (throw $oops (i32.const 7)))
              (i32.const 0))
            drop)
          {})"#,
        guest_exports().replace(
            "(func (export \"gatewit:plugin/guest@0.1.0#on-request-done\") (param i32))",
            ""
        )
    );
    let c = common::plugin_component(&module).unwrap();
    let out = adapt(&c, &Options::default()).expect("a plugin with tags adapts");
    let text = wasmprinter::print_bytes(&out.module).unwrap();
    assert!(text.contains("(tag "), "{text}");
    assert!(text.contains("throw"), "{text}");
}

/// A guest export whose callback the host never gets goes, with the
/// functions only it called; what a table reaches stays.
#[test]
fn functions_nothing_reaches_are_dropped() {
    let module = format!(
        r#"(module {REALLOC}
          (table 1 funcref)
          (elem (i32.const 0) func $in_table)
          (func $only_tick (result i32) (i32.const 4141041))
          (func $in_table (result i32) (i32.const 4242042))
          (func $shared (result i32) (i32.const 4343043))
          (func (export "gatewit:plugin/guest@0.1.0#on-tick")
            (drop (call $only_tick)) (drop (call $shared)))
          (func (export "gatewit:plugin/guest@0.1.0#on-request-done") (param i32)
            (drop (call $shared)))
          {})"#,
        guest_exports()
            .replace("(func (export \"gatewit:plugin/guest@0.1.0#on-tick\"))", "")
            .replace(
                "(func (export \"gatewit:plugin/guest@0.1.0#on-request-done\") (param i32))",
                ""
            )
    );
    let c = common::plugin_component(&module).unwrap();
    let out = adapt(&c, &Options::default()).expect("the plugin adapts");
    let text = wasmprinter::print_bytes(&out.module).unwrap();
    // No `set-tick-period` import: Envoy can never call `proxy_on_tick`.
    assert!(!out.report.exports.iter().any(|e| e == "proxy_on_tick"));
    assert!(!text.contains("i32.const 4141041"), "{text}");
    assert!(text.contains("i32.const 4242042"), "{text}");
    assert!(text.contains("i32.const 4343043"), "{text}");
}

/// Inputs over the cap are refused before anything is parsed.
#[test]
fn oversized_input_is_refused() {
    let big = vec![0u8; gatewit_adapter::MAX_INPUT_SIZE + 1];
    let e = err(&big);
    assert!(matches!(e, AdaptError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("more than the 256 MiB"), "{e}");
}

/// A component that links modules: `env` owns the memory; `extra` is the
/// module under test, instantiated with `args`; `guest` exports `on-tick`.
fn linked_component(extra: &str, instances: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(component
            (core module $env (memory (export "memory") 1))
            {extra}
            (core module $guest
              (import "env" "memory" (memory 0))
              (func (export "gatewit:plugin/guest@0.1.0#on-tick"))
              (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 8))
            (core instance $env (instantiate $env))
            {instances}
            (core instance $guest (instantiate $guest (with "env" (instance $env))))
            (func $t (canon lift (core func $guest "gatewit:plugin/guest@0.1.0#on-tick")))
            (instance $e (export "on-tick" (func $t)))
            (export "gatewit:plugin/guest@0.1.0" (instance $e)))"#
    ))
    .unwrap()
}

#[test]
fn linking_names_a_module_instantiated_twice() {
    let c = linked_component(
        r#"(core module $lib (import "env" "memory" (memory 0)))"#,
        r#"(core instance (instantiate $lib (with "env" (instance $env))))
           (core instance (instantiate $lib (with "env" (instance $env))))"#,
    );
    let e = err(&c);
    assert!(matches!(e, AdaptError::UnsupportedShape(_)), "{e}");
    assert!(
        e.to_string()
            .contains("core module `lib` is instantiated twice"),
        "{e}"
    );
}

#[test]
fn linking_names_an_import_nobody_provides() {
    let c = linked_component(
        r#"(core module $lib (import "env" "memory" (memory 0)) (import "env" "helper" (func)))"#,
        r#"(core instance (instantiate $lib (with "env" (instance $env))))"#,
    );
    // Component validation already names it; the linker's own check
    // stays for what validation lets through.
    let e = err(&c);
    assert!(matches!(e, AdaptError::Malformed(_)), "{e}");
    assert!(
        e.to_string()
            .contains("argument `env` does not export an item named `helper`"),
        "{e}"
    );
}

#[test]
fn linking_names_an_import_given_the_wrong_kind() {
    let c = linked_component(
        r#"(core module $lib (import "env" "memory" (func)))"#,
        r#"(core instance (instantiate $lib (with "env" (instance $env))))"#,
    );
    let e = err(&c);
    assert!(matches!(e, AdaptError::Malformed(_)), "{e}");
    assert!(
        e.to_string()
            .contains("export `memory` of module instantiation argument `env`"),
        "{e}"
    );
}

#[test]
fn linking_refuses_a_second_memory_by_name() {
    let c = linked_component(
        r#"(core module $lib (memory 1))"#,
        r#"(core instance (instantiate $lib))"#,
    );
    let e = err(&c);
    assert!(
        e.to_string().contains("2 core modules own a linear memory"),
        "{e}"
    );
}

/// Inputs found by fuzzing the link step (mutants of the golden `link`
/// component) that once came back as "adapter output failed verification"
/// or a panic: each is now refused by name, or adapted.
#[test]
fn link_step_fuzz_findings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regressions");
    let refused = [
        // A module section running past the input: wasmparser 0.254 still
        // validates the component; the range is checked.
        ("truncated-module-section.wasm", "the input is truncated"),
        // `cabi_realloc` of the wrong type: the glue would call it anyway.
        ("realloc-signature.wasm", "`cabi_realloc` has core type"),
        // An i64-indexed table shared between modules.
        ("table64.wasm", "64-bit table"),
        // Valid only with a proposal the output's host does not run.
        ("shared-global.wasm", "shared-everything-threads"),
    ];
    for (file, cause) in refused {
        let bytes = std::fs::read(format!("{dir}/{file}")).unwrap();
        let e = err(&bytes);
        assert!(!matches!(e, AdaptError::Verify(_)), "{file}: {e}");
        assert!(e.to_string().contains(cause), "{file}: {e}");
    }
    // `__stack_pointer` exported as an immutable global: not the stack
    // pointer the panic recovery restores; the first global is.
    let bytes = std::fs::read(format!("{dir}/immutable-stack-pointer.wasm")).unwrap();
    adapt(&bytes, &Options::default()).expect("adapts, restoring the mutable first global");
}

/// A component of one core module, `$m`, exporting `on-context-create`
/// (`body`: its body, after its parameter, local 0) and whatever `extra`
/// defines; `others`: more core modules.
fn one_module_component(body: &str, extra: &str, others: &str) -> Vec<u8> {
    let create = "gatewit:plugin/guest@0.1.0#on-context-create";
    wat::parse_str(format!(
        r#"(component
            (core module $m {REALLOC}
              (func (export "{create}") (param i32) {body})
              {extra})
            {others}
            (core instance $i (instantiate $m))
            (func $c (param "id" u32) (canon lift (core func $i "{create}")))
            (instance $e (export "on-context-create" (func $c)))
            (export "gatewit:plugin/guest@0.1.0" (instance $e)))"#
    ))
    .unwrap()
}

/// Function bodies are validated once, in the output (`inspect::blame`):
/// a malformed one is refused as the input's fault, by the validator's
/// words, wherever the adapter meets it, even where what the adapter adds
/// (locals, globals) would make it valid, and where the output leaves it
/// out.
#[test]
fn malformed_function_bodies_are_the_inputs_fault() {
    let cases = [
        (
            "a well-formed plugin",
            one_module_component("(local i32) (loop (br_if 0 (local.get 1)))", "", ""),
            None,
        ),
        (
            // The step budget adds two locals to a function with a loop.
            "a local past the function's own",
            one_module_component(
                "(local i32) (loop (br_if 0 (local.get 1))) (drop (local.get 3))",
                "",
                "",
            ),
            Some("unknown local 3"),
        ),
        (
            // The glue adds a global for its state.
            "a global past the module's own",
            one_module_component("(drop (global.get 0))", "", ""),
            Some("unknown global: global index out of bounds"),
        ),
        (
            "a type mismatch",
            one_module_component("(drop (i32.add (i32.const 1) (i64.const 2)))", "", ""),
            Some("type mismatch"),
        ),
        (
            "a function the output drops",
            one_module_component("", "(func $dead (drop (i32.add (i32.const 1))))", ""),
            Some("type mismatch"),
        ),
        (
            "a module the output leaves out",
            one_module_component("", "", "(core module $unused (func (drop (i32.add))))"),
            Some("type mismatch"),
        ),
    ];
    for (what, component, cause) in cases {
        let result = adapt(&component, &Options::default());
        match (cause, result) {
            (None, Ok(_)) => {}
            (Some(cause), Err(e)) => {
                assert!(matches!(e, AdaptError::Malformed(_)), "{what}: {e}");
                assert!(e.to_string().contains(cause), "{what}: {e}");
            }
            (cause, result) => panic!("{what}: expected {cause:?}, got {:?}", result.map(|_| ())),
        }
    }
}
