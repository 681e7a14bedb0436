//! Writing fields on 2D or 3D grids to CSV and to VTK image data (`.vti`,
//! opens in ParaView). Files are written under a temporary name and
//! renamed into place, so an interrupted run never leaves half a file.

use crate::error::{BioheatError, Result};
use crate::lattice::Lattice;
use crate::problem::Field;
use std::fmt::Write as _;
use std::path::Path;

fn io_error(path: &Path, e: impl std::fmt::Display) -> BioheatError {
    BioheatError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The fields' values in logical (row-major) order, after checking shapes.
fn flatten<G: Lattice>(grid: &G, fields: &[(&str, &Field<G>)]) -> Result<Vec<Vec<f64>>> {
    fields
        .iter()
        .map(|(_, f)| {
            grid.check_shape("output field", &f.view())?;
            Ok(f.iter().copied().collect())
        })
        .collect()
}

/// Writes `bytes` to `path` atomically: to a temporary file beside it,
/// then renamed over it.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io_error(path, "not a file path"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    std::fs::write(&tmp, bytes).map_err(|e| io_error(path, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, e)
    })
}

/// Writes `fields` (name, values) on `grid` as CSV with the columns
/// `i, j, x_m, y_m` (2D) or `i, j, k, x_m, y_m, z_m` (3D) and one column
/// per field, one row per cell (the last index fastest).
///
/// # Errors
/// A field of the wrong shape, or an I/O error naming the file.
pub fn write_csv<G: Lattice>(
    path: impl AsRef<Path>,
    grid: &G,
    fields: &[(&str, &Field<G>)],
) -> Result<()> {
    let path = path.as_ref();
    let values = flatten(grid, fields)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let axes = G::AXES;
    let mut header: Vec<String> = ["i", "j", "k"][..axes]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(["x_m", "y_m", "z_m"][..axes].iter().map(|s| s.to_string()));
    header.extend(fields.iter().map(|(n, _)| n.to_string()));
    w.write_record(&header).map_err(|e| io_error(path, e))?;
    let (n, h, o) = (grid.extents(), grid.spacing(), grid.origin());
    for cell in 0..grid.cells() {
        let at = [cell / (n[1] * n[2]), (cell / n[2]) % n[1], cell % n[2]];
        let mut row: Vec<String> = at[..axes].iter().map(|v| v.to_string()).collect();
        row.extend((0..axes).map(|a| (o[a] + (at[a] as f64 + 0.5) * h[a]).to_string()));
        row.extend(values.iter().map(|f| f[cell].to_string()));
        w.write_record(&row).map_err(|e| io_error(path, e))?;
    }
    let bytes = w.into_inner().map_err(|e| io_error(path, e))?;
    write_atomic(path, &bytes)
}

/// `name` as an XML attribute value: `&`, `<`, `>`, `"` and `'` as
/// entities, tab, line feed and carriage return as character references
/// (so that they survive attribute normalization); the other control
/// characters and U+FFFE, U+FFFF, which XML 1.0 cannot carry at all, are
/// refused.
fn xml_attribute(name: &str) -> Result<String> {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                return Err(BioheatError::UnwritableName {
                    what: "VTK field name",
                    name: name.to_string(),
                    reason: "XML cannot hold control characters other than tab, line feed \
                             and carriage return, nor U+FFFE or U+FFFF",
                });
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The VTK XML image-data document for `fields` on `grid`: one cell per
/// grid cell (`CellData`), x fastest, origin at the domain's lower corner.
/// Field names may hold XML's special characters (written as entities),
/// tabs and line breaks (as character references).
///
/// # Errors
/// A field of the wrong shape; a field name with another control
/// character ([`BioheatError::UnwritableName`]).
pub fn vti_string<G: Lattice>(grid: &G, fields: &[(&str, &Field<G>)]) -> Result<String> {
    vti_document(grid, fields, None)
}

/// The VTK XML image-data document of one piece of a larger image, for a
/// parallel file ([`pvti_string`]): the fields on `grid`, a block of the
/// whole image whose first cell is `first_cell` (cell indices of the
/// whole) and whose whole has origin `whole_origin` (m) and extent
/// `whole_cells`. Readers place the piece by its extent in the whole's
/// index space.
///
/// # Errors
/// As [`vti_string`].
pub fn vti_piece_string(
    grid: &crate::Grid3,
    fields: &[(&str, &Field<crate::Grid3>)],
    first_cell: [usize; 3],
    whole_origin: [f64; 3],
    whole_cells: [usize; 3],
) -> Result<String> {
    vti_document(grid, fields, Some((first_cell, whole_origin, whole_cells)))
}

/// The VTK XML parallel image-data document (`.pvti`) of an image of
/// `whole_cells` cells of spacing `spacing` (m) from `origin` (m), with
/// cell fields `names`, stored in `pieces`: each piece's first and
/// one-past-last cell index per axis and its `.vti` file (relative to the
/// `.pvti`).
///
/// # Errors
/// A field or file name XML cannot hold.
pub fn pvti_string(
    whole_cells: [usize; 3],
    origin: [f64; 3],
    spacing: [f64; 3],
    names: &[&str],
    pieces: &[([std::ops::Range<usize>; 3], String)],
) -> Result<String> {
    let [nx, ny, nz] = whole_cells;
    let (o, h) = (origin, spacing);
    let names = names
        .iter()
        .map(|n| xml_attribute(n))
        .collect::<Result<Vec<_>>>()?;
    let mut s = String::new();
    let _ = writeln!(s, r#"<?xml version="1.0"?>"#);
    let _ = writeln!(
        s,
        r#"<VTKFile type="PImageData" version="0.1" byte_order="LittleEndian">"#
    );
    let _ = writeln!(
        s,
        r#"  <PImageData WholeExtent="0 {nx} 0 {ny} 0 {nz}" GhostLevel="0" Origin="{} {} {}" Spacing="{} {} {}">"#,
        o[0], o[1], o[2], h[0], h[1], h[2]
    );
    let first = names.first().map_or("", String::as_str);
    let _ = writeln!(s, r#"    <PCellData Scalars="{first}">"#);
    for name in &names {
        let _ = writeln!(s, r#"      <PDataArray type="Float64" Name="{name}"/>"#);
    }
    let _ = writeln!(s, "    </PCellData>");
    for ([x, y, z], source) in pieces {
        let _ = writeln!(
            s,
            r#"    <Piece Extent="{} {} {} {} {} {}" Source="{}"/>"#,
            x.start,
            x.end,
            y.start,
            y.end,
            z.start,
            z.end,
            xml_attribute(source)?
        );
    }
    let _ = writeln!(s, "  </PImageData>");
    let _ = writeln!(s, "</VTKFile>");
    Ok(s)
}

/// [`vti_string`], or with `piece` = (first cell, whole origin, whole
/// cells) one piece of a larger image in the whole's index space.
fn vti_document<G: Lattice>(
    grid: &G,
    fields: &[(&str, &Field<G>)],
    piece: Option<([usize; 3], [f64; 3], [usize; 3])>,
) -> Result<String> {
    let values = flatten(grid, fields)?;
    let [nx, ny, nz] = grid.extents();
    let (mut o, mut h) = (grid.origin(), grid.spacing());
    let (extent, whole) = if let Some((first, origin, cells)) = piece {
        o = origin;
        let [a, b, c] = first;
        (
            format!("{a} {} {b} {} {c} {}", a + nx, b + ny, c + nz),
            format!("0 {} 0 {} 0 {}", cells[0], cells[1], cells[2]),
        )
    } else if G::AXES == 2 {
        // A 2D image: no extent in z (its spacing is nominal).
        h[2] = h[0];
        let e = format!("0 {nx} 0 {ny} 0 0");
        (e.clone(), e)
    } else {
        let e = format!("0 {nx} 0 {ny} 0 {nz}");
        (e.clone(), e)
    };
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(s, r#"<?xml version="1.0"?>"#);
    let _ = writeln!(
        s,
        r#"<VTKFile type="ImageData" version="0.1" byte_order="LittleEndian">"#
    );
    let _ = writeln!(
        s,
        r#"  <ImageData WholeExtent="{whole}" Origin="{} {} {}" Spacing="{} {} {}">"#,
        o[0], o[1], o[2], h[0], h[1], h[2]
    );
    let _ = writeln!(s, r#"    <Piece Extent="{extent}">"#);
    let names = fields
        .iter()
        .map(|f| xml_attribute(f.0))
        .collect::<Result<Vec<_>>>()?;
    let first = names.first().map_or("", String::as_str);
    let _ = writeln!(s, r#"      <CellData Scalars="{first}">"#);
    for (name, f) in names.iter().zip(&values) {
        let _ = writeln!(
            s,
            r#"        <DataArray type="Float64" Name="{name}" format="ascii">"#
        );
        for k in 0..nz {
            for j in 0..ny {
                s.push_str("         ");
                for i in 0..nx {
                    let _ = write!(s, " {}", f[(i * ny + j) * nz + k]);
                }
                s.push('\n');
            }
        }
        let _ = writeln!(s, "        </DataArray>");
    }
    let _ = writeln!(s, "      </CellData>");
    let _ = writeln!(s, "    </Piece>");
    let _ = writeln!(s, "  </ImageData>");
    let _ = writeln!(s, "</VTKFile>");
    Ok(s)
}

/// Writes `bytes` to `path` atomically (a temporary name beside it, then
/// renamed): a reader never sees a half-written file.
///
/// # Errors
/// An I/O error naming the file.
pub fn write_file_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    write_atomic(path.as_ref(), bytes)
}

/// Writes [`vti_string`] to `path` (atomically).
///
/// # Errors
/// As [`vti_string`], or an I/O error naming the file.
pub fn write_vti<G: Lattice>(
    path: impl AsRef<Path>,
    grid: &G,
    fields: &[(&str, &Field<G>)],
) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, vti_string(grid, fields)?.as_bytes())
}
