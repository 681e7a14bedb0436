//! Shared by the data-backed tests: where the DiMag files are.

use std::path::PathBuf;

/// `$MNP_DATA_DIR/dimag`. Panics with instructions when the variable is not
/// set: a data-backed test must fail, never pass silently, without its data.
pub fn dimag_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("MNP_DATA_DIR").expect(
        "MNP_DATA_DIR is not set: data-backed tests read the DiMag files from it \
         (run: MNP_DATA_DIR=../shared/data cargo test -- --ignored)",
    ))
    .join("dimag")
}
