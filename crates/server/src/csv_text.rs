//! The text of an uploaded CSV, decided from its bytes: both imports (schools and posts,
//! accounts) read their file through `decode`.
//!
//! Excel saves "CSV UTF-8" as UTF-8 with a byte order mark, but its plain "CSV" on a
//! Chinese Windows is the ANSI code page, GBK (936), which GB18030 contains. So: UTF-8
//! (with or without the mark), else GB18030, each decoded strictly. Nothing is guessed
//! beyond that: a file that is neither is refused with where it stopped making sense,
//! never stored as replacement characters that would reach every officer's post picker.

use encoding_rs::{DecoderResult, GB18030};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a file's bytes are not text we can store. Lines count from 1, offsets from 0,
/// both in the file as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    /// Neither decoding reads the whole file; `offset` is where the one that read
    /// further stopped. `expected` says which encodings were tried.
    #[error(
        "the file is not {expected} text: byte 0x{byte:02X} on line {line} (offset {offset}) \
         cannot be read; save it from Excel as \"CSV UTF-8\" and import it again"
    )]
    Undecodable {
        expected: &'static str,
        byte: u8,
        line: u64,
        offset: usize,
    },
    /// Excel's "Unicode Text" and some editors save UTF-16, which is not GB18030 either.
    #[error("the file is UTF-16 text; save it from Excel as \"CSV UTF-8\" and import it again")]
    Utf16,
    /// The text decodes, but holds U+FFFD: a program before us already lost characters
    /// it could not read, and storing the mark would hide that.
    #[error(
        "line {line} holds the replacement character U+FFFD (\u{FFFD}): characters were lost \
         before this upload; correct them in the original file and save it again"
    )]
    Replacement { line: u64 },
}

/// The file's text: UTF-8 (a leading byte order mark dropped), else GB18030 (GBK).
pub fn decode(bytes: &[u8]) -> Result<String, EncodingError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(EncodingError::Utf16);
    }
    let text = match bytes.strip_prefix(UTF8_BOM) {
        // The mark declares UTF-8: a file that has it is not read any other way.
        Some(rest) => std::str::from_utf8(rest)
            .map(str::to_owned)
            .map_err(|e| undecodable("UTF-8", bytes, UTF8_BOM.len() + e.valid_up_to()))?,
        None => match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            // The decoding that read further is the likelier one the file was meant in,
            // so its stop is the one worth showing.
            Err(e) => gb18030(bytes).map_err(|stop| {
                undecodable("UTF-8 or GB18030 (GBK)", bytes, stop.max(e.valid_up_to()))
            })?,
        },
    };
    match text.find(char::REPLACEMENT_CHARACTER) {
        Some(at) => Err(EncodingError::Replacement {
            line: line_at(text.as_bytes(), at),
        }),
        None => Ok(text),
    }
}

/// GB18030 without replacement; `Err` is the offset of the first malformed sequence.
fn gb18030(bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut text = String::new();
    let mut read = 0;
    loop {
        // Every GB18030 byte makes at most 3 bytes of UTF-8 (0x80 is `€`).
        text.reserve((bytes.len() - read) * 3 + 4);
        let (result, n) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut text, true);
        read += n;
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            DecoderResult::OutputFull => continue,
            DecoderResult::Malformed(bad, after) => {
                return Err(read - usize::from(after) - usize::from(bad))
            }
        }
    }
}

fn undecodable(expected: &'static str, bytes: &[u8], offset: usize) -> EncodingError {
    EncodingError::Undecodable {
        expected,
        byte: bytes.get(offset).copied().unwrap_or_default(),
        line: line_at(bytes, offset),
        offset,
    }
}

/// The line of a byte offset. A newline byte is never part of a longer character in
/// UTF-8 or GB18030 (their later bytes are 0x30 and up), so counting them is exact in
/// the raw bytes as in the decoded text.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|b| **b == b'\n').count() as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &str = "school_id,school_name\ns01,城南实验小学\ns02,滨江幼儿园（东校区）\n";

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable, "{text} is all in GBK");
        bytes.into_owned()
    }

    #[test]
    fn utf8_is_read_as_is_with_or_without_its_mark() {
        assert_eq!(decode(NAMES.as_bytes()).unwrap(), NAMES);
        let marked = [UTF8_BOM, NAMES.as_bytes()].concat();
        assert_eq!(decode(&marked).unwrap(), NAMES);
        assert_eq!(decode(b"").unwrap(), "");
    }

    #[test]
    fn gbk_from_a_chinese_excel_is_read() {
        let bytes = gbk(NAMES);
        assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
        assert_eq!(decode(&bytes).unwrap(), NAMES);
    }

    #[test]
    fn gb18030_four_byte_characters_are_read() {
        // 𠀀 (U+20000, a rare name character) is 0x95 0x32 0x82 0x36; GBK has no such.
        let mut bytes = gbk("s03,");
        bytes.extend_from_slice(b"\x95\x32\x82\x36");
        bytes.extend_from_slice(&gbk("小学\n"));
        assert_eq!(decode(&bytes).unwrap(), "s03,\u{20000}小学\n");
    }

    #[test]
    fn bytes_of_neither_encoding_are_refused_where_they_stop() {
        // 0xFF is no lead byte of GB18030; UTF-8 stopped earlier, at 城.
        let mut bytes = gbk("id,name\ns01,城南\ns02,");
        let at = bytes.len();
        bytes.extend_from_slice(b"\xFF\xFEx\n");
        match decode(&bytes) {
            Err(EncodingError::Undecodable {
                byte: 0xFF,
                line: 3,
                offset,
                expected,
            }) => {
                assert_eq!(offset, at);
                assert!(expected.contains("GB18030"));
            }
            other => panic!("{other:?}"),
        }
        // A lead byte with nothing after it, at the end of the file.
        assert!(matches!(
            decode(b"id,name\ns01,\xB3"),
            Err(EncodingError::Undecodable {
                offset: 12,
                line: 2,
                ..
            })
        ));
    }

    #[test]
    fn a_file_marked_utf8_is_not_read_as_gb18030() {
        let bytes = [UTF8_BOM, &gbk("id,name\ns01,城南\n")].concat();
        let err = decode(&bytes).unwrap_err();
        assert_eq!(
            err,
            EncodingError::Undecodable {
                expected: "UTF-8",
                byte: gbk("城")[0],
                line: 2,
                offset: 3 + "id,name\ns01,".len(),
            }
        );
        assert!(err.to_string().contains("CSV UTF-8"), "{err}");
    }

    #[test]
    fn a_replacement_character_already_in_the_file_is_refused() {
        let text = "id,name\ns01,城南\ns02,滨\u{FFFD}幼儿园\n";
        assert_eq!(
            decode(text.as_bytes()),
            Err(EncodingError::Replacement { line: 3 })
        );
        // GB18030 can carry U+FFFD too (a four-byte sequence): refused the same.
        let (bytes, _, _) = GB18030.encode(text);
        assert_eq!(decode(&bytes), Err(EncodingError::Replacement { line: 3 }));
    }

    #[test]
    fn utf16_is_named() {
        assert_eq!(decode(b"\xFF\xFEi\0d\0"), Err(EncodingError::Utf16));
        assert_eq!(decode(b"\xFE\xFF\0i\0d"), Err(EncodingError::Utf16));
    }
}
