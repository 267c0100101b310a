//! The `mmha` binary: parse the command line and run one subcommand.

use clap::Parser;

#[tokio::main]
async fn main() {
    let cli = mmha::cli::Cli::parse();
    if let Err(e) = mmha::cli::run(cli).await {
        eprintln!("mmha: {e:#}");
        std::process::exit(1);
    }
}
