//! Tidy checks over the whole tree, run as ordinary tests by `cargo test`:
//! conventions that are cheaper to check mechanically than in review.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::checks::project_root;

    /// Every Rust source file we own: skips build output, npm packages, and
    /// the peers' own build folders.
    fn rust_files() -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                if path.is_dir() {
                    if !matches!(name.to_str(), Some("target" | "node_modules" | ".git")) {
                        walk(&path, out);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(&project_root(), &mut files);
        files.sort();
        files
    }

    #[test]
    fn every_rust_file_opens_with_a_module_doc() {
        let files = rust_files();
        assert!(files.len() > 20, "the walk found the sources");
        let undocumented: Vec<_> = files
            .iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                !text.lines().find(|l| !l.trim().is_empty()).is_some_and(|l| l.starts_with("//!"))
            })
            .collect();
        assert!(
            undocumented.is_empty(),
            "these files do not open with a `//!` doc naming their job: {undocumented:#?}"
        );
    }

    #[test]
    fn no_test_is_ignored_or_expected_to_panic() {
        // Spelled in two halves so this file does not match itself.
        let banned = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
        let offenders: Vec<_> = rust_files()
            .into_iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                banned.iter().any(|b| text.contains(b))
            })
            .collect();
        assert!(offenders.is_empty(), "assert the Err instead of ignoring or expecting a panic: {offenders:#?}");
    }
}
