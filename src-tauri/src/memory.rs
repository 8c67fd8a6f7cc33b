//! Allocator tuning for the app's process (the same as `signstash sign`'s).

/// Signed documents are decoded on one thread and saved on another; with glibc's default dynamic
/// mmap threshold, buffers of tens of MB end up in per-thread arenas and are not given back
/// after a batch. A fixed 1 MiB threshold keeps them in their own mappings, returned when freed.
pub fn keep_large_buffers_out_of_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it runs first thing in `run`, before any
    // other thread of ours exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
