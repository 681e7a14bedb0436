//! The DiMag database of magnetic nanoparticles (the DiMag study): SAR
//! (W/g), and r1 and r2 relaxivities (mM⁻¹ s⁻¹), with numeric descriptors
//! per particle. The files are never shipped: they are read from a folder
//! (conventionally `$MNP_DATA_DIR/dimag`).
//!
//! The loader gives each column its role:
//! - the numeric descriptors are the model inputs of the original work;
//! - DOI, core composition and shell composition are text, not inputs;
//! - one column is the target.
//!
//! It normalizes the DOIs for grouping by article. It also reports the
//! data's quirks instead of hiding them: exact duplicate rows, and rows with
//! identical descriptors but different targets. Both are kept.

use crate::error::{DatasetError, Result};
use crate::table::{ColumnType, CsvOptions, Table};
use std::collections::HashMap;
use std::path::Path;

/// The three DiMag targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DimagTarget {
    /// Specific absorption rate (W/g), `SAR.csv`.
    Sar,
    /// Longitudinal relaxivity r1 (mM⁻¹ s⁻¹), `r1.csv`.
    R1,
    /// Transverse relaxivity r2 (mM⁻¹ s⁻¹), `r2.csv`.
    R2,
}

impl DimagTarget {
    /// SAR, r1, r2.
    pub const ALL: [DimagTarget; 3] = [DimagTarget::Sar, DimagTarget::R1, DimagTarget::R2];

    /// The file holding this target.
    pub fn file_name(self) -> &'static str {
        match self {
            DimagTarget::Sar => "SAR.csv",
            DimagTarget::R1 => "r1.csv",
            DimagTarget::R2 => "r2.csv",
        }
    }

    /// The target column's header.
    pub fn column(self) -> &'static str {
        match self {
            DimagTarget::Sar => "SAR",
            DimagTarget::R1 => "r1 relaxivity",
            DimagTarget::R2 => "r2 relaxivity",
        }
    }

    /// A short label: "SAR", "r1", "r2".
    pub fn label(self) -> &'static str {
        match self {
            DimagTarget::Sar => "SAR",
            DimagTarget::R1 => "r1",
            DimagTarget::R2 => "r2",
        }
    }
}

/// The text columns of the DiMag files (not model inputs).
pub const TEXT_COLUMNS: [&str; 3] = ["DOI", "Core composition", "Shell composition"];

/// A DOI reduced to its bare form for grouping rows by article: trimmed
/// (tabs and spaces), lower case, with any of the prefixes `https://doi.org/`,
/// `http://dx.doi.org/` (and the other scheme/host combinations, with or
/// without the scheme), `doi:` and `DOI` removed, repeatedly. So
/// `"DOI\thttps://doi.org/10.1/X"`, `"doi:10.1/x"` and `"10.1/X"` all become
/// `"10.1/x"`. Malformed DOIs (`.10.1016.e.2015.02.019`) are kept as they
/// are, lower-cased.
pub fn normalize_doi(raw: &str) -> String {
    const HOSTS: [&str; 6] = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "dx.doi.org/",
        "doi.org/",
    ];
    let mut s = raw.trim().to_lowercase();
    loop {
        let before = s.len();
        for host in HOSTS {
            if let Some(rest) = s.strip_prefix(host) {
                s = rest.trim().to_string();
            }
        }
        if let Some(rest) = s.strip_prefix("doi")
            && !rest.starts_with('.')
        {
            s = rest.trim_start().trim_start_matches(':').trim().to_string();
        }
        if s.len() == before {
            return s;
        }
    }
}

/// One DiMag file, loaded with its column roles.
#[derive(Debug, Clone, PartialEq)]
pub struct DimagData {
    /// Which target.
    pub target: DimagTarget,
    /// Every column of the file (text columns as text).
    pub table: Table,
    /// The numeric descriptors (model inputs), in file order.
    pub descriptors: Vec<String>,
    /// The raw target per row (SAR in W/g, relaxivities in mM⁻¹ s⁻¹).
    pub y: Vec<f64>,
    /// The normalized DOI per row ([`normalize_doi`]), for grouped splits.
    pub doi: Vec<String>,
    /// Groups (≥ 2) of rows identical in every column. Row k of the data is
    /// line k + 2 of the file.
    pub duplicate_rows: Vec<Vec<usize>>,
    /// Groups (≥ 2) of rows with identical descriptors but more than one
    /// target value.
    pub conflicting_targets: Vec<Vec<usize>>,
}

impl DimagData {
    /// The descriptor columns as a table (the model inputs).
    ///
    /// # Errors
    /// None for a loaded file.
    pub fn features(&self) -> Result<Table> {
        let names: Vec<&str> = self.descriptors.iter().map(String::as_str).collect();
        self.table.select(&names)
    }

    /// A human summary of the rows, articles and quirks.
    pub fn report(&self) -> String {
        let mut articles: Vec<&String> = self.doi.iter().collect();
        articles.sort();
        articles.dedup();
        let lines = |groups: &[Vec<usize>]| -> String {
            groups
                .iter()
                .map(|g| {
                    let l: Vec<String> = g.iter().map(|r| (r + 2).to_string()).collect();
                    format!("[{}]", l.join(", "))
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        format!(
            "{}: {} rows, {} descriptors, {} articles (normalized DOIs); \
             {} groups of identical rows (file lines {}); \
             {} groups of equal descriptors with different targets (file lines {}); all rows kept",
            self.target.file_name(),
            self.y.len(),
            self.descriptors.len(),
            articles.len(),
            self.duplicate_rows.len(),
            lines(&self.duplicate_rows),
            self.conflicting_targets.len(),
            lines(&self.conflicting_targets)
        )
    }
}

/// Groups of ≥ 2 row indices sharing a key, in order of their first row.
fn groups_by<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<Vec<usize>> {
    let mut map: HashMap<K, Vec<usize>> = HashMap::new();
    for (row, key) in keys.enumerate() {
        map.entry(key).or_default().push(row);
    }
    let mut groups: Vec<Vec<usize>> = map.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    groups
}

/// Loads `dir/<file of target>` (for example `$MNP_DATA_DIR/dimag`).
///
/// # Errors
/// An unreadable or malformed file (naming the file, line and column), a
/// missing target or DOI column, or a missing or non-positive target value
/// (SAR and relaxivities are modelled on the log scale).
pub fn load_dimag(dir: &Path, target: DimagTarget) -> Result<DimagData> {
    let path = dir.join(target.file_name());
    let mut options = CsvOptions::default();
    for c in TEXT_COLUMNS {
        options.types.insert(c.to_string(), ColumnType::Text);
    }
    let table = Table::from_csv(&path, &options)?;
    let y = table.target(target.column())?;
    if let Some(row) = y.iter().position(|v| v.is_nan() || *v <= 0.0) {
        // The models work on log10 of the target.
        return Err(DatasetError::Csv {
            file: path.display().to_string(),
            line: table.line(row).unwrap_or(row as u64 + 2),
            message: format!(
                "column '{}': {} must be > 0 (the target is modelled as log10)",
                target.column(),
                y[row]
            ),
        });
    }
    let descriptors: Vec<String> = table
        .columns()
        .iter()
        .filter(|c| c.data.column_type() == ColumnType::Numeric && c.name != target.column())
        .map(|c| c.name.clone())
        .collect();
    let doi_column = table.column("DOI")?;
    let doi: Vec<String> = match &doi_column.data {
        crate::table::ColumnData::Text(v) => v
            .iter()
            .map(|d| d.as_deref().map(normalize_doi).unwrap_or_default())
            .collect(),
        crate::table::ColumnData::Numeric(_) => unreachable!("forced to text"),
    };
    // Row keys: every cell (numbers by their bits, text as is), and the
    // descriptors alone.
    let cell_key = |row: usize, names: &[&str]| -> Vec<String> {
        names
            .iter()
            .map(|n| match &table.column(n).expect("known column").data {
                crate::table::ColumnData::Numeric(v) => {
                    v[row].map_or("NA".to_string(), |x| x.to_bits().to_string())
                }
                crate::table::ColumnData::Text(v) => v[row].clone().unwrap_or_default(),
            })
            .collect()
    };
    let all: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
    let desc: Vec<&str> = descriptors.iter().map(String::as_str).collect();
    let duplicate_rows = groups_by((0..y.len()).map(|r| cell_key(r, &all)));
    let conflicting_targets: Vec<Vec<usize>> = groups_by((0..y.len()).map(|r| cell_key(r, &desc)))
        .into_iter()
        .filter(|g| g.iter().any(|&r| y[r].to_bits() != y[g[0]].to_bits()))
        .collect();
    Ok(DimagData {
        target,
        table,
        descriptors,
        y,
        doi,
        duplicate_rows,
        conflicting_targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_positive_target_names_its_line() {
        let dir = std::env::temp_dir().join(format!("mnp_dimag_zero_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("r1.csv"),
            "DOI,Core composition,Shell composition,Area/volume,r1 relaxivity\n\
             10.1/a,Fe1Fe2O4,,0.3,4.5\n\
             10.1/b,Fe1Fe2O4,,0.2,0\n",
        )
        .unwrap();
        let e = load_dimag(&dir, DimagTarget::R1).unwrap_err().to_string();
        assert!(
            e.ends_with("r1.csv, line 3: column 'r1 relaxivity': 0 must be > 0 (the target is modelled as log10)"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn doi_forms_normalize_to_one() {
        for raw in [
            "https://doi.org/10.1021/NL302160D",
            "http://dx.doi.org/10.1021/nl302160d",
            "dx.doi.org/10.1021/nl302160d",
            "DOI: 10.1021/nl302160d",
            "doi:10.1021/nl302160d",
            "DOI\thttps://doi.org/10.1021/nl302160d",
            "  10.1021/nl302160d\t",
        ] {
            assert_eq!(normalize_doi(raw), "10.1021/nl302160d", "{raw:?}");
        }
        assert_eq!(
            normalize_doi(".10.1016.e.2015.02.019"),
            ".10.1016.e.2015.02.019"
        );
    }
}
