//! Word error rate: how far a transcript is from a reference text, used to
//! measure transcription accuracy (streaming vs. batch agreement, real speech
//! against its verbatim reference), and the filler recall and precision
//! read off the same word alignment.

/// Lower-cases, turns hyphens into spaces, drops other punctuation, spells
/// small numbers as words ("3" -> "three") and folds a few spellings whisper
/// and transcribers use interchangeably ("ok" -> "okay", "all right" ->
/// "alright", "mr" -> "mister", "gonna" -> "going to"), so "Well-known,
/// right?" and "well known right" compare equal. A hesitation is spelled
/// by its label ([`hesitation_label`]: "hmm" -> "hm", "umm" -> "um"): the
/// same sound spelled two ways is not a wrong word. Non-speech annotations in
/// brackets or parentheses ("[Cough]", "(laughs)", "[BLANK_AUDIO]") are
/// not words anyone said and are dropped, as Whisper's own English
/// normaliser (the one its published WERs use) drops them.
pub fn normalize_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let spoken = without_annotations(text);
    let lowered = spoken.to_lowercase().replace(['-', '—', '–'], " ");
    for raw in lowered.split_whitespace() {
        let w: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '’')
            .map(|c| if c == '’' { '\'' } else { c })
            .collect::<String>()
            .trim_matches('\'')
            .to_string();
        if w.is_empty() {
            continue;
        }
        if let Some(spelled) = number_words(&w) {
            words.extend(spelled.split(' ').map(str::to_string));
            continue;
        }
        if let Some(label) = hesitation_label(&w) {
            words.push(label.to_string());
            continue;
        }
        // Spoken contractions whisper and transcribers write either way
        // (as Whisper's English normaliser folds them).
        if let Some(spelled) = informal_contraction(&w) {
            words.extend(spelled.iter().map(|s| s.to_string()));
            continue;
        }
        let w = match w.as_str() {
            "ok" => "okay".to_string(),
            "mr" => "mister".to_string(),
            "mrs" => "missus".to_string(),
            _ => w,
        };
        if w == "right" && words.last().is_some_and(|p| p == "all") {
            words.pop();
            words.push("alright".to_string());
            continue;
        }
        words.push(w);
    }
    words
}

/// "gonna" -> "going to", "wanna" -> "want to", "gotta" -> "got to".
fn informal_contraction(word: &str) -> Option<&'static [&'static str]> {
    match word {
        "gonna" => Some(&["going", "to"]),
        "wanna" => Some(&["want", "to"]),
        "gotta" => Some(&["got", "to"]),
        _ => None,
    }
}

/// `text` with every `[...]` and `(...)` taken out (an unclosed one runs
/// to the end).
fn without_annotations(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut closing: Option<char> = None;
    for c in text.chars() {
        match (closing, c) {
            (None, '[') => closing = Some(']'),
            (None, '(') => closing = Some(')'),
            (None, _) => kept.push(c),
            (Some(end), _) if c == end => {
                closing = None;
                kept.push(' ');
            }
            (Some(_), _) => {}
        }
    }
    kept
}

/// "0".."99" spelled out in words; anything else is left alone.
fn number_words(word: &str) -> Option<String> {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if word.is_empty() || word.len() > 2 || !word.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: usize = word.parse().ok()?;
    Some(match n {
        0..=19 => ONES[n].to_string(),
        _ if n % 10 == 0 => TENS[n / 10].to_string(),
        _ => format!("{} {}", TENS[n / 10], ONES[n % 10]),
    })
}

/// The label of a hesitation sound (a filled pause) as transcribers and
/// whisper spell it: "um" ("umm", "uhm", "hum"), "uh" ("uhh", "er", "erm",
/// "ah"), "hm" ("hmm", "mhm", "mm"). Lexical fillers ("you know", "like")
/// are words and are scored by the word error rate, not here.
pub fn hesitation_label(word: &str) -> Option<&'static str> {
    let mut squeezed = String::new();
    for c in word.to_lowercase().chars().filter(|c| c.is_alphabetic()) {
        if !squeezed.ends_with(c) {
            squeezed.push(c);
        }
    }
    match squeezed.as_str() {
        "um" | "uhm" | "hum" | "ehm" => Some("um"),
        "uh" | "er" | "erm" | "ah" | "eh" => Some("uh"),
        "hm" | "mhm" => Some("hm"),
        _ => None,
    }
}

/// (substitutions + deletions + insertions) / reference words, after
/// [`normalize_words`]. An empty reference gives 0 for an empty hypothesis, else 1.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let r = normalize_words(reference);
    let h = normalize_words(hypothesis);
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    word_errors(&r, &h) as f64 / r.len() as f64
}

/// Levenshtein distance over words, one row at a time.
fn word_errors(r: &[String], h: &[String]) -> usize {
    let mut previous: Vec<usize> = (0..=h.len()).collect();
    let mut current = vec![0; h.len() + 1];
    for (i, rw) in r.iter().enumerate() {
        current[0] = i + 1;
        for (j, hw) in h.iter().enumerate() {
            let substitution = previous[j] + usize::from(rw != hw);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[h.len()]
}

/// One step of a word alignment: indices into the normalised reference and
/// hypothesis ([`normalize_words`]); `None` on one side is a deletion or an
/// insertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlignedPair {
    pub reference: Option<usize>,
    pub hypothesis: Option<usize>,
}

/// A minimum-edit alignment of two word lists. Two hesitation sounds of
/// different labels ("uh" against "um") cost half a substitution, so filled
/// pauses pair up with filled pauses where the words allow it.
pub fn align_words(r: &[String], h: &[String]) -> Vec<AlignedPair> {
    // Costs doubled to stay in integers: match 0, hesitation pair 1, else 2.
    let sub = |a: &str, b: &str| -> usize {
        if a == b {
            0
        } else if hesitation_label(a).is_some() && hesitation_label(b).is_some() {
            1
        } else {
            2
        }
    };
    let (n, m) = (r.len(), h.len());
    let mut cost = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in cost.iter_mut().enumerate() {
        row[0] = 2 * i;
    }
    for (j, c) in cost[0].iter_mut().enumerate() {
        *c = 2 * j;
    }
    for i in 1..=n {
        for j in 1..=m {
            cost[i][j] = (cost[i - 1][j - 1] + sub(&r[i - 1], &h[j - 1]))
                .min(cost[i - 1][j] + 2)
                .min(cost[i][j - 1] + 2);
        }
    }
    let mut pairs = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && cost[i][j] == cost[i - 1][j - 1] + sub(&r[i - 1], &h[j - 1]) {
            pairs.push(AlignedPair {
                reference: Some(i - 1),
                hypothesis: Some(j - 1),
            });
            i -= 1;
            j -= 1;
        } else if i > 0 && cost[i][j] == cost[i - 1][j] + 2 {
            pairs.push(AlignedPair {
                reference: Some(i - 1),
                hypothesis: None,
            });
            i -= 1;
        } else {
            pairs.push(AlignedPair {
                reference: None,
                hypothesis: Some(j - 1),
            });
            j -= 1;
        }
    }
    pairs.reverse();
    pairs
}

/// How well a transcript keeps the filled pauses of a verbatim reference.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FillerScore {
    /// Hesitation sounds in the reference.
    pub reference: usize,
    /// Hesitation sounds in the transcript.
    pub hypothesis: usize,
    /// Reference hesitations aligned to a transcript hesitation (any label:
    /// "uh" heard as "um" still counts as found).
    pub matched: usize,
}

impl FillerScore {
    /// Adds another clip's counts (for pooled figures).
    pub fn add(&mut self, other: FillerScore) {
        self.reference += other.reference;
        self.hypothesis += other.hypothesis;
        self.matched += other.matched;
    }

    /// matched / reference; 1 when the reference has none.
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.reference)
    }

    /// matched / hypothesis; 1 when the transcript has none.
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.hypothesis)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Filler recall and precision of `hypothesis` against a verbatim
/// `reference`, through the word alignment of [`align_words`].
pub fn filler_score(reference: &str, hypothesis: &str) -> FillerScore {
    let r = normalize_words(reference);
    let h = normalize_words(hypothesis);
    let is_filler = |w: &String| hesitation_label(w).is_some();
    let matched = align_words(&r, &h)
        .iter()
        .filter(|p| match (p.reference, p.hypothesis) {
            (Some(i), Some(j)) => is_filler(&r[i]) && is_filler(&h[j]),
            _ => false,
        })
        .count();
    FillerScore {
        reference: r.iter().filter(|w| is_filler(w)).count(),
        hypothesis: h.iter().filter(|w| is_filler(w)).count(),
        matched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn informal_contractions_are_the_words_they_stand_for() {
        assert_eq!(
            word_error_rate("i'm gonna cough", "I'm going to cough."),
            0.0
        );
        assert_eq!(word_error_rate("we gotta go", "we got to go"), 0.0);
        assert_eq!(word_error_rate("gonna", "going"), 0.5);
    }

    #[test]
    fn non_speech_annotations_are_not_words() {
        assert_eq!(
            normalize_words("I think I'm going to cough here. [Cough] Yeah (laughs) so"),
            ["i", "think", "i'm", "going", "to", "cough", "here", "yeah", "so"]
        );
        assert_eq!(normalize_words("[BLANK_AUDIO]"), Vec::<String>::new());
        assert_eq!(word_error_rate("so it went", "so [Music] it went"), 0.0);
    }

    #[test]
    fn counts_each_kind_of_error() {
        assert_eq!(word_error_rate("the cat sat", "the cat sat"), 0.0);
        assert_eq!(word_error_rate("the cat sat", "the bat sat"), 1.0 / 3.0);
        assert_eq!(word_error_rate("the cat sat", "the sat"), 1.0 / 3.0);
        assert_eq!(
            word_error_rate("the cat sat", "the cat sat down"),
            1.0 / 3.0
        );
        assert_eq!(word_error_rate("a b", "c d e f"), 2.0);
        assert_eq!(word_error_rate("", ""), 0.0);
    }

    #[test]
    fn ignores_case_and_punctuation() {
        assert_eq!(
            word_error_rate("Well-known, right?", "well known right"),
            0.0
        );
        assert_eq!(
            normalize_words("I'd say: 'yes'."),
            vec!["i'd", "say", "yes"]
        );
    }

    #[test]
    fn a_hesitation_spelled_another_way_is_the_same_word() {
        assert_eq!(
            word_error_rate("so hm um uh yes", "so, hmm... umm, uhh yes"),
            0.0
        );
        // A hesitation for another, or one too many, still counts.
        assert_eq!(word_error_rate("so um yes", "so uh yes"), 1.0 / 3.0);
        assert_eq!(word_error_rate("so yes", "so hmm yes"), 0.5);
    }

    #[test]
    fn folds_numbers_and_spellings() {
        assert_eq!(
            normalize_words("1. Sonnet 21"),
            ["one", "sonnet", "twenty", "one"]
        );
        assert_eq!(
            normalize_words("It's all right, OK? Mr. Dashwood"),
            ["it's", "alright", "okay", "mister", "dashwood"]
        );
        assert_eq!(normalize_words("1998 and 3rd"), ["1998", "and", "3rd"]);
        assert_eq!(word_error_rate("I don’t know", "I don't know"), 0.0);
    }

    #[test]
    fn labels_hesitations() {
        for (word, label) in [
            ("Umm,", "um"),
            ("uhm", "um"),
            ("Uh.", "uh"),
            ("er", "uh"),
            ("Hmm", "hm"),
        ] {
            assert_eq!(hesitation_label(word), Some(label), "{word}");
        }
        for word in ["you", "like", "so", "hum-drum", "a"] {
            assert_eq!(hesitation_label(word), None, "{word}");
        }
    }

    #[test]
    fn aligns_with_substitutions_deletions_and_insertions() {
        let r = normalize_words("a b c d");
        let h = normalize_words("a x c d e");
        let pairs = align_words(&r, &h);
        let edits = pairs
            .iter()
            .filter(|p| match (p.reference, p.hypothesis) {
                (Some(i), Some(j)) => r[i] != h[j],
                _ => true,
            })
            .count();
        assert_eq!(edits, word_errors(&r, &h));
        assert_eq!(pairs.len(), 5);
    }

    #[test]
    fn scores_fillers_by_position_not_count() {
        // Both fillers found, "uh" heard as "um" still counts.
        let s = filler_score("so uh I think um yes", "So, um, I think, um, yes.");
        assert_eq!((s.reference, s.hypothesis, s.matched), (2, 2, 2));
        // A filler in the wrong place is neither found nor right.
        let s = filler_score("montreal uh forced aligner", "montreal forced aligner uh");
        assert_eq!((s.reference, s.hypothesis, s.matched), (1, 1, 0));
        // Dropped fillers lower recall; a looped "uh" lowers precision.
        let s = filler_score("uh uh uh yes", "uh yes");
        assert_eq!((s.recall(), s.precision()), (1.0 / 3.0, 1.0));
        let s = filler_score("this is uh fine", "this is uh uh uh uh fine");
        assert_eq!((s.recall(), s.precision()), (1.0, 0.25));
        let mut pooled = FillerScore::default();
        pooled.add(filler_score("uh no", "no"));
        pooled.add(filler_score("none here", "none here"));
        assert_eq!(
            (pooled.reference, pooled.recall(), pooled.precision()),
            (1, 0.0, 1.0)
        );
    }
}
