//! Writing fields to CSV and to VTK image data (`.vti`, opens in ParaView).

use crate::error::{BioheatError, Result};
use crate::grid::Grid;
use ndarray::Array2;
use std::fmt::Write as _;
use std::path::Path;

fn io_error(path: &Path, e: impl std::fmt::Display) -> BioheatError {
    BioheatError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

fn check_fields(grid: &Grid, fields: &[(&str, &Array2<f64>)]) -> Result<()> {
    for (_, f) in fields {
        grid.check_shape("output field", &f.view())?;
    }
    Ok(())
}

/// Writes `fields` (name, values) on `grid` as CSV with the columns
/// `i, j, x_m, y_m` and one column per field, one row per cell (j fastest).
///
/// # Errors
/// A field of the wrong shape, or an I/O error naming the file.
pub fn write_csv(
    path: impl AsRef<Path>,
    grid: &Grid,
    fields: &[(&str, &Array2<f64>)],
) -> Result<()> {
    let path = path.as_ref();
    check_fields(grid, fields)?;
    let mut w = csv::Writer::from_path(path).map_err(|e| io_error(path, e))?;
    let mut header = vec!["i".to_string(), "j".into(), "x_m".into(), "y_m".into()];
    header.extend(fields.iter().map(|(n, _)| n.to_string()));
    w.write_record(&header).map_err(|e| io_error(path, e))?;
    for i in 0..grid.nx() {
        for j in 0..grid.ny() {
            let mut row = vec![
                i.to_string(),
                j.to_string(),
                grid.x(i).to_string(),
                grid.y(j).to_string(),
            ];
            row.extend(fields.iter().map(|(_, f)| f[[i, j]].to_string()));
            w.write_record(&row).map_err(|e| io_error(path, e))?;
        }
    }
    w.flush().map_err(|e| io_error(path, e))
}

/// The VTK XML image-data document for `fields` on `grid`: one pixel per
/// cell (`CellData`), x fastest, origin at the domain's lower-left corner.
///
/// # Errors
/// A field of the wrong shape.
pub fn vti_string(grid: &Grid, fields: &[(&str, &Array2<f64>)]) -> Result<String> {
    check_fields(grid, fields)?;
    let (nx, ny) = grid.shape();
    let mut s = String::new();
    let extent = format!("0 {nx} 0 {ny} 0 0");
    // Writing to a String cannot fail.
    let _ = writeln!(s, r#"<?xml version="1.0"?>"#);
    let _ = writeln!(
        s,
        r#"<VTKFile type="ImageData" version="0.1" byte_order="LittleEndian">"#
    );
    let _ = writeln!(
        s,
        r#"  <ImageData WholeExtent="{extent}" Origin="{} {} 0" Spacing="{} {} {}">"#,
        grid.x0(),
        grid.y0(),
        grid.dx(),
        grid.dx(),
        grid.dx()
    );
    let _ = writeln!(s, r#"    <Piece Extent="{extent}">"#);
    let first = fields.first().map_or("", |f| f.0);
    let _ = writeln!(s, r#"      <CellData Scalars="{first}">"#);
    for (name, f) in fields {
        let _ = writeln!(
            s,
            r#"        <DataArray type="Float64" Name="{name}" format="ascii">"#
        );
        for j in 0..ny {
            s.push_str("         ");
            for i in 0..nx {
                let _ = write!(s, " {}", f[[i, j]]);
            }
            s.push('\n');
        }
        let _ = writeln!(s, "        </DataArray>");
    }
    let _ = writeln!(s, "      </CellData>");
    let _ = writeln!(s, "    </Piece>");
    let _ = writeln!(s, "  </ImageData>");
    let _ = writeln!(s, "</VTKFile>");
    Ok(s)
}

/// Writes [`vti_string`] to `path`.
///
/// # Errors
/// As [`vti_string`], or an I/O error naming the file.
pub fn write_vti(
    path: impl AsRef<Path>,
    grid: &Grid,
    fields: &[(&str, &Array2<f64>)],
) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, vti_string(grid, fields)?).map_err(|e| io_error(path, e))
}
