//! The `mmha` binary: parse the command line and run one subcommand.

use clap::Parser;

fn main() {
    limit_malloc_arenas();
    let cli = mmha::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = runtime.block_on(mmha::cli::run(cli)) {
        eprintln!("mmha: {e:#}");
        std::process::exit(1);
    }
}

/// glibc gives each thread that allocates under contention its own heap arena and rarely
/// returns their memory; under load that roughly doubled resident memory (88 MB against
/// 49 MB with two arenas, measured with scripts/bench's paths). Two arenas cost nothing
/// measurable in throughput on this workload.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only changes allocator tuning and is called before any other thread
    // exists, so nothing is allocating concurrently.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
