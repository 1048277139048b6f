//! Turning a stream of event times into fixed-width bucket counts, empty buckets included.
//!
//! Buckets are aligned on multiples of `bucket_secs` since the unix epoch (UTC), so
//! `bucket_start(ts) = ts - ts mod bucket_secs`. A bucket is *closed* (emitted) once an
//! event or a clock tick ([`Bucketizer::advance_to`]) shows that its end has passed.
//! Every bucket between the first event and the last closed one is emitted, in order,
//! with a count of 0 when nothing happened: feed them straight to
//! [`crate::Detector::observe`]. Distinct counts (new authors, new sources) are the
//! caller's business: push one event per *new* author.

/// Streaming bucket counter. See the module documentation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bucketizer {
    bucket_secs: i64,
    /// Start of the open bucket (None before the first event).
    open: Option<i64>,
    count: u64,
    late: u64,
}

/// A closed bucket: its start (unix seconds, UTC) and its event count.
pub type Bucket = (i64, u64);

impl Bucketizer {
    /// A bucketizer with buckets of `bucket_secs` seconds (300 for 5 minutes).
    ///
    /// # Panics
    /// If `bucket_secs` is not positive.
    pub fn new(bucket_secs: i64) -> Self {
        assert!(bucket_secs > 0, "bucket_secs must be positive");
        Self {
            bucket_secs,
            open: None,
            count: 0,
            late: 0,
        }
    }

    /// Start of the bucket holding `ts`.
    pub fn bucket_start(&self, ts: i64) -> i64 {
        ts - ts.rem_euclid(self.bucket_secs)
    }

    /// Events dropped because their bucket had already been closed.
    pub fn late_events(&self) -> u64 {
        self.late
    }

    /// Start of the bucket still open, if any.
    pub fn open_bucket(&self) -> Option<i64> {
        self.open
    }

    /// Counts one event at `ts` and appends to `out` the buckets it closes (the open one
    /// and the empty ones up to the event's bucket). An event older than the open bucket
    /// is counted in [`Bucketizer::late_events`] and otherwise ignored.
    pub fn push(&mut self, ts: i64, out: &mut Vec<Bucket>) {
        let b = self.bucket_start(ts);
        match self.open {
            None => self.open = Some(b),
            Some(open) if b < open => {
                self.late += 1;
                return;
            }
            Some(open) if b > open => self.close_until(b, out),
            Some(_) => {}
        }
        self.count += 1;
    }

    /// Closes every bucket that ends at or before `now` (a clock tick with no event), so
    /// quiet periods show up as zero buckets without waiting for the next event.
    pub fn advance_to(&mut self, now: i64, out: &mut Vec<Bucket>) {
        let b = self.bucket_start(now);
        if let Some(open) = self.open {
            if b > open {
                self.close_until(b, out);
            }
        }
    }

    /// Closes the open bucket (end of stream) and returns it.
    pub fn finish(&mut self) -> Option<Bucket> {
        let open = self.open.take()?;
        let c = std::mem::take(&mut self.count);
        Some((open, c))
    }

    /// Emits the open bucket and the empty ones before `next`, then opens `next`.
    fn close_until(&mut self, next: i64, out: &mut Vec<Bucket>) {
        let Some(open) = self.open else { return };
        out.push((open, std::mem::take(&mut self.count)));
        let mut t = open + self.bucket_secs;
        while t < next {
            out.push((t, 0));
            t += self.bucket_secs;
        }
        self.open = Some(next);
    }
}

/// Buckets a whole batch of event times (any order) into counts, from the first event's
/// bucket to the last one's, empty buckets included.
pub fn bucketize(events: &[i64], bucket_secs: i64) -> Vec<Bucket> {
    let mut sorted = events.to_vec();
    sorted.sort_unstable();
    let mut b = Bucketizer::new(bucket_secs);
    let mut out = Vec::new();
    for ts in sorted {
        b.push(ts, &mut out);
    }
    out.extend(b.finish());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_events_and_fills_empty_buckets() {
        let got = bucketize(&[1_000, 1_100, 1_250, 2_100, 1_199], 300);
        // Buckets start at 900, 1200, 1500, 1800, 2100.
        assert_eq!(
            got,
            vec![(900, 3), (1200, 1), (1500, 0), (1800, 0), (2100, 1)]
        );
    }

    #[test]
    fn empty_input_gives_no_bucket() {
        assert!(bucketize(&[], 300).is_empty());
    }

    #[test]
    fn streaming_closes_buckets_on_events_and_ticks() {
        let mut b = Bucketizer::new(300);
        let mut out = Vec::new();
        b.push(600, &mut out);
        b.push(899, &mut out);
        assert!(out.is_empty(), "the open bucket is not emitted early");
        b.advance_to(1_500, &mut out);
        assert_eq!(out, vec![(600, 2), (900, 0), (1200, 0)]);
        assert_eq!(b.open_bucket(), Some(1_500));
        out.clear();
        b.push(1_000, &mut out); // its bucket was closed already
        assert_eq!(b.late_events(), 1);
        b.push(1_501, &mut out);
        assert!(out.is_empty());
        assert_eq!(b.finish(), Some((1_500, 1)));
        assert_eq!(b.finish(), None);
    }

    #[test]
    fn negative_times_align_on_the_epoch_grid() {
        let b = Bucketizer::new(300);
        assert_eq!(b.bucket_start(-1), -300);
        assert_eq!(b.bucket_start(299), 0);
    }
}
