//! Counters served at `GET /sandbox/stats`: what tests and benchmarks read to prove what happened.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

use serde::Serialize;

#[derive(Default)]
pub struct Stats {
    pub token_requests: AtomicU64,
    pub tokens_issued: AtomicU64,
    pub api_requests: AtomicU64,
    pub sign_requests: AtomicU64,
    pub documents_received: AtomicU64,
    pub documents_signed: AtomicU64,
    pub documents_failed: AtomicU64,
    pub rejected_too_many: AtomicU64,
    pub faults_fired: AtomicU64,
    /// Time spent validating, signing and encoding, without injected latency.
    pub processing_micros: AtomicU64,
    pub in_flight: AtomicU64,
    pub max_in_flight_seen: AtomicU64,
    /// SHA-256 of every original signed, to count the same content signed more than once.
    signed_contents: Mutex<HashSet<[u8; 32]>>,
    pub duplicate_contents_signed: AtomicU64,
}

#[derive(Serialize)]
pub struct StatsSnapshot {
    pub token_requests: u64,
    pub tokens_issued: u64,
    pub api_requests: u64,
    pub sign_requests: u64,
    pub documents_received: u64,
    pub documents_signed: u64,
    pub documents_failed: u64,
    pub rejected_too_many: u64,
    pub faults_fired: u64,
    pub processing_ms: f64,
    pub in_flight: u64,
    pub max_in_flight_seen: u64,
    pub duplicate_contents_signed: u64,
    /// The sandbox process's own peak resident memory (VmHWM), in MiB.
    pub peak_rss_mb: Option<f64>,
}

impl Stats {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    pub fn record_signed(&self, original_sha256: [u8; 32]) {
        Self::bump(&self.documents_signed);
        let fresh = self
            .signed_contents
            .lock()
            .map(|mut seen| seen.insert(original_sha256));
        if let Ok(false) = fresh {
            Self::bump(&self.duplicate_contents_signed);
        }
    }

    /// Counts a request in flight; the guard counts it out when dropped.
    pub fn enter(&self) -> (u64, InFlightGuard<'_>) {
        let now = self.in_flight.fetch_add(1, Relaxed) + 1;
        self.max_in_flight_seen.fetch_max(now, Relaxed);
        (now, InFlightGuard(&self.in_flight))
    }

    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            token_requests: self.token_requests.load(Relaxed),
            tokens_issued: self.tokens_issued.load(Relaxed),
            api_requests: self.api_requests.load(Relaxed),
            sign_requests: self.sign_requests.load(Relaxed),
            documents_received: self.documents_received.load(Relaxed),
            documents_signed: self.documents_signed.load(Relaxed),
            documents_failed: self.documents_failed.load(Relaxed),
            rejected_too_many: self.rejected_too_many.load(Relaxed),
            faults_fired: self.faults_fired.load(Relaxed),
            processing_ms: self.processing_micros.load(Relaxed) as f64 / 1000.0,
            in_flight: self.in_flight.load(Relaxed),
            max_in_flight_seen: self.max_in_flight_seen.load(Relaxed),
            duplicate_contents_signed: self.duplicate_contents_signed.load(Relaxed),
            peak_rss_mb: peak_rss_mb(),
        }
    }
}

pub struct InFlightGuard<'a>(&'a AtomicU64);

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
