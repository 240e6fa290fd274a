//! Read the plugin's core module: its types, imports, the guest's exports
//! and what the glue needs to know (`cabi_realloc`, `_initialize`, the
//! stack pointer, function names), and check the exports against the WIT.

use super::{check_memories, conv, malformed};
use crate::AdaptError;
use crate::glue::{Guest, StackPointer};
use crate::inspect::{split_gatewit, version_ok};
use crate::names::{legacy_export, legacy_import};
use crate::witsig::{Sig, Wit};
use std::collections::BTreeMap;
use wasmparser::{Parser, Payload, TypeRef};

/// What the glue needs from the plugin module.
pub(super) struct Input<'a> {
    /// Each type index's signature (`None`: not a function type).
    pub func_types: Vec<Option<Sig>>,
    /// Function imports, as `(module, name, type)`, legacy names.
    pub imports: Vec<(String, String, u32)>,
    /// Each defined function's type.
    pub defined_types: Vec<u32>,
    pub n_globals: u32,
    pub guest: Guest,
    /// `cabi_realloc`.
    pub realloc: u32,
    /// Every payload, for the re-encoding.
    pub sections: Vec<Payload<'a>>,
    pub orig_names: BTreeMap<u32, String>,
    pub stack: StackPointer,
    pub n_tags: u32,
}

impl Input<'_> {
    /// The signature of type `t`.
    pub fn type_of(&self, t: u32) -> Result<Sig, AdaptError> {
        type_of(&self.func_types, t)
    }

    /// The signature of function `idx` (imports first).
    fn func_sig(&self, idx: u32) -> Result<Sig, AdaptError> {
        let idx = idx as usize;
        let t = match self.imports.get(idx) {
            Some(i) => i.2,
            None => *self
                .defined_types
                .get(idx - self.imports.len())
                .ok_or_else(|| malformed(format!("function {idx} does not exist")))?,
        };
        self.type_of(t)
    }
}

/// The signature of type `t` among `types`.
pub(super) fn type_of(types: &[Option<Sig>], t: u32) -> Result<Sig, AdaptError> {
    types
        .get(t as usize)
        .cloned()
        .flatten()
        .ok_or_else(|| AdaptError::UnsupportedShape(format!("type {t} is not a function type")))
}

/// Read `bytes`, the plugin's core module.
pub(super) fn read(bytes: &[u8]) -> Result<Input<'_>, AdaptError> {
    let mut func_types: Vec<Option<Sig>> = Vec::new();
    let mut imports = Vec::new();
    let mut defined_types = Vec::new();
    let mut n_globals = 0u32;
    let mut guest = Guest::default();
    let mut realloc = None;
    let mut sections = Vec::new();
    let mut orig_names: BTreeMap<u32, String> = BTreeMap::new();
    let mut stack = StackPointer::default();
    let mut n_tags = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(malformed)?;
        match &payload {
            Payload::TypeSection(r) => {
                for rec in r.clone() {
                    let rec = rec.map_err(malformed)?;
                    for st in rec.types() {
                        func_types.push(match &st.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some(Sig {
                                params: f.params().iter().map(conv).collect::<Result<_, _>>()?,
                                results: f.results().iter().map(conv).collect::<Result<_, _>>()?,
                            }),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.clone().into_imports() {
                    let imp = imp.map_err(malformed)?;
                    match imp.ty {
                        TypeRef::Func(t) => {
                            let (module, name) = legacy_import(imp.module, imp.name);
                            imports.push((module.into_owned(), name.into_owned(), t))
                        }
                        TypeRef::Global(_) => {
                            return Err(AdaptError::UnsupportedShape(format!(
                                "the plugin module imports global `{}.{}`; only function imports can be bound",
                                imp.module, imp.name
                            )));
                        }
                        _ => {
                            return Err(AdaptError::UnsupportedShape(format!(
                                "the plugin module imports `{}.{}` (a memory, table or tag); only function imports can be bound",
                                imp.module, imp.name
                            )));
                        }
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r.clone() {
                    defined_types.push(t.map_err(malformed)?);
                }
            }
            Payload::MemorySection(r) => check_memories(r)?,
            Payload::GlobalSection(r) => {
                n_globals += r.count();
                for g in r.clone() {
                    let ty = g.map_err(malformed)?.ty;
                    stack
                        .fits
                        .push(ty.mutable && ty.content_type == wasmparser::ValType::I32);
                }
            }
            Payload::TagSection(r) => n_tags += r.count(),
            Payload::ExportSection(r) => {
                for e in r.clone() {
                    let e = e.map_err(malformed)?;
                    if e.kind != wasmparser::ExternalKind::Func {
                        continue;
                    }
                    let name = legacy_export(e.name);
                    if name == "cabi_realloc" {
                        realloc = Some(e.index);
                    } else if name == "_initialize" {
                        guest.initialize = Some(e.index);
                    } else if let Some(rest) = name.strip_prefix("cabi_post_") {
                        if let Some((_, f)) = rest.split_once('#') {
                            guest.post.insert(f.to_string(), e.index);
                        }
                    } else if let Some((iface, f)) = name.split_once('#')
                        && let Some(("guest", v)) = split_gatewit(iface)
                    {
                        if !version_ok(v) {
                            return Err(AdaptError::IncompatibleVersion {
                                found: e.name.to_string(),
                            });
                        }
                        guest.funcs.insert(f.to_string(), e.index);
                    }
                }
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(reader) = c.as_known() {
                    for name in reader.into_iter().flatten() {
                        match name {
                            wasmparser::Name::Function(map) => {
                                for n in map.into_iter().flatten() {
                                    orig_names.insert(n.index, n.name.to_string());
                                }
                            }
                            wasmparser::Name::Global(map) => {
                                stack.named = map
                                    .into_iter()
                                    .flatten()
                                    .find(|n| n.name == "__stack_pointer")
                                    .map(|n| n.index);
                            }
                            _ => {}
                        }
                    }
                }
            }
            Payload::StartSection { .. } => {
                return Err(AdaptError::UnsupportedShape(
                    "the plugin module has a start function; proxy-wasm forbids hostcalls there and the adapter does not move it".into(),
                ));
            }
            _ => {}
        }
        sections.push(payload);
    }
    let realloc =
        realloc.ok_or_else(|| AdaptError::UnsupportedShape("no `cabi_realloc` export".into()))?;
    Ok(Input {
        func_types,
        imports,
        defined_types,
        n_globals,
        guest,
        realloc,
        sections,
        orig_names,
        stack,
        n_tags,
    })
}

/// Check the guest's exports against the WIT; a post-return function
/// receives its export's flat results and returns nothing (canonical ABI).
/// `import_reallocs` are the `realloc`s a linked module's imports name.
pub(super) fn check_exports(
    input: &Input<'_>,
    wit: &Wit,
    import_reallocs: &[Option<u32>],
) -> Result<(), AdaptError> {
    let check = |name: String, idx: u32, expected: &Sig| -> Result<(), AdaptError> {
        let found = input.func_sig(idx)?;
        if found != *expected {
            return Err(AdaptError::SignatureMismatch {
                name,
                found: found.to_string(),
                expected: expected.to_string(),
            });
        }
        Ok(())
    };
    for (f, idx) in &input.guest.funcs {
        let expected = wit.sig("guest", f, false).ok_or_else(|| AdaptError::UnsupportedShape(format!(
            "the plugin exports `gatewit:plugin/guest#{f}`, which this adapter's WIT does not define"
        )))?;
        check(format!("gatewit:plugin/guest#{f}"), *idx, &expected)?;
    }
    for (f, idx) in &input.guest.post {
        if let Some(export) = wit.sig("guest", f, false) {
            let expected = Sig {
                params: export.results,
                results: Vec::new(),
            };
            check(
                format!("cabi_post_gatewit:plugin/guest#{f}"),
                *idx,
                &expected,
            )?;
        }
    }
    // What the glue calls besides the guest's exports.
    check("cabi_realloc".into(), input.realloc, &realloc_sig())?;
    for r in import_reallocs.iter().flatten() {
        check(format!("realloc (function {r})"), *r, &realloc_sig())?;
    }
    if let Some(init) = input.guest.initialize {
        check("_initialize".into(), init, &Sig::default())?;
    }
    Ok(())
}

/// `cabi_realloc(old ptr, old size, align, new size) -> ptr`.
pub(super) fn realloc_sig() -> Sig {
    use wasm_encoder::ValType::I32;
    Sig {
        params: vec![I32; 4],
        results: vec![I32],
    }
}
