//! Semantic checks of a parsed bank file (ids, references, windows, cues),
//! building the resolved [`Bank`] as it goes, and the checks across banks
//! done when they are merged into one [`Catalog`].
//!
//! Every problem is collected (not just the first) and located at the
//! offending key or value with the file's [`Locator`].

use std::collections::{BTreeMap, HashMap};

use super::cue::{CueError, CueMatcher};
use super::error::{Diagnostic, ErrorKind};
use super::locate::{Locator, Pos};
use super::model::{
    Bank, Catalog, Criterion, FollowUp, Location, Question, Window, FOLLOW_UP_SECONDS,
};
use super::schema::{BankFile, Condition, CriterionSpec, QuestionSpec};

/// Longest time limit a question may have: an hour.
pub const MAX_TIME_LIMIT_SECONDS: i64 = 3600;

/// Longest example or counter-example sentence, in characters: an example is
/// one sentence as a candidate would say it, not a paragraph.
pub const MAX_EXAMPLE_CHARS: usize = 300;

/// Whether `id` is lower-case kebab-case: `biggest-mistake`, `star`, `q2`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The keys of the rubric, or of the red flags, and what their items are
/// called in messages.
#[derive(Clone, Copy)]
struct ListKeys {
    uses: &'static str,
    own: &'static str,
    shared: &'static str,
    what: &'static str,
    /// Rubric elements need a `phase`; red flags must not have one.
    phased: bool,
}

const RUBRIC: ListKeys = ListKeys {
    uses: "use_rubric",
    own: "rubric",
    shared: "shared_rubric",
    what: "rubric element",
    phased: true,
};

const RED_FLAGS: ListKeys = ListKeys {
    uses: "use_red_flags",
    own: "red_flags",
    shared: "shared_red_flags",
    what: "red flag",
    phased: false,
};

/// A sentence as compared for repeats: lower case, straight apostrophes,
/// single spaces, no closing punctuation.
fn sentence_key(sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    words
        .join(" ")
        .to_lowercase()
        .replace(['\u{2019}', '\u{2018}'], "'")
        .trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '\'' || c == '…')
        .to_string()
}

/// Checked shared lists by name.
type SharedLists = HashMap<String, Vec<Criterion>>;

struct Checker<'a> {
    file: &'a str,
    loc: &'a Locator,
    found: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&self, path: &str) -> Pos {
        self.loc.best(path)
    }

    fn report(&mut self, path: &str, kind: ErrorKind, message: String) {
        let pos = self.at(path);
        self.found
            .push(Diagnostic::new(self.file, pos, kind, message));
    }

    fn location(&self, path: &str) -> Location {
        let pos = self.at(path);
        Location {
            file: self.file.to_string(),
            line: pos.line,
            column: pos.column,
        }
    }

    fn id(&mut self, path: &str, what: &str, id: &str) {
        if !is_valid_id(id) {
            self.report(
                path,
                ErrorKind::BadId,
                format!(
                    "{what} `{id}` is not a valid id: use lower-case letters, digits and single dashes, e.g. `biggest-mistake`"
                ),
            );
        }
    }

    fn text(&mut self, path: &str, what: &str, text: &str) {
        if text.trim().is_empty() {
            self.report(
                path,
                ErrorKind::EmptyText,
                format!("{what} is empty: write it out (see question-banks/README.md)"),
            );
        }
    }

    /// Reports `id` if already in `seen` (id -> path of its first use);
    /// returns whether it was new.
    fn unique(
        &mut self,
        seen: &mut HashMap<String, String>,
        path: &str,
        what: &str,
        id: &str,
    ) -> bool {
        if let Some(first) = seen.get(id) {
            let first_line = self.at(first).line;
            self.report(
                path,
                ErrorKind::DuplicateId,
                format!(
                    "{what} `{id}` is already used on line {first_line}: give each one its own id"
                ),
            );
            false
        } else {
            seen.insert(id.to_string(), path.to_string());
            true
        }
    }

    fn criterion(
        &mut self,
        path: &str,
        keys: &ListKeys,
        spec: &CriterionSpec,
    ) -> Option<Criterion> {
        let what = keys.what;
        let before = self.found.len();
        self.id(&format!("{path}.id"), what, &spec.id);
        self.text(
            &format!("{path}.name"),
            &format!("the name of {what} `{}`", spec.id),
            &spec.name,
        );
        self.text(
            &format!("{path}.advice"),
            &format!("the advice of {what} `{}`", spec.id),
            &spec.advice,
        );
        let matcher = if spec.cues.is_empty() && spec.patterns.is_empty() {
            self.report(
                &format!("{path}.id"),
                ErrorKind::Incomplete,
                format!(
                    "{what} `{}` has no cues: add `cues` (phrases) or `patterns` (regular expressions) so answers can be checked for it",
                    spec.id
                ),
            );
            None
        } else {
            match CueMatcher::new(&spec.cues, &spec.patterns) {
                Ok(matcher) => Some(matcher),
                Err(error) => {
                    let (cue_path, message) = cue_problem(path, error);
                    self.report(
                        &cue_path,
                        ErrorKind::BadCue,
                        format!("{what} `{}`: {message}", spec.id),
                    );
                    None
                }
            }
        };
        self.phase(path, keys, spec);
        let examples = self.examples(path, what, spec);
        let matcher = matcher?;
        let (examples, counter_examples) = examples?;
        (self.found.len() == before).then(|| Criterion {
            id: spec.id.clone(),
            name: spec.name.trim().to_string(),
            cues: spec.cues.clone(),
            patterns: spec.patterns.clone(),
            advice: spec.advice.trim().to_string(),
            examples,
            counter_examples,
            phase: spec.phase,
            matcher,
        })
    }

    /// A rubric element needs a phase; a red flag has none.
    fn phase(&mut self, path: &str, keys: &ListKeys, spec: &CriterionSpec) {
        match (keys.phased, spec.phase) {
            (true, None) => self.report(
                &format!("{path}.id"),
                ErrorKind::Incomplete,
                format!(
                    "rubric element `{}` has no `phase`: add `phase: setup` (context, the problem), `phase: resolution` (what was done about it, the result, the lesson) or `phase: other`",
                    spec.id
                ),
            ),
            (false, Some(phase)) => self.report(
                &format!("{path}.phase"),
                ErrorKind::BadValue,
                format!(
                    "red flag `{}` has `phase: {phase}`, but only rubric elements have a phase: remove it",
                    spec.id
                ),
            ),
            _ => {}
        }
    }

    /// Checks the examples and counter-examples; returns them trimmed when
    /// they are sound.
    fn examples(
        &mut self,
        path: &str,
        what: &str,
        spec: &CriterionSpec,
    ) -> Option<(Vec<String>, Vec<String>)> {
        let before = self.found.len();
        let id = &spec.id;
        if spec.examples.is_empty() {
            self.report(
                &format!("{path}.id"),
                ErrorKind::Incomplete,
                format!(
                    "{what} `{id}` has no `examples`: add several sentences that show it, phrased the way candidates say them, so answers can be judged by meaning"
                ),
            );
        }
        // sentence key -> (list, 1-based number) of its first use
        let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
        for (key, label, list) in [
            ("examples", "example", &spec.examples),
            (
                "counter_examples",
                "counter-example",
                &spec.counter_examples,
            ),
        ] {
            for (i, sentence) in list.iter().enumerate() {
                let at = format!("{path}.{key}[{i}]");
                let n = i + 1;
                let trimmed = sentence.trim();
                if trimmed.is_empty() {
                    self.report(
                        &at,
                        ErrorKind::BadExample,
                        format!(
                            "{what} `{id}`: {label} {n} is empty: write the sentence or remove it"
                        ),
                    );
                    continue;
                }
                let chars = trimmed.chars().count();
                if chars > MAX_EXAMPLE_CHARS {
                    self.report(
                        &at,
                        ErrorKind::BadExample,
                        format!(
                            "{what} `{id}`: {label} {n} is {chars} characters long (limit {MAX_EXAMPLE_CHARS}): an example is one sentence as a candidate says it; shorten it or split it in two"
                        ),
                    );
                }
                match seen.get(&sentence_key(trimmed)) {
                    Some(&(first_label, first_n)) if first_label == label => self.report(
                        &at,
                        ErrorKind::BadExample,
                        format!(
                            "{what} `{id}`: {label} {n} repeats {first_label} {first_n}: remove it or write another phrasing"
                        ),
                    ),
                    Some(&(first_label, first_n)) => self.report(
                        &at,
                        ErrorKind::BadExample,
                        format!(
                            "{what} `{id}`: {label} {n} is the same sentence as {first_label} {first_n}: a sentence cannot both count and not count, remove one of them"
                        ),
                    ),
                    None => {
                        seen.insert(sentence_key(trimmed), (label, n));
                    }
                }
            }
        }
        (self.found.len() == before).then(|| {
            let trim = |list: &[String]| list.iter().map(|s| s.trim().to_string()).collect();
            (trim(&spec.examples), trim(&spec.counter_examples))
        })
    }

    /// Checks a shared list (`shared_rubric.NAME`) or a question's own list.
    fn criteria(
        &mut self,
        path: &str,
        keys: &ListKeys,
        specs: &[CriterionSpec],
    ) -> Vec<(String, Criterion)> {
        let mut seen = HashMap::new();
        let mut out = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let item = format!("{path}[{i}]");
            let new = self.unique(&mut seen, &format!("{item}.id"), keys.what, &spec.id);
            if let Some(criterion) = self.criterion(&item, keys, spec).filter(|_| new) {
                out.push((format!("{item}.id"), criterion));
            }
        }
        out
    }

    fn shared(
        &mut self,
        keys: &ListKeys,
        sets: &BTreeMap<String, Vec<CriterionSpec>>,
    ) -> SharedLists {
        let (key, what) = (keys.shared, keys.what);
        let mut out = HashMap::new();
        for (name, specs) in sets {
            let path = format!("{key}.{name}");
            if !is_valid_id(name) {
                let pos = self.loc.key(&path).unwrap_or_else(|| self.at(key));
                self.found.push(Diagnostic::new(
                    self.file,
                    pos,
                    ErrorKind::BadId,
                    format!("shared list name `{name}` is not a valid id: use lower-case letters, digits and single dashes"),
                ));
            }
            if specs.is_empty() {
                self.report(
                    &path,
                    ErrorKind::Incomplete,
                    format!("shared list `{name}` is empty: add {what}s to it or remove it"),
                );
            }
            let checked = self.criteria(&path, keys, specs);
            out.insert(name.clone(), checked.into_iter().map(|(_, c)| c).collect());
        }
        out
    }

    /// A question's effective rubric or red flags: the shared lists it uses,
    /// then its own, with ids unique across all of them.
    fn effective(
        &mut self,
        q: &str,
        question_id: &str,
        keys: &ListKeys,
        uses: &[String],
        own: &[CriterionSpec],
        shared: &SharedLists,
    ) -> Vec<Criterion> {
        let ListKeys {
            uses: use_key,
            own: own_key,
            shared: shared_key,
            what,
            ..
        } = *keys;
        let mut shared_names: Vec<&String> = shared.keys().collect();
        shared_names.sort();
        // id -> path where it came in; id -> shared list it came from
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut from_list: HashMap<String, String> = HashMap::new();
        let mut used: Vec<&String> = Vec::new();
        let mut out = Vec::new();
        for (k, name) in uses.iter().enumerate() {
            let use_path = format!("{q}.{use_key}[{k}]");
            if used.contains(&name) {
                self.report(
                    &use_path,
                    ErrorKind::DuplicateId,
                    format!("shared list `{name}` is named twice in `{use_key}` of question `{question_id}`: remove one"),
                );
                continue;
            }
            used.push(name);
            let Some(list) = shared.get(name) else {
                let known = if shared_names.is_empty() {
                    format!("this bank has no `{shared_key}` lists")
                } else {
                    format!(
                        "known: {}",
                        shared_names
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                self.report(
                    &use_path,
                    ErrorKind::UnknownReference,
                    format!(
                        "question `{question_id}` uses `{name}`, but there is no such `{shared_key}` list ({known}): fix the name or define the list under `{shared_key}`"
                    ),
                );
                continue;
            };
            for criterion in list {
                if let Some(first) = from_list.get(&criterion.id) {
                    self.report(
                        &use_path,
                        ErrorKind::DuplicateId,
                        format!(
                            "{what} `{}` is in both shared lists `{first}` and `{name}` used by question `{question_id}`: rename it in one of them",
                            criterion.id
                        ),
                    );
                } else {
                    from_list.insert(criterion.id.clone(), name.clone());
                    seen.insert(criterion.id.clone(), use_path.clone());
                    out.push(criterion.clone());
                }
            }
        }
        let own_checked = self.criteria(&format!("{q}.{own_key}"), keys, own);
        for (id_path, criterion) in own_checked {
            if let Some(first) = seen.get(&criterion.id) {
                let first_line = self.at(first).line;
                self.report(
                    &id_path,
                    ErrorKind::DuplicateId,
                    format!(
                        "{what} `{}` of question `{question_id}` is already brought in by the shared list used on line {first_line}: rename it or drop the shared list",
                        criterion.id
                    ),
                );
            } else {
                seen.insert(criterion.id.clone(), id_path);
                out.push(criterion);
            }
        }
        out
    }

    fn window(&mut self, q: &str, spec: &QuestionSpec) -> Option<(Window, u32)> {
        let before = self.found.len();
        let (min, max, limit) = (
            spec.target_seconds.min,
            spec.target_seconds.max,
            spec.time_limit_seconds,
        );
        let id = &spec.id;
        if min < 1 {
            self.report(
                &format!("{q}.target_seconds.min"),
                ErrorKind::BadWindow,
                format!("question `{id}`: target_seconds.min is {min}: an answer needs at least 1 second, set min to 1 or more"),
            );
        }
        if max <= min {
            self.report(
                &format!("{q}.target_seconds.max"),
                ErrorKind::BadWindow,
                format!("question `{id}`: target_seconds.max ({max}) must be greater than min ({min}): widen the window"),
            );
        }
        if !(1..=MAX_TIME_LIMIT_SECONDS).contains(&limit) {
            self.report(
                &format!("{q}.time_limit_seconds"),
                ErrorKind::BadWindow,
                format!("question `{id}`: time_limit_seconds is {limit}: use 1 to {MAX_TIME_LIMIT_SECONDS} seconds"),
            );
        } else if max > limit {
            self.report(
                &format!("{q}.time_limit_seconds"),
                ErrorKind::BadWindow,
                format!("question `{id}`: time_limit_seconds ({limit}) is shorter than target_seconds.max ({max}): raise the limit or lower max"),
            );
        }
        (self.found.len() == before).then_some((
            Window {
                min: min as u32,
                max: max as u32,
            },
            limit as u32,
        ))
    }

    fn follow_ups(
        &mut self,
        q: &str,
        spec: &QuestionSpec,
        rubric: &[String],
        flags: &[String],
    ) -> Vec<FollowUp> {
        let mut out = Vec::new();
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        for (k, f) in spec.follow_ups.iter().enumerate() {
            let path = format!("{q}.follow_ups[{k}]");
            let before = self.found.len();
            let id = match &f.id {
                Some(id) => {
                    let what = format!("follow-up {} of question `{}`: id", k + 1, spec.id);
                    self.id(&format!("{path}.id"), &what, id);
                    if id.parse::<usize>().is_ok() {
                        self.report(
                            &format!("{path}.id"),
                            ErrorKind::BadId,
                            format!("{what} `{id}` is a number, which names a follow-up by its place: use a word such as `prevention`"),
                        );
                    }
                    id.clone()
                }
                None => format!("follow-up-{}", k + 1),
            };
            self.unique(
                &mut seen_ids,
                &format!("{path}.id"),
                &format!("follow-up id of question `{}`", spec.id),
                &id,
            );
            if let Some(g) = &f.guidance {
                self.text(
                    &format!("{path}.guidance"),
                    &format!("the guidance of follow-up `{id}` of question `{}`", spec.id),
                    g,
                );
            }
            self.text(
                &format!("{path}.text"),
                &format!("follow-up {} of question `{}`", k + 1, spec.id),
                &f.text,
            );
            let mut mentions = None;
            match &f.when {
                Condition::Always => {}
                Condition::Missing(id) if !rubric.contains(id) => self.report(
                    &format!("{path}.when.missing"),
                    ErrorKind::UnknownReference,
                    format!(
                        "follow-up {} of question `{}` waits for missing element `{id}`, but the rubric has no such element (known: {}): use one of those ids",
                        k + 1,
                        spec.id,
                        list_or_none(rubric)
                    ),
                ),
                Condition::RedFlag(id) if !flags.contains(id) => self.report(
                    &format!("{path}.when.red_flag"),
                    ErrorKind::UnknownReference,
                    format!(
                        "follow-up {} of question `{}` waits for red flag `{id}`, but the question has no such red flag (known: {}): use one of those ids",
                        k + 1,
                        spec.id,
                        list_or_none(flags)
                    ),
                ),
                Condition::Mentions(words) if words.is_empty() => self.report(
                    &format!("{path}.when.mentions"),
                    ErrorKind::EmptyText,
                    format!(
                        "follow-up {} of question `{}` has an empty `mentions` list: list the words that should trigger it",
                        k + 1,
                        spec.id
                    ),
                ),
                Condition::Mentions(words) => match CueMatcher::new(words, &[]) {
                    Ok(m) => mentions = Some(m),
                    Err(_) => {
                        let i = words.iter().position(|w| w.trim().is_empty()).unwrap_or(0);
                        self.report(
                            &format!("{path}.when.mentions[{i}]"),
                            ErrorKind::EmptyText,
                            format!(
                                "follow-up {} of question `{}` has an empty word in `mentions`: remove it",
                                k + 1,
                                spec.id
                            ),
                        );
                    }
                },
                Condition::Missing(_) | Condition::RedFlag(_) => {}
            }
            for (t, id) in f.targets.iter().enumerate() {
                if !rubric.contains(id) {
                    self.report(
                        &format!("{path}.targets[{t}]"),
                        ErrorKind::UnknownReference,
                        format!(
                            "follow-up {} of question `{}` targets element `{id}`, but the rubric has no such element (known: {}): use one of those ids",
                            k + 1,
                            spec.id,
                            list_or_none(rubric)
                        ),
                    );
                }
            }
            let target_seconds = match &f.target_seconds {
                Some(w) if w.min < 1 || w.min >= w.max || w.max > i64::from(u32::MAX) => {
                    self.report(
                        &format!("{path}.target_seconds"),
                        ErrorKind::BadValue,
                        format!(
                            "follow-up {} of question `{}` has target_seconds {{min: {}, max: {}}}: write a window with 0 < min < max",
                            k + 1,
                            spec.id,
                            w.min,
                            w.max
                        ),
                    );
                    FOLLOW_UP_SECONDS
                }
                Some(w) => Window {
                    min: w.min as u32,
                    max: w.max as u32,
                },
                None => FOLLOW_UP_SECONDS,
            };
            let targets = match (&f.when, f.targets.is_empty()) {
                (Condition::Missing(id), true) => vec![id.clone()],
                _ => f.targets.clone(),
            };
            if self.found.len() == before {
                out.push(FollowUp {
                    id,
                    text: f.text.trim().to_string(),
                    guidance: f.guidance.as_ref().map(|g| g.trim().to_string()),
                    when: f.when.clone(),
                    targets,
                    target_seconds,
                    mentions,
                });
            }
        }
        out
    }
}

fn list_or_none(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.join(", ")
    }
}

/// Where a cue error points, and what it says.
fn cue_problem(path: &str, error: CueError) -> (String, String) {
    match error {
        CueError::EmptyPhrase { index } => (
            format!("{path}.cues[{index}]"),
            format!("cue {} is empty: remove it or write the phrase", index + 1),
        ),
        CueError::EmptyPattern { index } => (
            format!("{path}.patterns[{index}]"),
            format!(
                "pattern {} is empty: remove it or write the expression",
                index + 1
            ),
        ),
        CueError::BadPattern { index, reason } => {
            // regex errors span lines (pattern, caret, reason): keep the reason.
            let reason = reason
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            (
                format!("{path}.patterns[{index}]"),
                format!(
                    "pattern {} is not a valid regular expression ({reason}): fix it (regex crate syntax) or write it as a plain phrase under `cues`",
                    index + 1
                ),
            )
        }
    }
}

/// Checks one parsed bank file and resolves it; `file` names it in messages.
pub fn check_bank(
    spec: &BankFile,
    file: &str,
    loc: &Locator,
    bundled: bool,
) -> Result<Bank, Vec<Diagnostic>> {
    let mut c = Checker {
        file,
        loc,
        found: Vec::new(),
    };
    c.id("id", "bank id", &spec.id);
    c.text("title", "the bank title", &spec.title);
    if let Some(description) = &spec.description {
        c.text("description", "the bank description", description);
    }
    if spec.questions.is_empty() {
        c.report(
            "questions",
            ErrorKind::Incomplete,
            format!(
                "bank `{}` has no questions: add at least one under `questions`",
                spec.id
            ),
        );
    }
    let shared_rubric = c.shared(&RUBRIC, &spec.shared_rubric);
    let shared_flags = c.shared(&RED_FLAGS, &spec.shared_red_flags);

    let mut question_ids = HashMap::new();
    let mut questions = Vec::new();
    for (i, qs) in spec.questions.iter().enumerate() {
        let q = format!("questions[{i}]");
        let before = c.found.len();
        c.id(&format!("{q}.id"), "question id", &qs.id);
        c.unique(&mut question_ids, &format!("{q}.id"), "question id", &qs.id);
        c.text(
            &format!("{q}.text"),
            &format!("the text of question `{}`", qs.id),
            &qs.text,
        );
        c.id(&format!("{q}.category"), "category", &qs.category);
        let mut tags = HashMap::new();
        for (t, tag) in qs.tags.iter().enumerate() {
            c.id(&format!("{q}.tags[{t}]"), "tag", tag);
            c.unique(&mut tags, &format!("{q}.tags[{t}]"), "tag", tag);
        }
        if let Some(guidance) = &qs.guidance {
            c.text(
                &format!("{q}.guidance"),
                &format!("the guidance of question `{}`", qs.id),
                guidance,
            );
        }
        let window = c.window(&q, qs);
        let rubric = c.effective(
            &q,
            &qs.id,
            &RUBRIC,
            &qs.use_rubric,
            &qs.rubric,
            &shared_rubric,
        );
        if qs.use_rubric.is_empty() && qs.rubric.is_empty() {
            c.report(
                &format!("{q}.id"),
                ErrorKind::Incomplete,
                format!(
                    "question `{}` has no rubric: add `rubric` elements (or `use_rubric`) so its answers can be checked",
                    qs.id
                ),
            );
        }
        let red_flags = c.effective(
            &q,
            &qs.id,
            &RED_FLAGS,
            &qs.use_red_flags,
            &qs.red_flags,
            &shared_flags,
        );
        let rubric_ids = known_ids(&qs.use_rubric, &qs.rubric, &spec.shared_rubric);
        let flag_ids = known_ids(&qs.use_red_flags, &qs.red_flags, &spec.shared_red_flags);
        let follow_ups = c.follow_ups(&q, qs, &rubric_ids, &flag_ids);
        if c.found.len() == before {
            if let Some((target_seconds, time_limit_seconds)) = window {
                questions.push(Question {
                    id: qs.id.clone(),
                    bank: spec.id.clone(),
                    text: qs.text.trim().to_string(),
                    category: qs.category.clone(),
                    tags: qs.tags.clone(),
                    difficulty: qs.difficulty,
                    stage: qs.stage,
                    guidance: qs.guidance.as_ref().map(|g| g.trim().to_string()),
                    target_seconds,
                    time_limit_seconds,
                    rubric,
                    red_flags,
                    follow_ups,
                    defined_at: c.location(&format!("{q}.id")),
                });
            }
        }
    }
    if !c.found.is_empty() {
        c.found.sort_by_key(|d| (d.line, d.column));
        return Err(c.found);
    }
    Ok(Bank {
        id: spec.id.clone(),
        title: spec.title.trim().to_string(),
        description: spec.description.as_ref().map(|d| d.trim().to_string()),
        bundled,
        replaces_bundled: false,
        questions,
        defined_at: c.location("id"),
    })
}

/// Ids a follow-up may refer to: those of the shared lists used and the
/// question's own, whether or not they passed their own checks.
fn known_ids(
    uses: &[String],
    own: &[CriterionSpec],
    shared: &BTreeMap<String, Vec<CriterionSpec>>,
) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let shared_ids = uses
        .iter()
        .filter_map(|u| shared.get(u))
        .flatten()
        .map(|c| &c.id);
    for id in shared_ids.chain(own.iter().map(|c| &c.id)) {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

/// Merges bundled and user banks into one catalog.
///
/// A user bank whose id equals a bundled bank's *replaces* that bundled bank
/// (the documented way to change bundled questions: copy the file and edit
/// it). Any other repeated id is an error: two user banks with the same id,
/// a question id in two banks, or a question id equal to a bank id.
pub fn merge(bundled: Vec<Bank>, user: Vec<Bank>) -> Result<Catalog, Vec<Diagnostic>> {
    let mut found = Vec::new();
    let mut banks = bundled;
    let mut user_ids: HashMap<String, Location> = HashMap::new();
    for mut bank in user {
        if let Some(first) = user_ids.get(&bank.id) {
            found.push(located(
                &bank.defined_at,
                ErrorKind::DuplicateId,
                format!(
                    "bank id `{}` is already used by {first}: give each bank its own id",
                    bank.id
                ),
            ));
            continue;
        }
        user_ids.insert(bank.id.clone(), bank.defined_at.clone());
        match banks.iter_mut().find(|b| b.id == bank.id) {
            Some(slot) => {
                bank.replaces_bundled = slot.bundled;
                *slot = bank;
            }
            None => banks.push(bank),
        }
    }
    let mut index: HashMap<String, (usize, usize)> = HashMap::new();
    for (b, bank) in banks.iter().enumerate() {
        for (q, question) in bank.questions.iter().enumerate() {
            if let Some(&(fb, fq)) = index.get(&question.id) {
                let first = &banks[fb].questions[fq];
                found.push(located(
                    &question.defined_at,
                    ErrorKind::DuplicateId,
                    format!(
                        "question id `{}` is already used in bank `{}` ({}): give your question another id{}",
                        question.id,
                        first.bank,
                        first.defined_at,
                        if banks[fb].bundled {
                            " (to change a bundled question, copy its whole bank file and keep the bank id: your copy then replaces it)"
                        } else {
                            ""
                        }
                    ),
                ));
            } else {
                index.insert(question.id.clone(), (b, q));
            }
        }
    }
    for bank in &banks {
        if let Some(&(b, q)) = index.get(&bank.id) {
            let question = &banks[b].questions[q];
            found.push(located(
                &question.defined_at,
                ErrorKind::DuplicateId,
                format!(
                    "question id `{}` is also the id of bank `{}` ({}): rename one, so `rehearse banks show {}` is unambiguous",
                    question.id, bank.id, bank.defined_at, question.id
                ),
            ));
        }
    }
    if found.is_empty() {
        Ok(Catalog { banks, index })
    } else {
        Err(found)
    }
}

fn located(at: &Location, kind: ErrorKind, message: String) -> Diagnostic {
    Diagnostic {
        file: at.file.clone(),
        line: at.line,
        column: at.column,
        kind,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case() {
        for ok in ["a", "biggest-mistake", "q2", "star-2-b"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "Big", "a_b", "a b", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
