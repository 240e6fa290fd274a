//! Plugins in other languages, built by their own toolchains, pinned:
//! JavaScript by `componentize-js` (StarlingMonkey) from the npm package in
//! `toolchains/js`, Python by `componentize-py` (CPython) from the PyPI
//! package pinned in `toolchains/py/requirements.txt`, in the project venv;
//! `scripts/install-deps.sh` installs both.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};
use gatewit_test_kit::once::OnceMap;

use crate::{COMPONENT_TARGET, wasm_path, workspace_root, write_atomically};

/// The engine features a gateway plugin has no use for. Left enabled, the
/// component imports `wasi:http` and friends (35 functions of
/// `wasi:http/types` alone), which no proxy-wasm host can serve.
const DISABLED_FEATURES: &[&str] = &["stdio", "random", "clocks", "http", "fetch-event"];

/// A language whose plugins a foreign toolchain builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// `examples/<name>/plugin.js`, componentize-js.
    JavaScript,
    /// `examples/<name>/app.py` (module `app`), componentize-py.
    Python,
}

impl Lang {
    /// The toolchain's executable.
    pub fn tool(self) -> PathBuf {
        workspace_root().join(match self {
            Lang::JavaScript => "toolchains/js/node_modules/.bin/componentize-js",
            Lang::Python => ".venv/bin/componentize-py",
        })
    }
    fn source(self, package: &str) -> PathBuf {
        let dir = workspace_root().join("examples").join(package);
        match self {
            Lang::JavaScript => dir.join("plugin.js"),
            Lang::Python => dir.join("app.py"),
        }
    }
    /// The file whose change means a new toolchain.
    fn pin(self) -> PathBuf {
        workspace_root().join(match self {
            Lang::JavaScript => "toolchains/js/package-lock.json",
            Lang::Python => "toolchains/py/requirements.txt",
        })
    }
    fn part(self) -> &'static str {
        match self {
            Lang::JavaScript => "js",
            Lang::Python => "py",
        }
    }
    fn command(self, source: &Path, wit: &Path, out: &Path) -> Command {
        let mut c = Command::new(self.tool());
        match self {
            Lang::JavaScript => {
                c.arg(source)
                    .arg("--wit")
                    .arg(wit)
                    .args(["--world-name", "plugin", "--disable"])
                    .args(DISABLED_FEATURES)
                    .arg("--out")
                    .arg(out);
            }
            Lang::Python => {
                let dir = source.parent().unwrap_or(Path::new("."));
                c.arg("-d")
                    .arg(wit)
                    .args(["-w", "plugin", "componentize", "app", "-p"])
                    .arg(dir)
                    .arg("-o")
                    .arg(out);
            }
        }
        c
    }
}

/// Builds `package`'s source into its component, once per process, and
/// only when the source, the WIT or the toolchain changed since the last
/// build (a StarlingMonkey build takes ~20 s, a CPython one ~15 s).
pub(crate) fn build(package: &str, lang: Lang) -> Result<PathBuf> {
    // One slot per package: the JavaScript and Python toolchains build side
    // by side, and threads asking for the same package wait for one build.
    static BUILT: OnceMap<String, ()> = OnceMap::new("foreign-build", usize::MAX);
    BUILT
        .get_or_init(package.to_string(), || {
            build_now(package, lang).map_err(|e| format!("{e:#}"))
        })
        .with_context(|| format!("cannot build the {lang:?} plugin `{package}`"))?;
    Ok(wasm_path(package, COMPONENT_TARGET))
}

fn build_now(package: &str, lang: Lang) -> Result<()> {
    let root = workspace_root();
    let source = lang.source(package);
    let wit = root.join("wit");
    let tool = lang.tool();
    let out = wasm_path(package, COMPONENT_TARGET);
    if !tool.is_file() {
        bail!(
            "the {lang:?} toolchain is not installed (`{}` is missing): run `scripts/install-deps.sh {}`",
            tool.display(),
            lang.part()
        );
    }
    let inputs = [source.clone(), wit.join("plugin.wit"), lang.pin()];
    if is_newer_than(&out, &inputs) {
        return Ok(());
    }
    let dir = out.parent().context("the output path has no directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    // The toolchains write their output in place; build beside it, then
    // publish the bytes atomically for test binaries reading concurrently.
    let partial = dir.join(format!(".{package}-{}.part.wasm", std::process::id()));
    let output = lang
        .command(&source, &wit, &partial)
        .output()
        .with_context(|| format!("cannot run `{}`", tool.display()))?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!(
            "`{} {}` failed:\n{}{}",
            tool.display(),
            source.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let bytes =
        std::fs::read(&partial).with_context(|| format!("reading `{}`", partial.display()))?;
    let _ = std::fs::remove_file(&partial);
    write_atomically(&out, &bytes)
}

/// Whether `out` exists and was written after every one of `inputs`.
fn is_newer_than(out: &Path, inputs: &[PathBuf]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(out) else {
        return false;
    };
    inputs
        .iter()
        .all(|i| modified(i).is_some_and(|t: SystemTime| t <= built))
}
