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
    let max_documents = budget.max_documents.max(1);
    let mut requests: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut current_bytes = 0;
    for (index, file) in files.iter().enumerate() {
        let size = encoded_size(file);
        let full = current.len() >= max_documents || current_bytes + size > budget.max_bytes;
        if !current.is_empty() && full {
            requests.push(std::mem::take(&mut current));
            current_bytes = 0;
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
