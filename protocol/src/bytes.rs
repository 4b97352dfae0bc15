//! Fixed-size byte newtypes (keys, hashes, signatures) with one serde form:
//! lower-case hex in human-readable formats (JSON, TOML), raw bytes in binary
//! formats (postcard). Never does I/O.

/// Declares `pub struct $name(pub [u8; $len])` with hex `Display`/`Debug`,
/// `FromStr`, and serde as described in the module docs.
macro_rules! byte_array_newtype {
    ($(#[$meta:meta])* $name:ident, $len:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Number of bytes in this value.
            pub const LEN: usize = $len;

            /// The raw bytes.
            pub fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// Reads the value from a slice of exactly [`Self::LEN`] bytes.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; $len]>::try_from(bytes).ok().map(Self)
            }

            /// The first four bytes as hex, for log lines.
            pub fn short(&self) -> String {
                hex::encode(&self.0[..4])
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&hex::encode(self.0))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.short())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::bytes::HexError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                crate::bytes::decode_hex::<$len>(text).map(Self)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                if serializer.is_human_readable() {
                    serializer.serialize_str(&hex::encode(self.0))
                } else {
                    serializer.serialize_bytes(&self.0)
                }
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": format!("^[0-9a-fA-F]{{{}}}$", 2 * $len),
                    "description": format!("{} bytes as hex", $len),
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::bytes::deserialize_array::<D, $len>(deserializer).map(Self)
            }
        }
    };
}
pub(crate) use byte_array_newtype;

/// A hex string that does not decode to the expected number of bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected_bytes} bytes as hex, got {text_chars} characters")]
pub struct HexError {
    /// How many bytes the value needs.
    pub expected_bytes: usize,
    /// How long the text was.
    pub text_chars: usize,
}

pub(crate) fn decode_hex<const N: usize>(text: &str) -> Result<[u8; N], HexError> {
    let error = HexError {
        expected_bytes: N,
        text_chars: text.len(),
    };
    let bytes = hex::decode(text).map_err(|_| error.clone())?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| error)
}

pub(crate) fn deserialize_array<'de, D, const N: usize>(
    deserializer: D,
) -> Result<[u8; N], D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct ArrayVisitor<const N: usize>;
    impl<'de, const N: usize> serde::de::Visitor<'de> for ArrayVisitor<N> {
        type Value = [u8; N];
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{N} bytes, as raw bytes or hex")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
            decode_hex::<N>(text).map_err(E::custom)
        }
        fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
            <[u8; N]>::try_from(bytes).map_err(|_| E::invalid_length(bytes.len(), &self))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = [0u8; N];
            for (index, slot) in out.iter_mut().enumerate() {
                *slot = seq
                    .next_element()?
                    .ok_or_else(|| serde::de::Error::invalid_length(index, &self))?;
            }
            Ok(out)
        }
    }
    if deserializer.is_human_readable() {
        deserializer.deserialize_str(ArrayVisitor::<N>)
    } else {
        deserializer.deserialize_bytes(ArrayVisitor::<N>)
    }
}
