//! The `amtshilfe` binary: parses the command line, sets up logging, and
//! runs the command. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = amtshilfe_node::cli::Cli::parse();
    init_logging(&cli);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("amtshilfe: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(amtshilfe_node::cli::execute(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("amtshilfe: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to standard error. RUST_LOG overrides the configured filter; the
/// configured one is used when the command names a readable configuration.
fn init_logging(cli: &amtshilfe_node::cli::Cli) {
    let configured = cli
        .config_path()
        .and_then(|path| amtshilfe_node::config::Config::load(path).ok())
        .map_or_else(
            || "warn,libp2p_gossipsub=error".to_string(),
            |config| config.log_filter,
        );
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(configured));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
