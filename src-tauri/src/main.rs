// Keep release builds from opening a console window on Windows; no effect elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    signstash_desk::run();
}
