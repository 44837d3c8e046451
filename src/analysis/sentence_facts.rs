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
/// The speaker's team ("we shipped it", "our process").
pub(super) const WE: &[&str] = &["we", "we're", "we've", "we'd", "we'll", "us", "our"];
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
    "lads",
    "guys",
    "staff",
    "crew",
    "courier",
    "supervisor",
    "apprentice",
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
    "cowboy",
    "cowboys",
    "bully",
    "bullies",
    "amateurs",
    "muppet",
    "muppets",
    "arrogant",
    "selfish",
    "jobsworth",
    "liar",
    "liars",
    "imbecile",
    "imbeciles",
    "numpty",
    "brainless",
    "spineless",
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
    /// Tells of someone else failing: the clause is about another person
    /// (its first subject-like word) who did not do something or got it
    /// wrong ("she never opened the post", "the paperwork they gave me
    /// didn't match"). Views are not failings ("he didn't agree").
    pub others_failed: bool,
    /// The speaker's own slip, told in the first person: "I put the wrong
    /// date", "I didn't check the total", "I forgot to lock it", "I picked
    /// the wrong one without checking": what the advice means by owning it
    /// with "I" statements. Word range (start, end exclusive) in `words`;
    /// `slip_bytes` is the same in the sentence.
    pub own_slip: Option<(usize, usize)>,
    pub slip_bytes: Option<(usize, usize)>,
    /// Tells of what the speaker does in general rather than of one
    /// occasion: the hypothetical mood, or habitual markers ("whenever",
    /// "what I do when that happens", "all the time").
    pub habitual: bool,
    /// Past events of the speaker's own it tells: each "I" or "we" with a
    /// past verb ("I sent", "we rolled it back", "I was", "I'd forgotten").
    pub past_events: usize,
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
    let others_failed = others_failed(&words);
    let own_slip = if hypothetical { None } else { own_slip(&words) };
    let slip_bytes = own_slip.and_then(|(a, b)| {
        let spans = word_spans(sentence);
        Some((spans.get(a)?.0, spans.get(b.checked_sub(1)?)?.1))
    });
    let habitual = hypothetical || habitual(&words);
    let past_events = past_events(&words);
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
        others_failed,
        own_slip,
        slip_bytes,
        habitual,
        past_events,
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
    "rather", "prefer", "suggest", "call", "describe", "count", "consider", "class", "rate",
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
            // Adverbs first: "I'd even got", "I'd usually ask".
            "i'd" | "we'd" => {
                let mut v = k + 1;
                while BETWEEN_SUBJECT_AND_VERB
                    .contains(&words.get(v).map(String::as_str).unwrap_or(""))
                    && !past_participle(&words[v])
                {
                    v += 1;
                }
                let verb = words.get(v).map(String::as_str).unwrap_or("");
                if !past_participle(verb) && !NOT_CONDITIONAL.contains(&verb) {
                    return true;
                }
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

/// Words after another person that tell of a failing ("never", "didn't",
/// "forgot"...), looked for within four words of them. Not "couldn't" or
/// "wasn't": "customers couldn't check out", "the client wasn't happy" tell
/// of the harm, not of a failing.
const FAILING: &[&str] = &[
    "never", "didn't", "hadn't", "wouldn't", "won't", "don't", "doesn't", "forgot", "failed",
    "ignored", "messed", "screwed", "botched", "refused", "dropped",
];

/// Verbs of view, knowledge and receiving: "he didn't agree", "they didn't
/// know about it", "the client didn't get the parcel" tell of a view, a gap
/// or the harm, not a failing.
const VIEW_VERBS: &[&str] = &[
    "agree", "think", "want", "like", "feel", "believe", "mind", "need", "know", "see", "expect",
    "realise", "realize", "get", "receive", "hear", "have",
];

/// Pronouns that can only be a subject.
const PRONOUN_SUBJECTS: &[&str] = &["he", "she", "they", "he'd", "she'd", "they'd", "they're"];

fn others_failed(words: &[String]) -> bool {
    let at = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    // Another person ("she", "the courier", "my supervisor"; not "nobody",
    // "everyone" or a possessive, which name no one in particular) followed
    // within four words by a failing, with no "I" in between: "I told him
    // he didn't need to" and "he was right and I was wrong" are not his
    // failings.
    let someone = |w: &str| {
        OTHERS.contains(&w)
            && !matches!(
                w,
                "it" | "nobody"
                    | "everyone"
                    | "people"
                    | "someone"
                    | "somebody"
                    | "them"
                    | "their"
                    | "his"
                    | "her"
                    | "team"
            )
    };
    // A pronoun such as "she" is the subject; a noun is only taken as one
    // when the speaker is not named just before it ("I sent a client the
    // wrong figures": the client is not the one who failed), a possessive
    // "my"/"our" of its own aside ("my supervisor forgot").
    let subject_at = |k: usize| {
        PRONOUN_SUBJECTS.contains(&at(k))
            || !(k.saturating_sub(4)..k).any(|u| {
                let possessive = matches!(at(u), "my" | "our") && u + 2 >= k;
                !possessive && (FIRST_PERSON.contains(&at(u)) || WE.contains(&at(u)))
            })
    };
    (0..words.len())
        .filter(|&k| someone(at(k)) && subject_at(k))
        .any(|k| {
            let before_speaker = |v: usize| !(k + 1..=v).any(|u| FIRST_PERSON.contains(&at(u)));
            let failing = (k + 1..k + 5).any(|v| {
                FAILING.contains(&at(v))
                    && !VIEW_VERBS.contains(&at(v + 1))
                    && !VIEW_VERBS.contains(&at(v + 2))
                    && before_speaker(v)
            });
            let wrong = (k + 1..k + 9).any(|v| at(v) == "wrong" && before_speaker(v));
            failing || wrong
        })
}

/// Verbs that are a slip in themselves when the speaker does them.
const SLIP_VERBS: &[&str] = &[
    "forgot",
    "forgotten",
    "missed",
    "skipped",
    "overlooked",
    "misread",
    "mistyped",
    "miscounted",
    "misjudged",
    "misunderstood",
    "misheard",
    "misfiled",
    "mislabelled",
    "mislabeled",
    "miscalculated",
    "underestimated",
    "overestimated",
    "overbooked",
    "overpromised",
    "overcommitted",
    "assumed",
    "rushed",
    "ignored",
    "deleted",
    "lost",
    "broke",
    "overwrote",
    "double-booked",
];

/// What the speaker failed to do when they say they did not ("I didn't
/// check", "I never told anyone"): checks and passing things on, not views
/// ("I didn't know", "I didn't agree").
const CHECK_VERBS: &[&str] = &[
    "check",
    "double-check",
    "confirm",
    "verify",
    "read",
    "test",
    "ask",
    "look",
    "proofread",
    "review",
    "tell",
    "flag",
    "follow",
    "count",
    "measure",
    "save",
    "back",
    "lock",
    "update",
    "notice",
    "spot",
    "catch",
    "plan",
    "prepare",
    "listen",
    "escalate",
    "chase",
    "send",
    "label",
    "record",
    "write",
    "mention",
    "warn",
    "think",
];

/// Adverbs of a slip: "I accidentally deleted", "I wrongly assumed".
const SLIP_ADVERBS: &[&str] = &["accidentally", "mistakenly", "wrongly", "carelessly"];

/// Verbs after which "wrong" is about what the speaker found or was given,
/// not what they did ("I realised it was wrong", "I got the wrong parts").
const FOUND_OR_GIVEN: &[&str] = &[
    "realised",
    "realized",
    "noticed",
    "saw",
    "found",
    "thought",
    "knew",
    "felt",
    "said",
    "heard",
    "spotted",
    "discovered",
    "received",
    "was",
    "inherited",
    "told",
    "believed",
    "think",
    "know",
    "asked",
    "checked",
];

/// The speaker's own slip (see [`SentenceFacts::own_slip`]): "I" followed
/// by a slip verb ("I forgot", "I missed"), a failed check ("I didn't
/// check", "I never told"), a slip adverb ("I accidentally"), a phrase
/// ("I made a mistake", "I messed up", "I got it wrong"), or, within five
/// words with no one else named in between, "wrong" ("I put the wrong
/// date") or "without checking". Views are not slips ("I didn't know").
fn own_slip(words: &[String]) -> Option<(usize, usize)> {
    let at = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    let someone_else = |w: &str| {
        (OTHERS.contains(&w) || WE.contains(&w) || matches!(w, "it" | "that" | "this" | "you"))
            && !matches!(w, "them" | "her" | "his" | "their")
    };
    for k in 0..words.len() {
        if !matches!(at(k), "i" | "i'd") {
            continue;
        }
        let v = verb_after(words, k);
        let verb = at(v);
        // "I'd forgotten", "I'd missed": past perfect; "I'd" then only with a participle.
        if at(k) == "i'd" && !past_participle(verb) {
            continue;
        }
        if SLIP_VERBS.contains(&verb) || SLIP_ADVERBS.contains(&verb) {
            return Some((k, v + 1));
        }
        // "I didn't check", "I did not confirm", "I never told", "I failed to read"
        let (neg_end, negated) = match (verb, at(v + 1)) {
            ("didn't" | "hadn't" | "never", _) => (v + 1, true),
            ("did" | "had", "not") => (v + 2, true),
            ("failed", "to") => (v + 2, true),
            _ => (v, false),
        };
        if negated {
            let mut u = neg_end;
            while matches!(
                at(u),
                "even" | "really" | "properly" | "actually" | "bother" | "to" | "just"
            ) {
                u += 1;
            }
            let checked = at(u).trim_end_matches("ed");
            if CHECK_VERBS.contains(&at(u))
                || CHECK_VERBS.contains(&checked)
                || CHECK_VERBS.contains(&at(u).trim_end_matches('d'))
            {
                return Some((k, u + 1));
            }
            continue;
        }
        // "I made a mistake", "I made an error", "I messed up", "I got it wrong"
        let phrase_end = match verb {
            "made" if matches!(at(v + 1), "a" | "an" | "the" | "that" | "this") => (v + 2..v + 4)
                .find(|&u| matches!(at(u), "mistake" | "error" | "blunder" | "mess" | "slip"))
                .map(|u| u + 1),
            "messed" | "screwed" | "slipped" | "cocked" | "mucked" | "stuffed"
                if at(v + 1) == "up" =>
            {
                Some(v + 2)
            }
            "dropped" if at(v + 1) == "the" && at(v + 2) == "ball" => Some(v + 3),
            "blew" if at(v + 1) == "it" => Some(v + 2),
            "let" if at(v + 2) == "down" || at(v + 3) == "down" => Some(v + 3),
            _ => None,
        };
        if let Some(end) = phrase_end {
            return Some((k, end.min(words.len())));
        }
        // "I was wrong", "I was the one who got it wrong" is not this.
        if verb == "was" && at(v + 1) == "wrong" {
            return Some((k, v + 2));
        }
        if FOUND_OR_GIVEN.contains(&verb) {
            continue;
        }
        // "I put the wrong date", "I sent the client the wrong file", "I got
        // the date wrong" (not "I got the wrong parts": given, not done),
        // "I picked one without checking".
        for u in v..(v + 6).min(words.len()) {
            let w = at(u);
            if u > v && someone_else(w) && !(u == v + 1 && verb == "got") {
                break;
            }
            if w == "wrong" || w == "wrongly" {
                if verb == "got" && matches!(at(u - 1), "a" | "an" | "the") {
                    break;
                }
                return Some((k, u + 1));
            }
            if w == "without"
                && [
                    "checking",
                    "reading",
                    "asking",
                    "confirming",
                    "testing",
                    "telling",
                    "looking",
                    "double-checking",
                ]
                .contains(&at(u + 1))
            {
                return Some((k, u + 2));
            }
        }
    }
    None
}

/// Each word's byte range in `sentence`, in the order and with the
/// indices of [`SentenceFacts::words`] (words that clean to nothing skipped).
fn word_spans(sentence: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut from = 0;
    for piece in sentence.split_whitespace() {
        let start = sentence[from..].find(piece).map_or(from, |i| from + i);
        let end = start + piece.len();
        from = end;
        if !clean(piece).is_empty() {
            spans.push((start, end));
        }
    }
    spans
}

fn habitual(words: &[String]) -> bool {
    let at = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    (0..words.len()).any(|k| match at(k) {
        "whenever" => true,
        // "all the time"
        "all" => at(k + 1) == "the" && at(k + 2) == "time",
        // "what I do is...", "what I do when..."
        "what" => at(k + 1) == "i" && at(k + 2) == "do",
        // "when that happens", "when something like that comes up"
        "when" => {
            matches!(at(k + 1), "something" | "things")
                || (matches!(at(k + 1), "that" | "it" | "this") && at(k + 2) == "happens")
        }
        _ => false,
    })
}

fn past_events(words: &[String]) -> usize {
    let at = |k: usize| words.get(k).map(String::as_str).unwrap_or("");
    (0..words.len())
        .filter(|&k| {
            let who = at(k);
            // Not "a time I failed": the question said back, not a story.
            if !matches!(who, "i" | "we" | "i'd" | "we'd") || (k > 0 && words[k - 1] == "time") {
                return false;
            }
            let verb = at(verb_after(words, k));
            if who.ends_with("'d") {
                // "I'd forgotten": past perfect; "I'd do": the conditional.
                return past_participle(verb) && !NOT_CONDITIONAL.contains(&verb);
            }
            (verb.ends_with("ed") && !matches!(verb, "need" | "feed" | "proceed" | "succeed"))
                || (PAST_FORMS.contains(&verb)
                    && !matches!(verb, "could" | "would" | "should" | "might"))
        })
        .count()
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

/// Where the verb of the subject at `k` is: the next word that is not an
/// adverb between them ("I *also* check").
fn verb_after(words: &[String], k: usize) -> usize {
    let mut v = k + 1;
    while words
        .get(v)
        .is_some_and(|w| BETWEEN_SUBJECT_AND_VERB.contains(&w.as_str()))
    {
        v += 1;
    }
    v
}

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
                let verb = at(verb_after(words, k));
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
        assert!(!read("he'd start before I'd even got the frames in").hypothetical);
        assert!(read("I'd usually ring the client first.").hypothetical);
        assert!(!read("nothing major I'd call a mistake").hypothetical);
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
    fn others_failing_is_told_apart_from_their_views() {
        for failed in [
            "The courier never turned up with the second pallet.",
            "and the agency they hired didn't send anyone on the Monday",
            "My supervisor forgot to pass the message on.",
            "the night staff had put the samples in the wrong fridge",
            "so I rang the depot and it turned out she never booked the van",
        ] {
            assert!(read(failed).others_failed, "{failed}");
        }
        for not_failed in [
            "My manager didn't agree with the plan at first.",
            "They didn't know the date had moved.",
            "I told him he didn't need to come in.",
            "and customers couldn't check out for an hour",
            "The client didn't get the parcel until Monday.",
            "I sent a client the wrong year's tax figures.",
            "He was right and I was wrong.",
            "Nobody noticed for a week.",
            "She checked the figures again the next morning.",
        ] {
            assert!(!read(not_failed).others_failed, "{not_failed}");
        }
    }

    #[test]
    fn habits_and_past_events() {
        for habit in [
            "What I do is take a step back and look at it again.",
            "When that happens I ring the customer straight away.",
            "You get complaints all the time in retail.",
            "I'd apologise and fix it on the spot.",
        ] {
            let f = read(habit);
            assert!(f.habitual && f.past_events == 0, "{habit}");
        }
        for event in [
            "I shipped the wrong size to a customer in Leeds.",
            "We rolled the release back that night.",
            "I was running the stall on my own that day.",
            "I'd forgotten to lock the cash drawer.",
            "So I just went back and redid the whole wall.",
        ] {
            assert_eq!(read(event).past_events, 1, "{event}");
        }
        assert_eq!(read("I think it was the spring audit.").past_events, 0);
        assert_eq!(read("hmm, a time I failed, let me think").past_events, 0);
        assert_eq!(
            read("I sent it late and we lost the contract.").past_events,
            2
        );
    }

    #[test]
    fn own_slips_are_the_speakers_not_what_they_found_or_were_given() {
        let slip = |s: &str| {
            let f = read(s);
            f.own_slip.map(|(a, b)| f.words[a..b].join(" "))
        };
        for (sentence, told) in [
            (
                "I booked the truck but I put the wrong date on it.",
                "i put the wrong",
            ),
            ("and i did not check again", "i did not check"),
            (
                "I picked one without checking the date range.",
                "i picked one without checking",
            ),
            ("I'd forgotten to lock the office.", "i'd forgotten"),
            (
                "Honestly I just didn't bother to read the contract.",
                "i just didn't bother to read",
            ),
            ("I accidentally deleted the folder.", "i accidentally"),
            ("I got the date wrong.", "i got the date wrong"),
            (
                "I made a real mistake with the rota.",
                "i made a real mistake",
            ),
            ("I messed up the order.", "i messed up"),
            ("I was wrong about the timing.", "i was wrong"),
        ] {
            assert_eq!(slip(sentence).as_deref(), Some(told), "{sentence}");
        }
        for sentence in [
            "I realised the date was wrong.",
            "I got the wrong parts from the wholesaler.",
            "I noticed they had sent the wrong file.",
            "I didn't know the deadline had moved.",
            "I didn't agree with the plan.",
            "I'd put a checklist in place.",
            "If I forgot a step I would tell my manager.",
            "The courier delivered the wrong box.",
            "I told him he'd got the wrong address.",
        ] {
            assert_eq!(slip(sentence), None, "{sentence}");
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
