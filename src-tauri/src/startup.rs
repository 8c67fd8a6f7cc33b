//! How long the window took to become usable. The page sends [`WINDOW_READY`] once the main
//! view is on screen with its buttons wired (after `app_info` answered); the app logs the
//! figures, and with `SIGNSTASH_DESK_REPORT_READY=1` also prints them as one JSON line on stdout,
//! which `make bench-app` (scripts/bench-app.sh) reads to time launches from the outside.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Listener, Runtime};
use ts_rs::TS;

/// The event the page emits once, when the main view is interactive.
pub const WINDOW_READY: &str = "window-ready";
/// Set to `1` to get the ready line on stdout (for benchmarks; off by default).
pub const REPORT_ENV: &str = "SIGNSTASH_DESK_REPORT_READY";

/// The page's side of the figures.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WindowReady {
    /// `performance.now()` when the main view became interactive: milliseconds since the page's
    /// navigation started.
    pub page_ms: f64,
}

struct Marks {
    main: Instant,
    main_epoch_ms: f64,
    setup_started_ms: OnceLock<f64>,
    setup_done_ms: OnceLock<f64>,
}

static MARKS: OnceLock<Marks> = OnceLock::new();

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn marks() -> &'static Marks {
    MARKS.get_or_init(|| Marks {
        main: Instant::now(),
        main_epoch_ms: epoch_ms(),
        setup_started_ms: OnceLock::new(),
        setup_done_ms: OnceLock::new(),
    })
}

fn since_main_ms() -> f64 {
    marks().main.elapsed().as_secs_f64() * 1000.0
}

/// The first thing `run` does: the reference point of every figure.
pub fn mark_main() {
    marks();
}

/// Tauri's setup hook began (the event loop and the window are being created).
pub fn mark_setup_started() {
    let _ = marks().setup_started_ms.set(since_main_ms());
}

/// Our setup (logs, settings, embedded sandbox) is done; from here on the page loads. Listens
/// for the page's ready event.
pub fn mark_setup_done<R: Runtime>(app: &AppHandle<R>) {
    let _ = marks().setup_done_ms.set(since_main_ms());
    app.once(WINDOW_READY, |event| {
        let page = serde_json::from_str::<WindowReady>(event.payload()).ok();
        report(page);
    });
}

fn report(page: Option<WindowReady>) {
    let m = marks();
    let ready_ms = since_main_ms();
    let page_ms = page.map(|p| p.page_ms);
    let setup_started_ms = m.setup_started_ms.get().copied();
    let setup_done_ms = m.setup_done_ms.get().copied();
    tracing::info!(
        ready_ms = format!("{ready_ms:.0}"),
        setup_started_ms = format!("{:.0}", setup_started_ms.unwrap_or(f64::NAN)),
        setup_done_ms = format!("{:.0}", setup_done_ms.unwrap_or(f64::NAN)),
        page_ms = format!("{:.0}", page_ms.unwrap_or(f64::NAN)),
        "window ready (ms since main)"
    );
    if std::env::var_os(REPORT_ENV).is_some_and(|v| v == "1") {
        let line = serde_json::json!({
            "event": WINDOW_READY,
            "pid": std::process::id(),
            "main_epoch_ms": m.main_epoch_ms,
            "ready_epoch_ms": m.main_epoch_ms + ready_ms,
            "setup_started_ms": setup_started_ms,
            "setup_done_ms": setup_done_ms,
            "ready_ms": ready_ms,
            "page_ms": page_ms,
        });
        // Not println!: a closed stdout must not stop the app.
        let _ = writeln!(std::io::stdout(), "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_payload_is_read_as_the_ui_sends_it() {
        let ready: WindowReady = serde_json::from_str(r#"{"pageMs":123.5}"#).expect("payload");
        assert_eq!(ready, WindowReady { page_ms: 123.5 });
    }

    #[test]
    fn marks_count_from_main() {
        mark_main();
        mark_setup_started();
        let started = marks().setup_started_ms.get().copied().expect("set");
        assert!((0.0..60_000.0).contains(&started));
        assert!(marks().main_epoch_ms > 1.6e12, "epoch in ms");
    }
}
