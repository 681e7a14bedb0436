//! Typed tables: numeric and text columns with missing cells, read from CSV.

use crate::error::{DatasetError, Result};
use std::collections::HashMap;
use std::path::Path;

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

/// A table of equally long columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
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
        Ok(Self { columns, rows })
    }

    /// Reads a CSV file with a header row. A column is numeric when every
    /// non-missing cell parses as a number, else text (see
    /// [`is_missing`]); `options.types` overrides the inference.
    ///
    /// # Errors
    /// An unreadable file, a row with the wrong number of fields (naming
    /// the file and line), or a non-number in a column forced numeric
    /// (naming the file, line and column).
    pub fn from_csv(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(options.delimiter.unwrap_or(b','))
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| DatasetError::Csv {
                file: file.clone(),
                line: 0,
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
            let numeric_ok = raw
                .iter()
                .all(|c| is_missing(c) || c.trim().parse::<f64>().is_ok());
            let kind = options.types.get(&name).copied().unwrap_or(if numeric_ok {
                ColumnType::Numeric
            } else {
                ColumnType::Text
            });
            let data = match kind {
                ColumnType::Numeric => ColumnData::Numeric(
                    raw.iter()
                        .zip(&lines)
                        .map(|(c, &line)| {
                            if is_missing(c) {
                                Ok(None)
                            } else {
                                c.trim().parse::<f64>().map(Some).map_err(|_| {
                                    DatasetError::NotANumber {
                                        file: file.clone(),
                                        line,
                                        column: name.clone(),
                                        value: c.clone(),
                                    }
                                })
                            }
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
        Self::new(columns)
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
        Table::new(columns)
    }
    /// The target column `name` as numbers.
    ///
    /// # Errors
    /// An unknown or text column, or a missing target value (naming the
    /// 0-based row).
    pub fn target(&self, name: &str) -> Result<Vec<f64>> {
        self.numeric(name)?
            .iter()
            .enumerate()
            .map(|(row, v)| {
                v.ok_or(DatasetError::InvalidParameter {
                    name: "target value (missing in this row)",
                    value: row as f64,
                    allowed: "a value in every row",
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
        Ok(Table {
            columns,
            rows: rows.len(),
        })
    }
}

impl Table {
    /// Writes the table as CSV with a header row; missing cells are empty.
    ///
    /// # Errors
    /// An I/O error, naming the file.
    pub fn to_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let err = |e: csv::Error| DatasetError::Csv {
            file: path.display().to_string(),
            line: 0,
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
        w.flush().map_err(|e| DatasetError::Csv {
            file: path.display().to_string(),
            line: 0,
            message: e.to_string(),
        })
    }
}
