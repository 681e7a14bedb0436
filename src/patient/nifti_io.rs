//! NIfTI-1 label volumes in, scalar maps out (`.nii` and `.nii.gz`), read
//! and written with the `nifti` crate. Maps are written with the label
//! volume's header (shape, affine, units), so they overlay the patient's
//! image in 3D Slicer or ITK-SNAP as they are.

use crate::error::{Error, Result};
use crate::patient::affine::Affine;
use crate::patient::volume::LabelVolume;
use nifti::{IntoNdArray, NiftiHeader, NiftiObject, NiftiVolume, ReaderOptions};
use std::io::Read;
use std::path::Path;

fn image_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Image {
        source_name: path.display().to_string(),
        message: message.into(),
    }
}

/// What the first 348 bytes (gunzipped) say the file is; whether it is
/// gzipped.
fn sniff(path: &Path) -> Result<bool> {
    let mut raw = std::fs::File::open(path)
        .map_err(|e| image_error(path, format!("cannot be opened: {e}")))?;
    let mut magic = [0u8; 2];
    let gz = raw.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    let file = std::fs::File::open(path)
        .map_err(|e| image_error(path, format!("cannot be opened: {e}")))?;
    let mut reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut head = vec![0u8; 348];
    let mut got = 0;
    while got < head.len() {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => {
                return Err(image_error(
                    path,
                    format!(
                        "is not a NIfTI file (cannot be read{}: {e})",
                        if gz { " as gzip" } else { "" }
                    ),
                ));
            }
        }
    }
    let size_le = i32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let size_be = i32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    if got >= 4 && (size_le == 540 || size_be == 540) {
        return Err(image_error(
            path,
            "is NIfTI-2 (a 540-byte header); only NIfTI-1 is read: save it as NIfTI-1 \
             (3D Slicer, ITK-SNAP and nibabel write NIfTI-1 by default)",
        ));
    }
    if got < 348 || !(size_le == 348 || size_be == 348) {
        return Err(image_error(
            path,
            format!(
                "is not a NIfTI-1 file (it has {got} bytes{} where the 348-byte header \
                 should start)",
                if got >= 4 {
                    format!(", sizeof_hdr {size_le}")
                } else {
                    String::new()
                }
            ),
        ));
    }
    match &head[344..348] {
        b"n+1\0" => Ok(gz),
        b"ni1\0" => Err(image_error(
            path,
            "is the header of a .hdr/.img pair; give a single-file .nii or .nii.gz",
        )),
        other => Err(image_error(
            path,
            format!("has no NIfTI-1 magic (\"n+1\"): found {other:?}, an ANALYZE 7.5 file?"),
        )),
    }
}

/// The voxel-to-patient affine of a header (mm): the sform when its code
/// is set, else the qform, else the voxel spacing alone (NIfTI-1 methods
/// 3, 2 and 1); in the header's spatial unit (metres, millimetres or
/// micrometres; unknown is taken as mm).
fn header_affine(path: &Path, header: &NiftiHeader) -> Result<Affine> {
    let mm_per_unit = match header.xyzt_units & 0x07 {
        1 => 1e3,
        3 => 1e-3,
        _ => 1.0,
    };
    let spacing: [f64; 3] = std::array::from_fn(|a| f64::from(header.pixdim[a + 1]));
    let rows: [[f64; 4]; 3] = if header.sform_code > 0 {
        let m = header.sform_affine::<f64>();
        std::array::from_fn(|r| std::array::from_fn(|c| m[(r, c)]))
    } else if header.qform_code > 0 {
        if spacing.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(image_error(
                path,
                format!(
                    "has a qform but voxel spacing pixdim[1..4] = {spacing:?}; each must be > 0"
                ),
            ));
        }
        let mut fixed = header.clone();
        // NIfTI-1: qfac = pixdim[0] is ±1; 0 (common) is read as 1.
        if fixed.pixdim[0] == 0.0 {
            fixed.pixdim[0] = 1.0;
        }
        let qfac = f64::from(fixed.pixdim[0]);
        if qfac.is_nan() || (qfac.abs() - 1.0).abs() > 1e-6 {
            return Err(image_error(
                path,
                format!(
                    "has qfac pixdim[0] = {}; NIfTI-1 allows 1 or -1",
                    header.pixdim[0]
                ),
            ));
        }
        fixed.pixdim[0] = fixed.pixdim[0].signum();
        // The quaternion's (b, c, d) of a rotation: finite, b² + c² + d² ≤ 1
        // (the crate rounds small excesses to a half turn and panics on
        // larger ones).
        let q = [header.quatern_b, header.quatern_c, header.quatern_d].map(f64::from);
        let norm2: f64 = q.iter().map(|v| v * v).sum();
        if norm2.is_nan() || norm2 > 1.0 + 1e-6 {
            return Err(image_error(
                path,
                format!(
                    "has a qform quaternion (b, c, d) = {q:?} with b² + c² + d² = {norm2}; a \
                     rotation's is at most 1"
                ),
            ));
        }
        let m = fixed.qform_affine::<f64>();
        std::array::from_fn(|r| std::array::from_fn(|c| m[(r, c)]))
    } else {
        let a = Affine::from_spacing(spacing).map_err(|e| image_error(path, e.to_string()))?;
        a.rows()
    };
    let rows = rows.map(|row| row.map(|v| v * mm_per_unit));
    Affine::new(rows).map_err(|e| image_error(path, e.to_string()))
}

/// Reads a 3D label volume (a segmentation) from a NIfTI-1 file, `.nii` or
/// `.nii.gz`, any integer or float data type (after NIfTI's scaling), with
/// its voxel-to-patient affine (sform, else qform, else the spacing).
///
/// # Errors
/// [`Error::Image`] naming the file: missing or unreadable, not NIfTI,
/// NIfTI-2, a header/image pair, 4D data (more than one volume), fewer
/// than 3 dimensions, labels that are not whole numbers ≥ 0, or an
/// unusable affine.
pub fn read_label_volume(path: impl AsRef<Path>) -> Result<LabelVolume> {
    let path = path.as_ref();
    if !path.is_file() {
        return Err(image_error(
            path,
            if path.exists() {
                "is not a file"
            } else {
                "does not exist"
            },
        ));
    }
    let gz = sniff(path)?;
    let named_gz = path.to_string_lossy().ends_with(".gz");
    if gz != named_gz {
        return Err(image_error(
            path,
            if gz {
                "is gzip-compressed but its name does not end in .gz: name it .nii.gz"
            } else {
                "is named .gz but is not gzip-compressed: name it .nii"
            },
        ));
    }
    let object = ReaderOptions::new()
        .read_file(path)
        .map_err(|e| image_error(path, format!("is not a readable NIfTI-1 file: {e}")))?;
    let header = object.header().clone();
    // Labels are integers or reals whose size the header states
    // consistently (the crate trusts bitpix for the byte count and the
    // data type for the element size).
    use nifti::NiftiType as T;
    let datatype = header
        .data_type()
        .map_err(|e| image_error(path, format!("has an unknown data type: {e}")))?;
    if !matches!(
        datatype,
        T::Uint8
            | T::Int8
            | T::Uint16
            | T::Int16
            | T::Uint32
            | T::Int32
            | T::Uint64
            | T::Int64
            | T::Float32
            | T::Float64
    ) {
        return Err(image_error(
            path,
            format!("holds {datatype:?} data; a label volume holds integers or reals"),
        ));
    }
    if i64::from(header.bitpix) != 8 * datatype.size_of() as i64 {
        return Err(image_error(
            path,
            format!(
                "states bitpix {} for {datatype:?} data of {} bits",
                header.bitpix,
                8 * datatype.size_of()
            ),
        ));
    }
    let ndim = usize::from(header.dim[0]);
    if !(1..=7).contains(&ndim) {
        return Err(image_error(
            path,
            format!("has dim[0] = {ndim}; NIfTI allows 1 to 7"),
        ));
    }
    if ndim < 3 {
        return Err(image_error(
            path,
            format!("is {ndim}D; a label volume is 3D"),
        ));
    }
    let extra: Vec<u16> = header.dim[4..=ndim.max(3)].to_vec();
    if extra.iter().any(|&d| d > 1) {
        return Err(image_error(
            path,
            format!(
                "is {ndim}D with dim[4..] = {extra:?}; a label volume is a single 3D volume \
                 (split the series and give one volume)"
            ),
        ));
    }
    let volume = object.into_volume();
    let dims: Vec<usize> = volume.dim().iter().map(|&d| usize::from(d)).collect();
    let data = volume
        .into_ndarray::<f64>()
        .map_err(|e| image_error(path, format!("data cannot be read: {e}")))?;
    // Trailing axes of length 1 (a 4D file holding one volume) dropped.
    let mut data = data;
    while data.ndim() > 3 {
        let last = ndarray::Axis(data.ndim() - 1);
        data = data.index_axis_move(last, 0);
    }
    let data = data
        .into_dimensionality::<ndarray::Ix3>()
        .map_err(|e| image_error(path, format!("data do not fit its dimensions: {e}")))?;
    debug_assert_eq!(data.dim(), (dims[0], dims[1], dims[2]));
    let affine = header_affine(path, &header)?;
    let mut labels = LabelVolume::from_values(&data, affine, &path.display().to_string())?;
    labels.header = Some(Box::new(header));
    Ok(labels)
}

/// Writes `values` (one per voxel of `like`, as 32-bit floats) to `path`
/// (`.nii`, or gzipped when the name ends in `.gz`) with `like`'s header:
/// the same shape, affine and units, so it overlays the label volume. The
/// file is written under a temporary name and then renamed: an
/// interrupted write never leaves a half-written file at `path`.
///
/// # Errors
/// A shape other than `like`'s, a non-finite value, or a failed write
/// ([`Error::Io`] naming the file).
pub fn write_scalar_volume(
    path: impl AsRef<Path>,
    values: &ndarray::Array3<f64>,
    like: &LabelVolume,
) -> Result<()> {
    let path = path.as_ref();
    let shape = like.shape();
    if values.dim() != (shape[0], shape[1], shape[2]) {
        return Err(Error::Shape {
            what: "scalar volume (voxels)",
            expected: shape.iter().product(),
            found: values.len(),
        });
    }
    if let Some((idx, v)) = values
        .indexed_iter()
        .find(|(_, v)| !(v.is_finite() && v.abs() <= f64::from(f32::MAX)))
    {
        return Err(Error::Invalid {
            name: "scalar volume",
            reason: format!(
                "voxel {idx:?} is {v}; a map holds finite values within 32-bit floats' range"
            ),
        });
    }
    let mut header = match &like.header {
        Some(h) => (**h).clone(),
        None => {
            let mut h = NiftiHeader::default();
            let spacing = like.affine().spacing_mm();
            h.pixdim = [
                1.0,
                spacing[0] as f32,
                spacing[1] as f32,
                spacing[2] as f32,
                1.0,
                1.0,
                1.0,
                1.0,
            ];
            h.xyzt_units = 2; // mm
            let rows = like.affine().rows();
            h.srow_x = rows[0].map(|v| v as f32);
            h.srow_y = rows[1].map(|v| v as f32);
            h.srow_z = rows[2].map(|v| v as f32);
            h.sform_code = 2; // aligned to an anatomical image
            h.qform_code = 0;
            h
        }
    };
    // A label volume's display window (cal_min, cal_max) would clip the map.
    header.cal_min = 0.0;
    header.cal_max = 0.0;
    header.intent_code = 0;
    header.dim = [
        3,
        shape[0] as u16,
        shape[1] as u16,
        shape[2] as u16,
        1,
        1,
        1,
        1,
    ];
    let data = values.mapv(|v| v as f32);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let gz = name.ends_with(".nii.gz");
    let Some(stem) = name
        .strip_suffix(".nii.gz")
        .or_else(|| name.strip_suffix(".nii"))
        .filter(|s| !s.is_empty())
    else {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: "a NIfTI map's name ends in .nii or .nii.gz".into(),
        });
    };
    // The writer names its file itself from the stem (one extension
    // dropped, then .nii or .nii.gz added): a stem without dots keeps it.
    let temporary = path.with_file_name(format!(
        ".partial-{}-{}.{}",
        std::process::id(),
        stem.replace('.', "_"),
        if gz { "nii.gz" } else { "nii" }
    ));
    let io = |e: &dyn std::fmt::Display| Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let written = nifti::writer::WriterOptions::new(&temporary)
        .reference_header(&header)
        .compress(gz)
        .write_nifti(&data);
    if let Err(e) = written
        .map_err(|e| io(&e))
        .and_then(|()| std::fs::rename(&temporary, path).map_err(|e| io(&e)))
    {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    Ok(())
}
