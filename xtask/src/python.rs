//! Python tooling for the checks that drive the official MCP Python SDK: a
//! virtual environment under `target/xtask-cache/`, with the exact versions a
//! requirements file pins, never the machine's own packages. The interpreter
//! is the machine's `python3`; Debian's `python3-venv` is installed if
//! `python3 -m venv` needs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::checks::project_root;
use crate::debian;

/// A virtual environment holding pinned packages.
pub(crate) struct PythonEnv {
    /// The environment's folder.
    dir: PathBuf,
}

impl PythonEnv {
    /// Install what `requirements` pins into `target/xtask-cache/<name>`,
    /// unless an earlier run already installed exactly that.
    pub(crate) fn install(name: &str, requirements: &Path) -> Result<Self> {
        let dir = project_root().join("target/xtask-cache").join(name);
        let wanted =
            std::fs::read_to_string(requirements).with_context(|| format!("reading {}", requirements.display()))?;
        let stamp = dir.join(".installed");
        let env = Self { dir };
        if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
            return Ok(env);
        }
        if !env.python().exists() {
            env.create()?;
        }
        eprintln!("$ pip install -r {}  (in {})", requirements.display(), env.dir.display());
        let status = Command::new(env.python())
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(requirements)
            .status()
            .context("running pip")?;
        if !status.success() {
            bail!("pip install -r {} failed with {status}", requirements.display());
        }
        std::fs::write(&stamp, &wanted)?;
        Ok(env)
    }

    /// The environment's interpreter.
    pub(crate) fn python(&self) -> PathBuf {
        self.dir.join("bin/python")
    }

    /// `python3 -m venv`, installing Debian's `python3` and `python3-venv`
    /// first when it cannot.
    fn create(&self) -> Result<()> {
        let venv = || {
            eprintln!("$ python3 -m venv {}", self.dir.display());
            Command::new("python3").args(["-m", "venv", "--clear"]).arg(&self.dir).status()
        };
        if venv().is_ok_and(|status| status.success()) {
            return Ok(());
        }
        debian::install(&["python3", "python3-venv"])?;
        match venv() {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => bail!("python3 -m venv {} failed with {status}", self.dir.display()),
            Err(error) => Err(error).context("running python3"),
        }
    }
}
