//! `gatewit package` as a user runs it: the OCI layout is checked blob by
//! blob (digests, sizes, media types, the wasm layer's content), the
//! generated `envoy.yaml` serves through a real Envoy 1.40 in front of a
//! real upstream, and the `.tar` form holds the same tree.

use crate::common;

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::gatewit;
use gatewit_envoy_harness::RecordingUpstream;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatewit-package-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&dir);
    dir
}

fn my_plugin() -> PathBuf {
    gatewit_test_programs::build("my-plugin", gatewit_test_programs::COMPONENT_TARGET)
        .expect("my-plugin builds")
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads blob `digest` (`sha256:<hex>`) of the layout at `dir`, checking
/// that its bytes hash to the digest and that `size` matches.
fn blob(dir: &Path, descriptor: &Value) -> Vec<u8> {
    let digest = descriptor["digest"].as_str().expect("a digest");
    let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
    let bytes = std::fs::read(dir.join("blobs/sha256").join(hex)).expect("the blob exists");
    assert_eq!(sha256(&bytes), hex, "blob {digest} hashes to its name");
    assert_eq!(
        descriptor["size"].as_u64(),
        Some(bytes.len() as u64),
        "size of {digest}"
    );
    bytes
}

/// Checks the OCI image layout at `dir`; returns the wasm layer's
/// `plugin.wasm`.
fn check_layout(dir: &Path) -> Vec<u8> {
    let layout: Value =
        serde_json::from_slice(&std::fs::read(dir.join("oci-layout")).unwrap()).unwrap();
    assert_eq!(layout["imageLayoutVersion"], "1.0.0");
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    let manifests = index["manifests"].as_array().expect("manifests");
    assert_eq!(manifests.len(), 1);
    assert_eq!(
        manifests[0]["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifests[0]["annotations"]["org.opencontainers.image.ref.name"],
        "2.3.4"
    );
    let manifest: Value = serde_json::from_slice(&blob(dir, &manifests[0])).unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.unknown.config.v1+json"
    );
    assert_eq!(blob(dir, &manifest["config"]), b"{}");

    let layers = manifest["layers"].as_array().expect("layers");
    let kinds: Vec<(&str, &str)> = layers
        .iter()
        .map(|l| {
            (
                l["mediaType"].as_str().unwrap(),
                l["annotations"]["org.opencontainers.image.title"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    // Higress's plugin CI pushes these three, in this order.
    assert_eq!(
        kinds,
        [
            ("application/vnd.module.wasm.spec.v1+yaml", "spec.yaml"),
            ("application/vnd.module.wasm.doc.v1+markdown", "README.md"),
            (
                "application/vnd.oci.image.layer.v1.tar+gzip",
                "plugin.tar.gz"
            ),
        ]
    );
    let spec = String::from_utf8(blob(dir, &layers[0])).unwrap();
    assert!(spec.contains("name: my-plugin"), "{spec}");
    assert!(spec.contains("version: 2.3.4"), "{spec}");
    let readme = String::from_utf8(blob(dir, &layers[1])).unwrap();
    assert!(readme.starts_with("# my-plugin"), "{readme}");

    let tar_gz = blob(dir, &layers[2]);
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tar_gz.as_slice()));
    let mut found = None;
    for entry in archive.entries().expect("a tar") {
        let mut entry = entry.expect("a tar entry");
        let path = entry.path().unwrap().display().to_string();
        assert_eq!(path, "plugin.wasm", "the layer holds plugin.wasm only");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        found = Some(bytes);
    }
    found.expect("plugin.wasm in the layer")
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Envoy on the package's `envoy.yaml`, from the package directory,
/// as its header comment says.
fn start_envoy(dir: &Path, listen: SocketAddr) -> Running {
    let envoy = gatewit_envoy_harness::envoy_binary().expect("Envoy 1.40 is installed");
    let child = Command::new(envoy)
        .current_dir(dir)
        .args([
            "-c",
            "envoy.yaml",
            "--concurrency",
            "1",
            "--log-level",
            "warning",
        ])
        // Beside the suite's other Envoys: no shared-memory hot-restart state.
        .arg("--disable-hot-restart")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("envoy.log")).unwrap())
        .spawn()
        .expect("envoy starts");
    let running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(listen).is_err() {
        assert!(
            Instant::now() < deadline,
            "envoy never listened on {listen}: {}",
            std::fs::read_to_string(dir.join("envoy.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    running
}

#[test]
fn the_package_is_an_oci_layout_and_its_envoy_yaml_serves() {
    let upstream = RecordingUpstream::start().unwrap();
    let (listen, admin) = (free_port(), free_port());
    let dir = scratch("dir");
    let plugin = my_plugin();
    let (ok, out, err) = gatewit(&[
        "package",
        plugin.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--config",
        r#"{"mockEnable": false}"#,
        "--version",
        "2.3.4",
        "--image",
        "registry.example.com/team/NAME",
        "--listen",
        &listen.to_string(),
        "--admin",
        &admin.to_string(),
        "--upstream",
        &upstream.addr().to_string(),
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("packaged `my-plugin` 2.3.4"), "{out}");

    let module = check_layout(&dir);
    assert_eq!(module, std::fs::read(dir.join("plugin.wasm")).unwrap());
    let adapted = gatewit_adapter::adapt(
        &std::fs::read(&plugin).unwrap(),
        &gatewit_adapter::Options::default(),
    )
    .unwrap();
    assert_eq!(module, adapted.module, "the image holds the adapted module");

    let wasm_plugin = std::fs::read_to_string(dir.join("wasmplugin.yaml")).unwrap();
    for line in [
        "kind: WasmPlugin",
        "name: my-plugin",
        "url: oci://registry.example.com/team/my-plugin:2.3.4",
        r#"defaultConfig: {"mockEnable":false}"#,
    ] {
        assert!(wasm_plugin.contains(line), "`{line}` in:\n{wasm_plugin}");
    }

    // The generated Envoy configuration, in a real Envoy, as a user runs it.
    let _envoy = start_envoy(&dir, listen);
    let (status, body) =
        gatewit_envoy_harness::client::get(listen, "/hello", Duration::from_secs(10)).unwrap();
    assert_eq!(status, 200, "{body}");
    let seen = upstream.requests();
    assert_eq!(seen.len(), 1, "the upstream got the request");
    assert!(
        seen[0]
            .headers
            .iter()
            .any(|(k, v)| k == "hello" && v == "world"),
        "the plugin added its header: {:?}",
        seen[0].headers
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tar_package_holds_the_same_tree() {
    let plugin = my_plugin();
    let (dir, tar_path) = (scratch("same-dir"), scratch("same.tar"));
    for out in [&dir, &tar_path] {
        let (ok, _, err) = gatewit(&[
            "package",
            plugin.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--version",
            "2.3.4",
        ]);
        assert!(ok, "{err}");
    }
    let mut archive = tar::Archive::new(std::fs::File::open(&tar_path).unwrap());
    let mut entries = 0;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(dir.join(&path)).unwrap(),
            "`{}` differs",
            path.display()
        );
        entries += 1;
    }
    // oci-layout, index.json, 5 blobs, plugin.wasm, two YAML files.
    assert_eq!(entries, 10);
    // Packaging twice into the same directory replaces the old package.
    let (ok, _, err) = gatewit(&[
        "package",
        plugin.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--version",
        "2.3.4",
    ]);
    assert!(ok, "{err}");
    check_layout(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&tar_path);
}

#[test]
fn bad_names_and_foreign_directories_are_clear_errors() {
    let plugin = my_plugin();
    let dir = scratch("bad");
    let (ok, _, err) = gatewit(&[
        "package",
        plugin.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--name",
        "My_Plugin",
    ]);
    assert!(!ok);
    assert!(
        err.contains("`My_Plugin` cannot name a plugin image"),
        "{err}"
    );

    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let (ok, _, err) = gatewit(&[
        "package",
        plugin.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("exists and is not a gatewit package"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
