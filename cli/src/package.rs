//! `gatewit package`: an adapted plugin as a gateway takes it.
//!
//! - An OCI image layout as Higress's plugin CI pushes with `oras` (oras
//!   1.0's manifest: an `application/vnd.unknown.config.v1+json` config
//!   `{}`, each layer titled with `org.opencontainers.image.title`):
//!   `spec.yaml` (`application/vnd.module.wasm.spec.v1+yaml`, the metadata
//!   Higress's console reads), `README.md`
//!   (`application/vnd.module.wasm.doc.v1+markdown`) and `plugin.tar.gz`
//!   (`application/vnd.oci.image.layer.v1.tar+gzip`, holding
//!   `plugin.wasm`: the *compat* layer of the Wasm image spec that Istio's
//!   and Higress's image fetchers extract). `oras cp --from-oci-layout`
//!   pushes it to any registry.
//! - `wasmplugin.yaml`: a Higress `WasmPlugin` with the plugin's config.
//! - `envoy.yaml`: a runnable Envoy 1.40 bootstrap with the module and the
//!   config, a listener and one upstream (`cd <dir> && envoy -c envoy.yaml`).
//!
//! Every file is reproducible: no timestamps, sorted, digests over bytes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The manifest's media type (OCI image spec 1.0).
pub const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The config oras 1.0 writes for artifacts (Higress's builder image).
pub const CONFIG_TYPE: &str = "application/vnd.unknown.config.v1+json";
/// Higress's plugin metadata layer.
pub const SPEC_TYPE: &str = "application/vnd.module.wasm.spec.v1+yaml";
/// Higress's documentation layer.
pub const DOC_TYPE: &str = "application/vnd.module.wasm.doc.v1+markdown";
/// The layer holding `plugin.wasm` in a gzip'd tar.
pub const WASM_LAYER_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// The annotation naming a layer's file.
pub const TITLE: &str = "org.opencontainers.image.title";

/// What `gatewit package` is asked for.
pub struct Request<'a> {
    /// The adapted proxy-wasm module.
    pub module: &'a [u8],
    /// The plugin's name (a DNS label: it names the `WasmPlugin`).
    pub name: &'a str,
    /// The image tag and `spec.yaml` version.
    pub version: &'a str,
    /// The plugin configuration (`null`: none).
    pub config: &'a Value,
    /// The image reference without tag, for `wasmplugin.yaml`'s `url`.
    pub image: &'a str,
    /// The README layer's text.
    pub readme: String,
    /// `envoy.yaml`'s listener.
    pub listen: SocketAddr,
    /// `envoy.yaml`'s upstream.
    pub upstream: SocketAddr,
    /// `envoy.yaml`'s admin endpoint.
    pub admin: SocketAddr,
}

/// Checks that `name` can name a Kubernetes resource and an image.
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    ensure!(
        ok,
        "`{name}` cannot name a plugin image: use lowercase letters, digits and `-` (at most 63, no `-` at either end); pass `--name`"
    );
    Ok(())
}

/// The package's files, by path relative to its root, in a stable order.
pub fn files(req: &Request<'_>) -> Result<Vec<(String, Vec<u8>)>> {
    check_name(req.name)?;
    ensure!(
        !req.version.is_empty()
            && req
                .version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
        "`{}` is not a valid image tag: use letters, digits, `.`, `_` and `-`",
        req.version
    );
    ensure!(
        !req.image.is_empty() && !req.image.contains(char::is_whitespace),
        "`{}` is not an image reference",
        req.image
    );
    let mut blobs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut blob = |bytes: Vec<u8>| -> (String, usize) {
        let digest = digest(&bytes);
        let size = bytes.len();
        blobs.push((
            format!("blobs/sha256/{}", &digest["sha256:".len()..]),
            bytes,
        ));
        (digest, size)
    };

    let layer = |(digest, size): (String, usize), media: &str, title: &str| {
        json!({
            "mediaType": media,
            "digest": digest,
            "size": size,
            "annotations": { TITLE: title },
        })
    };
    let spec = layer(blob(spec_yaml(req).into_bytes()), SPEC_TYPE, "spec.yaml");
    let doc = layer(blob(req.readme.clone().into_bytes()), DOC_TYPE, "README.md");
    let wasm = layer(
        blob(plugin_tar_gz(req.module)?),
        WASM_LAYER_TYPE,
        "plugin.tar.gz",
    );
    let (config_digest, config_size) = blob(b"{}".to_vec());
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": { "mediaType": CONFIG_TYPE, "digest": config_digest, "size": config_size },
        "layers": [spec, doc, wasm],
    });
    let manifest = serde_json::to_vec(&manifest).context("serializing the manifest")?;
    let (manifest_digest, manifest_size) = blob(manifest);
    let index = json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": MANIFEST_TYPE,
            "digest": manifest_digest,
            "size": manifest_size,
            "annotations": { "org.opencontainers.image.ref.name": req.version },
        }],
    });

    let mut files = vec![
        (
            "oci-layout".to_string(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        (
            "index.json".to_string(),
            serde_json::to_vec(&index).context("serializing the index")?,
        ),
    ];
    files.extend(blobs);
    files.push(("plugin.wasm".into(), req.module.to_vec()));
    files.push(("wasmplugin.yaml".into(), wasm_plugin_yaml(req).into_bytes()));
    files.push(("envoy.yaml".into(), envoy_yaml(req)?.into_bytes()));
    Ok(files)
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for b in hash {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// `plugin.wasm` in a tar, gzip'd; owner, mode and time fixed so the same
/// module always gives the same digest.
fn plugin_tar_gz(module: &[u8]) -> Result<Vec<u8>> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut header = tar::Header::new_ustar();
    header.set_size(module.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, "plugin.wasm", module)
        .context("writing plugin.tar.gz")?;
    let gz = tar.into_inner().context("writing plugin.tar.gz")?;
    gz.finish().context("compressing plugin.tar.gz")
}

/// The configuration as the gateway hands it to the plugin: JSON text, or
/// nothing.
fn config_text(config: &Value) -> String {
    if config.is_null() {
        String::new()
    } else {
        config.to_string()
    }
}

/// Higress's plugin metadata (`spec.yaml`, read by its console).
fn spec_yaml(req: &Request<'_>) -> String {
    format!(
        "apiVersion: 1.0.0\n\
         info:\n  category: custom\n  name: {name}\n  title: {name}\n  \
         description: \"{name}: a gatewit plugin\"\n  version: {version}\n\
         spec:\n  phase: UNSPECIFIED_PHASE\n  priority: 0\n",
        name = req.name,
        version = req.version,
    )
}

/// A Higress `WasmPlugin` resource pulling the image. The config is JSON,
/// which YAML reads as a flow mapping.
fn wasm_plugin_yaml(req: &Request<'_>) -> String {
    let config = if req.config.is_null() {
        "{}".to_string()
    } else {
        req.config.to_string()
    };
    format!(
        "# Push the image first: oras cp --from-oci-layout <this directory>:{version} {image}:{version}\n\
         apiVersion: extensions.higress.io/v1alpha1\n\
         kind: WasmPlugin\n\
         metadata:\n  name: {name}\n  namespace: higress-system\n\
         spec:\n  url: oci://{image}:{version}\n  phase: UNSPECIFIED_PHASE\n  priority: 100\n  \
         defaultConfigDisable: false\n  defaultConfig: {config}\n",
        name = req.name,
        version = req.version,
        image = req.image,
    )
}

/// A complete Envoy bootstrap (JSON, which Envoy reads as YAML too): the
/// same generator the test harness starts Envoy with, on fixed ports, the
/// module by relative path (run Envoy from the package directory).
fn envoy_yaml(req: &Request<'_>) -> Result<String> {
    use gatewit_envoy_harness::{Bind, EnvoyConfig, RouteTarget, WasmFilter};
    let mut config = EnvoyConfig::direct_response()
        .with_wasm(WasmFilter::new("plugin.wasm", config_text(req.config)));
    config.route_name = "default".into();
    config.route = RouteTarget::Upstream {
        cluster: "upstream".into(),
        addr: req.upstream,
    };
    config.bind = Bind {
        listener: req.listen,
        admin: req.admin,
    };
    let text =
        serde_json::to_string_pretty(&config.bootstrap()).context("serializing envoy.yaml")?;
    Ok(format!(
        "# Envoy 1.40 with the plugin: cd into this directory, then `envoy -c envoy.yaml`.\n\
         # Listener {}, upstream {}, admin {}.\n{text}\n",
        req.listen, req.upstream, req.admin
    ))
}

/// Writes `files` under directory `out` (created; an earlier package there
/// is replaced, any other non-empty directory refused), or, when `out` ends
/// in `.tar`, as one tar archive of the same tree.
pub fn write(out: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    if out.extension().is_some_and(|e| e == "tar") {
        let file = std::fs::File::create(out)
            .with_context(|| format!("cannot create `{}`", out.display()))?;
        let mut tar = tar::Builder::new(file);
        for (path, bytes) in files {
            let mut header = tar::Header::new_ustar();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            tar.append_data(&mut header, path, bytes.as_slice())
                .with_context(|| format!("writing `{path}` into `{}`", out.display()))?;
        }
        tar.into_inner()
            .with_context(|| format!("cannot finish `{}`", out.display()))?;
        return Ok(vec![out.to_path_buf()]);
    }
    if out.exists() {
        let is_package = out.join("oci-layout").is_file();
        let empty = std::fs::read_dir(out)
            .with_context(|| format!("cannot read `{}`", out.display()))?
            .next()
            .is_none();
        if !is_package && !empty {
            bail!(
                "`{}` exists and is not a gatewit package: choose a new directory (or a `.tar` path)",
                out.display()
            );
        }
        if is_package {
            // Blobs of the old package would linger under other digests.
            let blobs = out.join("blobs");
            if blobs.exists() {
                std::fs::remove_dir_all(&blobs)
                    .with_context(|| format!("cannot replace `{}`", blobs.display()))?;
            }
        }
    }
    let mut written = Vec::new();
    for (path, bytes) in files {
        let path = out.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
        }
        std::fs::write(&path, bytes)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The README layer when the user gives none: what the plugin is and how
/// it was packaged.
pub fn default_readme(name: &str, version: &str, profile: &str) -> String {
    format!(
        "# {name}\n\nA gatewit plugin (version {version}), adapted for the `{profile}` proxy-wasm \
         profile by `gatewit package`. Its configuration is the JSON object in the \
         `WasmPlugin`'s `defaultConfig`.\n"
    )
}
