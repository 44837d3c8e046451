//! Keeping the process's resident memory low (a session must stay under
//! 500 MB with whisper base and the content judge loaded): glibc's malloc
//! settings, and handing freed memory back to the system after the big
//! one-off allocations of loading a model. No-ops elsewhere than Linux/glibc.

/// Arenas glibc's malloc may keep. By default it makes up to 8 per core for
/// threads that allocate at the same time (whisper's threads, the streaming
/// worker, the capture thread), and each keeps the memory freed into it.
pub const MALLOC_ARENAS: i32 = 2;

/// Limits malloc to [`MALLOC_ARENAS`] arenas, unless the environment sets
/// glibc's own `MALLOC_ARENA_MAX` (which then wins). Call it first thing in
/// `main`, before any thread exists.
pub fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's settings; it is called before
    // other threads allocate.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
    }
}

/// Gives the memory malloc holds free (e.g. the read buffers and parse
/// garbage of loading a model) back to the system.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages; it is thread-safe.
    unsafe {
        libc::malloc_trim(0);
    }
}
