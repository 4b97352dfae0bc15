//! The `amtshilfe` node binary. Its commands (`init`, `run`, `pact create`,
//! `invite`, `join`, `status`) are being built; today it only reports its
//! version, so that the workspace builds and installs a binary of this name.
#![allow(clippy::print_stdout)]

fn main() {
    println!(
        "amtshilfe {} — the node's commands are not built yet",
        env!("CARGO_PKG_VERSION")
    );
}
