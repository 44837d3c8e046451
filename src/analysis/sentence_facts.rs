//! What embeddings miss about a sentence, read from its words: whether it is
//! negated, in a hypothetical or habitual mood ("I would", "I'd usually"),
//! who it is about (the speaker, the speaker's team, or other people), and
//! whether harsh words in it are aimed at the speaker themself.
//!
//! The content judge uses these facts to veto or weaken a match: a
//! hypothetical "I'd put a checklist in place" is not real prevention, "since
//! then our office moved" is not about the speaker, "I felt like an idiot" is
//! not harsh words about others.

/// Adverbs that speakers slip into set phrases ("I can't *honestly* think of
/// one"); dropped before cue phrases are matched.
const INSERTED: &[&str] = &[
    "honestly",
    "really",
    "actually",
    "just",
    "totally",
    "basically",
    "truly",
    "genuinely",
    "frankly",
    "literally",
    "completely",
    "entirely",
    "fully",
    "absolutely",
    "definitely",
    "certainly",
    "clearly",
    "simply",
    "wholly",
    "um",
    "uh",
    "er",
    "erm",
    "like,",
    "you know,",
];

const FIRST_PERSON: &[&str] = &[
    "i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself", "mine",
];
const WE: &[&str] = &["we", "we're", "we've", "we'd", "we'll", "us", "our"];
/// Words that start a clause about someone else.
const OTHERS: &[&str] = &[
    "they",
    "they're",
    "they'd",
    "he",
    "she",
    "he'd",
    "she'd",
    "them",
    "their",
    "his",
    "her",
    "vendor",
    "vendors",
    "client",
    "clients",
    "customer",
    "customers",
    "manager",
    "boss",
    "colleague",
    "colleagues",
    "coworker",
    "co-worker",
    "coworkers",
    "team",
    "company",
    "office",
    "management",
    "supplier",
    "suppliers",
    "contractor",
    "contractors",
    "people",
    "nobody",
    "everyone",
    "somebody",
    "someone",
    "department",
    "it",
    "director",
    "lead",
    "partner",
    "partners",
    "agency",
    "developer",
    "developers",
    "designer",
    "qa",
    "sales",
    "marketing",
    "hr",
    "leadership",
    "executives",
    "organisation",
    "organization",
    "firm",
];
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "nothing",
    "nobody",
    "none",
    "neither",
    "nor",
    "cannot",
    "can't",
    "don't",
    "didn't",
    "doesn't",
    "won't",
    "wouldn't",
    "wasn't",
    "weren't",
    "isn't",
    "aren't",
    "haven't",
    "hasn't",
    "hadn't",
    "couldn't",
    "shouldn't",
];
const HARSH: &[&str] = &[
    "idiot",
    "idiots",
    "stupid",
    "incompetent",
    "lazy",
    "useless",
    "clueless",
    "toxic",
    "moron",
    "morons",
    "dumb",
    "hopeless",
    "pathetic",
    "clowns",
    "fool",
    "fools",
];

/// Who a sentence is about, by its first subject-like word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// "I", "my", "me".
    Speaker,
    /// "we", "our team" (the speaker included).
    Team,
    /// Someone or something else: "they", "the vendor", "our office".
    Others,
    /// No person named.
    Nobody,
}

/// The facts about one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceFacts {
    /// Lower-case words (apostrophes straightened, punctuation trimmed).
    pub words: Vec<String>,
    /// The sentence with inserted adverbs ("honestly", "really") removed.
    pub simplified: String,
    pub subject: Subject,
    /// The speaker appears anywhere in it ("I", "me", "my").
    pub mentions_speaker: bool,
    /// Someone other than the speaker or the team appears in it.
    pub mentions_others: bool,
    pub negated: bool,
    /// Conditional or habitual mood about the speaker: "I would", "I'd
    /// usually", "I usually", "I tend to", "if I ever".
    pub hypothetical: bool,
    /// Harsh words aimed at the speaker ("I felt like an idiot").
    pub harsh_at_self: bool,
    /// Harsh words aimed at others ("they were lazy", "the idiots in QA").
    pub harsh_at_others: bool,
    /// A change that lasts, made by the speaker or the team ("since then I
    /// always...", "now we..."), not by someone else ("since then our
    /// office moved").
    pub own_change: bool,
    /// Speaks of how things are now or have been since, not only of a past
    /// event: present or present-perfect verbs after "I"/"we" ("I check",
    /// "I've kept"), markers such as "now", "these days", "since", "every
    /// time", or a verb that puts something in place ("I set up", "we
    /// introduced"). "My biggest mistake was a migration I ran" has none.
    pub lasting: bool,
}

fn clean(word: &str) -> String {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’' && c != '-')
        .replace('’', "'")
        .to_lowercase()
}

/// The clauses of a long sentence, split at commas, semicolons and
/// "but"/"so"/"because" (each at least four words); empty for a sentence
/// that is one clause.
pub fn clauses(sentence: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for word in sentence.split_whitespace() {
        let lower = word.to_lowercase();
        let joiner = matches!(
            lower.as_str(),
            "but" | "so" | "because" | "although" | "though"
        );
        if joiner && current.len() >= 4 {
            parts.push(current.join(" "));
            current.clear();
        }
        current.push(word);
        if (word.ends_with(',') || word.ends_with(';') || word.ends_with(':')) && current.len() >= 4
        {
            parts.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        if current.len() < 4 && !parts.is_empty() {
            let last = parts.pop().unwrap_or_default();
            parts.push(format!("{last} {}", current.join(" ")));
        } else {
            parts.push(current.join(" "));
        }
    }
    if parts.len() < 2 {
        return Vec::new();
    }
    parts
        .into_iter()
        .map(|p| p.trim_end_matches([',', ';', ':']).to_string())
        .collect()
}

/// Reads the facts of one sentence.
pub fn read(sentence: &str) -> SentenceFacts {
    let words: Vec<String> = sentence
        .split_whitespace()
        .map(clean)
        .filter(|w| !w.is_empty())
        .collect();
    let is = |w: &str, list: &[&str]| list.contains(&w);
    let simplified = sentence
        .split_whitespace()
        .filter(|w| {
            let c = clean(w);
            !INSERTED.contains(&c.as_str()) && !INSERTED.contains(&w.to_lowercase().as_str())
        })
        .collect::<Vec<_>>()
        .join(" ");

    let mentions_speaker = words.iter().any(|w| is(w, FIRST_PERSON));
    let mentions_others = words.iter().enumerate().any(|(k, w)| {
        is(w, OTHERS)
            && w != "it"
            && !(w == "team" && k > 0 && (words[k - 1] == "my" || words[k - 1] == "our"))
    });
    let subject = subject_of(&words);
    let negated = words.iter().any(|w| is(w, NEGATIONS) || w.ends_with("n't"));
    let hypothetical = hypothetical(&words);
    let (harsh_at_self, harsh_at_others) = harsh(&words);
    let own_change = own_change(&words);
    let lasting = lasting(&words);
    SentenceFacts {
        words,
        simplified,
        subject,
        mentions_speaker,
        mentions_others,
        negated,
        hypothetical,
        harsh_at_self,
        harsh_at_others,
        own_change,
        lasting,
    }
}

/// The first subject-like word: skips openers such as "so", "then",
/// "looking back", "since then".
fn subject_of(words: &[String]) -> Subject {
    for (k, w) in words.iter().enumerate() {
        let w = w.as_str();
        if FIRST_PERSON.contains(&w) {
            return Subject::Speaker;
        }
        if WE.contains(&w) {
            // "our office", "our client": the noun after "our" decides.
            if w == "our" {
                if let Some(next) = words.get(k + 1) {
                    if OTHERS.contains(&next.as_str()) && next != "team" {
                        return Subject::Others;
                    }
                }
            }
            return Subject::Team;
        }
        if OTHERS.contains(&w) && w != "it" {
            return Subject::Others;
        }
    }
    Subject::Nobody
}

/// Verbs after "I'd" / "I would" that voice a wish, a hedge or an offer
/// ("I'd say", "I'd love to", "I'd bring"), not what the speaker would do.
const NOT_CONDITIONAL: &[&str] = &[
    "say", "like", "love", "bring", "imagine", "guess", "argue", "hope", "welcome", "add",
    "rather", "prefer", "suggest",
];

/// Words after "I'd" that mark the past perfect ("I'd picked", "I'd
/// forgotten", "I'd already"): irregular participles and adverbs, besides
/// the regular "-ed" participles. Forms that are also the bare verb ("put",
/// "set", "read", "come") are left out: "I'd put a checklist in place"
/// reads as the conditional.
const PARTICIPLES: &[&str] = &[
    "had",
    "been",
    "done",
    "gone",
    "made",
    "taken",
    "given",
    "seen",
    "left",
    "got",
    "gotten",
    "forgotten",
    "written",
    "sent",
    "spent",
    "told",
    "thought",
    "built",
    "brought",
    "bought",
    "caught",
    "taught",
    "felt",
    "kept",
    "lost",
    "meant",
    "heard",
    "held",
    "known",
    "shown",
    "said",
    "begun",
    "chosen",
    "driven",
    "fallen",
    "broken",
    "understood",
    "missed",
    "never",
    "already",
    "just",
    "only",
    "since",
];

fn past_participle(word: &str) -> bool {
    PARTICIPLES.contains(&word)
        || (word.ends_with("ed") && !matches!(word, "need" | "feed" | "proceed" | "succeed"))
}

fn hypothetical(words: &[String]) -> bool {
    let speaker = |w: &str| w == "i" || w == "we" || w == "you";
    for (k, w) in words.iter().enumerate() {
        let next = words.get(k + 1).map(String::as_str).unwrap_or("");
        let next2 = words.get(k + 2).map(String::as_str).unwrap_or("");
        match w.as_str() {
            // "I'd put", "I'd usually" (but not "I'd had", "I'd picked":
            // past perfect; nor "I'd say", "I'd love to").
            "i'd" | "we'd" if !past_participle(next) && !NOT_CONDITIONAL.contains(&next) => {
                return true;
            }
            // "I could have", "I would have": past conditions, real regret;
            // "I could see": past ability.
            "would" | "might"
                if k > 0
                    && speaker(&words[k - 1])
                    && next != "have"
                    && next != "not"
                    && next2 != "have"
                    && !NOT_CONDITIONAL.contains(&next) =>
            {
                return true;
            }
            "usually" | "typically" | "generally" | "normally"
                if k > 0 && speaker(&words[k - 1]) =>
            {
                return true
            }
            "tend" if k > 0 && speaker(&words[k - 1]) => return true,
            "if" if speaker(next) && !matches!(next2, "had" | "was") => {
                // "if I ever", "if I see": a condition, not a story.
                return true;
            }
            _ => {}
        }
    }
    false
}

fn harsh(words: &[String]) -> (bool, bool) {
    let mut at_self = false;
    let mut at_others = false;
    for (k, w) in words.iter().enumerate() {
        if !HARSH.contains(&w.as_str()) {
            continue;
        }
        // Who it is aimed at: the nearest of the speaker ("I felt ... a bit
        // stupid") and another person, looking back up to eight words.
        let self_words = [
            "i", "i'm", "i've", "me", "myself", "felt", "feel", "feeling", "look", "looked",
        ];
        let aimed_at_self = words[k.saturating_sub(8)..k]
            .iter()
            .rev()
            .find_map(|b| {
                if self_words.contains(&b.as_str()) {
                    Some(true)
                } else if OTHERS.contains(&b.as_str()) && b != "it" {
                    Some(false)
                } else {
                    None
                }
            })
            .unwrap_or(false);
        if aimed_at_self {
            at_self = true;
        } else {
            at_others = true;
        }
    }
    (at_self, at_others)
}

fn own_change(words: &[String]) -> bool {
    // After "since then", "now", "these days", "from then on", "going forward":
    // whose is the next subject?
    for (k, w) in words.iter().enumerate() {
        let opener = (w == "then" && k > 0 && (words[k - 1] == "since" || words[k - 1] == "on"))
            || w == "now"
            || (w == "days" && k > 0 && words[k - 1] == "these")
            || (w == "forward" && k > 0 && words[k - 1] == "going");
        if opener {
            return matches!(
                subject_of(&words[k + 1..]),
                Subject::Speaker | Subject::Team
            );
        }
    }
    false
}

/// Words that on their own place a sentence in the present or since then.
const LASTING_MARKERS: &[&str] = &[
    "now",
    "nowadays",
    "today",
    "always",
    "still",
    "anymore",
    "whenever",
    "since",
    "afterwards",
    "afterward",
];

/// Two-word markers of the same ("these days", "every time").
const LASTING_PAIRS: &[(&str, &str)] = &[
    ("these", "days"),
    ("then", "on"),
    ("after", "that"),
    ("every", "time"),
    ("each", "time"),
    ("every", "single"),
    ("no", "longer"),
    ("never", "again"),
    ("any", "more"),
    ("going", "forward"),
];

/// Verbs that put something in place that outlasts the story.
const PUT_IN_PLACE: &[&str] = &[
    "introduced",
    "created",
    "set",
    "built",
    "added",
    "implemented",
    "adopted",
    "started",
    "began",
    "changed",
    "proposed",
    "automated",
    "wrote",
    "designed",
    "established",
    "instituted",
    "switched",
];

/// Irregular past forms (and past auxiliaries) that never read as present.
const PAST_FORMS: &[&str] = &[
    "was",
    "were",
    "did",
    "had",
    "could",
    "would",
    "should",
    "might",
    "ran",
    "went",
    "made",
    "took",
    "told",
    "knew",
    "thought",
    "got",
    "left",
    "felt",
    "kept",
    "lost",
    "sent",
    "spent",
    "built",
    "brought",
    "said",
    "saw",
    "came",
    "became",
    "began",
    "wrote",
    "found",
    "gave",
    "held",
    "led",
    "meant",
    "met",
    "paid",
    "sat",
    "sold",
    "stood",
    "understood",
    "won",
    "broke",
    "chose",
    "drove",
    "forgot",
    "spoke",
    "threw",
    "woke",
    "taught",
    "caught",
    "bought",
    "heard",
    "fell",
    "forgave",
    "grew",
    "hid",
    "rode",
    "rang",
    "sang",
    "shook",
    "slept",
    "swore",
    "tore",
    "wore",
    "wound",
    "flew",
    "drew",
    "dealt",
];

/// Forms that are the same in the present and the past ("I put", "I set"):
/// they tell nothing about the time.
const SAME_IN_PAST: &[&str] = &[
    "put", "set", "read", "cut", "let", "hit", "shut", "quit", "hurt", "spread", "cost", "split",
];

/// Verbs of thinking and saying: present in form ("I think it was..."),
/// they frame a story rather than tell how things are now.
const FRAMING_VERBS: &[&str] = &[
    "think",
    "guess",
    "mean",
    "know",
    "suppose",
    "believe",
    "feel",
    "remember",
    "realise",
    "realize",
    "say",
    "wish",
    "hope",
    "admit",
    "reckon",
    "recall",
    "can",
    "can't",
    "cannot",
    "don't",
    "do",
    "am",
    "would've",
    "could've",
    "should've",
    "wanna",
    "want",
    "need",
];

/// Adverbs between the subject and its verb ("I *also* check").
const BETWEEN_SUBJECT_AND_VERB: &[&str] = &[
    "also",
    "now",
    "always",
    "still",
    "never",
    "just",
    "really",
    "actually",
    "even",
    "then",
    "usually",
    "first",
    "only",
    "personally",
    "definitely",
    "certainly",
    "um",
    "uh",
];

fn lasting(words: &[String]) -> bool {
    let at = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    for k in 0..words.len() {
        let w = at(k);
        if LASTING_MARKERS.contains(&w)
            || LASTING_PAIRS.iter().any(|&(a, b)| w == a && at(k + 1) == b)
        {
            return true;
        }
        match w {
            "i'm" | "we're" | "i've" | "we've" => return true,
            "i" | "we" => {
                let mut v = k + 1;
                while BETWEEN_SUBJECT_AND_VERB.contains(&at(v)) {
                    v += 1;
                }
                let verb = at(v);
                if PUT_IN_PLACE.contains(&verb) {
                    return true;
                }
                let present = !verb.is_empty()
                    && !verb.ends_with("ed")
                    && !PAST_FORMS.contains(&verb)
                    && !SAME_IN_PAST.contains(&verb)
                    && !FRAMING_VERBS.contains(&verb)
                    && verb.chars().all(|c| c.is_alphabetic() || c == '-');
                if present {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(
            read("Since then our office moved.").subject,
            Subject::Others
        );
        assert!(!read("Since then our office moved to a new building.").own_change);
        assert!(read("Since then I always double-check the totals.").own_change);
        assert!(read("Since then we review every invoice twice.").own_change);
        assert_eq!(
            read("Looking back, the vendor should have warned us.").subject,
            Subject::Others
        );
        assert_eq!(
            read("Honestly, that one is totally on me.").subject,
            Subject::Speaker
        );
    }

    #[test]
    fn moods_and_negation() {
        assert!(read("I'd put a checklist in place").hypothetical);
        assert!(read("What I would do is call the client.").hypothetical);
        assert!(read("I usually ask for a review.").hypothetical);
        assert!(!read("I put a checklist in place.").hypothetical);
        assert!(!read("I should have checked, I would have caught it.").hypothetical);
        assert!(!read("I'd had no sleep that week.").hypothetical);
        assert!(!read("I'd picked the wrong box from the shelf.").hypothetical);
        assert!(!read("I'd say it was the spring audit.").hypothetical);
        assert!(!read("I'd love to hear how the team plans its work.").hypothetical);
        assert!(!read("I could see the queue growing.").hypothetical);
        assert!(read("I'd probably ask a colleague to check it.").hypothetical);
        assert!(read("I would need a second opinion first.").hypothetical);
        assert!(read("It was honestly not a huge deal.").negated);
        assert_eq!(
            read("I can't honestly think of one.").simplified,
            "I can't think of one."
        );
    }

    #[test]
    fn long_sentences_split_into_clauses() {
        assert_eq!(
            clauses("Looking back, the vendor should have warned us, I did what I could with what I had."),
            [
                "Looking back, the vendor should have warned us",
                "I did what I could with what I had."
            ]
        );
        assert!(clauses("I missed the deadline.").is_empty());
    }

    #[test]
    fn lasting_changes_are_told_apart_from_past_events() {
        for lasting in [
            "Since then every migration I run has a written checklist.",
            "Now before I send anything to a client I get a second pair of eyes on it.",
            "I set up reminders so renewals show up sixty days before they're due.",
            "I check every address against the order before dispatch.",
            "We've done six migrations that way with no customer impact.",
            "It turned me into someone who plans for what can go wrong, and I'm calmer for it.",
            "After that we introduced a peer review for every release.",
        ] {
            assert!(read(lasting).lasting, "{lasting}");
        }
        for past in [
            "My biggest mistake was a billing migration I ran two years ago.",
            "I told my manager straight away and rolled the change back within an hour.",
            "I learned that a deadline is never a reason to skip a safety check.",
            "As a result, about two hundred customers were charged twice.",
            "I put the wrong date on the invoice.",
            "I think it was the spring audit, I don't remember exactly.",
        ] {
            assert!(!read(past).lasting, "{past}");
        }
    }

    #[test]
    fn harsh_words_have_a_target() {
        let f = read("I felt like an idiot afterwards.");
        assert!(f.harsh_at_self && !f.harsh_at_others);
        let f = read("The people in QA were lazy and incompetent.");
        assert!(f.harsh_at_others && !f.harsh_at_self);
        let f =
            read("I felt terrible and, honestly, a bit stupid, because it was such a basic thing.");
        assert!(f.harsh_at_self && !f.harsh_at_others);
        let f = read("I told him his plan was stupid.");
        assert!(f.harsh_at_others && !f.harsh_at_self);
    }
}
