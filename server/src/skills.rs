//! Skills (SEP-2640, extension `io.modelcontextprotocol/skills`): agent
//! skills served as data.
//!
//! A skill is a directory with a `SKILL.md` (YAML frontmatter with at least
//! `name` and `description`) and any files beside it. Every file is served
//! as a resource, `skill://<skill path>/<file path>`, read with the ordinary
//! `resources/read`; `skills/list` and `skills/get` give each skill's entry
//! (its frontmatter as JSON, and every file's SHA-256 digest and size); and
//! `resources/directory/read` lists a directory's children. Everything is
//! read once, when the skills are loaded: the digests must describe exactly
//! the bytes served, and serving them is then a lookup.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use mcpwire_protocol::ErrorObject;
use mcpwire_protocol::types::{
    BlobResourceContents, DIRECTORY_MIME_TYPE, JsonObject, Resource, ResourceContents, Skill, SkillResource,
    SkillResources, TextResourceContents,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{Error, HandlerError, ResourceRoute};

/// The most files one skill may have (SEP-2640's limit; a host need not
/// load more).
pub const MAX_SKILL_FILES: usize = 512;

/// The most bytes one skill's files may add up to (SEP-2640's limit).
pub const MAX_SKILL_BYTES: u64 = 16 * 1024 * 1024;

/// A set of skills to serve; see [`ServerBuilder::skills`](crate::ServerBuilder::skills).
///
/// ```no_run
/// use mcpwire_server::{Server, Skills};
///
/// # fn main() -> Result<(), mcpwire_server::Error> {
/// let skills = Skills::from_dir("./skills")?;
/// let server = Server::builder("docs", "1.0.0").skills(skills).build();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Skills {
    /// Every skill's entry, in the order added.
    entries: Vec<Skill>,
    /// Every file of every skill.
    files: Vec<SkillFile>,
}

/// What a server serves of its skills: the entries, and the directory index
/// `resources/directory/read` answers from.
#[derive(Debug)]
pub(crate) struct Served {
    pub(crate) skills: Skills,
    pub(crate) directories: BTreeMap<String, Vec<Resource>>,
}

#[derive(Debug, Clone)]
struct SkillFile {
    uri: String,
    /// The file's name, its last path segment.
    name: String,
    mime_type: String,
    bytes: Arc<[u8]>,
    /// For a `SKILL.md`: its frontmatter's name and description, which its
    /// resource carries in `resources/list`.
    described: Option<(String, String)>,
}

impl Skills {
    /// Every skill under `dir`: each directory that holds a `SKILL.md`, at
    /// any depth, is a skill whose path is its place under `dir`
    /// (`dir/acme/refunds/SKILL.md` is `skill://acme/refunds/SKILL.md`).
    /// Every file beside and below a `SKILL.md` belongs to its skill.
    ///
    /// # Errors
    /// When `dir` cannot be read, or a skill breaks the rules (see [`add`](Self::add)).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, Error> {
        let dir = dir.as_ref();
        let mut skill_dirs = Vec::new();
        find_skills(dir, dir, &mut skill_dirs)?;
        let mut skills = Self::default();
        for skill_dir in skill_dirs {
            let path = relative(dir, &skill_dir)?;
            let mut files = Vec::new();
            read_files(&skill_dir, &skill_dir, &mut files)?;
            skills = skills.add(&path, files)?;
        }
        Ok(skills)
    }

    /// Add the skill at `path` (one or more `/`-separated segments; the last
    /// is the skill's name) with its files, as (path within the skill, bytes).
    ///
    /// # Errors
    /// When the files have no `SKILL.md`, its frontmatter is not YAML with a
    /// `name` and a `description`, the name breaks the Agent Skills naming
    /// rules or differs from the path's last segment, or the skill exceeds
    /// [`MAX_SKILL_FILES`] or [`MAX_SKILL_BYTES`].
    pub fn add<P: Into<String>>(
        mut self,
        path: &str,
        files: impl IntoIterator<Item = (P, Vec<u8>)>,
    ) -> Result<Self, Error> {
        let invalid = |why: String| Error::Skill(format!("skill {path:?}: {why}"));
        let path = path.trim_matches('/');
        if path.is_empty() || path.split('/').any(|segment| segment.is_empty() || segment == "." || segment == "..") {
            return Err(invalid("the path must be `/`-separated names".into()));
        }
        let mut files: Vec<(String, Vec<u8>)> = files.into_iter().map(|(p, bytes)| (p.into(), bytes)).collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        if files.len() > MAX_SKILL_FILES {
            return Err(invalid(format!("{} files, more than the {MAX_SKILL_FILES} a skill may have", files.len())));
        }
        let total: u64 = files.iter().map(|(_, bytes)| bytes.len() as u64).sum();
        if total > MAX_SKILL_BYTES {
            return Err(invalid(format!("{total} bytes, more than the {MAX_SKILL_BYTES} a skill may have")));
        }
        let skill_md = files.iter().find(|(p, _)| p == "SKILL.md").ok_or_else(|| invalid("no SKILL.md".into()))?;
        let text = std::str::from_utf8(&skill_md.1).map_err(|_| invalid("SKILL.md is not UTF-8".into()))?;
        let frontmatter = frontmatter(text).map_err(invalid)?;
        let text_of = |key: &str| frontmatter.get(key).and_then(Value::as_str).filter(|v| !v.trim().is_empty());
        let name = text_of("name").ok_or_else(|| invalid("the frontmatter has no `name`".into()))?.to_owned();
        let description =
            text_of("description").ok_or_else(|| invalid("the frontmatter has no `description`".into()))?.to_owned();
        if !valid_name(&name) {
            return Err(invalid(format!("{name:?} breaks the naming rules (a-z, 0-9 and single hyphens, 1-64)")));
        }
        if path.rsplit('/').next() != Some(name.as_str()) {
            return Err(invalid(format!("its path must end with its name, {name:?}")));
        }
        let uri = format!("skill://{path}/SKILL.md");
        if self.entries.iter().any(|entry| entry.uri == uri) {
            return Err(invalid("added twice".into()));
        }
        let mut manifest = Vec::with_capacity(files.len());
        for (file, bytes) in files {
            if file.split('/').any(|segment| segment.is_empty() || segment == "." || segment == "..") {
                return Err(invalid(format!("bad file path {file:?}")));
            }
            let file_uri = format!("skill://{path}/{file}");
            manifest.push(SkillResource {
                uri: file_uri.clone(),
                digest: format!("sha256:{}", hex(&Sha256::digest(&bytes))),
                size: bytes.len() as u64,
            });
            let described = (file == "SKILL.md").then(|| (name.clone(), description.clone()));
            let file_name = file.rsplit('/').next().unwrap_or(&file).to_owned();
            self.files.push(SkillFile {
                mime_type: mime_type(&file_name, &bytes).to_owned(),
                uri: file_uri,
                name: file_name,
                bytes: bytes.into(),
                described,
            });
        }
        self.entries.push(Skill { uri, frontmatter, resources: SkillResources::Listed(manifest) });
        Ok(self)
    }

    /// Everything `other` serves, added to these (a skill both serve is
    /// served once, as here).
    pub fn extend(&mut self, other: Skills) {
        for entry in other.entries {
            if self.entries.iter().any(|mine| mine.uri == entry.uri) {
                continue;
            }
            let root = entry.uri.trim_end_matches("SKILL.md").to_owned();
            self.files.extend(other.files.iter().filter(|file| file.uri.starts_with(&root)).cloned());
            self.entries.push(entry);
        }
    }

    /// Whether there is no skill.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every skill's entry, as `skills/list` gives them.
    pub fn entries(&self) -> &[Skill] {
        &self.entries
    }

    /// The entry of the skill whose `SKILL.md` is at `uri`.
    pub(crate) fn get(&self, uri: &str) -> Result<&Skill, ErrorObject> {
        self.entries
            .iter()
            .find(|entry| entry.uri == uri)
            .ok_or_else(|| ErrorObject::invalid_params(format!("No skill is served at {uri}")))
    }

    /// A route per file, to register as resources.
    pub(crate) fn routes(&self) -> Vec<ResourceRoute> {
        self.files
            .iter()
            .map(|file| {
                let (name, description) = match &file.described {
                    Some((name, description)) => (name.clone(), Some(description.clone())),
                    None => (file.name.clone(), None),
                };
                let resource = Resource {
                    description,
                    mime_type: Some(file.mime_type.clone()),
                    size: Some(file.bytes.len() as u64),
                    ..Resource::new(file.uri.clone(), name)
                };
                let contents = contents(file);
                ResourceRoute::new(resource, move |_uri, _ctx| {
                    let contents = contents.clone();
                    async move { Ok::<_, HandlerError>(contents) }
                })
            })
            .collect()
    }

    /// Every directory and its direct children, by URI: each skill's root,
    /// the directories within, and the path segments above the roots.
    pub(crate) fn directories(&self) -> BTreeMap<String, Vec<Resource>> {
        let mut directories: BTreeMap<String, BTreeMap<String, Resource>> = BTreeMap::new();
        for file in &self.files {
            let Some(path) = file.uri.strip_prefix("skill://") else { continue };
            let segments: Vec<&str> = path.split('/').collect();
            for depth in 1..segments.len() {
                let parent = format!("skill://{}", segments[..depth].join("/"));
                let child_uri = format!("{parent}/{}", segments[depth]);
                let child = if depth + 1 == segments.len() {
                    Resource {
                        mime_type: Some(file.mime_type.clone()),
                        size: Some(file.bytes.len() as u64),
                        ..Resource::new(child_uri.clone(), file.name.clone())
                    }
                } else {
                    Resource {
                        mime_type: Some(DIRECTORY_MIME_TYPE.to_owned()),
                        ..Resource::new(child_uri.clone(), segments[depth])
                    }
                };
                directories.entry(parent).or_default().insert(child_uri, child);
            }
        }
        directories.into_iter().map(|(uri, children)| (uri, children.into_values().collect())).collect()
    }
}

fn contents(file: &SkillFile) -> ResourceContents {
    match std::str::from_utf8(&file.bytes) {
        Ok(text) => ResourceContents::Text(TextResourceContents {
            uri: file.uri.clone(),
            mime_type: Some(file.mime_type.clone()),
            text: text.to_owned(),
            meta: None,
        }),
        Err(_) => {
            use base64::Engine as _;
            ResourceContents::Blob(BlobResourceContents {
                uri: file.uri.clone(),
                mime_type: Some(file.mime_type.clone()),
                blob: base64::engine::general_purpose::STANDARD.encode(&file.bytes),
                meta: None,
            })
        }
    }
}

/// Directories under `root` that hold a `SKILL.md`. Below a skill's root,
/// a `SKILL.md` is a nested skill: it is served as a skill too (its files
/// also belong to the enclosing one).
fn find_skills(root: &Path, dir: &Path, found: &mut Vec<std::path::PathBuf>) -> Result<(), Error> {
    if dir.join("SKILL.md").is_file() && dir != root {
        found.push(dir.to_owned());
    }
    let mut entries = read_dir(dir)?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            find_skills(root, &entry, found)?;
        }
    }
    Ok(())
}

/// Every file below `dir`, as (path relative to `skill_root`, bytes).
fn read_files(skill_root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) -> Result<(), Error> {
    for entry in read_dir(dir)? {
        if entry.is_dir() {
            read_files(skill_root, &entry, files)?;
        } else if entry.is_file() {
            let bytes = std::fs::read(&entry).map_err(|e| Error::Skill(format!("{}: {e}", entry.display())))?;
            files.push((relative(skill_root, &entry)?, bytes));
        }
    }
    Ok(())
}

fn read_dir(dir: &Path) -> Result<Vec<std::path::PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Skill(format!("{}: {e}", dir.display())))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::Skill(format!("{}: {e}", dir.display())))?;
        // Hidden files and folders (`.git`) are no part of a skill.
        if !entry.file_name().to_string_lossy().starts_with('.') {
            paths.push(entry.path());
        }
    }
    Ok(paths)
}

/// `path` under `root` with `/` separators.
fn relative(root: &Path, path: &Path) -> Result<String, Error> {
    let relative = path.strip_prefix(root).map_err(|_| Error::Skill(format!("{} is outside", path.display())))?;
    let segments: Option<Vec<&str>> = relative.components().map(|c| c.as_os_str().to_str()).collect();
    segments.map(|s| s.join("/")).ok_or_else(|| Error::Skill(format!("{} is not UTF-8", path.display())))
}

/// The YAML frontmatter of a `SKILL.md` as a JSON object: the block between
/// a first line `---` and the next line `---` (a BOM may come first).
pub(crate) fn frontmatter(text: &str) -> Result<JsonObject, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or("SKILL.md must begin with a `---` line")?;
    let mut yaml_end = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']).trim_end_matches([' ', '\t']) == "---" {
            yaml_end = Some(offset);
            break;
        }
        offset += line.len();
    }
    let yaml = &body[..yaml_end.ok_or("the frontmatter has no closing `---` line")?];
    let documents = yaml_rust2::YamlLoader::load_from_str(yaml).map_err(|e| format!("the frontmatter: {e}"))?;
    match documents.into_iter().next().map(json) {
        Some(Ok(Value::Object(object))) => Ok(object),
        Some(Err(why)) => Err(format!("the frontmatter: {why}")),
        _ => Err("the frontmatter is not a YAML mapping".into()),
    }
}

/// A YAML value as the JSON it denotes (YAML 1.2 core schema).
fn json(yaml: yaml_rust2::Yaml) -> Result<Value, String> {
    use yaml_rust2::Yaml;
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(b),
        Yaml::Integer(n) => Value::from(n),
        Yaml::Real(text) => {
            let number = text.parse::<f64>().map_err(|_| format!("{text:?} is not a number JSON can carry"))?;
            serde_json::Number::from_f64(number).map(Value::Number).ok_or(format!("{text} has no JSON form"))?
        }
        Yaml::String(text) => Value::String(text),
        Yaml::Array(items) => Value::Array(items.into_iter().map(json).collect::<Result<_, _>>()?),
        Yaml::Hash(pairs) => {
            let mut object = JsonObject::new();
            for (key, value) in pairs {
                let key = match key {
                    Yaml::String(key) => key,
                    Yaml::Integer(n) => n.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(text) => text,
                    other => return Err(format!("a key JSON cannot carry: {other:?}")),
                };
                object.insert(key, json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err("aliases are not supported".into()),
    })
}

/// The Agent Skills naming rules: 1 to 64 of `a-z`, `0-9` and `-`, not
/// starting or ending with `-`, and no `--`.
fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn mime_type(name: &str, bytes: &[u8]) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown") => "text/markdown",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("yaml" | "yml") => "application/yaml",
        Some("py") => "text/x-python",
        Some("sh") => "text/x-shellscript",
        Some("js" | "mjs") => "text/javascript",
        Some("html" | "htm") => "text/html",
        Some("csv") => "text/csv",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("pdf") => "application/pdf",
        _ if std::str::from_utf8(bytes).is_ok() => "text/plain",
        _ => "application/octet-stream",
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SKILL_MD: &str =
        "---\nname: pdf-processing\ndescription: Extract, fill, and assemble PDF documents\n---\n\nBody.\n";

    fn pdf() -> Skills {
        let files =
            [("SKILL.md", SKILL_MD.as_bytes().to_vec()), ("references/FORMS.md", b"Forms reference.\n".to_vec())];
        Skills::default().add("pdf-processing", files).unwrap()
    }

    #[test]
    fn an_entry_carries_the_frontmatter_and_a_digest_per_file() {
        let skills = pdf();
        let entry = skills.get("skill://pdf-processing/SKILL.md").unwrap();
        assert_eq!(
            Value::Object(entry.frontmatter.clone()),
            json!({"name": "pdf-processing", "description": "Extract, fill, and assemble PDF documents"})
        );
        let SkillResources::Listed(files) = &entry.resources else { panic!("listed") };
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].uri, "skill://pdf-processing/SKILL.md");
        assert_eq!(files[0].size, SKILL_MD.len() as u64);
        assert_eq!(files[0].digest, format!("sha256:{}", hex(&Sha256::digest(SKILL_MD.as_bytes()))));
        assert!(skills.get("skill://nope/SKILL.md").is_err());
    }

    #[test]
    fn directories_list_direct_children_with_subdirectories_marked() {
        let directories = pdf().directories();
        let root = &directories["skill://pdf-processing"];
        let names: Vec<_> = root.iter().map(|r| (r.name.as_str(), r.mime_type.as_deref().unwrap())).collect();
        assert_eq!(names, [("SKILL.md", "text/markdown"), ("references", DIRECTORY_MIME_TYPE)]);
        assert_eq!(
            directories["skill://pdf-processing/references"][0].uri,
            "skill://pdf-processing/references/FORMS.md"
        );
        assert!(!directories.contains_key("skill://pdf-processing/SKILL.md"));
    }

    #[test]
    fn frontmatter_keeps_yaml_types_and_every_key() {
        let text = "\u{feff}---\r\nname: x\ndescription: \"d: quoted\"\nlicense: MIT\nmetadata:\n  version: 2\n  tags: [a, b]\n  ratio: 0.5\n---  \nbody";
        let parsed = frontmatter(text).unwrap();
        assert_eq!(
            Value::Object(parsed),
            json!({"name": "x", "description": "d: quoted", "license": "MIT",
                   "metadata": {"version": 2, "tags": ["a", "b"], "ratio": 0.5}})
        );
        assert!(frontmatter("no frontmatter").is_err());
        assert!(frontmatter("---\nname: x\n").is_err());
        assert!(frontmatter("---\n- a list\n---\n").is_err());
    }

    #[test]
    fn skills_that_break_the_rules_are_refused() {
        let skill = |path: &str, md: &str| Skills::default().add(path, [("SKILL.md", md.as_bytes().to_vec())]);
        assert!(skill("pdf-processing", SKILL_MD).is_ok());
        assert!(skill("acme/pdf-processing", SKILL_MD).is_ok(), "a prefix is allowed");
        assert!(skill("other-name", SKILL_MD).is_err(), "the path must end with the name");
        assert!(skill("Bad--Name", "---\nname: Bad--Name\ndescription: d\n---\n").is_err());
        assert!(skill("x", "---\nname: x\n---\n").is_err(), "a description is required");
        assert!(Skills::default().add("x", [("README.md", b"no skill".to_vec())]).is_err());
        assert!(valid_name("a") && valid_name("pdf-processing") && !valid_name("-a") && !valid_name(&"a".repeat(65)));
    }

    #[test]
    fn a_folder_of_skills_loads_with_nested_paths() {
        let dir = std::env::temp_dir().join(format!("mcpwire-skills-{}", std::process::id()));
        let skill = dir.join("acme/refunds");
        std::fs::create_dir_all(skill.join("examples")).unwrap();
        std::fs::write(skill.join("SKILL.md"), "---\nname: refunds\ndescription: Refund requests\n---\n").unwrap();
        std::fs::write(skill.join("examples/email.md"), "Dear customer").unwrap();
        let loaded = Skills::from_dir(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let loaded = loaded.unwrap();
        assert_eq!(loaded.entries()[0].uri, "skill://acme/refunds/SKILL.md");
        assert!(loaded.directories().contains_key("skill://acme"));
        assert_eq!(loaded.routes().len(), 2);
    }
}
