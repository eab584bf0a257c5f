//! Programs from Debian's packages that a command needs (`wrk` for the
//! benchmark, `nginx` and `redis-server` for `cargo xtask scale`): found on
//! the `PATH`, or installed with `apt-get` when missing. CI runs as root on
//! Debian, so a clean clone needs nothing installed by hand; elsewhere the
//! error names the package to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// A program and the Debian package that provides it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Program {
    /// The executable's name, as looked up on the `PATH` (or in `/usr/sbin`,
    /// where Debian puts daemons and which a non-login `PATH` may lack).
    pub(crate) name: &'static str,
    /// The package.
    pub(crate) package: &'static str,
}

/// `wrk`, the HTTP load generator.
pub(crate) const WRK: Program = Program { name: "wrk", package: "wrk" };
/// `nginx`, the load balancer.
pub(crate) const NGINX: Program = Program { name: "nginx", package: "nginx" };
/// `redis-server`, the shared task store.
pub(crate) const REDIS: Program = Program { name: "redis-server", package: "redis-server" };

/// Where each program is, installing the packages of those that are missing
/// in one `apt-get install` (after `apt-get update` if the first attempt
/// fails, as it does on a machine whose package lists were never fetched).
pub(crate) fn ensure(programs: &[Program]) -> Result<Vec<PathBuf>> {
    let missing: Vec<&str> = programs.iter().filter(|p| find(p.name).is_none()).map(|p| p.package).collect();
    if !missing.is_empty() {
        install(&missing)?;
    }
    programs
        .iter()
        .map(|p| find(p.name).with_context(|| format!("{} is still missing after installing {}", p.name, p.package)))
        .collect()
}

/// The program on the `PATH`, or in `/usr/sbin` or `/usr/bin`.
fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Debian's switch that stops a package's install from starting its
/// service: `nginx` would otherwise start serving port 80 on every
/// interface, and `redis-server` port 6379. Each command starts its own
/// processes, on loopback ports of its own, and stops them.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// Install `packages` with `apt-get`, no service starting meanwhile.
pub(crate) fn install(packages: &[&str]) -> Result<()> {
    let _no_services = NoServices::install()?;
    let apt = |args: &[&str]| -> Result<bool> {
        eprintln!("$ apt-get {}", args.join(" "));
        let status = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("running apt-get (this needs Debian or Ubuntu)")?;
        Ok(status.success())
    };
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    if apt(&install)? {
        return Ok(());
    }
    if apt(&["update"])? && apt(&install)? {
        return Ok(());
    }
    bail!("could not install {} with apt-get (it needs root); install it by hand", packages.join(" "))
}

/// A `policy-rc.d` that refuses every service start, in place while packages
/// install, unless the machine already has one (container images usually do).
struct NoServices {
    /// Whether this guard wrote the file, and so removes it.
    ours: bool,
}

impl NoServices {
    fn install() -> Result<Self> {
        use std::os::unix::fs::PermissionsExt as _;
        if Path::new(POLICY_RC_D).exists() {
            return Ok(Self { ours: false });
        }
        std::fs::write(
            POLICY_RC_D,
            "#!/bin/sh\n# cargo xtask: no service starts while it installs packages.\nexit 101\n",
        )
        .with_context(|| format!("writing {POLICY_RC_D}"))?;
        std::fs::set_permissions(POLICY_RC_D, std::fs::Permissions::from_mode(0o755))?;
        Ok(Self { ours: true })
    }
}

impl Drop for NoServices {
    fn drop(&mut self) {
        if self.ours {
            let _ = std::fs::remove_file(POLICY_RC_D);
        }
    }
}
