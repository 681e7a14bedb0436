//! The crate's error type and `Result` alias.

use thiserror::Error;

/// Everything that can go wrong in `mnp-dataset`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DatasetError {
    /// The file could not be read, or a row is malformed.
    #[error("{file}, line {line}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The line (1-based, the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A cell of a numeric column does not parse as a number. A column is
    /// numeric when most of its cells are numbers; declare it text
    /// (`CsvOptions::types`) if it is categorical.
    #[error(
        "{file}, line {line}, column '{column}': cannot read '{value}' as a number (the \
         column's other cells are numbers; declare the column as text if it is categorical)"
    )]
    NotANumber {
        /// The file.
        file: String,
        /// The line (1-based).
        line: u64,
        /// The column's name.
        column: String,
        /// The cell's text.
        value: String,
    },
    /// A number that is not finite (`inf`, `-inf`), or so large that the
    /// computation overflows.
    #[error("{at}, column '{column}': {value} is not a finite number")]
    NonFinite {
        /// Where: the file and line, or the row.
        at: String,
        /// The column's name.
        column: String,
        /// The value.
        value: f64,
    },
    /// Two columns of one name (a header repeated, or a table built so).
    #[error("{file}: column '{column}' appears twice (columns {first} and {second})")]
    DuplicateColumn {
        /// The file, or "table" for a table built in code.
        file: String,
        /// The repeated name.
        column: String,
        /// Its first position (1-based).
        first: usize,
        /// Its second position (1-based).
        second: usize,
    },
    /// A column whose values overflow a computation (a sum of squares
    /// beyond f64).
    #[error("column '{column}': {what} overflows (values too large, up to {largest:e})")]
    Overflow {
        /// The column.
        column: String,
        /// The computation.
        what: &'static str,
        /// The largest magnitude in the column.
        largest: f64,
    },
    /// A file that cannot be opened, read or written.
    #[error("{file}: {message}")]
    Io {
        /// The file.
        file: String,
        /// The system's message.
        message: String,
    },
    /// Too few rows (or groups, or folds) for what was asked.
    #[error("too few {what}: {found}, at least {needed} needed for {purpose}")]
    TooFew {
        /// What is counted: "rows", "folds", "groups".
        what: &'static str,
        /// How many there are.
        found: usize,
        /// How many are needed.
        needed: usize,
        /// For what, e.g. "5-fold cross-validation".
        purpose: String,
    },
    /// No column of that name.
    #[error("no column named '{0}'")]
    UnknownColumn(String),
    /// A column of the wrong kind for the operation.
    #[error("column '{column}' is {found}, expected {expected}")]
    WrongColumnType {
        /// The column.
        column: String,
        /// Its kind.
        found: &'static str,
        /// The kind needed.
        expected: &'static str,
    },
    /// A table or selection with no rows.
    #[error("no rows to work with")]
    Empty,
    /// A parameter outside its range.
    #[error("invalid {name} = {value}: expected {allowed}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The accepted range.
        allowed: &'static str,
    },
    /// A column with no value in the rows a transformer was fitted on.
    #[error("column '{0}' has no value in the fitting rows")]
    NoValues(String),
    /// A category seen at transform time but not when fitting.
    #[error("column '{column}': category '{value}' was not seen when fitting")]
    UnseenCategory {
        /// The column.
        column: String,
        /// The category.
        value: String,
    },
    /// A missing cell where a value is needed (a target, or a feature left
    /// missing after the transforms).
    #[error("{at}, column '{column}': the value is missing")]
    MissingValue {
        /// The column.
        column: String,
        /// Where: the file and line, or the row.
        at: String,
    },
    /// A target value that cannot take a logarithm.
    #[error("target value {value} at row {row} must be > 0 for log10")]
    NonPositiveTarget {
        /// The row (0-based).
        row: usize,
        /// The value.
        value: f64,
    },
    /// A row index that is not a row of the data, or one given twice.
    #[error("row {row} {problem} (the data have {rows} rows)")]
    InvalidRow {
        /// The row (0-based).
        row: usize,
        /// "is out of range" or "is given twice".
        problem: &'static str,
        /// The number of rows.
        rows: usize,
    },
    /// Lengths that must agree do not.
    #[error("{what} has {found} entries, expected {expected}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// The length needed.
        expected: usize,
        /// The length given.
        found: usize,
    },
}

/// `Result` with [`DatasetError`].
pub type Result<T> = std::result::Result<T, DatasetError>;
