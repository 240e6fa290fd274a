//! Bind the plugin's imports: each `gatewit:plugin` or WASI 0.2 function
//! to its glue (its core type checked against the WIT's lowering first),
//! `wasi_snapshot_preview1` passed to the host as it is; anything else is
//! refused, all names at once.

use super::Bind;
use crate::glue::{self, Cx};
use crate::inspect::{Plugin, split_gatewit, version_ok};
use crate::names::version_is;
use crate::witsig::{Sig, Wit};
use crate::{AdaptError, Report};
use std::collections::BTreeSet;

/// The imports, bound.
pub(super) struct Bound {
    /// Per import, in order: kept as an import, or replaced by glue.
    pub binds: Vec<Bind>,
    /// What was glued and passed through.
    pub report: Report,
    /// The `(interface, function)`s of `gatewit:plugin` the plugin imports.
    pub imported: BTreeSet<(String, String)>,
}

/// Bind every import of the plugin module (see the module docs).
pub(super) fn bind(
    plugin: &Plugin<'_>,
    imports: &[(String, String, u32)],
    input_type: &dyn Fn(u32) -> Result<Sig, AdaptError>,
    cx: &Cx,
    wit: &Wit,
) -> Result<Bound, AdaptError> {
    let mut binds = Vec::new();
    let mut unsupported = Vec::new();
    let mut report = Report::default();
    let mut imported = BTreeSet::new();
    for (i, (module, name, t)) in imports.iter().enumerate() {
        let found = input_type(*t)?;
        // A linked module's imports may each name their own `realloc`
        // (CPython's preview1 adapter has one for the WASI calls it makes).
        let own;
        let cx = match plugin.import_reallocs.get(i).copied().flatten() {
            Some(realloc) if realloc != cx.realloc => {
                own = Cx { realloc, ..*cx };
                &own
            }
            _ => cx,
        };
        let full = format!("{module}#{name}");
        if module == "wasi_snapshot_preview1" {
            report.passthrough.push(format!("{module}.{name}"));
            binds.push(Bind::Keep);
            continue;
        }
        let body = if let Some((iface, v)) = split_gatewit(module) {
            if !version_ok(v) {
                return Err(AdaptError::IncompatibleVersion {
                    found: module.clone(),
                });
            }
            imported.insert((iface.to_string(), name.clone()));
            match wit.sig(iface, name, true) {
                Some(expected) if expected != found => {
                    return Err(AdaptError::SignatureMismatch {
                        name: full,
                        found: found.to_string(),
                        expected: expected.to_string(),
                    });
                }
                Some(_) => glue::gatewit_import(cx, iface, name, &found),
                None => None,
            }
        } else if let Some((iface, v)) = module
            .split_once('@')
            .filter(|(m, _)| m.starts_with("wasi:"))
        {
            if version_is(v, "0.2") {
                glue::wasi_import(cx, iface, name, &found)
            } else {
                None
            }
        } else {
            None
        };
        match body {
            Some(b) if b.sig != found => {
                return Err(AdaptError::SignatureMismatch {
                    name: full,
                    found: found.to_string(),
                    expected: b.sig.to_string(),
                });
            }
            Some(b) => {
                report.glued.push(full);
                binds.push(Bind::Glue(b));
            }
            None => {
                unsupported.push(format!("`{full}`"));
                binds.push(Bind::Keep);
            }
        }
    }
    if !unsupported.is_empty() {
        return Err(AdaptError::UnsupportedImports { names: unsupported });
    }
    Ok(Bound {
        binds,
        report,
        imported,
    })
}
