//! The rules every adapter output must follow, checked on every output.

use crate::AdaptError;
use wasmparser::{ExternalKind, Parser, Payload, TypeRef, ValType, WasmFeatures};

/// A glue signature in wasmparser's terms (hostcalls take numbers only).
fn plain(sig: &crate::witsig::Sig) -> (Vec<ValType>, Vec<ValType>) {
    let conv = |v: &[wasm_encoder::ValType]| -> Vec<ValType> {
        v.iter()
            .map(|t| match t {
                wasm_encoder::ValType::I64 => ValType::I64,
                wasm_encoder::ValType::F32 => ValType::F32,
                wasm_encoder::ValType::F64 => ValType::F64,
                wasm_encoder::ValType::V128 => ValType::V128,
                _ => ValType::I32,
            })
            .collect()
    };
    (conv(&sig.params), conv(&sig.results))
}

/// What an adapter output may use: WebAssembly 3.0 as wasmparser defines
/// its default, plus the legacy exception encoding (`try`/`catch`), which
/// V8 in Envoy 1.40 runs.
pub(crate) fn host_features() -> WasmFeatures {
    WasmFeatures::default() | WasmFeatures::LEGACY_EXCEPTIONS
}

#[derive(Default)]
struct Shape {
    memories: u32,
    data: u32,
    elements: u32,
    globals: u32,
    start: bool,
    imports: Vec<(String, String, bool)>,
    exports: Vec<(String, ExternalKind, u32)>,
    /// Each type's signature, as `(params, results)` (`None`: not a
    /// function type).
    types: Vec<Option<(Vec<ValType>, Vec<ValType>)>>,
    /// Each function's type index, imports first.
    funcs: Vec<u32>,
}

impl Shape {
    /// Function `f`'s signature.
    fn sig(&self, f: u32) -> Option<&(Vec<ValType>, Vec<ValType>)> {
        self.types
            .get(*self.funcs.get(f as usize)? as usize)?
            .as_ref()
    }
}

fn shape(bytes: &[u8]) -> Result<Shape, String> {
    let mut s = Shape::default();
    for p in Parser::new(0).parse_all(bytes) {
        match p.map_err(|e| e.to_string())? {
            Payload::MemorySection(r) => s.memories += r.count(),
            Payload::DataSection(r) => s.data += r.count(),
            Payload::ElementSection(r) => s.elements += r.count(),
            Payload::GlobalSection(r) => s.globals += r.count(),
            Payload::StartSection { .. } => s.start = true,
            Payload::ImportSection(r) => {
                for i in r.into_imports() {
                    let i = i.map_err(|e| e.to_string())?;
                    s.imports.push((
                        i.module.to_string(),
                        i.name.to_string(),
                        matches!(i.ty, TypeRef::Func(_)),
                    ));
                    if let TypeRef::Func(t) = i.ty {
                        s.funcs.push(t);
                    }
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(|e| e.to_string())?;
                    s.exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.map_err(|e| e.to_string())?;
                    s.types
                        .push(Some((t.params().to_vec(), t.results().to_vec())));
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    s.funcs.push(t.map_err(|e| e.to_string())?);
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// Check that `output` (an adapter output for the plugin `component`)
/// follows the adapter rules: it validates; the plugin's memory is the only
/// one; the glue added no data or element segments, no start function and
/// one global; imports are `env.proxy_*` / `wasi_snapshot_preview1`
/// functions only; `malloc` and `proxy_on_memory_allocate` are the same
/// function; every other export is a proxy-wasm entry point.
pub fn verify(component: &[u8], output: &[u8]) -> Result<(), AdaptError> {
    let plugin = crate::inspect::inspect(component, crate::lower::Layout::default(), false)?;
    verify_against(&plugin.module, output)
}

/// [`verify`], given the core module the glue was joined to.
pub(crate) fn verify_against(module: &[u8], output: &[u8]) -> Result<(), AdaptError> {
    let err = |m: String| AdaptError::Verify(m);
    crate::par::validate(
        output,
        WasmFeatures::default() | WasmFeatures::LEGACY_EXCEPTIONS,
    )
    .map_err(|e| err(format!("output does not validate: {e}")))?;
    let input = shape(module).map_err(err)?;
    let out = shape(output).map_err(err)?;
    if out.memories != 1 || out.imports.iter().any(|i| !i.2) {
        return Err(err(format!(
            "output must define exactly one memory and import only functions (memories: {})",
            out.memories
        )));
    }
    if out.data != input.data || out.elements != input.elements {
        return Err(err(format!(
            "glue added data or element segments ({} → {} data, {} → {} element)",
            input.data, out.data, input.elements, out.elements
        )));
    }
    if out.start {
        return Err(err("output has a start function".into()));
    }
    // One global for the glue's state pointer; one more for the callback
    // entered (step budget or panic recovery); one more for the steps left.
    if !(1..=3).contains(&out.globals.wrapping_sub(input.globals)) {
        return Err(err(format!(
            "glue must add one to three globals (its state pointer, the callback entered, the steps left), found {} → {}",
            input.globals, out.globals
        )));
    }
    for (i, (m, n, _)) in out.imports.iter().enumerate() {
        let ok = (m == "env" && n.starts_with("proxy_")) || m == "wasi_snapshot_preview1";
        if !ok {
            return Err(err(format!("output imports `{m}.{n}`")));
        }
        // Hostcalls the glue makes have one signature; the plugin's own
        // preview1 imports keep theirs (the host checks them at load).
        let expected = match crate::glue::try_host_sig(m, n) {
            Some(sig) => plain(&sig),
            None if m == "env" => {
                return Err(err(format!("output imports unknown hostcall `{m}.{n}`")));
            }
            None => continue,
        };
        if out.sig(i as u32) != Some(&expected) {
            return Err(err(format!(
                "output imports `{m}.{n}` with type {:?}, expected {expected:?}",
                out.sig(i as u32)
            )));
        }
    }
    let find = |name: &str| out.exports.iter().find(|e| e.0 == name);
    match find("memory") {
        Some((_, ExternalKind::Memory, 0)) => {}
        _ => return Err(err("output does not export its memory as `memory`".into())),
    }
    match (find("malloc"), find("proxy_on_memory_allocate")) {
        (Some(a), Some(b)) if a.2 == b.2 && a.1 == ExternalKind::Func => {}
        _ => {
            return Err(err(
                "`malloc` and `proxy_on_memory_allocate` must be the same exported function".into(),
            ));
        }
    }
    if find("proxy_abi_version_0_2_1").is_none() {
        return Err(err(
            "output does not export `proxy_abi_version_0_2_1`".into()
        ));
    }
    for (name, kind, idx) in &out.exports {
        if name == "memory"
            || (name == gatewit_abi::PLUGIN_PAGES_EXPORT && *kind == ExternalKind::Global)
        {
            continue;
        }
        // Every other export is an entry point the host calls, with the
        // signature proxy-wasm gives it.
        let Some((params, returns)) = gatewit_abi::proxy::export_signature(name) else {
            return Err(err(format!("output exports `{name}`")));
        };
        let expected = (
            vec![ValType::I32; params],
            if returns {
                vec![ValType::I32]
            } else {
                Vec::new()
            },
        );
        if *kind != ExternalKind::Func || out.sig(*idx) != Some(&expected) {
            return Err(err(format!(
                "output exports `{name}` with type {:?}, expected {expected:?}",
                out.sig(*idx)
            )));
        }
    }
    Ok(())
}
