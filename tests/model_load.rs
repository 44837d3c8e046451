//! Loading the whisper model leaves no thread behind on the caller's thread.
//!
//! On CPUs with AMX, whisper.cpp converts the weights in an OpenMP parallel
//! loop while it loads them, and libgomp keeps a pool of threads for every
//! thread that has run one, for as long as that thread lives. Such a pool on
//! the caller's thread, beside the one of the thread that decodes (each
//! streamed answer has its own), made more OpenMP threads than a 2-core
//! machine has cores; libgomp then puts its threads to sleep after every
//! graph step and each streamed run took 1.3-1.8 times as long. The model is
//! therefore loaded on a thread that ends with the load. On CPUs without
//! AMX nothing runs in parallel while loading, and this holds either way.
//!
//! One test in this binary, so that no other test's threads come and go
//! while the threads are counted.

mod common;

use rehearse::transcribe::Transcriber;

/// Threads of this process now.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task lists this process's threads")
        .count()
}

#[test]
fn loading_the_model_leaves_no_openmp_threads_on_the_callers_thread() {
    let before = threads();
    let model = Transcriber::load(&common::default_model_path()).expect("the default model loads");
    let after = threads();
    assert_eq!(
        after,
        before,
        "loading the model left {} thread(s) behind (libgomp's pool for the \
         caller's thread): load it on a thread of its own",
        after as isize - before as isize
    );
    drop(model);
}
