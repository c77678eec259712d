//! Which file an operation names: the inverse of the files' cumulative Zipf weights at a
//! uniform draw, found through a guide table (Chen and Asau's cutpoints) rather than a
//! binary search.
//!
//! A binary search over 100,000 weights reads 17 of them one after the other, the last
//! several on cold lines in a large cell. The guide says, for each of as many equal
//! slices of `[0, 1)` as there are files, the first file a draw in that slice can name;
//! from there a step or two finds the answer. It is the same answer, bit for bit: the
//! steps end where the search would (see `pick`), so no draw and no result changes.

/// The files' cumulative weights and their guide table.
#[derive(Clone, Debug)]
pub struct Popularity {
    /// Cumulative Zipf weights of the files, normalised to end at 1.
    cdf: Vec<f64>,
    /// `guide[j]`: the file the search finds for `j / guide.len()`, the least a draw in
    /// slice `j` can name.
    guide: Vec<u32>,
}

impl Popularity {
    /// `n` files (at least one) whose weights go as `1 / rank^s`.
    pub fn zipf(n: u32, s: f64) -> Popularity {
        let cdf = zipf_cdf(n, s);
        let slices = cdf.len().max(1);
        let guide = (0..slices)
            .map(|j| search(&cdf, j as f64 / slices as f64) as u32)
            .collect();
        Popularity { cdf, guide }
    }

    /// The file (its index) a uniform draw `x` in `[0, 1)` names: the first whose
    /// cumulative weight exceeds `x`, or the last file.
    #[inline]
    pub fn pick(&self, x: f64) -> usize {
        let slices = self.guide.len();
        let slice = ((x * slices as f64) as usize).min(slices - 1);
        let mut i = self.guide[slice] as usize;
        // The guide was computed at the slice's start, which rounding may put a hair
        // after `x`: step back while the file before also exceeds it. Then step on
        // to the first that does. The weights never decrease, so where both steps stop
        // is the one place the search stops.
        while i > 0 && self.cdf[i - 1] > x {
            i -= 1;
        }
        while i < self.cdf.len() && self.cdf[i] <= x {
            i += 1;
        }
        i.min(self.cdf.len() - 1)
    }
}

/// The first file whose cumulative weight exceeds `x`, or the last: a binary search.
fn search(cdf: &[f64], x: f64) -> usize {
    cdf.partition_point(|&c| c <= x).min(cdf.len() - 1)
}

/// Cumulative Zipf(`s`) probabilities over `n` items, ending exactly at 1.
fn zipf_cdf(n: u32, s: f64) -> Vec<f64> {
    let weights: Vec<f64> = (1..=n).map(|k| 1.0 / libm::pow(k as f64, s)).collect();
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect();
    if let Some(last) = cdf.last_mut() {
        *last = 1.0;
    }
    cdf
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zipf_is_uniform_at_zero_and_skewed_above() {
        let flat = zipf_cdf(4, 0.0);
        assert_eq!(flat, vec![0.25, 0.5, 0.75, 1.0]);
        let skewed = zipf_cdf(3, 1.0);
        // Weights 1, 1/2, 1/3 of 11/6.
        assert!((skewed[0] - 6.0 / 11.0).abs() < 1e-12);
        assert!((skewed[1] - 9.0 / 11.0).abs() < 1e-12);
        assert_eq!(skewed[2], 1.0);
    }

    /// The draws where a step could go wrong: each weight itself and its neighbours in
    /// floating point, each slice's start and its neighbours, and the ends.
    fn edges(p: &Popularity) -> Vec<f64> {
        let slices = p.guide.len();
        let starts = (0..=slices).map(|j| j as f64 / slices as f64);
        let mut points: Vec<f64> = p.cdf.iter().copied().chain(starts).collect();
        points.extend(
            points
                .clone()
                .iter()
                .flat_map(|&x| [x.next_down(), x.next_up()]),
        );
        points.push(0.0);
        points.push(1.0f64.next_down());
        points.retain(|x| (0.0..1.0).contains(x));
        points
    }

    #[test]
    fn the_guide_names_the_file_the_search_names_at_every_edge() {
        for (n, s) in [
            (1, 1.0),
            (6, 0.0),
            (7, 0.8),
            (10, 0.0),
            (12, 0.0),
            (1000, 1.0),
            (100_000, 1.2),
        ] {
            let p = Popularity::zipf(n, s);
            for x in edges(&p) {
                assert_eq!(p.pick(x), search(&p.cdf, x), "n {n}, s {s}, x {x}");
            }
        }
    }

    #[test]
    fn flat_weights_pick_each_file_for_its_quarter() {
        let p = Popularity::zipf(4, 0.0);
        let picks: Vec<usize> = [0.0, 0.2499, 0.25, 0.5, 0.74, 0.75, 0.9999]
            .iter()
            .map(|&x| p.pick(x))
            .collect();
        assert_eq!(picks, vec![0, 0, 1, 2, 2, 3, 3]);
    }

    proptest! {
        #[test]
        fn the_guide_names_the_file_the_search_names(
            n in 1u32..5000,
            s in 0.0f64..3.0,
            xs in proptest::collection::vec(0.0f64..1.0, 64),
        ) {
            let p = Popularity::zipf(n, s);
            for x in xs {
                prop_assert_eq!(p.pick(x), search(&p.cdf, x));
            }
        }
    }
}
