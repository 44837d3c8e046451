//! The answer as words and sentences: one representation for a timed
//! transcript and for typed text, with each word normalised for matching and
//! each sentence's text kept for cue matching and quoting.

use crate::transcribe::Word;

/// One word of the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// As written or transcribed, with its punctuation ("mistake,").
    pub raw: String,
    /// Lower-case, outer punctuation removed, curly apostrophes straightened.
    pub norm: String,
    /// Seconds from the start of the recording (spoken answers only).
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// Index of the sentence it belongs to.
    pub sentence: usize,
    /// A comma (or `;`, `:`, a dash) right after the word.
    pub comma_after: bool,
    /// The word closes a sentence (`.`, `?`, `!`, or the end of a typed line).
    pub sentence_end: bool,
    /// The word ends with `?`.
    pub question: bool,
    /// Byte range of `raw` inside its sentence's text.
    pub offset: (usize, usize),
}

/// One sentence: its text (the raw words joined by single spaces) and the
/// range of tokens it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceSpan {
    pub text: String,
    pub first: usize,
    /// One past the last token.
    pub last: usize,
}

/// The answer, tokenised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnswerText {
    pub tokens: Vec<Token>,
    pub sentences: Vec<SentenceSpan>,
}

struct Piece<'a> {
    raw: &'a str,
    start: Option<f64>,
    end: Option<f64>,
    /// A line break follows (typed text): ends the sentence.
    line_end: bool,
}

impl AnswerText {
    /// From whisper's words. Non-speech annotations such as `[BLANK_AUDIO]`
    /// or `(laughs)` are dropped.
    pub fn from_words(words: &[Word]) -> Self {
        let mut pieces = Vec::with_capacity(words.len());
        let mut in_annotation = false;
        for w in words {
            for (i, part) in w.word.split_whitespace().enumerate() {
                let opens = part.starts_with('[') || part.starts_with('(');
                if opens {
                    in_annotation = true;
                }
                if in_annotation {
                    let closing = part
                        .trim_end_matches(|c: char| !(c == ']' || c == ')' || c.is_alphanumeric()));
                    if closing.ends_with(']') || closing.ends_with(')') {
                        in_annotation = false;
                    }
                    continue;
                }
                // A word whisper wrote with an inner space keeps its time for the first part.
                let (start, end) = if i == 0 {
                    (Some(w.start), Some(w.end))
                } else {
                    (Some(w.end), Some(w.end))
                };
                pieces.push(Piece {
                    raw: part,
                    start,
                    end,
                    line_end: false,
                });
            }
        }
        Self::build(pieces)
    }

    /// From typed text: each line break also ends a sentence.
    pub fn from_text(text: &str) -> Self {
        let mut pieces = Vec::new();
        for line in text.lines() {
            let before = pieces.len();
            for raw in line.split_whitespace() {
                pieces.push(Piece {
                    raw,
                    start: None,
                    end: None,
                    line_end: false,
                });
            }
            if pieces.len() > before {
                if let Some(last) = pieces.last_mut() {
                    last.line_end = true;
                }
            }
        }
        Self::build(pieces)
    }

    fn build(pieces: Vec<Piece<'_>>) -> Self {
        let mut out = AnswerText::default();
        let mut sentence_words: Vec<usize> = Vec::new();
        for piece in pieces {
            let mut norm = normalize(piece.raw);
            if norm.is_empty() && !piece.raw.chars().all(is_punctuation) {
                norm = piece.raw.to_string(); // a symbol such as "&" or "%"
            }
            let tail = trailing_punctuation(piece.raw);
            let ends = (tail.contains(['.', '?', '!', '…']) && !is_initialism(piece.raw))
                || piece.line_end;
            if norm.is_empty() {
                // Punctuation on its own ("—", "..."): it marks the word before.
                if let Some(prev) = out.tokens.last_mut() {
                    prev.comma_after |= piece.raw.contains([',', ';', ':', '—', '–', '-']);
                    if ends && !prev.sentence_end {
                        prev.sentence_end = true;
                        prev.question |= piece.raw.contains('?');
                        close_sentence(&mut out, &mut sentence_words);
                    }
                }
                continue;
            }
            out.tokens.push(Token {
                raw: piece.raw.to_string(),
                norm,
                start: piece.start,
                end: piece.end,
                sentence: out.sentences.len(),
                comma_after: tail.contains([',', ';', ':', '—', '–']),
                sentence_end: ends,
                question: tail.contains('?'),
                offset: (0, 0),
            });
            sentence_words.push(out.tokens.len() - 1);
            if ends {
                close_sentence(&mut out, &mut sentence_words);
            }
        }
        close_sentence(&mut out, &mut sentence_words);
        out
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Whether every word has a time.
    pub fn is_timed(&self) -> bool {
        !self.tokens.is_empty() && self.tokens.iter().all(|t| t.start.is_some())
    }

    /// The token holding byte `at` of sentence `sentence`'s text.
    pub fn token_at(&self, sentence: usize, at: usize) -> usize {
        let span = &self.sentences[sentence];
        (span.first..span.last)
            .find(|&i| self.tokens[i].offset.1 > at)
            .unwrap_or(span.last.saturating_sub(1))
    }

    /// Whether token `i` begins a sentence.
    pub fn starts_sentence(&self, i: usize) -> bool {
        i == 0 || self.tokens[i - 1].sentence_end
    }

    /// The whole answer as one string (sentences joined by spaces).
    pub fn full_text(&self) -> String {
        self.sentences
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn close_sentence(out: &mut AnswerText, words: &mut Vec<usize>) {
    let Some(&first) = words.first() else {
        return;
    };
    let mut text = String::new();
    for &i in words.iter() {
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(&out.tokens[i].raw);
        out.tokens[i].offset = (start, text.len());
    }
    if let Some(&last) = words.last() {
        out.tokens[last].sentence_end = true;
    }
    out.sentences.push(SentenceSpan {
        text,
        first,
        last: first + words.len(),
    });
    words.clear();
}

/// Lower-case, outer punctuation removed, `’` turned into `'`.
pub fn normalize(raw: &str) -> String {
    raw.replace(['’', '‘'], "'")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '&' | '%' | '$' | '+' | '=' | '#' | '@' | '<' | '>')
        || matches!(c, '…' | '’' | '‘' | '“' | '”' | '—' | '–')
}

/// Letters each followed by a dot ("N.I.", "e.g."): whisper spells
/// initialisms this way, and their last dot does not end the sentence.
fn is_initialism(raw: &str) -> bool {
    let body = raw.trim_end_matches([',', ';', ':']);
    let letters = body.split_terminator('.').collect::<Vec<_>>();
    body.ends_with('.')
        && letters.len() >= 2
        && letters
            .iter()
            .all(|l| l.chars().count() == 1 && l.chars().all(char::is_alphabetic))
}

/// The non-alphanumeric characters at the end of a word.
fn trailing_punctuation(raw: &str) -> &str {
    let body = raw.trim_end_matches(|c: char| !c.is_alphanumeric());
    &raw[body.len()..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str, start: f64) -> Word {
        Word {
            word: w.into(),
            start,
            end: start + 0.3,
            probability: 0.9,
        }
    }

    #[test]
    fn splits_sentences_and_marks_punctuation() {
        let t = AnswerText::from_text("Um, so I missed it. Right? It was — well, bad\nNew line");
        let norms: Vec<&str> = t.tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(
            norms,
            ["um", "so", "i", "missed", "it", "right", "it", "was", "well", "bad", "new", "line"]
        );
        assert_eq!(t.sentences.len(), 4);
        assert_eq!(t.sentences[0].text, "Um, so I missed it.");
        assert_eq!(t.sentences[2].text, "It was well, bad");
        assert!(t.tokens[0].comma_after);
        assert!(t.tokens[5].question && t.tokens[5].sentence_end);
        assert!(t.tokens[7].comma_after, "a lone dash marks the word before");
        assert!(t.starts_sentence(10));
        assert!(!t.is_timed());
    }

    #[test]
    fn initialisms_do_not_end_sentences() {
        let t =
            AnswerText::from_text("I missed the N.I. report, e.g. the U.S. one. Then I. Fixed it.");
        let texts: Vec<&str> = t.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "I missed the N.I. report, e.g. the U.S. one.",
                "Then I.",
                "Fixed it."
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_sentence_text() {
        let t = AnswerText::from_text("First one. It wasn’t my fault, honestly.");
        let s = &t.sentences[1];
        let at = s.text.find("my").unwrap();
        let i = t.token_at(1, at);
        assert_eq!(t.tokens[i].norm, "my");
        assert_eq!(t.tokens[i - 1].norm, "wasn't");
        let (a, b) = t.tokens[i].offset;
        assert_eq!(&s.text[a..b], "my");
    }

    #[test]
    fn drops_non_speech_annotations_from_transcripts() {
        let words = [
            word("[BLANK_AUDIO]", 0.0),
            word("(upbeat", 0.5),
            word("music)", 0.8),
            word("I", 1.0),
            word("did.", 1.3),
        ];
        let t = AnswerText::from_words(&words);
        let norms: Vec<&str> = t.tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, ["i", "did"]);
        assert_eq!(t.tokens[0].start, Some(1.0));
        assert!(t.is_timed());
    }
}
