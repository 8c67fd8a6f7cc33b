//! How documents are grouped into requests: in the order given, as many as fit under a document
//! count and a byte budget (spec §9.1: fewer than 100 files, about 10 MB, per synchronous request).

use crate::inputs::InputFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max_documents: usize,
    /// Bytes of the request body: base64 makes each document 4/3 of its size.
    pub max_bytes: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_documents: 50,
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// Size of a document inside the request body (base64 plus room for its JSON fields).
fn encoded_size(file: &InputFile) -> u64 {
    file.size.div_ceil(3) * 4 + 512
}

/// Indexes of `files` grouped into requests. A document larger than the budget goes alone.
pub fn plan(files: &[InputFile], budget: Budget) -> Vec<Vec<usize>> {
    group(files, |_| budget)
}

/// Like [`plan`], but when a batch takes more than two requests, the first two are a quarter and
/// a half of the budget, for the engine: the service starts on the first documents sooner, so the
/// first signed file appears about twice as soon (1,000 × 200 KiB against the sandbox: 48–66 ms
/// instead of 123–150 ms at 0 ms latency, 100–106 ms instead of 163–177 ms at 20 ms; the whole
/// batch takes as long). It adds a request or two; a document larger than the budget still goes
/// alone.
pub fn plan_ramped(files: &[InputFile], budget: Budget) -> Vec<Vec<usize>> {
    let plain = plan(files, budget);
    if plain.len() <= 2 {
        return plain;
    }
    let part = |quarters: u64| Budget {
        max_documents: (budget.max_documents.max(1) as u64 * quarters).div_ceil(4) as usize,
        max_bytes: budget.max_bytes * quarters / 4,
    };
    group(files, |number| match number {
        0 => part(1),
        1 => part(2),
        _ => budget,
    })
}

/// Groups `files` in order; `budget_of(n)` is the budget of the `n`th request.
fn group(files: &[InputFile], budget_of: impl Fn(usize) -> Budget) -> Vec<Vec<usize>> {
    let mut requests: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut current_bytes = 0;
    let mut budget = budget_of(0);
    for (index, file) in files.iter().enumerate() {
        let size = encoded_size(file);
        let full =
            current.len() >= budget.max_documents.max(1) || current_bytes + size > budget.max_bytes;
        if !current.is_empty() && full {
            requests.push(std::mem::take(&mut current));
            current_bytes = 0;
            budget = budget_of(requests.len());
        }
        current.push(index);
        current_bytes += size;
    }
    if !current.is_empty() {
        requests.push(current);
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(sizes: &[u64]) -> Vec<InputFile> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, s)| InputFile {
                path: format!("f{i}").into(),
                size: *s,
            })
            .collect()
    }

    #[test]
    fn respects_count_and_bytes_and_keeps_order() {
        let budget = Budget {
            max_documents: 3,
            max_bytes: 10_000,
        };
        assert_eq!(
            plan(&files(&[100; 7]), budget),
            vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]
        );
        // 3000 bytes encode to 4000 + 512: two fit in 10 000, a third does not.
        assert_eq!(
            plan(&files(&[3000, 3000, 3000]), budget),
            vec![vec![0, 1], vec![2]]
        );
        // A document over the budget travels alone; nothing is dropped.
        assert_eq!(
            plan(&files(&[100, 50_000, 100]), budget),
            vec![vec![0], vec![1], vec![2]]
        );
        assert!(plan(&[], budget).is_empty());
    }

    #[test]
    fn ramped_requests_start_smaller_and_keep_every_document_once() {
        let budget = Budget::default();
        let two_hundred_kb = files(&[200 * 1024; 1000]);
        let requests = plan_ramped(&two_hundred_kb, budget);
        let sizes: Vec<usize> = requests.iter().map(Vec::len).collect();
        let plain = plan(&two_hundred_kb, budget);
        let full = plain[0].len();
        assert_eq!(full, 38, "{sizes:?}");
        // A quarter, a half, then full requests.
        assert_eq!(&sizes[..3], &[9, 19, 38], "{sizes:?}");
        assert!(
            sizes[3..sizes.len() - 1].iter().all(|&n| n == full),
            "{sizes:?}"
        );
        // Every document once, in order; one more request than the plain plan.
        let flat: Vec<usize> = requests.concat();
        assert_eq!(flat, (0..1000).collect::<Vec<_>>());
        assert_eq!(requests.len(), plain.len() + 1);
        for request in &requests {
            let bytes: u64 = request
                .iter()
                .map(|&i| encoded_size(&two_hundred_kb[i]))
                .sum();
            assert!(request.len() <= budget.max_documents && bytes <= budget.max_bytes);
        }
        // Large documents still travel alone, and a small batch still goes out.
        let large = files(&[30 * 1024 * 1024; 3]);
        assert_eq!(plan_ramped(&large, budget), vec![vec![0], vec![1], vec![2]]);
        // A batch of two requests or less goes as it is.
        assert_eq!(plan_ramped(&files(&[100]), budget), vec![vec![0]]);
        let two = files(&[200 * 1024; 60]);
        assert_eq!(plan_ramped(&two, budget), plan(&two, budget));
        assert!(plan_ramped(&[], budget).is_empty());
    }

    #[test]
    fn default_is_the_spec_guidance() {
        let two_hundred_kb = files(&[200 * 1024; 200]);
        let requests = plan(&two_hundred_kb, Budget::default());
        assert!(requests.iter().all(|r| r.len() <= 50));
        assert_eq!(requests.iter().map(Vec::len).sum::<usize>(), 200);
        assert!(requests
            .iter()
            .all(|r| r.len() as u64 * (200 * 1024 * 4 / 3 + 512) <= 10 * 1024 * 1024));
    }
}
