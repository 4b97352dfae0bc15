//! Showing exactly what a member key is about to sign, and asking before
//! it signs. A signature by a member key is the pact's currency: a charter
//! signed blind can name a founder nobody agreed to, an approval signed by
//! hash prefix can admit the wrong key. Scripts pass `--yes`.

use std::io::BufRead;

/// Prints `summary`, then signs only if `yes` was given or the operator
/// answers `ja`/`yes` on standard input. No answer (a closed input) is no.
pub(super) fn confirm(summary: &str, yes: bool) -> anyhow::Result<()> {
    println!("{summary}");
    if yes {
        return Ok(());
    }
    println!("Signieren? / Sign? [ja/yes, anything else: no]");
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let answer = answer.trim().to_lowercase();
    anyhow::ensure!(
        answer == "ja" || answer == "yes" || answer == "j" || answer == "y",
        "not signed: nothing was changed (answer ja/yes, or pass --yes in scripts)"
    );
    Ok(())
}
