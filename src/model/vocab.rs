//! Whisper's text vocabulary from a Hugging Face `tokenizer.json`, as the raw
//! bytes whisper.cpp wants in a ggml file.
//!
//! Byte-level BPE tokenizers (GPT-2, Whisper) spell every byte as a printable
//! character; this module maps those characters back to the bytes they stand for.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a vocabulary could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("cannot read tokenizer {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("tokenizer {path} is not valid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("tokenizer {path}: {reason}")]
    Content { path: PathBuf, reason: String },
}

#[derive(serde::Deserialize)]
struct TokenizerFile {
    model: TokenizerModel,
    #[serde(default)]
    added_tokens: Vec<AddedToken>,
}

#[derive(serde::Deserialize)]
struct TokenizerModel {
    vocab: HashMap<String, u32>,
}

#[derive(serde::Deserialize)]
struct AddedToken {
    id: u32,
    content: String,
}

/// The character GPT-2's byte-level encoding uses for each byte value.
pub fn byte_to_char_table() -> [char; 256] {
    let printable =
        |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
    let mut table = ['\0'; 256];
    let mut next_extra = 256u32;
    for b in 0..256u32 {
        table[b as usize] = if printable(b) {
            char::from_u32(b).expect("Latin-1 code point")
        } else {
            let c = char::from_u32(next_extra).expect("valid code point");
            next_extra += 1;
            c
        };
    }
    table
}

/// Turns one byte-level token string back into bytes; `None` if it holds a
/// character that is not part of the byte alphabet.
pub fn token_bytes(token: &str, char_to_byte: &HashMap<char, u8>) -> Option<Vec<u8>> {
    token
        .chars()
        .map(|c| char_to_byte.get(&c).copied())
        .collect()
}

/// Reads the ordinary (non-special) tokens: ids 0 up to, not including,
/// `<|endoftext|>`, in id order, as bytes.
pub fn read_text_tokens(path: &Path) -> Result<Vec<Vec<u8>>, VocabError> {
    let text = std::fs::read_to_string(path).map_err(|source| VocabError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file: TokenizerFile = serde_json::from_str(&text).map_err(|source| VocabError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    let content = |reason: String| VocabError::Content {
        path: path.to_path_buf(),
        reason,
    };
    let end_of_text = file
        .added_tokens
        .iter()
        .find(|t| t.content == "<|endoftext|>")
        .map(|t| t.id)
        .or_else(|| file.model.vocab.get("<|endoftext|>").copied())
        .ok_or_else(|| content("no <|endoftext|> token".into()))?;
    let char_to_byte: HashMap<char, u8> = byte_to_char_table()
        .iter()
        .enumerate()
        .map(|(b, &c)| (c, b as u8))
        .collect();
    let mut tokens: Vec<Option<Vec<u8>>> = vec![None; end_of_text as usize];
    for (token, &id) in &file.model.vocab {
        if id < end_of_text {
            let bytes = token_bytes(token, &char_to_byte)
                .ok_or_else(|| content(format!("token {id} {token:?} is not byte-level BPE")))?;
            tokens[id as usize] = Some(bytes);
        }
    }
    tokens
        .into_iter()
        .enumerate()
        .map(|(id, t)| t.ok_or_else(|| content(format!("no token with id {id}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_is_a_bijection_with_gpt2_specials() {
        let table = byte_to_char_table();
        let unique: std::collections::HashSet<char> = table.iter().copied().collect();
        assert_eq!(unique.len(), 256);
        assert_eq!(table[b' ' as usize], 'Ġ');
        assert_eq!(table[b'\n' as usize], 'Ċ');
        assert_eq!(table[b'A' as usize], 'A');
    }

    #[test]
    fn reads_tokens_in_id_order_and_stops_at_end_of_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenizer.json");
        std::fs::write(
            &path,
            r#"{"model":{"vocab":{"Ġhello":1,"!":0,"ĠwÃ¶rld":2,"<|endoftext|>":3}},
                "added_tokens":[{"id":3,"content":"<|endoftext|>"}]}"#,
        )
        .unwrap();
        let tokens = read_text_tokens(&path).unwrap();
        assert_eq!(
            tokens,
            vec![
                b"!".to_vec(),
                b" hello".to_vec(),
                " wörld".as_bytes().to_vec()
            ]
        );
    }

    #[test]
    fn gap_in_ids_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokenizer.json");
        std::fs::write(
            &path,
            r#"{"model":{"vocab":{"a":0,"b":2,"<|endoftext|>":3}}}"#,
        )
        .unwrap();
        let err = read_text_tokens(&path).unwrap_err().to_string();
        assert!(err.contains("no token with id 1"), "{err}");
    }
}
