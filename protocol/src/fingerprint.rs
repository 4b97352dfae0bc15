//! A key's word fingerprint: a few German words derived deterministically
//! from a public key, for two people to compare by phone before a key
//! rotation is approved ("Anker Birne Dach …" is easier to read out and
//! hear than 64 hex digits).
//!
//! [`FINGERPRINT_WORDS`] words of 8 bits each: the first bytes of
//! SHA-256(domain ‖ key). Every word of the list is plain ASCII, three to
//! eight letters, and differs from every other in its first three letters,
//! so a word misheard on a bad line is noticed rather than taken for
//! another one.

use crate::identity::sha256;
use crate::ids::PublicKey;

/// Words in a fingerprint: 64 bits, so finding another key with the same
/// fingerprint takes about 2^64 key generations. Six words (48 bits) would
/// be within reach of rented hardware in days: a rogue member who sees a
/// rightful rotation proposal could make a key with the same words and
/// propose a competing rotation that reads out alike on the phone.
pub const FINGERPRINT_WORDS: usize = 8;

/// Separates this hash from every other use of SHA-256 over a key.
const DOMAIN: &[u8] = b"amtshilfe key fingerprint v1\0";

/// The word fingerprint of `key`: [`FINGERPRINT_WORDS`] words joined by
/// single spaces.
pub fn words(key: &PublicKey) -> String {
    let mut input = Vec::with_capacity(DOMAIN.len() + 32);
    input.extend_from_slice(DOMAIN);
    input.extend_from_slice(&key.0);
    let hash = sha256(&input);
    hash[..FINGERPRINT_WORDS]
        .iter()
        .map(|byte| WORDS[usize::from(*byte)])
        .collect::<Vec<_>>()
        .join(" ")
}

/// 256 German words, one per byte value.
const WORDS: [&str; 256] = [
    "Abend", "Acker", "Adler", "Ahorn", "Akte", "Alpen", "Ampel", "Anker", //
    "Apfel", "Arena", "Asche", "Atlas", "Auto", "Axt", "Bach", "Bahn", //
    "Ball", "Bank", "Bart", "Bauer", "Beere", "Berg", "Besen", "Biene", //
    "Birne", "Blatt", "Blume", "Boden", "Boot", "Brief", "Brot", "Buch", //
    "Burg", "Busch", "Dach", "Damm", "Decke", "Deich", "Dorf", "Draht", //
    "Duft", "Dunst", "Ecke", "Efeu", "Eiche", "Eimer", "Eis", "Elch", //
    "Ente", "Erbse", "Erde", "Esel", "Eule", "Fabrik", "Fackel", "Faden", //
    "Falke", "Farbe", "Feder", "Feld", "Fenster", "Fest", "Fichte", "Film", //
    "Fisch", "Flagge", "Floh", "Fluss", "Forst", "Frosch", "Fuchs", "Funke", //
    "Gabel", "Garten", "Geige", "Gerste", "Gipfel", "Glas", "Glocke", "Gold", //
    "Graben", "Gurke", "Hafen", "Hagel", "Hahn", "Halle", "Hammer", "Hand", //
    "Harfe", "Hase", "Haus", "Hecht", "Hefe", "Heide", "Helm", "Hemd", //
    "Herd", "Hirsch", "Hobel", "Honig", "Horn", "Hose", "Hut", "Igel", //
    "Insel", "Jacke", "Jahr", "Junge", "Kabel", "Kaffee", "Kahn", "Kanal", //
    "Karte", "Katze", "Kegel", "Keller", "Kerze", "Kette", "Kiefer", "Kino", //
    "Kirche", "Kiste", "Klee", "Knopf", "Koch", "Koffer", "Kohl", "Korb", //
    "Kran", "Kreis", "Krone", "Kugel", "Kuh", "Lampe", "Land", "Laub", //
    "Leiter", "Lerche", "Licht", "Linde", "Loch", "Luchs", "Lupe", "Mais", //
    "Mantel", "Markt", "Mauer", "Meer", "Mehl", "Melone", "Messer", "Milch", //
    "Minze", "Mond", "Moor", "Motor", "Mulde", "Nadel", "Nagel", "Name", //
    "Nebel", "Nelke", "Nest", "Netz", "Nische", "Norden", "Nudel", "Nuss", //
    "Oase", "Obst", "Ofen", "Ohr", "Oper", "Orgel", "Osten", "Otter", //
    "Paket", "Palme", "Papier", "Park", "Pause", "Pegel", "Pfeil", "Pflug", //
    "Pilz", "Pinsel", "Platz", "Post", "Puppe", "Quelle", "Quitte", "Rabe", //
    "Radio", "Rahmen", "Rasen", "Regen", "Reh", "Reis", "Rhein", "Riegel", //
    "Ring", "Rock", "Rose", "Ruder", "Saal", "Sack", "Salz", "Sand", //
    "Sattel", "Schaf", "Seife", "Segel", "Senf", "Sessel", "Sieb", "Silber", //
    "Sofa", "Sonne", "Spiegel", "Stadt", "Stern", "Stuhl", "Sumpf", "Tafel", //
    "Tanne", "Tasche", "Teich", "Teller", "Tiger", "Tinte", "Tisch", "Tomate", //
    "Topf", "Traube", "Treppe", "Tulpe", "Turm", "Ufer", "Uhr", "Ulme", //
    "Vase", "Vogel", "Vulkan", "Waage", "Wagen", "Wald", "Wand", "Wasser", //
    "Weide", "Welle", "Wiese", "Wind", "Wolke", "Wurst", "Zange", "Zebra", //
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::identity::KeyPair;

    #[test]
    fn every_word_is_plain_and_its_first_three_letters_are_its_own() {
        let prefixes: BTreeSet<String> = WORDS
            .iter()
            .map(|w| w.to_lowercase().chars().take(3).collect())
            .collect();
        assert_eq!(prefixes.len(), WORDS.len(), "two words share a beginning");
        for word in WORDS {
            assert!(
                word.is_ascii() && word.chars().all(char::is_alphabetic),
                "{word}"
            );
            assert!((3..=8).contains(&word.len()), "{word}");
        }
    }

    #[test]
    fn the_fingerprint_is_fixed_for_a_key_and_differs_between_keys() {
        let a = KeyPair::from_seed([1; 32]).public();
        let b = KeyPair::from_seed([2; 32]).public();
        assert_eq!(words(&a), words(&a));
        assert_eq!(words(&a).split(' ').count(), FINGERPRINT_WORDS);
        // 8 bits a word: at least 64 bits, out of reach of a search for a
        // look-alike key while a rotation waits for its approvals.
        assert!(words(&a).split(' ').count() * 8 >= 64, "{}", words(&a));
        assert_ne!(words(&a), words(&b));
    }
}
