//! Writes the seed corpus of every fuzz target to `fuzz/corpus/<target>/`
//! (valid inputs made from the test pact; see
//! `amtshilfe_tests::decoders::seeds`). Run it again after a wire format
//! changes: `cargo run -p amtshilfe-tests --example fuzz_seeds`.
#![allow(clippy::print_stdout)]

use std::path::Path;

fn main() -> std::io::Result<()> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    for (target, name, bytes) in amtshilfe_tests::decoders::seeds() {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(&name), &bytes)?;
        println!("{target}/{name}: {} bytes", bytes.len());
    }
    Ok(())
}
