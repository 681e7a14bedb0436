//! Typed tables: numeric and text columns with missing cells, read from CSV.

use crate::error::{DatasetError, Result};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// Numbers (f64).
    Numeric,
    /// Text, treated as categories.
    Text,
}

/// A column's values; `None` is a missing cell.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// Numbers.
    Numeric(Vec<Option<f64>>),
    /// Text.
    Text(Vec<Option<String>>),
}

impl ColumnData {
    /// The column's kind.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Self::Numeric(_) => ColumnType::Numeric,
            Self::Text(_) => ColumnType::Text,
        }
    }
    /// Number of cells.
    pub fn len(&self) -> usize {
        match self {
            Self::Numeric(v) => v.len(),
            Self::Text(v) => v.len(),
        }
    }
    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Number of missing cells.
    pub fn missing(&self) -> usize {
        match self {
            Self::Numeric(v) => v.iter().filter(|c| c.is_none()).count(),
            Self::Text(v) => v.iter().filter(|c| c.is_none()).count(),
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header name.
    pub name: String,
    /// The values.
    pub data: ColumnData,
}

/// A table of equally long columns with distinct names. A table read from
/// a file remembers each row's file line, so every error names the line a
/// user sees, through selections, row subsets and transforms.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
    origin: Option<Origin>,
}

/// Where the rows came from: a file and each row's line in it.
#[derive(Debug, Clone, PartialEq)]
struct Origin {
    file: Arc<str>,
    lines: Vec<u64>,
}

/// How a cell of a column meant to be numeric reads.
enum Cell {
    Missing,
    Number(f64),
    NotANumber,
}

fn read_cell(c: &str) -> Cell {
    if is_missing(c) {
        Cell::Missing
    } else {
        c.trim()
            .parse::<f64>()
            .map_or(Cell::NotANumber, Cell::Number)
    }
}

/// Whether a cell's text means "missing": empty, `NA`, `N/A`, `NaN`,
/// `null` (any case, surrounding spaces ignored).
pub fn is_missing(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty() || ["na", "n/a", "nan", "null"].contains(&c.to_ascii_lowercase().as_str())
}

/// How to read a CSV file.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Column types that override inference, by column name.
    pub types: HashMap<String, ColumnType>,
    /// Field delimiter (default `,`).
    pub delimiter: Option<u8>,
}

impl Table {
    /// A table from columns of equal length.
    ///
    /// # Errors
    /// Columns of different lengths.
    /// # Errors
    /// Columns of different lengths, or two columns of one name.
    pub fn new(columns: Vec<Column>) -> Result<Self> {
        let rows = columns.first().map_or(0, |c| c.data.len());
        for c in &columns {
            if c.data.len() != rows {
                return Err(DatasetError::LengthMismatch {
                    what: "a column",
                    expected: rows,
                    found: c.data.len(),
                });
            }
        }
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        check_unique(&names, "table")?;
        Ok(Self {
            columns,
            rows,
            origin: None,
        })
    }

    /// The same columns, with the row origins (file and lines) of `other`,
    /// a table of as many rows: a transform's output keeps its input's
    /// lines.
    ///
    /// # Errors
    /// A different number of rows.
    pub fn with_origin_of(mut self, other: &Table) -> Result<Self> {
        if other.rows != self.rows {
            return Err(DatasetError::LengthMismatch {
                what: "rows of the table whose origin is taken",
                expected: self.rows,
                found: other.rows,
            });
        }
        self.origin = other.origin.clone();
        Ok(self)
    }

    /// The file the rows were read from, if any.
    pub fn file(&self) -> Option<&str> {
        self.origin.as_ref().map(|o| &*o.file)
    }

    /// The file line of row `row` (1-based, the header is line 1), for a
    /// table read from a file.
    pub fn line(&self, row: usize) -> Option<u64> {
        self.origin.as_ref().and_then(|o| o.lines.get(row).copied())
    }

    /// Where row `row` is, for people: `FILE, line N` for a table read
    /// from a file, else `row N` (0-based).
    pub fn locate(&self, row: usize) -> String {
        match (&self.origin, self.line(row)) {
            (Some(o), Some(line)) => format!("{}, line {line}", o.file),
            _ => format!("row {row}"),
        }
    }

    /// Reads a CSV file with a header row. A column's type is inferred from
    /// all its cells (see [`is_missing`]): numeric when its cells are
    /// numbers, text when most are not; `options.types` overrides the
    /// inference (declare a categorical column of number-like codes as
    /// text). Numbers must be finite.
    ///
    /// # Errors
    /// An unreadable file; a row with the wrong number of fields (naming
    /// the file and line); two columns of one name; a column whose cells
    /// are mostly numbers but one is not (a typo, a decimal comma), or a
    /// non-number in a column declared numeric ([`DatasetError::NotANumber`],
    /// naming the file, line and column); `inf` or a number beyond f64
    /// ([`DatasetError::NonFinite`]).
    pub fn from_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(options.delimiter.unwrap_or(b','))
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| DatasetError::Io {
                file: file.clone(),
                message: e.to_string(),
            })?;
        let csv_error = |e: csv::Error| DatasetError::Csv {
            file: file.clone(),
            line: e.position().map_or(0, |p| p.line()),
            message: e.to_string(),
        };
        let headers: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_string)
            .collect();
        let names: Vec<&str> = headers.iter().map(String::as_str).collect();
        check_unique(&names, &file)?;
        let mut cells: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
        let mut lines = Vec::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            lines.push(record.position().map_or(0, |p| p.line()));
            for (k, cell) in record.iter().enumerate() {
                cells[k].push(cell.to_string());
            }
        }
        let mut columns = Vec::with_capacity(headers.len());
        for (name, raw) in headers.into_iter().zip(cells) {
            let read: Vec<Cell> = raw.iter().map(|c| read_cell(c)).collect();
            let numbers = read.iter().filter(|c| matches!(c, Cell::Number(_))).count();
            let words = read
                .iter()
                .filter(|c| matches!(c, Cell::NotANumber))
                .count();
            // Numeric when every cell is a number, or when numbers are the
            // majority (then the odd cell is an error, not a category).
            let kind =
                options
                    .types
                    .get(&name)
                    .copied()
                    .unwrap_or(if numbers > 0 && numbers >= words {
                        ColumnType::Numeric
                    } else {
                        ColumnType::Text
                    });
            let data = match kind {
                ColumnType::Numeric => ColumnData::Numeric(
                    read.iter()
                        .zip(&raw)
                        .zip(&lines)
                        .map(|((cell, text), &line)| match *cell {
                            Cell::Missing => Ok(None),
                            Cell::Number(v) if v.is_finite() => Ok(Some(v)),
                            Cell::Number(v) => Err(DatasetError::NonFinite {
                                at: format!("{file}, line {line}"),
                                column: name.clone(),
                                value: v,
                            }),
                            Cell::NotANumber => Err(DatasetError::NotANumber {
                                file: file.clone(),
                                line,
                                column: name.clone(),
                                value: text.clone(),
                            }),
                        })
                        .collect::<Result<_>>()?,
                ),
                ColumnType::Text => ColumnData::Text(
                    raw.into_iter()
                        .map(|c| if is_missing(&c) { None } else { Some(c) })
                        .collect(),
                ),
            };
            columns.push(Column { name, data });
        }
        let mut table = Self::new(columns)?;
        table.origin = Some(Origin {
            file: file.as_str().into(),
            lines,
        });
        Ok(table)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
    /// The column called `name`.
    ///
    /// # Errors
    /// [`DatasetError::UnknownColumn`].
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| DatasetError::UnknownColumn(name.to_string()))
    }
    /// The numeric column `name`.
    ///
    /// # Errors
    /// An unknown or text column.
    pub fn numeric(&self, name: &str) -> Result<&[Option<f64>]> {
        match &self.column(name)?.data {
            ColumnData::Numeric(v) => Ok(v),
            ColumnData::Text(_) => Err(DatasetError::WrongColumnType {
                column: name.to_string(),
                found: "text",
                expected: "numeric",
            }),
        }
    }
    /// A table of the named columns, in that order (features), for example
    /// everything but the target.
    ///
    /// # Errors
    /// An unknown column name.
    pub fn select(&self, names: &[&str]) -> Result<Table> {
        let columns = names
            .iter()
            .map(|n| self.column(n).cloned())
            .collect::<Result<Vec<_>>>()?;
        let mut t = Table::new(columns)?;
        t.origin = self.origin.clone();
        Ok(t)
    }
    /// The target column `name` as numbers.
    ///
    /// # Errors
    /// An unknown or text column, or a missing target value (naming the
    /// file line, or the row).
    pub fn target(&self, name: &str) -> Result<Vec<f64>> {
        self.numeric(name)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                v.ok_or_else(|| DatasetError::MissingValue {
                    column: name.to_string(),
                    at: self.locate(row),
                })
            })
            .collect()
    }
    /// The rows `rows` (0-based, repeats allowed), in that order.
    ///
    /// # Errors
    /// A row index beyond the table.
    pub fn take(&self, rows: &[usize]) -> Result<Table> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.rows) {
            return Err(DatasetError::InvalidParameter {
                name: "row index",
                value: bad as f64,
                allowed: "an index below the number of rows",
            });
        }
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                data: match &c.data {
                    ColumnData::Numeric(v) => {
                        ColumnData::Numeric(rows.iter().map(|&r| v[r]).collect())
                    }
                    ColumnData::Text(v) => {
                        ColumnData::Text(rows.iter().map(|&r| v[r].clone()).collect())
                    }
                },
            })
            .collect();
        let origin = self.origin.as_ref().map(|o| Origin {
            file: o.file.clone(),
            lines: rows.iter().map(|&r| o.lines[r]).collect(),
        });
        Ok(Table {
            columns,
            rows: rows.len(),
            origin,
        })
    }
}

/// Refuses a repeated column name, naming both positions.
fn check_unique(names: &[&str], file: &str) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (k, name) in names.iter().enumerate() {
        if let Some(first) = seen.insert(name, k) {
            return Err(DatasetError::DuplicateColumn {
                file: file.to_string(),
                column: name.to_string(),
                first: first + 1,
                second: k + 1,
            });
        }
    }
    Ok(())
}

impl Table {
    /// Writes the table as CSV with a header row; missing cells are empty.
    ///
    /// # Errors
    /// An I/O error, naming the file.
    pub fn to_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let err = |e: csv::Error| DatasetError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        };
        let mut w = csv::Writer::from_path(path).map_err(err)?;
        w.write_record(self.columns.iter().map(|c| c.name.as_str()))
            .map_err(err)?;
        for r in 0..self.rows {
            let row: Vec<String> = self
                .columns
                .iter()
                .map(|c| match &c.data {
                    ColumnData::Numeric(v) => v[r].map_or(String::new(), |x| x.to_string()),
                    ColumnData::Text(v) => v[r].clone().unwrap_or_default(),
                })
                .collect();
            w.write_record(&row).map_err(err)?;
        }
        w.flush().map_err(|e| DatasetError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })
    }
}
