//! One batch shared over the ranks: each evaluates its block of slots, the
//! blocks are gathered in slot order, and a failure anywhere ends the
//! batch on every rank with the same slot.

use super::{Ranks, block};
use crate::error::{Error, Result};

/// A slot's result as a fixed number of f64 values, so the ranks can
/// exchange it: implement it for your own results to share your own
/// batches with [`map_on`].
pub trait Wire: Sized {
    /// Values per slot.
    const WIDTH: usize;
    /// Appends the `WIDTH` values of `self`.
    fn write(&self, out: &mut Vec<f64>);
    /// Reads one back from its `WIDTH` values.
    fn read(values: &[f64]) -> Self;
}

impl Wire for f64 {
    const WIDTH: usize = 1;
    fn write(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn read(values: &[f64]) -> Self {
        values[0]
    }
}

impl Wire for Option<f64> {
    const WIDTH: usize = 2;
    fn write(&self, out: &mut Vec<f64>) {
        match self {
            Some(v) => out.extend([1.0, *v]),
            None => out.extend([0.0, 0.0]),
        }
    }
    fn read(values: &[f64]) -> Self {
        (values[0] == 1.0).then_some(values[1])
    }
}

impl Wire for (f64, f64) {
    const WIDTH: usize = 2;
    fn write(&self, out: &mut Vec<f64>) {
        out.extend([self.0, self.1]);
    }
    fn read(values: &[f64]) -> Self {
        (values[0], values[1])
    }
}

/// The slot of a shared batch that failed, and why: on the rank that
/// evaluated it, the slot's own error; on the others, [`Error::Rank`].
#[derive(Debug)]
pub struct SlotFailure {
    /// The failed slot (the lowest failed one over all ranks). A failure of
    /// the exchange itself names this rank's first slot.
    pub index: usize,
    /// Why.
    pub error: Error,
}

/// `one(i)` for every slot i < `count`, each rank evaluating its
/// [`block`] (on rayon's threads when `parallel` and the `rayon` feature
/// are on), gathered in slot order on every rank: any batch of
/// independent evaluations (a cohort of patients, your own Monte Carlo
/// loop) spread over ranks. Collective: every rank calls it with the same
/// `count`. `one(i)` must depend on i alone for the result not to depend
/// on the rank count.
///
/// # Errors
/// The failed slot with the lowest index over all ranks, the same on every
/// rank; or a failed exchange.
pub fn map_on<T, F>(
    ranks: &dyn Ranks,
    count: usize,
    parallel: bool,
    one: F,
) -> std::result::Result<Vec<T>, SlotFailure>
where
    T: Wire + Send,
    F: Fn(usize) -> Result<T> + Sync,
{
    let mine = block(count, ranks.size(), ranks.rank());
    #[cfg(feature = "rayon")]
    let local: Vec<Result<T>> = if parallel {
        use rayon::prelude::*;
        mine.clone().into_par_iter().map(&one).collect()
    } else {
        mine.clone().map(&one).collect()
    };
    #[cfg(not(feature = "rayon"))]
    let local: Vec<Result<T>> = {
        let _ = parallel;
        mine.clone().map(&one).collect()
    };
    let mut failure: Option<SlotFailure> = None;
    let mut wire = Vec::with_capacity(mine.len() * T::WIDTH);
    for (index, result) in mine.clone().zip(local) {
        match result {
            Ok(v) => v.write(&mut wire),
            Err(error) => {
                if failure.is_none() {
                    failure = Some(SlotFailure { index, error });
                }
            }
        }
    }
    if ranks.size() == 1 {
        return match failure {
            Some(f) => Err(f),
            None => Ok(decode(&wire, count)),
        };
    }
    let exchange = |error: Error| SlotFailure {
        index: mine.start,
        error,
    };
    // Every rank learns every rank's first failure before any value moves,
    // so all of them take the same branch below.
    let report = failure
        .as_ref()
        .map(|f| {
            let mut bytes = (f.index as u64).to_le_bytes().to_vec();
            bytes.extend(f.error.to_string().as_bytes());
            bytes
        })
        .unwrap_or_default();
    let reports = ranks.all_gather_bytes(&report).map_err(exchange)?;
    let first = reports
        .iter()
        .enumerate()
        .filter(|(_, r)| r.len() >= 8)
        .map(|(rank, r)| {
            let index = u64::from_le_bytes(r[..8].try_into().expect("8 bytes")) as usize;
            (index, rank, String::from_utf8_lossy(&r[8..]).into_owned())
        })
        .min_by_key(|(index, rank, _)| (*index, *rank));
    if let Some((index, rank, message)) = first {
        return Err(match failure {
            Some(f) if f.index == index => f,
            _ => SlotFailure {
                index,
                error: Error::Rank { rank, message },
            },
        });
    }
    let all = ranks.all_gather_f64(&wire).map_err(exchange)?;
    if all.len() != count * T::WIDTH {
        return Err(exchange(super::group_error(format!(
            "gathered {} values for {count} slots of {} (the ranks disagree on the batch)",
            all.len(),
            T::WIDTH
        ))));
    }
    Ok(decode(&all, count))
}

fn decode<T: Wire>(values: &[f64], count: usize) -> Vec<T> {
    values
        .chunks_exact(T::WIDTH)
        .take(count)
        .map(T::read)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distributed::SingleProcess;

    #[test]
    fn one_process_maps_in_order_and_reports_the_first_failure() {
        let squares: Vec<f64> = map_on(&SingleProcess, 5, true, |i| Ok((i * i) as f64)).unwrap();
        assert_eq!(squares, vec![0.0, 1.0, 4.0, 9.0, 16.0]);
        let failed = map_on::<f64, _>(&SingleProcess, 6, true, |i| {
            if i % 3 == 2 {
                Err(Error::Invalid {
                    name: "slot",
                    reason: format!("{i} fails"),
                })
            } else {
                Ok(0.0)
            }
        })
        .unwrap_err();
        assert_eq!(failed.index, 2);
        assert_eq!(failed.error.to_string(), "slot: 2 fails");
    }

    #[test]
    fn wire_round_trips() {
        let mut out = Vec::new();
        Some(2.5).write(&mut out);
        None::<f64>.write(&mut out);
        (1.0, -1.0).write(&mut out);
        assert_eq!(<Option<f64>>::read(&out[0..2]), Some(2.5));
        assert_eq!(<Option<f64>>::read(&out[2..4]), None);
        assert_eq!(<(f64, f64)>::read(&out[4..6]), (1.0, -1.0));
    }
}
