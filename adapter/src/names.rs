//! The two canonical-ABI name manglings a plugin's core module may use, read
//! as one: the legacy names (`gatewit:plugin/guest@0.1.0#on-tick`,
//! `cabi_realloc`, `cabi_post_…`) and the `standard32` names newer
//! toolchains emit (`cm32p2|gatewit:plugin/guest@0.1|on-tick`,
//! `cm32p2_realloc`, `…_post`). Everything after reading speaks legacy.

use std::borrow::Cow;

/// The `standard32` prefix (component model, 32-bit, preview 2).
const STANDARD32: &str = "cm32p2";

/// A core export name in the legacy spelling.
pub(crate) fn legacy_export(name: &str) -> Cow<'_, str> {
    let Some(rest) = name.strip_prefix(STANDARD32) else {
        return Cow::Borrowed(name);
    };
    match rest {
        "_realloc" => return Cow::Borrowed("cabi_realloc"),
        "_initialize" => return Cow::Borrowed("_initialize"),
        "_memory" => return Cow::Borrowed("memory"),
        _ => {}
    }
    // `|interface|function`, with `_post` for a post-return function.
    let Some((interface, func)) = rest.strip_prefix('|').and_then(|r| r.split_once('|')) else {
        return Cow::Borrowed(name);
    };
    match func.strip_suffix("_post") {
        Some(func) => Cow::Owned(format!("cabi_post_{interface}#{func}")),
        None => Cow::Owned(format!("{interface}#{func}")),
    }
}

/// A core import `(module, name)` in the legacy spelling.
pub(crate) fn legacy_import<'a>(module: &'a str, name: &'a str) -> (Cow<'a, str>, Cow<'a, str>) {
    let Some(interface) = module
        .strip_prefix(STANDARD32)
        .and_then(|r| r.strip_prefix('|'))
    else {
        return (Cow::Borrowed(module), Cow::Borrowed(name));
    };
    // Imported resources are dropped through `<resource>_drop`.
    let name = match name.strip_suffix("_drop") {
        Some(resource) if !resource.starts_with('[') => {
            Cow::Owned(format!("[resource-drop]{resource}"))
        }
        _ => Cow::Borrowed(name),
    };
    (Cow::Borrowed(interface), name)
}

/// Whether interface version `found` (after `@`) matches `major.minor`:
/// legacy names carry the full version (`0.2.6`), `standard32` names the
/// canonical one (`0.2`).
pub(crate) fn version_is(found: &str, major_minor: &str) -> bool {
    found == major_minor
        || found
            .strip_prefix(major_minor)
            .is_some_and(|patch| patch.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard32_exports_read_as_legacy() {
        for (standard, legacy) in [
            ("cm32p2_realloc", "cabi_realloc"),
            ("cm32p2_initialize", "_initialize"),
            ("cm32p2_memory", "memory"),
            (
                "cm32p2|gatewit:plugin/guest@0.1|on-request-headers",
                "gatewit:plugin/guest@0.1#on-request-headers",
            ),
            (
                "cm32p2|gatewit:plugin/guest@0.1|on-plugin-start_post",
                "cabi_post_gatewit:plugin/guest@0.1#on-plugin-start",
            ),
            ("cabi_realloc", "cabi_realloc"),
            (
                "gatewit:plugin/guest@0.1.0#on-tick",
                "gatewit:plugin/guest@0.1.0#on-tick",
            ),
            ("cm32p2|broken", "cm32p2|broken"),
        ] {
            assert_eq!(legacy_export(standard), legacy, "{standard}");
        }
    }

    #[test]
    fn standard32_imports_read_as_legacy() {
        let (m, n) = legacy_import("cm32p2|wasi:io/streams@0.2", "output-stream_drop");
        assert_eq!(
            (&*m, &*n),
            ("wasi:io/streams@0.2", "[resource-drop]output-stream")
        );
        let (m, n) = legacy_import("cm32p2|gatewit:plugin/http@0.1", "get-header");
        assert_eq!((&*m, &*n), ("gatewit:plugin/http@0.1", "get-header"));
        let (m, n) = legacy_import("wasi_snapshot_preview1", "fd_write");
        assert_eq!((&*m, &*n), ("wasi_snapshot_preview1", "fd_write"));
    }

    #[test]
    fn versions_match_in_both_spellings() {
        assert!(version_is("0.1", "0.1"));
        assert!(version_is("0.1.0", "0.1"));
        assert!(version_is("0.1.7", "0.1"));
        assert!(!version_is("0.10.0", "0.1"));
        assert!(!version_is("0.2.0", "0.1"));
        assert!(!version_is("", "0.1"));
    }
}
