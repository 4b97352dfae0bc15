//! What an automerge change chunk declares, read before automerge parses
//! it. automerge inflates compressed chunks without a cap and expands
//! run-length-encoded columns into one value per operation, so a change of
//! a few kilobytes can declare gigabytes of operations. This module reads
//! the chunk header and the few run-length columns that decide how much
//! work parsing does (the operation count, the predecessor count, the
//! decoded bytes of string columns) and refuses anything past the caps.
//! Every other column is read once per operation or predecessor, so these
//! caps bound parsing as a whole.
//!
//! Reads bytes only; never allocates more than the input's size, never
//! panics on any input.

/// Most operations one change may declare. A local write puts a handful of
/// records; a whole team package is one record.
pub const CHANGE_OPS_MAX: u64 = 1_024;
/// Most predecessors all operations of one change may declare together.
pub const CHANGE_PREDS_MAX: u64 = 4_096;
/// Most bytes the string columns of one change may expand to, in bytes.
pub const CHANGE_DECODED_STRING_BYTES_MAX: u64 = 1024 * 1024;

/// automerge's chunk magic bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Chunk type of an uncompressed change; 0 is a document, 2 a compressed
/// change, 3 a bundle.
const CHUNK_TYPE_CHANGE: u8 = 1;
/// Column specifications (id << 4 | type) of the columns that set the
/// amount of work: the action column (one value per operation), the
/// predecessor group column (a count per operation), and the two string
/// columns (map keys and mark names).
const ACTION_COLUMN: u64 = (4 << 4) | 2;
const PRED_GROUP_COLUMN: u64 = 7 << 4;
const STRING_COLUMNS: [u64; 2] = [(1 << 4) | 5, (10 << 4) | 5];
/// The deflate bit of a column specification.
const DEFLATE_BIT: u64 = 1 << 3;
/// Most columns a change may name; automerge knows about a dozen.
const COLUMNS_MAX: u64 = 64;

/// Why a change chunk was refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeBoundsError {
    /// Not one uncompressed change chunk.
    #[error("{0}")]
    Shape(&'static str),
    /// A column declares more work than allowed.
    #[error("the change declares {declared} {what}, more than the {max} allowed")]
    TooMuch {
        /// What was counted.
        what: &'static str,
        /// How many the change declares.
        declared: u64,
        /// The cap.
        max: u64,
    },
}

/// Checks that `bytes` is one uncompressed change chunk whose declared
/// operations, predecessors and string bytes stay under the caps.
pub fn check(bytes: &[u8]) -> Result<(), ChangeBoundsError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(4)? != MAGIC {
        return Err(ChangeBoundsError::Shape("not an automerge chunk"));
    }
    reader.take(4)?; // checksum, checked by automerge
    match reader.byte()? {
        CHUNK_TYPE_CHANGE => {}
        2 => {
            return Err(ChangeBoundsError::Shape(
                "compressed change chunks are not accepted",
            ));
        }
        _ => return Err(ChangeBoundsError::Shape("the chunk is not a change")),
    }
    let length = reader.uleb()?;
    if length != (bytes.len() - reader.at) as u64 {
        return Err(ChangeBoundsError::Shape(
            "the chunk length does not match the bytes",
        ));
    }
    let dependencies = reader.uleb()?;
    reader.skip(dependencies.saturating_mul(32))?;
    reader.bytes_with_length()?; // actor
    reader.uleb()?; // seq
    reader.uleb()?; // start op
    reader.uleb()?; // time (a signed LEB128 has the same length)
    reader.bytes_with_length()?; // message
    let other_actors = reader.uleb()?;
    for _ in 0..other_actors {
        reader.bytes_with_length()?;
    }
    let column_count = reader.uleb()?;
    if column_count > COLUMNS_MAX {
        return Err(ChangeBoundsError::Shape("too many columns"));
    }
    let mut columns = Vec::new();
    for _ in 0..column_count {
        let spec = reader.uleb()?;
        let length = reader.uleb()?;
        columns.push((spec, length));
    }
    let mut totals = Totals::default();
    for (spec, length) in columns {
        let data = reader.take(length)?;
        if spec & DEFLATE_BIT != 0 {
            return Err(ChangeBoundsError::Shape(
                "deflated columns are not accepted",
            ));
        }
        totals.add(spec, data)?;
    }
    Ok(())
}

#[derive(Default)]
struct Totals {
    ops: u64,
    preds: u64,
    string_bytes: u64,
}

impl Totals {
    fn add(&mut self, spec: u64, data: &[u8]) -> Result<(), ChangeBoundsError> {
        if spec == ACTION_COLUMN {
            self.ops = self.ops.saturating_add(rle_sum(data, Count::Items)?);
            cap("operations", self.ops, CHANGE_OPS_MAX)
        } else if spec == PRED_GROUP_COLUMN {
            self.preds = self.preds.saturating_add(rle_sum(data, Count::Values)?);
            cap("predecessors", self.preds, CHANGE_PREDS_MAX)
        } else if STRING_COLUMNS.contains(&spec) {
            let bytes = rle_sum(data, Count::StringBytes)?;
            self.string_bytes = self.string_bytes.saturating_add(bytes);
            cap(
                "bytes of strings",
                self.string_bytes,
                CHANGE_DECODED_STRING_BYTES_MAX,
            )
        } else {
            Ok(())
        }
    }
}

fn cap(what: &'static str, declared: u64, max: u64) -> Result<(), ChangeBoundsError> {
    if declared > max {
        return Err(ChangeBoundsError::TooMuch {
            what,
            declared,
            max,
        });
    }
    Ok(())
}

/// What [`rle_sum`] adds up over a run-length-encoded column.
#[derive(Clone, Copy)]
enum Count {
    /// How many values the column expands to (nulls included).
    Items,
    /// The sum of its unsigned values.
    Values,
    /// The bytes its strings expand to.
    StringBytes,
}

/// Adds up a run-length-encoded column: a signed count n, then one value
/// repeated n times (n > 0), or -n literal values (n < 0), or, for n = 0,
/// an unsigned count of nulls.
fn rle_sum(data: &[u8], count: Count) -> Result<u64, ChangeBoundsError> {
    let mut reader = Reader { bytes: data, at: 0 };
    let mut total: u64 = 0;
    while !reader.done() {
        let run = reader.sleb()?;
        if run == 0 {
            let nulls = reader.uleb()?;
            if matches!(count, Count::Items) {
                total = total.saturating_add(nulls);
            }
            continue;
        }
        let (repeat, literals) = if run > 0 {
            (run.unsigned_abs(), 1)
        } else {
            (1, run.unsigned_abs())
        };
        for _ in 0..literals {
            let value = match count {
                Count::Items => {
                    reader.uleb()?;
                    1
                }
                Count::Values => reader.uleb()?,
                Count::StringBytes => reader.bytes_with_length()?.len() as u64,
            };
            total = total.saturating_add(repeat.saturating_mul(value));
        }
    }
    Ok(total)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

const TRUNCATED: ChangeBoundsError = ChangeBoundsError::Shape("the change is truncated");

impl<'a> Reader<'a> {
    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn byte(&mut self) -> Result<u8, ChangeBoundsError> {
        let byte = *self.bytes.get(self.at).ok_or(TRUNCATED)?;
        self.at += 1;
        Ok(byte)
    }

    fn take(&mut self, length: u64) -> Result<&'a [u8], ChangeBoundsError> {
        let length = usize::try_from(length).map_err(|_| TRUNCATED)?;
        let end = self.at.checked_add(length).ok_or(TRUNCATED)?;
        let slice = self.bytes.get(self.at..end).ok_or(TRUNCATED)?;
        self.at = end;
        Ok(slice)
    }

    fn skip(&mut self, length: u64) -> Result<(), ChangeBoundsError> {
        self.take(length).map(|_| ())
    }

    fn bytes_with_length(&mut self) -> Result<&'a [u8], ChangeBoundsError> {
        let length = self.uleb()?;
        self.take(length)
    }

    fn uleb(&mut self) -> Result<u64, ChangeBoundsError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ChangeBoundsError::Shape("a number is longer than 64 bits"))
    }

    fn sleb(&mut self) -> Result<i64, ChangeBoundsError> {
        let mut value: i64 = 0;
        let mut shift = 0;
        loop {
            let byte = self.byte()?;
            if shift >= 64 {
                return Err(ChangeBoundsError::Shape("a number is longer than 64 bits"));
            }
            value |= i64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                if shift < 64 && byte & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                return Ok(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_put_change() -> Vec<u8> {
        let mut doc = automerge::AutoCommit::new();
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "offer:o-1", "{}")
            .unwrap();
        let change = doc.get_last_local_change().unwrap().clone();
        change.raw_bytes().to_vec()
    }

    #[test]
    fn an_ordinary_change_passes() {
        assert_eq!(check(&one_put_change()), Ok(()));
    }

    #[test]
    fn a_compressed_chunk_is_refused() {
        let mut bytes = one_put_change();
        bytes[8] = 2;
        assert_eq!(
            check(&bytes),
            Err(ChangeBoundsError::Shape(
                "compressed change chunks are not accepted"
            ))
        );
    }

    #[test]
    fn every_truncation_is_refused_without_panic() {
        let bytes = one_put_change();
        for end in 0..bytes.len() {
            assert!(check(&bytes[..end]).is_err(), "prefix of {end} bytes");
        }
    }

    #[test]
    fn run_lengths_are_summed_with_their_values() {
        // A run of 5 × the value 3, then literals 1 and 2, then 4 nulls.
        let column = [5, 3, 0x7e, 1, 2, 0, 4];
        assert_eq!(rle_sum(&column, Count::Items), Ok(11));
        assert_eq!(rle_sum(&column, Count::Values), Ok(18));
        // A run of 1,000,000 copies of a three-byte string.
        let strings = [0xc0, 0x84, 0x3d, 3, b'a', b'b', b'c'];
        assert_eq!(rle_sum(&strings, Count::StringBytes), Ok(3_000_000));
    }
}
