//! Lays out the `mcpwire` binary's code: the functions a serving process runs
//! (`src/bin/mcpwire/hot-functions.txt`, written by `cargo xtask layout`) go
//! first and side by side, so they fill a few pages instead of touching most of
//! the binary.
//!
//! Why it matters: Linux maps an executable's code 64 KiB at a time around each
//! page a process touches, so a few hundred small hot functions spread over two
//! megabytes of code make nearly all of it resident. Grouped, they cost what
//! they weigh. The library is untouched; only the `mcpwire` binary is linked
//! this way, and only with a linker known to take `--symbol-ordering-file`
//! (LLVM's lld, the default for x86_64 Linux since Rust 1.90). A name the file
//! lists that the binary lacks is skipped silently; a stale file costs memory,
//! never correctness.

use std::env;
use std::path::Path;
use std::process::Command;

/// The ordering file, relative to this crate.
const HOT_FUNCTIONS: &str = "src/bin/mcpwire/hot-functions.txt";

fn main() {
    println!("cargo::rerun-if-changed={HOT_FUNCTIONS}");
    println!("cargo::rerun-if-changed=build.rs");
    let dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let hot_functions = Path::new(&dir).join(HOT_FUNCTIONS);
    if env::var_os("CARGO_FEATURE_CLI").is_none() || !hot_functions.is_file() || !links_with_lld() {
        return;
    }
    println!("cargo::rustc-link-arg-bin=mcpwire=-Wl,--symbol-ordering-file={}", hot_functions.display());
    println!("cargo::rustc-link-arg-bin=mcpwire=-Wl,--no-warn-symbol-ordering");
}

/// Whether the binary will be linked by rustc's own lld: the target is x86_64
/// Linux with glibc, rustc is 1.90 or later, and nobody chose another linker
/// (`-C linker`, a cargo `linker` setting, or `-C link-arg=-fuse-ld=...`).
fn links_with_lld() -> bool {
    if env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu") || env::var_os("RUSTC_LINKER").is_some() {
        return false;
    }
    let rustflags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if ["linker", "fuse-ld", "link-self-contained"].iter().any(|flag| rustflags.contains(flag)) {
        return false;
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let Ok(output) = Command::new(rustc).arg("-vV").output() else { return false };
    let version = String::from_utf8_lossy(&output.stdout);
    let minor = version
        .lines()
        .find_map(|line| line.strip_prefix("release: 1."))
        .and_then(|rest| rest.split('.').next())
        .and_then(|minor| minor.parse::<u32>().ok());
    minor.is_some_and(|minor| minor >= 90)
}
