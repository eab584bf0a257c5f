//! The arithmetic of the figures: latency percentiles within a run and the
//! median across runs. No I/O.

use std::time::Duration;

/// The `p`-th percentile (0–100) of `samples` by the nearest-rank method: the
/// smallest sample that at least `p`% of the samples do not exceed. Sorts in
/// place. `None` for no samples.
pub(crate) fn percentile(samples: &mut [Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    // Nearest rank: ceil(p/100 * n), 1-based, clamped into the slice.
    let rank = ((p / 100.0) * samples.len() as f64).ceil() as usize;
    Some(samples[rank.clamp(1, samples.len()) - 1])
}

/// The median of `values`; the mean of the middle two for an even count.
/// `None` for no values.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&v| Duration::from_millis(v)).collect()
    }

    #[test]
    fn percentile_uses_nearest_rank() {
        let mut samples = ms(&[5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
        assert_eq!(percentile(&mut samples, 50.0), Some(Duration::from_millis(5)));
        assert_eq!(percentile(&mut samples, 99.0), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&mut samples, 0.0), Some(Duration::from_millis(1)));
        assert_eq!(percentile(&mut [], 50.0), None);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }
}
