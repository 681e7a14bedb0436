//! The facade's error type: any error of the composed crates.

use thiserror::Error;

/// An error from one of the composed crates.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// From `mnp-physics`.
    #[error(transparent)]
    Physics(#[from] mnp_physics::PhysicsError),
    /// From `lbm-bioheat`.
    #[error(transparent)]
    Bioheat(#[from] lbm_bioheat::BioheatError),
    /// From `thermal-dose`.
    #[error(transparent)]
    Dose(#[from] thermal_dose::DoseError),
    /// From `mnp-dataset`.
    #[error(transparent)]
    Dataset(#[from] mnp_dataset::DatasetError),
    /// From `ml-regress`.
    #[error(transparent)]
    Regress(#[from] ml_regress::RegressError),
    /// From `pso`.
    #[error(transparent)]
    Pso(#[from] pso::PsoError),
    /// A figure could not be drawn or written.
    #[error("figure: {0}")]
    Plot(String),
    /// A slice or field of the wrong length or shape.
    #[error("{what}: expected {expected} values, found {found}")]
    Shape {
        /// What was passed.
        what: &'static str,
        /// The length expected.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// An invalid setting of the pipelines.
    #[error("{name}: {reason}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// An uncertain property that does not exist or whose distribution
    /// cannot be used.
    #[error("uncertain property {property}: {message}")]
    Uncertainty {
        /// The property's name.
        property: String,
        /// What is wrong.
        message: String,
    },
    /// A scenario file that cannot be used; `key` names the offending
    /// entry (dotted path, e.g. `tumor.radius_mm`).
    #[error("scenario {key}: {message}")]
    Scenario {
        /// The offending key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        message: String,
    },
    /// A medical image (a label volume) that cannot be used: not NIfTI-1,
    /// 4D, non-integer or negative labels, a tumor label that is absent or
    /// touches the edge of the image, a crop box larger than the image, an
    /// unmapped label.
    #[error("{source_name}: {message}")]
    Image {
        /// The image: its file, or "label volume" for one built in memory.
        source_name: String,
        /// What is wrong, with the voxel or header field concerned.
        message: String,
    },
    /// Another MPI rank's evaluation failed (with the `mpi` feature): its
    /// rank and its error's message. The rank that failed returns the
    /// typed error itself.
    #[error("rank {rank}: {message}")]
    Rank {
        /// The rank whose evaluation failed.
        rank: usize,
        /// Its error, as printed.
        message: String,
    },
}

/// `Result` with the facade's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// An error for people: its message, then each underlying cause not
/// already part of it (`caused by: …`), one per line; never the Debug
/// structure. The examples and the `mnp` command print errors this way.
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(&format!("\n  caused by: {line}"));
        }
        source = cause.source();
    }
    text
}

/// The end of a `main` that returns an [`std::process::ExitCode`]: success,
/// or the error printed for people ([`describe`]) on standard error and a
/// failure code. `fn main() -> ExitCode { mnp_suite::error::exit(run()) }`
pub fn exit(result: std::result::Result<(), Box<dyn std::error::Error>>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", describe(e.as_ref()));
            std::process::ExitCode::FAILURE
        }
    }
}
