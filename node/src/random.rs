//! Randomness from the operating system, for key seeds and store
//! incarnations. The only place in the node that asks the OS for random
//! bytes; never falls back to a weaker source.

/// The operating system could not provide random bytes.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the operating system did not provide random bytes ({0}). Nothing was created; \
     check that /dev/urandom or getrandom(2) is available"
)]
pub struct RandomError(String);

/// `N` random bytes from the operating system.
pub fn os_random<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| RandomError(error.to_string()))?;
    Ok(bytes)
}

/// A fresh store incarnation.
pub fn incarnation() -> Result<[u8; amtshilfe_protocol::identity::INCARNATION_LEN], RandomError> {
    os_random()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ() {
        let a: [u8; 32] = os_random().unwrap();
        let b: [u8; 32] = os_random().unwrap();
        assert_ne!(a, b);
    }
}
