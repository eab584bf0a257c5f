//! Node.js tooling for the checks that drive real SDK clients and the official
//! conformance suite: npm packages installed at pinned versions into a cache
//! folder under `target/`, never globally, with Node 22 from the npm package
//! `node@22` because the machine's own Node may be older.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::checks::project_root;

/// A folder of pinned npm packages, with the Node 22 binary among them.
pub(crate) struct NodeEnv {
    /// Where `node_modules` lives.
    pub(crate) dir: PathBuf,
}

impl NodeEnv {
    /// Install `packages` (each `name@version`, plus `node@22`) into
    /// `target/xtask-cache/<name>`, unless an earlier run already did.
    pub(crate) fn install(name: &str, packages: &[&str]) -> Result<Self> {
        let dir = project_root().join("target/xtask-cache").join(name);
        std::fs::create_dir_all(&dir)?;
        let stamp = dir.join(".installed");
        let wanted = packages.join(" ");
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
            return Ok(Self { dir });
        }
        if !dir.join("package.json").exists() {
            std::fs::write(dir.join("package.json"), "{\"private\":true}\n")?;
        }
        eprintln!("$ npm install {wanted}  (in {})", dir.display());
        let status = std::process::Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--save-exact"])
            .args(packages)
            .current_dir(&dir)
            .status()
            .context("running npm (is Node.js with npm installed?)")?;
        if !status.success() {
            bail!("npm install {wanted} failed with {status}");
        }
        std::fs::write(&stamp, &wanted)?;
        Ok(Self { dir })
    }

    /// The Node 22 binary installed by the `node@22` package.
    pub(crate) fn node(&self) -> PathBuf {
        self.dir.join("node_modules/.bin/node")
    }

    /// A file inside `node_modules`.
    pub(crate) fn module_path(&self, relative: &str) -> PathBuf {
        self.dir.join("node_modules").join(relative)
    }
}
