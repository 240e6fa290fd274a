//! Find the plugin's main core module inside a component and check that the
//! component targets the `gatewit:plugin` world.

use crate::AdaptError;
use std::borrow::Cow;
use wasmparser::{Parser, Payload, WasmFeatures};

/// The interface prefix every gatewit name starts with.
pub(crate) const PKG: &str = "gatewit:plugin/";

/// What the adapter needs from the input component.
pub(crate) struct Plugin<'a> {
    /// `gatewit:plugin/guest@0.1.x`, as exported.
    pub world: String,
    /// The version part, `0.1.x`.
    pub version: String,
    /// The core module the glue joins: the main core module as it is, or
    /// the component's modules linked into one (see [`crate::link`]).
    pub module: Cow<'a, [u8]>,
    /// The `gatewit:hooks` bit set, if the module has one.
    pub hooks_section: Option<u32>,
    /// Per function import of `module`: the `realloc` its canonical
    /// options name, when linking found one (empty for a main module
    /// taken as it is, whose imports all use its `cabi_realloc`).
    pub import_reallocs: Vec<Option<u32>>,
    /// Whether `module` caps the plugin's memory itself (a composition,
    /// see [`crate::lower`]), so the glue must not cap it again.
    pub caps_memory: bool,
    /// The global holding the plugin region's page count (a composition),
    /// exported as [`gatewit_abi::PLUGIN_PAGES_EXPORT`].
    pub plugin_pages: Option<u32>,
    /// The shadow-stack pointers of a composition's library components,
    /// which the panic recovery restores with the plugin's.
    pub library_stack_pointers: Vec<u32>,
    /// What linking found each of `module`'s first functions to call (see
    /// [`crate::link::Linked::calls`]); `None`: not linked.
    pub calls: Option<Vec<Vec<u32>>>,
    /// The component's function bodies, all else of it validated; each is
    /// validated once, where the output has it or where it does not (see
    /// [`blame`]).
    pub bodies: crate::par::Bodies<'a>,
    /// For each of `module`'s first defined functions (the plugin's own),
    /// which of `bodies` it is.
    pub origins: Vec<usize>,
}

struct ModuleInfo<'a> {
    bytes: &'a [u8],
    /// How many function bodies it has.
    bodies: usize,
    exports: Vec<String>,
    defines_memory: bool,
    hooks: Option<u32>,
}

/// Whether `version` (after `@`) is one this adapter handles.
pub(crate) fn version_ok(version: &str) -> bool {
    crate::names::version_is(version, "0.1")
}

/// Split `gatewit:plugin/iface@ver` (or with `#func`) into `(iface, ver)`.
pub(crate) fn split_gatewit(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix(PKG)?;
    let rest = rest.split('#').next()?;
    let (iface, ver) = rest.split_once('@')?;
    Some((iface, ver))
}

/// `layout`: how a composition's memories become one (the plugin's
/// region); `keep_names`: whether linking keeps the modules' function
/// names (`--keep-names`).
pub(crate) fn inspect(
    bytes: &[u8],
    layout: crate::lower::Layout,
    keep_names: bool,
) -> Result<Plugin<'_>, AdaptError> {
    if Parser::is_core_wasm(bytes) {
        return Err(AdaptError::CoreModule);
    }
    if !Parser::is_component(bytes) {
        return Err(AdaptError::Malformed(
            "the bytes do not start with a WebAssembly component header".into(),
        ));
    }
    // Validated as what the output may use (the host's features): a
    // component valid only with more (shared-everything threads, GC
    // types, custom page sizes, the component model's async ABI…) is
    // refused, by the first thing it uses, after the checks below that
    // name such things more precisely have had their say. Valid under no
    // features at all, it is malformed. Function bodies are left to
    // [`blame`]: each is validated once, in the output.
    let (beyond, bodies) =
        match crate::par::validate_structure(bytes, crate::verify::host_features()) {
            Ok(bodies) => (None, Some(bodies)),
            Err(host) => {
                crate::par::validate_structure(bytes, WasmFeatures::all())
                    .map_err(|e| AdaptError::Malformed(e.to_string()))?;
                (Some(host.to_string()), None)
            }
        };
    let refuse_beyond = || match &beyond {
        Some(why) => Err(AdaptError::UnsupportedShape(format!(
            "the component uses a WebAssembly feature proxy-wasm hosts do not run: {why}"
        ))),
        None => Ok(()),
    };

    let mut exports = Vec::new();
    let mut imports = Vec::new();
    let mut modules = Vec::new();
    let mut depth = 0u32;
    // wit-component nests type-only components (to export interfaces with
    // types); a nested one holding core code makes a composition.
    let mut composed = false;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| AdaptError::Malformed(e.to_string()))?;
        match payload {
            Payload::ModuleSection {
                unchecked_range, ..
            } if depth > 0 => {
                modules.push(scan_module(module_bytes(bytes, &unchecked_range)?)?);
                composed = true;
                depth += 1;
            }
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                modules.push(scan_module(module_bytes(bytes, &unchecked_range)?)?);
                depth += 1;
            }
            Payload::ComponentSection { .. } => depth += 1,
            Payload::ComponentExportSection(r) if depth == 0 => {
                for e in r {
                    let e = e.map_err(|e| AdaptError::Malformed(e.to_string()))?;
                    exports.push(e.name.name.to_string());
                }
            }
            Payload::ComponentImportSection(r) if depth == 0 => {
                for i in r {
                    let i = i.map_err(|e| AdaptError::Malformed(e.to_string()))?;
                    imports.push(i.name.name.to_string());
                }
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }

    // Shape first: one memory-owning module is what a proxy-wasm module can
    // be, unless the fuse step lowers a composition's memories into one.
    let owners = modules.iter().filter(|m| m.defines_memory).count();
    if owners > 1 && !composed {
        return Err(AdaptError::UnsupportedShape(format!(
            "{owners} core modules own a linear memory; a proxy-wasm module has exactly one, so the adapter only handles components with one memory-owning module"
        )));
    }
    // The world: the component must export `gatewit:plugin/guest@0.1.x`.
    let guest = exports
        .iter()
        .find(|e| e.starts_with("gatewit:plugin/guest@"));
    let Some(guest) = guest else {
        if let Some(other) = exports
            .iter()
            .chain(&imports)
            .find(|n| n.starts_with(PKG) && split_gatewit(n).is_some_and(|(_, v)| !version_ok(v)))
        {
            return Err(AdaptError::IncompatibleVersion {
                found: other.clone(),
            });
        }
        let found = if exports.is_empty() {
            "nothing".to_string()
        } else {
            exports
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(AdaptError::WrongWorld { found });
    };
    let (_, version) = split_gatewit(guest).unwrap_or(("guest", ""));
    if !version_ok(version) {
        return Err(AdaptError::IncompatibleVersion {
            found: guest.clone(),
        });
    }
    // Imports of another gatewit version cannot be bound either.
    if let Some(bad) = imports
        .iter()
        .find(|n| split_gatewit(n).is_some_and(|(_, v)| !version_ok(v)))
    {
        return Err(AdaptError::IncompatibleVersion { found: bad.clone() });
    }

    let mut mains = modules.iter().filter(|m| {
        m.exports
            .iter()
            .any(|e| e.starts_with("gatewit:plugin/guest@"))
    });
    let main = mains.next().ok_or_else(|| {
        AdaptError::UnsupportedShape(
            "no core module exports the `gatewit:plugin/guest` functions (is the guest interface lifted from an adapter module?)".into(),
        )
    })?;
    if mains.next().is_some() {
        return Err(AdaptError::UnsupportedShape(
            "several core modules export `gatewit:plugin/guest` functions".into(),
        ));
    }
    refuse_beyond()?;
    let bodies = bodies.ok_or_else(|| {
        AdaptError::Malformed("the component's function bodies were not read".into())
    })?;
    // Where each module's bodies start among the component's.
    let first_body = |m: &ModuleInfo<'_>| -> usize {
        modules
            .iter()
            .take_while(|o| !std::ptr::eq(*o, m))
            .map(|o| o.bodies)
            .sum()
    };
    if composed || !main.defines_memory {
        // Modules that share a memory another module defines (CPython's
        // dynamically linked libraries), or components that each own one:
        // link them into one first.
        let linked = crate::link::link(bytes, layout, keep_names)?;
        validate_left_out(&bodies, &modules, |m| {
            linked.instantiated.contains(&(m.bytes.as_ptr() as usize))
        })?;
        let firsts: Vec<(usize, usize)> = modules
            .iter()
            .map(|m| (m.bytes.as_ptr() as usize, first_body(m)))
            .collect();
        let origins = linked
            .origins
            .iter()
            .map(|(module, i)| {
                let first = firsts.iter().find(|(at, _)| at == module).map(|(_, f)| *f);
                first.map_or(usize::MAX, |f| f + *i as usize)
            })
            .collect();
        return Ok(Plugin {
            world: guest.clone(),
            version: version.to_string(),
            module: Cow::Owned(linked.bytes),
            hooks_section: linked.hooks,
            import_reallocs: linked.import_reallocs,
            caps_memory: linked.caps_memory,
            plugin_pages: linked.plugin_pages,
            library_stack_pointers: linked.library_stack_pointers,
            calls: Some(linked.calls),
            bodies,
            origins,
        });
    }
    if !main.exports.iter().any(|e| e == "cabi_realloc") {
        return Err(AdaptError::UnsupportedShape(
            "the plugin's main core module does not export `cabi_realloc`, which the adapter needs to hand host data to the plugin".into(),
        ));
    }
    validate_left_out(&bodies, &modules, |m| std::ptr::eq(m, main))?;
    let first = first_body(main);
    Ok(Plugin {
        world: guest.clone(),
        version: version.to_string(),
        module: Cow::Borrowed(main.bytes),
        hooks_section: main.hooks,
        import_reallocs: Vec::new(),
        caps_memory: false,
        plugin_pages: None,
        library_stack_pointers: Vec::new(),
        calls: None,
        bodies,
        origins: (first..first + main.bodies).collect(),
    })
}

/// Validates the function bodies of the component's modules whose code
/// the output leaves out (wit-component's shims, an unused adapter
/// module): the output's validation does not see them (see [`blame`]).
fn validate_left_out(
    bodies: &crate::par::Bodies<'_>,
    modules: &[ModuleInfo<'_>],
    kept: impl Fn(&ModuleInfo<'_>) -> bool,
) -> Result<(), AdaptError> {
    let mut left_out = Vec::new();
    let mut first = 0;
    for m in modules {
        if !kept(m) && m.bodies > 0 {
            left_out.push(first..first + m.bodies);
        }
        first += m.bodies;
    }
    if left_out.is_empty() {
        return Ok(());
    }
    bodies
        .validate(|j| left_out.iter().any(|r| r.contains(&j)))
        .map_err(|e| AdaptError::Malformed(e.to_string()))
}

/// What adapting `bytes` failed with, once the component's function
/// bodies have had their say.
///
/// [`inspect`] validates all of a component but its function bodies, which
/// are most of the work of validating a big plugin (CPython's are 6 MB).
/// They are validated once: in the output, where every body the plugin
/// keeps is, renumbered to the same types, and before that where the
/// output drops one (see `merge`). So a malformed body can make any later
/// step fail, named as that step's failure; only then are the bodies
/// validated here, and a malformed one is blamed, as it would have been
/// first had they been validated up front. A body valid only with
/// features the host lacks is blamed the same way, unless `error` already
/// names the shape more precisely.
pub(crate) fn blame(bytes: &[u8], error: AdaptError) -> AdaptError {
    let Err(host) = crate::par::validate(bytes, crate::verify::host_features()) else {
        return error;
    };
    if let Err(e) = crate::par::validate(bytes, WasmFeatures::all()) {
        return AdaptError::Malformed(e.to_string());
    }
    match error {
        AdaptError::Malformed(_) | AdaptError::Verify(_) => AdaptError::UnsupportedShape(format!(
            "the component uses a WebAssembly feature proxy-wasm hosts do not run: {host}"
        )),
        precise => precise,
    }
}

/// The bytes of a nested module. wasmparser 0.254 validates a component
/// whose last module section runs past the end of the input (the parser
/// ends the nested module at the end of the data), so the range is checked
/// here rather than trusted.
pub(crate) fn module_bytes<'a>(
    component: &'a [u8],
    range: &std::ops::Range<usize>,
) -> Result<&'a [u8], AdaptError> {
    component.get(range.clone()).ok_or_else(|| {
        AdaptError::Malformed(format!(
            "a core module section runs to byte {} of a {}-byte input: the input is truncated",
            range.end,
            component.len()
        ))
    })
}

fn scan_module(bytes: &[u8]) -> Result<ModuleInfo<'_>, AdaptError> {
    let mut info = ModuleInfo {
        bytes,
        bodies: 0,
        exports: Vec::new(),
        defines_memory: false,
        hooks: None,
    };
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| AdaptError::Malformed(e.to_string()))?;
        match payload {
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(|e| AdaptError::Malformed(e.to_string()))?;
                    info.exports
                        .push(crate::names::legacy_export(e.name).into_owned());
                }
            }
            Payload::MemorySection(r) => info.defines_memory |= r.count() > 0,
            Payload::CodeSectionStart { count, .. } => info.bodies += count as usize,
            Payload::CustomSection(c) if c.name() == gatewit_abi::HOOKS_SECTION => {
                let data = c.data();
                if data.len() != 4 {
                    return Err(AdaptError::Malformed(format!(
                        "the `gatewit:hooks` section holds {} bytes, expected a 4-byte bit set",
                        data.len()
                    )));
                }
                info.hooks = Some(u32::from_le_bytes([data[0], data[1], data[2], data[3]]));
            }
            _ => {}
        }
    }
    Ok(info)
}
