//! Operations the sandbox has run, for the consult endpoints (spec §4.3–§4.6), and every
//! externalReference ever used, for `0.0.7`.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;

use crate::model::{DocumentOut, FolderOut, OperationOut};

pub struct StoredDocument {
    pub out: DocumentOut,
    /// Kept for the hosted base only (the proxy stores no documents), and only within the budget.
    pub signed: Option<Bytes>,
}

pub struct StoredOperation {
    pub operation: OperationOut,
    pub folder: FolderOut,
    pub documents: Vec<StoredDocument>,
    pub execution_time_ms: u64,
}

impl StoredOperation {
    fn content_bytes(&self) -> usize {
        self.documents
            .iter()
            .filter_map(|d| d.signed.as_ref())
            .map(Bytes::len)
            .sum()
    }
}

pub struct OperationStore {
    next_id: i64,
    operations: BTreeMap<i64, StoredOperation>,
    /// Document (and request) externalReference → operation id.
    by_reference: HashMap<String, i64>,
    /// References taken by requests, including those still being signed.
    used_references: HashSet<String>,
    stored_bytes: usize,
    budget: usize,
}

impl OperationStore {
    pub fn new(content_budget: usize) -> Self {
        Self {
            next_id: 1000,
            operations: BTreeMap::new(),
            by_reference: HashMap::new(),
            used_references: HashSet::new(),
            stored_bytes: 0,
            budget: content_budget,
        }
    }

    /// Takes every reference of a request at once, or none: the first one already used (or used
    /// twice in the request) is returned.
    pub fn reserve_references<'a>(&mut self, references: &[&'a str]) -> Result<i64, &'a str> {
        let mut seen = HashSet::new();
        for reference in references {
            if self.used_references.contains(*reference) || !seen.insert(*reference) {
                return Err(reference);
            }
        }
        self.used_references
            .extend(references.iter().map(|r| r.to_string()));
        self.next_id += 1;
        Ok(self.next_id)
    }

    pub fn insert(&mut self, operation: StoredOperation) {
        let id = operation.operation.id;
        self.by_reference
            .insert(operation.folder.external_reference.clone(), id);
        for document in &operation.documents {
            self.by_reference
                .insert(document.out.external_reference.clone(), id);
        }
        self.stored_bytes += operation.content_bytes();
        self.operations.insert(id, operation);
        self.evict_over_budget();
    }

    /// Drops the signed contents of the oldest operations until the budget holds; their metadata stays.
    fn evict_over_budget(&mut self) {
        for operation in self.operations.values_mut() {
            if self.stored_bytes <= self.budget {
                break;
            }
            for document in &mut operation.documents {
                if let Some(content) = document.signed.take() {
                    self.stored_bytes -= content.len();
                    document.out.storage_status = "DELETED";
                }
            }
        }
    }

    /// The operation, if it exists and belongs to this client service.
    pub fn get(&self, id: i64, client_id: &str) -> Option<&StoredOperation> {
        self.operations
            .get(&id)
            .filter(|op| op.operation.issuer_client_service_alias == client_id)
    }

    pub fn find_by_reference(&self, reference: &str, client_id: &str) -> Option<i64> {
        let id = *self.by_reference.get(reference)?;
        self.get(id, client_id).map(|_| id)
    }
}
