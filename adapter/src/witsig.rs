//! Canonical-ABI core signatures of the gatewit functions, computed from the
//! frozen WIT (so the glue is checked against the contract, not against a
//! hand-written table).

use wasm_encoder::ValType;
use wit_parser::Resolve;
use wit_parser::abi::{AbiVariant, WasmType};

/// The contract the adapter was built against.
const PLUGIN_WIT: &str = include_str!("../../wit/plugin.wit");

/// A core function type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sig {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

impl std::fmt::Display for Sig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &[ValType]| {
            v.iter()
                .map(|t| format!("{t:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join(" ")
        };
        write!(
            f,
            "`(func (param {}) (result {}))`",
            show(&self.params),
            show(&self.results)
        )
    }
}

pub(crate) struct Wit {
    resolve: Resolve,
    pkg: wit_parser::PackageId,
}

impl Wit {
    pub fn load() -> Wit {
        let mut resolve = Resolve::default();
        // The WIT is compiled into the adapter and covered by tests, so a
        // parse failure is a build defect, not an input error.
        let pkg = resolve
            .push_str("plugin.wit", PLUGIN_WIT)
            .expect("the embedded gatewit WIT parses");
        Wit { resolve, pkg }
    }

    /// The core signature of `iface.func`, imported (`import = true`) or
    /// exported; `None` when the WIT has no such function.
    pub fn sig(&self, iface: &str, func: &str, import: bool) -> Option<Sig> {
        let id = *self.resolve.packages[self.pkg].interfaces.get(iface)?;
        let f = self.resolve.interfaces[id].functions.get(func)?;
        let variant = if import {
            AbiVariant::GuestImport
        } else {
            AbiVariant::GuestExport
        };
        let s = self.resolve.wasm_signature(variant, f);
        let conv = |t: &WasmType| match t {
            WasmType::I64 | WasmType::PointerOrI64 => ValType::I64,
            WasmType::F32 => ValType::F32,
            WasmType::F64 => ValType::F64,
            WasmType::I32 | WasmType::Pointer | WasmType::Length => ValType::I32,
        };
        Some(Sig {
            params: s.params.iter().map(conv).collect(),
            results: s.results.iter().map(conv).collect(),
        })
    }
}

impl Wit {
    /// Every `(interface, function)` of the package, for coverage tests.
    #[cfg(test)]
    pub fn functions(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, id) in &self.resolve.packages[self.pkg].interfaces {
            for f in self.resolve.interfaces[*id].functions.keys() {
                out.push((name.clone(), f.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Wit;
    use crate::Profile;
    use crate::glue::{Cx, Guest, export_glue, gatewit_import};

    /// Every imported WIT function has glue whose core type is the WIT's
    /// canonical lowering, under both profiles; every guest function has a
    /// callback calling it.
    #[test]
    fn glue_covers_the_whole_wit() {
        let wit = Wit::load();
        let mut guest = Guest::default();
        for (iface, func) in wit.functions() {
            if iface == "guest" {
                guest.funcs.insert(func, 0);
                continue;
            }
            let sig = wit.sig(&iface, &func, true).unwrap();
            for profile in [Profile::Envoy, Profile::Higress] {
                let cx = Cx {
                    realloc: 0,
                    profile,
                    max_pages: None,
                    on_panic: crate::OnPanic::default(),
                    saved_stacks: 1,
                };
                let body = gatewit_import(&cx, &iface, &func, &sig)
                    .unwrap_or_else(|| panic!("no glue for {iface}#{func}"));
                assert_eq!(body.sig, sig, "{iface}#{func}");
            }
        }
        assert_eq!(guest.funcs.len(), 13);
        let cx = Cx {
            realloc: 0,
            profile: Profile::Higress,
            max_pages: None,
            on_panic: crate::OnPanic::default(),
            saved_stacks: 1,
        };
        for name in crate::glue::HOOKS {
            let body = export_glue(&cx, &guest, name).unwrap_or_else(|| panic!("{name}"));
            assert!(
                body.ops
                    .iter()
                    .any(|op| matches!(op, crate::glue::Op::Call(crate::glue::FuncRef::Orig(0)))),
                "{name} does not call the guest"
            );
        }
    }
}
