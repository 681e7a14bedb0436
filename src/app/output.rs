//! A run's output folder, written as a whole.
//!
//! Every file of a run goes to a staging folder beside the output folder
//! (`.NAME.staging-PID`); when the run is complete, a `manifest.json`
//! (command, version, seed, files) is written last and the staging folder
//! takes the output folder's place. So an interrupted or failed run leaves
//! the previous complete set untouched, never a half-written file or a mix
//! of two runs, and a file of an earlier run can never look current: the
//! whole folder is replaced.
//!
//! The output folder is checked before any work ([`RunOutput::prepare`]):
//! it must be a folder (or not exist yet), and if it holds files, they must
//! be an earlier run's (a `manifest.json`), so a folder of the user's own
//! files is never replaced.
//!
//! The replacement is two renames (the old folder aside, the staging
//! folder in); a run killed between them (a few microseconds) leaves the
//! old set in `.NAME.previous-PID` and the new one in the staging folder,
//! both complete.
//!
//! ```
//! use mnp_suite::app::output::RunOutput;
//!
//! # fn main() -> mnp_suite::Result<()> {
//! let dir = std::env::temp_dir().join(format!("mnp_doc_output_{}", std::process::id()));
//! let mut out = RunOutput::prepare(&dir, "example", Some(7))?;
//! out.write("result.json", "{\"j\": 0.8}")?;
//! let manifest = out.commit()?;
//! assert_eq!(manifest.files, ["result.json"]);
//! assert!(dir.join("manifest.json").is_file());
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The name of the manifest in every output folder.
pub const MANIFEST: &str = "manifest.json";

/// What a complete run wrote: `manifest.json`, the last file of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The command that made the files, e.g. `mnp optimize`.
    pub command: String,
    /// The version of mnp-suite that made them.
    pub version: String,
    /// The seed of the run, if it has one.
    pub seed: Option<u64>,
    /// Every file of the run (paths relative to the folder, `/`-separated,
    /// sorted), the manifest excepted.
    pub files: Vec<String>,
}

impl Manifest {
    /// Reads the manifest of an output folder.
    ///
    /// # Errors
    /// No manifest (not a complete run), or one that does not parse.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| io(&path, &e))?;
        serde_json::from_str(&text).map_err(|e| Error::Io {
            path: path.display().to_string(),
            message: format!("not a run manifest: {e}"),
        })
    }
}

/// The output of one run, staged until [`RunOutput::commit`]. Dropped
/// without a commit (an error, a panic), it removes its staging folder and
/// leaves the output folder as it was.
#[derive(Debug)]
pub struct RunOutput {
    target: PathBuf,
    staging: PathBuf,
    command: String,
    seed: Option<u64>,
    committed: bool,
}

fn io(path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// `.NAME.TAG-PID` beside `target`.
fn sibling(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.{tag}-{}", std::process::id()))
}

impl RunOutput {
    /// Checks the output folder `target` and creates the staging folder
    /// beside it, before any work: `target` must not exist, or be an empty
    /// folder, or hold an earlier run (a `manifest.json`).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `--out` for a file in the way, or a folder
    /// of other files; [`Error::Io`] when the staging folder cannot be
    /// created (no permission, a read-only disk).
    pub fn prepare(target: &Path, command: &str, seed: Option<u64>) -> Result<Self> {
        if target.exists() {
            if !target.is_dir() {
                return Err(Error::Invalid {
                    name: "--out",
                    reason: format!("{} exists and is not a folder", target.display()),
                });
            }
            let mut entries = std::fs::read_dir(target).map_err(|e| io(target, &e))?;
            if entries.next().is_some() && !target.join(MANIFEST).is_file() {
                return Err(Error::Invalid {
                    name: "--out",
                    reason: format!(
                        "{} holds files that no mnp run wrote (no {MANIFEST}); choose an empty \
                         or new folder, or one of an earlier run, which the new run replaces",
                        target.display()
                    ),
                });
            }
        }
        let staging = sibling(target, "staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| io(&staging, &e))?;
        }
        std::fs::create_dir_all(&staging).map_err(|e| io(&staging, &e))?;
        Ok(Self {
            target: target.to_path_buf(),
            staging,
            command: command.to_string(),
            seed,
            committed: false,
        })
    }

    /// Where the run writes `name` (a path relative to the output folder):
    /// inside the staging folder, its parent folders created.
    ///
    /// # Errors
    /// A folder that cannot be created.
    pub fn path(&self, name: &str) -> Result<PathBuf> {
        let path = self.staging.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, &e))?;
        }
        Ok(path)
    }

    /// Writes `text` to `name`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write(&mut self, name: &str, text: &str) -> Result<()> {
        let path = self.path(name)?;
        std::fs::write(&path, text).map_err(|e| io(&path, &e))
    }

    /// The output folder the run will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Writes the manifest last and puts the staged folder in place of the
    /// output folder.
    ///
    /// # Errors
    /// A file or rename the system refuses; the output folder is then
    /// unchanged.
    pub fn commit(mut self) -> Result<Manifest> {
        let mut files = Vec::new();
        list_files(&self.staging, "", &mut files)?;
        files.sort();
        let manifest = Manifest {
            command: self.command.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            seed: self.seed,
            files,
        };
        let text = serde_json::to_string_pretty(&manifest).map_err(|e| Error::Io {
            path: MANIFEST.into(),
            message: e.to_string(),
        })?;
        let path = self.staging.join(MANIFEST);
        std::fs::write(&path, text).map_err(|e| io(&path, &e))?;
        if self.target.exists() {
            let previous = sibling(&self.target, "previous");
            if previous.exists() {
                std::fs::remove_dir_all(&previous).map_err(|e| io(&previous, &e))?;
            }
            std::fs::rename(&self.target, &previous).map_err(|e| io(&self.target, &e))?;
            if let Err(e) = std::fs::rename(&self.staging, &self.target) {
                // Put the old set back before reporting.
                let _ = std::fs::rename(&previous, &self.target);
                return Err(io(&self.target, &e));
            }
            self.committed = true;
            std::fs::remove_dir_all(&previous).map_err(|e| io(&previous, &e))?;
        } else {
            std::fs::rename(&self.staging, &self.target).map_err(|e| io(&self.target, &e))?;
            self.committed = true;
        }
        Ok(manifest)
    }
}

impl Drop for RunOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

fn list_files(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, &e))? {
        let entry = entry.map_err(|e| io(dir, &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.path().is_dir() {
            list_files(&entry.path(), &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}
