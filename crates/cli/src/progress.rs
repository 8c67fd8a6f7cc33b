//! The progress bar of `signstash sign` (counts, throughput) and one line per failed document.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use signstash_core::batch::Event;
use signstash_core::inputs::InputFile;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Drawn on standard error, and only for a person at a terminal.
    pub fn new(total: usize, quiet: bool) -> Self {
        let bar = ProgressBar::new(total as u64);
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} {per_sec} {elapsed} {msg}")
        {
            bar.set_style(style);
        }
        Self { bar }
    }

    pub fn show(&self, event: &Event, files: &[InputFile]) {
        match event {
            Event::Saved { .. } => self.bar.inc(1),
            Event::Failed { index, failure } => {
                self.bar.inc(1);
                let path = files
                    .get(*index)
                    .map(|f| f.path.display().to_string())
                    .unwrap_or_default();
                self.bar
                    .suspend(|| eprintln!("{path}: {} ({})", failure.message, failure.code));
            }
            Event::Sending { attempt, .. } if *attempt > 0 => {
                self.bar.set_message(format!("retry {attempt}"))
            }
            _ => {}
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
