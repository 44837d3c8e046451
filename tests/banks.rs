//! Question banks through the library API and the `rehearse banks` command:
//! bundled banks, malformed fixtures, merging user banks, drawing, and a
//! fuzz-style robustness test.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rehearse::bank::{
    self, load, Catalog, Diagnostic, DrawError, DrawRequest, Drawer, ErrorKind, Filter, Phase,
    Stage,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/banks")
}

fn catalog() -> Catalog {
    bank::bundled().unwrap_or_else(|e| panic!("bundled banks must load: {e}"))
}

fn ids<'a>(questions: impl IntoIterator<Item = &'a bank::Question>) -> Vec<String> {
    questions.into_iter().map(|q| q.id.clone()).collect()
}

// ---------------------------------------------------------------- bundled

#[test]
fn every_bundled_bank_validates_on_its_own_and_together() {
    for b in load::BUNDLED {
        let parsed = bank::parse_bank(b.source, b.file);
        assert!(parsed.is_ok(), "{}: {:?}", b.file, parsed.err());
    }
    let files: Vec<PathBuf> = load::BUNDLED
        .iter()
        .map(|b| Path::new(env!("CARGO_MANIFEST_DIR")).join(b.file))
        .collect();
    let validation = bank::validate_paths(&files);
    assert!(validation.is_ok(), "{:#?}", validation.diagnostics);
    assert_eq!(validation.banks.len(), load::BUNDLED.len());
}

#[test]
fn bundled_files_on_disk_are_the_embedded_ones() {
    for b in load::BUNDLED {
        let on_disk =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(b.file)).unwrap();
        assert_eq!(on_disk, b.source, "{}", b.file);
    }
}

#[test]
fn bundled_catalog_covers_the_required_categories() {
    let catalog = catalog();
    assert!(catalog.len() >= 26, "only {} questions", catalog.len());
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for q in catalog.questions() {
        *per_category.entry(q.category.as_str()).or_default() += 1;
    }
    for category in [
        "behavioral",
        "strengths-weaknesses",
        "motivation-fit",
        "closing",
    ] {
        assert!(
            per_category.get(category).copied().unwrap_or(0) >= 3,
            "category {category}: {per_category:?}"
        );
    }
    // Behavioral questions other than biggest-mistake use the STAR rubric.
    for q in catalog
        .questions()
        .filter(|q| q.category == "behavioral" && q.id != "biggest-mistake")
    {
        for element in ["situation", "task", "action", "result"] {
            assert!(q.element(element).is_some(), "{} lacks {element}", q.id);
        }
    }
    // Every question can be asked and judged.
    for q in catalog.questions() {
        assert!(!q.rubric.is_empty(), "{}", q.id);
        assert!(q.target_seconds.min < q.target_seconds.max, "{}", q.id);
        assert!(q.target_seconds.max <= q.time_limit_seconds, "{}", q.id);
    }
}

/// Every bundled follow-up has its own id (not the `follow-up-N`
/// fallback), and a user can name it by that id or by its number.
#[test]
fn bundled_follow_ups_have_stable_ids() {
    let catalog = catalog();
    let mut count = 0;
    for q in catalog.questions() {
        for (i, f) in q.follow_ups.iter().enumerate() {
            count += 1;
            assert!(
                !f.id.starts_with("follow-up-"),
                "{}: follow-up {} has no id of its own",
                q.id,
                i + 1
            );
            assert_eq!(q.follow_up(&f.id).map(|g| &g.text), Some(&f.text));
            assert_eq!(
                q.follow_up(&(i + 1).to_string()).map(|g| &g.id),
                Some(&f.id)
            );
        }
        assert!(q.follow_up("0").is_none() && q.follow_up("no-such-follow-up").is_none());
    }
    assert!(count >= 60, "{count} follow-ups");
    let mistake = catalog.question("biggest-mistake").unwrap();
    let prevention = mistake.follow_up("prevention").unwrap();
    assert_eq!(prevention.targets, ["prevention"]);
    assert!(prevention.guidance.is_some());
}

#[test]
fn biggest_mistake_follows_the_article() {
    let catalog = catalog();
    let q = catalog
        .question("biggest-mistake")
        .expect("biggest-mistake");
    assert_eq!(q.text, "Tell me about your biggest mistake.");
    let rubric: Vec<&str> = q.rubric.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        rubric,
        [
            "identify",
            "ownership",
            "causes",
            "impact",
            "fix",
            "lesson",
            "prevention",
            "pivot"
        ]
    );
    for flag in [
        "blame",
        "excuses",
        "minimising",
        "perfect-record",
        "cliche",
        "deflecting",
    ] {
        assert!(q.red_flag(flag).is_some(), "missing red flag {flag}");
    }
    let follow_ups: Vec<&str> = q.follow_ups.iter().map(|f| f.text.as_str()).collect();
    for predicted in [
        "What did you do to prevent this from happening again?",
        "What did you learn from it?",
        "How did you communicate it, and to whom?",
        "What would you do differently?",
    ] {
        assert!(follow_ups.contains(&predicted), "{predicted}");
    }
    // Advice describes the answer ("no ...: say ..."), not the person.
    for c in q.rubric.iter() {
        assert!(c.advice.starts_with("no "), "{}: {}", c.id, c.advice);
        assert!(c.advice.contains(": "), "{}: {}", c.id, c.advice);
    }
    for c in q.rubric.iter().chain(q.red_flags.iter()) {
        for judgement in [
            "you are a ",
            "you're a ",
            "you seem",
            "you sound",
            "dishonest",
        ] {
            assert!(!c.advice.to_lowercase().contains(judgement), "{}", c.advice);
        }
    }
}

const GOOD_MISTAKE_ANSWER: &str = "My biggest mistake was at my last job, when I missed the deadline \
for a client report. That was on me: I took on too much and didn't ask for help, because I assumed \
I could finish it over the weekend. As a result the client was upset and the team had to push back \
their own work by two days. To fix it I told my manager straight away, I apologised to the client \
and I stayed late to finish the report the next day. I learned that asking for help early is part \
of doing the job well. Since then I keep a checklist of every deadline and flag risks in our weekly \
meeting, and it hasn't happened again. That experience made me better at planning, which is why my \
team now relies on me to run our project schedule.";

const BAD_MISTAKE_ANSWER: &str = "Honestly, I don't really make mistakes. There was one time a \
report went out late, but it wasn't my fault: my manager didn't send me the data and the deadline \
was unrealistic. It wasn't a big deal anyway, nobody noticed.";

#[test]
fn biggest_mistake_cues_recognise_a_good_and_a_bad_answer() {
    let catalog = catalog();
    let q = catalog.question("biggest-mistake").unwrap();
    let missing: Vec<&str> = q
        .rubric
        .iter()
        .filter(|c| !c.matcher().is_match(GOOD_MISTAKE_ANSWER))
        .map(|c| c.id.as_str())
        .collect();
    assert!(missing.is_empty(), "good answer misses {missing:?}");
    let fired: Vec<&str> = q
        .red_flags
        .iter()
        .filter(|c| c.matcher().is_match(GOOD_MISTAKE_ANSWER))
        .map(|c| c.id.as_str())
        .collect();
    assert!(fired.is_empty(), "good answer fires {fired:?}");

    let missing: Vec<&str> = q
        .rubric
        .iter()
        .filter(|c| !c.matcher().is_match(BAD_MISTAKE_ANSWER))
        .map(|c| c.id.as_str())
        .collect();
    for element in ["ownership", "fix", "lesson", "prevention", "pivot"] {
        assert!(
            missing.contains(&element),
            "{element} found in the bad answer"
        );
    }
    let fired: Vec<&str> = q
        .red_flags
        .iter()
        .filter(|c| c.matcher().is_match(BAD_MISTAKE_ANSWER))
        .map(|c| c.id.as_str())
        .collect();
    for flag in ["perfect-record", "blame", "excuses", "minimising"] {
        assert!(fired.contains(&flag), "{flag} did not fire: {fired:?}");
    }
    let asked: Vec<&str> = q
        .follow_ups_for(&missing, &fired, BAD_MISTAKE_ANSWER)
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(
        asked.first(),
        Some(&"What did you do to prevent this from happening again?")
    );
    assert!(asked.contains(&"You mentioned other people. What part of it was yours?"));
    assert_eq!(
        q.follow_ups_for(&[], &[], GOOD_MISTAKE_ANSWER)
            .iter()
            .map(|f| f.text.as_str())
            .collect::<Vec<_>>(),
        ["What would you do differently?"]
    );
}

#[test]
fn readme_example_is_a_valid_bank() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("question-banks/README.md"),
    )
    .unwrap();
    let start = readme.find("## Complete example").expect("example section");
    let block = &readme[start..];
    let body_start = block.find("```yaml\n").expect("yaml block") + "```yaml\n".len();
    let body = &block[body_start..];
    let body = &body[..body.find("```").expect("closing fence")];
    let b = bank::parse_bank(body, "README.md").unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(b.questions.len(), 2);
    let q = &b.questions[0];
    assert_eq!(
        q.rubric.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["situation", "result", "lesson"]
    );
    assert_eq!(
        q.red_flags
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["blame", "minimising"]
    );
    assert!(q.follow_ups[2].applies(&[], &[], "Our USERS were annoyed"));
    assert!(!q.follow_ups[2].applies(&[], &[], "nobody complained"));
}

// ---------------------------------------------------------------- malformed fixtures

/// The line marked `# expect: KIND` in a fixture, and the kind.
fn expectation(source: &str) -> (usize, String) {
    let (i, line) = source
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("# expect: "))
        .expect("fixture has an `# expect:` marker");
    let kind = line.split("# expect: ").nth(1).unwrap().trim().to_string();
    (i + 1, kind)
}

fn only_problem(file: &str) -> (Diagnostic, usize, String) {
    let path = fixtures().join("invalid").join(file);
    let source = std::fs::read_to_string(&path).unwrap();
    let (line, kind) = expectation(&source);
    let diagnostics = bank::read_bank(&path).expect_err(file);
    assert_eq!(diagnostics.len(), 1, "{file}: {diagnostics:#?}");
    (diagnostics[0].clone(), line, kind)
}

#[test]
fn each_malformed_fixture_gives_its_own_error_at_the_marked_line() {
    // (fixture, words the message must contain)
    let cases: &[(&str, &[&str])] = &[
        (
            "unknown-key.yaml",
            &[
                "unknown field `dificulty`",
                "expected one of",
                "fix its spelling",
            ],
        ),
        (
            "unknown-key-in-element.yaml",
            &["rubric[0]", "unknown field `cue`", "`cues`"],
        ),
        ("missing-key.yaml", &["missing field `text`", "add it"]),
        (
            "duplicate-key.yaml",
            &[
                "key `difficulty` is written twice",
                "first on line 7",
                "keep one",
            ],
        ),
        (
            "bad-difficulty.yaml",
            &["unknown variant `extreme`", "`easy`, `medium`, `hard`"],
        ),
        (
            "bad-condition.yaml",
            &["unknown condition `sometimes`", "{missing: ELEMENT}"],
        ),
        (
            "syntax-error.yaml",
            &["did not find expected ',' or ']'", "fix the YAML syntax"],
        ),
        (
            "two-documents.yaml",
            &["second YAML document", "one bank per file"],
        ),
        (
            "duplicate-question-id.yaml",
            &[
                "question id `same-id` is already used on line 4",
                "its own id",
            ],
        ),
        (
            "duplicate-element-id.yaml",
            &["rubric element `result` is already used on line 11"],
        ),
        (
            "bad-id.yaml",
            &[
                "question id `Helped_A_Colleague` is not a valid id",
                "lower-case",
            ],
        ),
        (
            "unknown-element.yaml",
            &[
                "missing element `outcome`",
                "no such element (known: result)",
            ],
        ),
        (
            "unknown-red-flag.yaml",
            &["red flag `blaming`", "no such red flag (known: blame)"],
        ),
        (
            "unknown-shared-list.yaml",
            &["uses `stars`", "no such `shared_rubric` list (known: star)"],
        ),
        (
            "empty-text.yaml",
            &[
                "the text of question `only-question` is empty",
                "write it out",
            ],
        ),
        (
            "empty-advice.yaml",
            &["the advice of rubric element `result` is empty"],
        ),
        (
            "window-min-above-max.yaml",
            &["target_seconds.max (60) must be greater than min (120)"],
        ),
        (
            "window-over-time-limit.yaml",
            &["time_limit_seconds (180) is shorter than target_seconds.max (200)"],
        ),
        (
            "window-negative-min.yaml",
            &["target_seconds.min is -5", "at least 1 second"],
        ),
        (
            "duplicate-follow-up-id.yaml",
            &[
                "follow-up id of question `only-question`",
                "`outcome` is already used on line",
            ],
        ),
        (
            "numeric-follow-up-id.yaml",
            &["`2` is a number", "use a word such as `prevention`"],
        ),
        (
            "bad-pattern.yaml",
            &[
                "red flag `blame`: pattern 2 is not a valid regular expression",
                "unclosed group",
            ],
        ),
        (
            "no-cues.yaml",
            &["red flag `blame` has no cues", "`patterns`"],
        ),
        ("no-rubric.yaml", &["question `no-rubric` has no rubric"]),
        (
            "no-phase.yaml",
            &[
                "rubric element `result` has no `phase`",
                "`phase: setup`",
                "`phase: other`",
            ],
        ),
        (
            "bad-phase.yaml",
            &["unknown variant `middle`", "`setup`, `resolution`, `other`"],
        ),
        (
            "phase-on-red-flag.yaml",
            &[
                "red flag `blame` has `phase: setup`",
                "only rubric elements have a phase",
            ],
        ),
        (
            "empty-example.yaml",
            &["rubric element `result`: example 2 is empty"],
        ),
        (
            "duplicate-example.yaml",
            &["rubric element `result`: example 3 repeats example 1"],
        ),
        (
            "example-is-counter-example.yaml",
            &[
                "counter-example 1 is the same sentence as example 2",
                "cannot both count and not count",
            ],
        ),
        (
            "no-examples.yaml",
            &["rubric element `result` has no `examples`", "by meaning"],
        ),
        (
            "long-example.yaml",
            &[
                "example 2 is",
                "characters long (limit 300)",
                "one sentence",
            ],
        ),
        ("no-questions.yaml", &["bank `fixture` has no questions"]),
        (
            "empty-file.yaml",
            &["holds no bank", "`id`, `title` and `questions`"],
        ),
    ];
    let on_disk: HashSet<String> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let covered: HashSet<String> = cases.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        on_disk, covered,
        "every invalid fixture has a case, and only those"
    );
    for (file, words) in cases {
        let (d, line, kind) = only_problem(file);
        assert_eq!(format!("{:?}", d.kind), kind, "{file}: {d}");
        assert_eq!(d.line, line, "{file}: {d}");
        assert!(d.column >= 1, "{file}: {d}");
        for word in *words {
            assert!(
                d.message.contains(word),
                "{file}: {:?} lacks {word:?}",
                d.message
            );
        }
        let printed = d.to_string();
        let prefix = format!(
            "{}:{}:{}: ",
            fixtures().join("invalid").join(file).display(),
            d.line,
            d.column
        );
        assert!(printed.starts_with(&prefix), "{printed}");
    }
}

#[test]
fn columns_point_at_the_offending_token() {
    let (d, _, _) = only_problem("unknown-element.yaml");
    let source = std::fs::read_to_string(fixtures().join("invalid/unknown-element.yaml")).unwrap();
    let line = source.lines().nth(d.line - 1).unwrap();
    assert!(
        line[d.column - 1..].starts_with("outcome"),
        "{line:?} col {}",
        d.column
    );
    let (d, _, _) = only_problem("unknown-key.yaml");
    let source = std::fs::read_to_string(fixtures().join("invalid/unknown-key.yaml")).unwrap();
    let line = source.lines().nth(d.line - 1).unwrap();
    assert!(
        line[d.column - 1..].starts_with("dificulty"),
        "{line:?} col {}",
        d.column
    );
}

#[test]
fn all_problems_of_a_file_are_reported_in_line_order() {
    let source = "\
id: Bad Bank
title: ''
questions:
  - id: a
    text: ''
    category: behavioral
    difficulty: easy
    target_seconds: {min: 0, max: 0}
    time_limit_seconds: 5000
    rubric:
      - id: x
        name: X
        phase: other
        cues: ['x']
        advice: 'no x: add x.'
        examples: ['An x.']
    follow_ups:
      - text: Why?
        when: {missing: y}
";
    let d = bank::parse_bank(source, "multi.yaml").unwrap_err();
    let kinds: Vec<(usize, ErrorKind)> = d.iter().map(|d| (d.line, d.kind)).collect();
    assert_eq!(
        kinds,
        [
            (1, ErrorKind::BadId),
            (2, ErrorKind::EmptyText),
            (5, ErrorKind::EmptyText),
            (8, ErrorKind::BadWindow),
            (8, ErrorKind::BadWindow),
            (9, ErrorKind::BadWindow),
            (19, ErrorKind::UnknownReference),
        ]
    );
}

#[test]
fn shared_lists_are_checked_and_merged_into_questions() {
    let source = "\
id: shared
title: Shared lists
shared_rubric:
  Star:
    - id: result
      name: Result
      phase: resolution
      cues: ['in the end']
      advice: 'no result: say how it ended.'
      examples: ['In the end it worked.']
  extra:
    - id: result
      name: Result again
      phase: resolution
      cues: ['finally']
      advice: 'no result: say how it ended.'
      examples: ['Finally it shipped.']
questions:
  - id: q
    text: Why?
    category: behavioral
    difficulty: easy
    target_seconds: {min: 10, max: 20}
    time_limit_seconds: 30
    use_rubric: [Star, extra, Star]
    rubric:
      - id: result
        name: Own result
        phase: resolution
        cues: ['as a result']
        advice: 'no result: say how it ended.'
        examples: ['As a result sales rose.']
";
    let d = bank::parse_bank(source, "shared.yaml").unwrap_err();
    let found: Vec<(usize, ErrorKind, bool)> = d
        .iter()
        .map(|d| {
            (
                d.line,
                d.kind,
                d.message.contains("result") || d.message.contains("Star"),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (4, ErrorKind::BadId, true),
            (25, ErrorKind::DuplicateId, true),
            (25, ErrorKind::DuplicateId, true),
            (27, ErrorKind::DuplicateId, true),
        ],
        "{d:#?}"
    );
    assert!(
        d[1].message
            .contains("`result` is in both shared lists `Star` and `extra`"),
        "{}",
        d[1]
    );
    assert!(
        d[2].message
            .contains("shared list `Star` is named twice in `use_rubric`"),
        "{}",
        d[2]
    );
    assert!(
        d[3].message
            .contains("already brought in by the shared list used on line 25"),
        "{}",
        d[3]
    );

    let fixed = source
        .replace("Star", "star")
        .replace(", star]", "]")
        .replace(
            "- id: result\n      name: Result again",
            "- id: ending\n      name: Ending",
        )
        .replace(
            "  - id: result\n        name: Own result",
            "  - id: outcome\n        name: Own result",
        );
    let b = bank::parse_bank(&fixed, "shared.yaml").unwrap_or_else(|d| panic!("{d:#?}"));
    let rubric: Vec<&str> = b.questions[0]
        .rubric
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(rubric, ["result", "ending", "outcome"]);
}

// ---------------------------------------------------------------- user banks

#[test]
fn user_banks_merge_with_the_bundled_ones() {
    let bundled = catalog();
    let merged = bank::load_catalog(Some(&fixtures().join("valid"))).unwrap();
    assert_eq!(merged.len(), bundled.len() + 2);
    let mine = merged.bank("my-practice").unwrap();
    assert!(!mine.bundled);
    assert_eq!(ids(&mine.questions), ["launch-went-wrong", "why-product"]);
    assert!(merged.question("biggest-mistake").is_some());
    assert_eq!(merged.question("why-product").unwrap().bank, "my-practice");
}

#[test]
fn a_user_bank_with_a_bundled_id_replaces_it() {
    let merged = bank::load_catalog(Some(&fixtures().join("replace"))).unwrap();
    let closing = merged.bank("closing").unwrap();
    assert!(closing.replaces_bundled && !closing.bundled);
    assert_eq!(ids(&closing.questions), ["my-closing-question"]);
    assert!(merged.question("questions-for-us").is_none());
    assert_eq!(merged.banks().len(), catalog().banks().len());
}

#[test]
fn a_user_question_reusing_a_bundled_id_is_an_error() {
    let error = bank::load_catalog(Some(&fixtures().join("clash"))).unwrap_err();
    assert_eq!(error.diagnostics.len(), 1, "{error}");
    let d = &error.diagnostics[0];
    let source = std::fs::read_to_string(fixtures().join("clash/mine.yaml")).unwrap();
    assert_eq!(
        (d.kind, d.line),
        (ErrorKind::DuplicateId, expectation(&source).0)
    );
    assert!(
        d.message
            .contains("`biggest-mistake` is already used in bank `behavioral`"),
        "{d}"
    );
    assert!(d.message.contains("question-banks/behavioral.yaml:"), "{d}");
    let validation = bank::validate_paths(&[fixtures().join("clash")]);
    assert_eq!(validation.diagnostics, error.diagnostics);
}

#[test]
fn a_missing_user_directory_is_an_error_and_an_empty_one_is_not() {
    let error = bank::load_catalog(Some(Path::new("/nonexistent/banks"))).unwrap_err();
    assert_eq!(error.diagnostics[0].kind, ErrorKind::Io);
    assert!(error.to_string().contains("--bank-dir"), "{error}");
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        bank::load_catalog(Some(empty.path())).unwrap().len(),
        catalog().len()
    );
    let validation = bank::validate_paths(&[empty.path().to_path_buf()]);
    assert!(validation.diagnostics[0]
        .message
        .contains("no .yaml or .yml files"));
}

// ---------------------------------------------------------------- drawing

fn request(count: usize, seed: u64) -> DrawRequest<'static> {
    DrawRequest {
        count,
        seed: Some(seed),
        ..DrawRequest::default()
    }
}

#[test]
fn same_seed_gives_the_same_draw_and_seeds_differ() {
    let catalog = catalog();
    let mut distinct = HashSet::new();
    for seed in 0..20 {
        let a = ids(bank::draw(&catalog, &request(6, seed)).unwrap().questions);
        let b = ids(bank::draw(&catalog, &request(6, seed)).unwrap().questions);
        assert_eq!(a, b, "seed {seed}");
        distinct.insert(a);
    }
    assert!(
        distinct.len() >= 15,
        "only {} distinct draws",
        distinct.len()
    );
}

#[test]
fn a_random_seed_is_reported_and_replays() {
    let catalog = catalog();
    let first = bank::draw(
        &catalog,
        &DrawRequest {
            count: 5,
            ..DrawRequest::default()
        },
    )
    .unwrap();
    let again = bank::draw(&catalog, &request(5, first.seed)).unwrap();
    assert_eq!(ids(first.questions), ids(again.questions));
}

#[test]
fn draws_never_repeat_a_question() {
    let catalog = catalog();
    for seed in 0..50 {
        let all = ids(bank::draw(&catalog, &request(catalog.len(), seed))
            .unwrap()
            .questions);
        let unique: HashSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), catalog.len(), "seed {seed}");
    }
    let mut drawer = Drawer::new(&catalog, &Filter::default(), 3, None).unwrap();
    assert!(drawer.mark_asked("biggest-mistake"));
    let mut seen = HashSet::new();
    while let Some(q) = drawer.next_question() {
        assert!(seen.insert(q.id.clone()), "{} drawn twice", q.id);
    }
    assert_eq!(seen.len(), catalog.len() - 1);
    assert!(!seen.contains("biggest-mistake"));
    assert_eq!(drawer.remaining(), 0);
}

#[test]
fn filters_restrict_the_draw_and_say_how_many_match() {
    let catalog = catalog();
    let filter = Filter {
        banks: vec!["behavioral".into(), "closing".into()],
        categories: vec![],
        tags: vec!["conflict".into(), "salary".into()],
    };
    let matching: Vec<String> = ids(catalog.questions().filter(|q| filter.matches(q)));
    assert!(matching.len() >= 4, "{matching:?}");
    for seed in 0..20 {
        let drawn = bank::draw(
            &catalog,
            &DrawRequest {
                filter: filter.clone(),
                ..request(matching.len(), seed)
            },
        )
        .unwrap();
        let mut drawn = ids(drawn.questions);
        drawn.sort();
        let mut expected = matching.clone();
        expected.sort();
        assert_eq!(drawn, expected);
    }
    let by_category = DrawRequest {
        filter: Filter {
            categories: vec!["closing".into()],
            ..Filter::default()
        },
        ..request(2, 1)
    };
    for q in bank::draw(&catalog, &by_category).unwrap().questions {
        assert_eq!(q.category, "closing");
    }
    let too_many = DrawRequest {
        filter: filter.clone(),
        ..request(matching.len() + 1, 1)
    };
    let error = bank::draw(&catalog, &too_many).unwrap_err();
    assert_eq!(
        error,
        DrawError::TooFew {
            wanted: matching.len() + 1,
            available: matching.len(),
            filter: "bank behavioral or closing, tag conflict or salary".into()
        }
    );
    assert!(error
        .to_string()
        .contains(&format!("only {} match", matching.len())));
    let typo = DrawRequest {
        filter: Filter {
            tags: vec!["conflicts".into()],
            ..Filter::default()
        },
        ..request(1, 1)
    };
    match bank::draw(&catalog, &typo).unwrap_err() {
        DrawError::UnknownFilter { what, value, known } => {
            assert_eq!((what, value.as_str()), ("tag", "conflicts"));
            assert!(known.contains(&"conflict".to_string()));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn included_questions_are_always_drawn_even_outside_the_filter() {
    let catalog = catalog();
    for seed in 0..30 {
        let req = DrawRequest {
            include: vec!["biggest-mistake".into(), "biggest-mistake".into()],
            filter: Filter {
                banks: vec!["closing".into()],
                ..Filter::default()
            },
            ..request(3, seed)
        };
        let drawn = ids(bank::draw(&catalog, &req).unwrap().questions);
        assert_eq!(drawn.len(), 3);
        assert!(drawn.contains(&"biggest-mistake".to_string()), "{drawn:?}");
        assert_eq!(
            drawn.iter().filter(|id| *id == "biggest-mistake").count(),
            1
        );
    }
    let req = DrawRequest {
        include: vec!["biggest-mistake".into(), "why-leaving".into()],
        ..request(1, 1)
    };
    assert_eq!(
        bank::draw(&catalog, &req).unwrap_err(),
        DrawError::TooManyIncluded {
            included: 2,
            wanted: 1
        }
    );
    let req = DrawRequest {
        include: vec!["biggest-mistakes".into()],
        ..request(3, 1)
    };
    assert_eq!(
        bank::draw(&catalog, &req).unwrap_err(),
        DrawError::UnknownQuestion("biggest-mistakes".into())
    );
}

#[test]
fn excluded_questions_are_never_drawn() {
    let catalog = catalog();
    let exclude: Vec<String> = ids(catalog.questions().take(10));
    for seed in 0..20 {
        let req = DrawRequest {
            exclude: exclude.clone(),
            ..request(catalog.len() - 10, seed)
        };
        let drawn = ids(bank::draw(&catalog, &req).unwrap().questions);
        assert!(drawn.iter().all(|id| !exclude.contains(id)), "seed {seed}");
    }
}

#[test]
fn draws_open_with_opening_questions_and_end_with_closing_ones() {
    let catalog = catalog();
    for seed in 0..30 {
        let drawn = bank::draw(&catalog, &request(catalog.len(), seed)).unwrap();
        let stages: Vec<Stage> = drawn.questions.iter().map(|q| q.stage).collect();
        let mut sorted = stages.clone();
        sorted.sort();
        assert_eq!(stages, sorted, "seed {seed}");
        assert_eq!(drawn.questions[0].stage, Stage::Opening);
        assert_eq!(drawn.questions.last().unwrap().stage, Stage::Closing);
    }
}

#[test]
fn low_past_scores_are_drawn_more_often() {
    let catalog = catalog();
    let mut history: HashMap<String, f64> = HashMap::new();
    history.insert("conflict-with-coworker".into(), 0.0);
    history.insert("tight-deadline".into(), 1.0);
    let filter = Filter {
        banks: vec!["behavioral".into()],
        ..Filter::default()
    };
    let runs = 600;
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut plain: HashMap<String, usize> = HashMap::new();
    for seed in 0..runs {
        for (with_history, tally) in [(true, &mut counts), (false, &mut plain)] {
            let req = DrawRequest {
                filter: filter.clone(),
                history: with_history.then_some(&history as &dyn bank::ScoreHistory),
                ..request(3, seed)
            };
            for q in bank::draw(&catalog, &req).unwrap().questions {
                *tally.entry(q.id.clone()).or_default() += 1;
            }
        }
    }
    let worst = counts.get("conflict-with-coworker").copied().unwrap_or(0);
    let best = counts.get("tight-deadline").copied().unwrap_or(0);
    let unscored: Vec<usize> = catalog
        .bank("behavioral")
        .unwrap()
        .questions
        .iter()
        .filter(|q| !history.contains_key(&q.id))
        .map(|q| counts.get(&q.id).copied().unwrap_or(0))
        .collect();
    let mean_unscored = unscored.iter().sum::<usize>() as f64 / unscored.len() as f64;
    assert!(
        worst as f64 > 2.0 * mean_unscored,
        "worst {worst}, unscored mean {mean_unscored}"
    );
    assert!(
        mean_unscored > 2.0 * best as f64,
        "unscored mean {mean_unscored}, best {best}"
    );
    // Without history the same two questions come up about equally often.
    let a = plain.get("conflict-with-coworker").copied().unwrap_or(0) as f64;
    let b = plain.get("tight-deadline").copied().unwrap_or(0) as f64;
    assert!((a - b).abs() < 0.5 * a.max(b), "no history: {a} vs {b}");
}

// ---------------------------------------------------------------- robustness

/// YAML-ish fragments to build garbage from.
const TOKENS: &[&str] = &[
    "id",
    "title",
    "questions",
    "text",
    "rubric",
    "red_flags",
    "follow_ups",
    "when",
    "missing",
    "red_flag",
    "mentions",
    "always",
    "cues",
    "patterns",
    "advice",
    "target_seconds",
    "min",
    "max",
    "time_limit_seconds",
    "difficulty",
    "hard",
    "shared_rubric",
    "use_rubric",
    ":",
    ": ",
    "- ",
    "\n",
    "\n  ",
    "\n    ",
    "  ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "#",
    "&a ",
    "*a",
    "!tag ",
    "? ",
    "---\n",
    "...\n",
    "|\n",
    ">\n",
    "~",
    "null",
    "-1",
    "0",
    "99999999999999999999",
    "1e9",
    "(",
    "\\b",
    "é",
    "\u{feff}",
    "\t",
    "%YAML 1.2\n",
    "<<: *a",
    "\\",
    "\u{0}",
];

fn garbage(rng: &mut ChaCha8Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.random_range(0..80) {
        s.push_str(TOKENS[rng.random_range(0..TOKENS.len())]);
    }
    s
}

fn random_bytes(rng: &mut ChaCha8Rng) -> String {
    let len = rng.random_range(0..300);
    let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn mutate(source: &str, rng: &mut ChaCha8Rng) -> String {
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    for _ in 0..rng.random_range(1..4) {
        if lines.is_empty() {
            break;
        }
        let i = rng.random_range(0..lines.len());
        match rng.random_range(0..8) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 => {
                let j = rng.random_range(0..lines.len());
                lines.swap(i, j);
            }
            3 => lines[i] = format!("  {}", lines[i]),
            4 => lines[i] = lines[i].trim_start().to_string(),
            5 => {
                let at = rng.random_range(0..=lines[i].len());
                let at = (0..=at)
                    .rev()
                    .find(|k| lines[i].is_char_boundary(*k))
                    .unwrap_or(0);
                let token = TOKENS[rng.random_range(0..TOKENS.len())];
                lines[i].insert_str(at, token);
            }
            6 => {
                let cut = rng.random_range(0..=lines[i].len());
                let cut = (0..=cut)
                    .rev()
                    .find(|k| lines[i].is_char_boundary(*k))
                    .unwrap_or(0);
                lines[i].truncate(cut);
            }
            _ => lines.truncate(i),
        }
    }
    lines.join("\n")
}

/// Parses `source`, checking that the outcome makes sense; returns whether
/// the bank was accepted.
fn check_no_nonsense(source: &str, what: &str) -> bool {
    let line_count = source.lines().count().max(1) + 1;
    match bank::parse_bank(source, "fuzz.yaml") {
        Ok(b) => {
            assert!(
                !b.questions.is_empty(),
                "{what}: an accepted bank has questions"
            );
            true
        }
        Err(diagnostics) => {
            assert!(
                !diagnostics.is_empty(),
                "{what}: an error without a diagnostic"
            );
            for d in diagnostics {
                assert!(!d.message.is_empty(), "{what}");
                assert!(
                    (1..=line_count).contains(&d.line),
                    "{what}: line {} of {line_count}: {d}",
                    d.line
                );
            }
            false
        }
    }
}

#[test]
fn garbage_and_mutated_banks_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    for case in 0..1000 {
        check_no_nonsense(&random_bytes(&mut rng), &format!("random bytes #{case}"));
    }
    for case in 0..1500 {
        check_no_nonsense(&garbage(&mut rng), &format!("token soup #{case}"));
    }
    let small = std::fs::read_to_string(fixtures().join("valid/my-practice.yaml")).unwrap();
    let sources: Vec<&str> = load::BUNDLED
        .iter()
        .map(|b| b.source)
        .chain([small.as_str()])
        .collect();
    let mut accepted = 0;
    for case in 0..1500 {
        let source = sources[case % sources.len()];
        if check_no_nonsense(&mutate(source, &mut rng), &format!("mutation #{case}")) {
            accepted += 1;
        }
    }
    // The mutations reach both the semantic checks and the error paths.
    assert!(
        (30..1470).contains(&accepted),
        "{accepted} of 1500 mutations accepted"
    );
    // Deep nesting and alias bombs end in an error, not a stack overflow.
    check_no_nonsense(&"[".repeat(10_000), "deep flow nesting");
    check_no_nonsense(&"- ".repeat(5_000), "deep block nesting");
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        bomb.push_str(&format!(
            "b{i}: &b{i} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
            p = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            }
        ));
    }
    check_no_nonsense(&bomb, "alias bomb");
}

// ---------------------------------------------------------------- the command

fn rehearse(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove(load::BANK_DIR_ENV)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .expect("run rehearse")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn cli_validate_exits_zero_on_the_bundled_banks() {
    let out = rehearse(&["banks", "validate", "question-banks"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("ok: "))
            .count(),
        load::BUNDLED.len()
    );
}

#[test]
fn cli_validate_prints_file_line_column_and_exits_one() {
    let out = rehearse(&[
        "banks",
        "validate",
        "tests/fixtures/banks/invalid/window-over-time-limit.yaml",
        "tests/fixtures/banks/valid",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let source =
        std::fs::read_to_string(fixtures().join("invalid/window-over-time-limit.yaml")).unwrap();
    let (line, _) = expectation(&source);
    let prefix = format!("tests/fixtures/banks/invalid/window-over-time-limit.yaml:{line}:");
    let problem = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        problem.contains("time_limit_seconds (180) is shorter"),
        "{problem}"
    );
    assert!(
        text.contains("ok: tests/fixtures/banks/valid/my-practice.yaml"),
        "{text}"
    );

    let out = rehearse(&["banks", "validate", "tests/fixtures/banks/invalid"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let files = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .count();
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("tests/fixtures/banks/invalid/"))
            .count(),
        files,
        "{text}"
    );

    let out = rehearse(&["banks", "validate", "no/such/file.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("no/such/file.yaml: cannot read"));
}

#[test]
fn cli_list_show_and_draw() {
    let out = rehearse(&["banks", "list", "--bank-dir", "tests/fixtures/banks/valid"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let total = catalog().len() + 2;
    assert!(text.contains(&format!("{total} questions")), "{text}");
    assert!(
        text.contains("my-practice (2 questions, tests/fixtures/banks/valid/my-practice.yaml)"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("biggest-mistake ")),
        "{text}"
    );

    let out = rehearse(&["banks", "show", "biggest-mistake"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for needle in [
        "Tell me about your biggest mistake.",
        "prevention",
        "no prevention step: say what you changed so it cannot happen again",
        "drill one with `rehearse practice biggest-mistake --follow-up ID`",
        "What did you do to prevent this from happening again?",
        "asked when `prevention` is missing; judged on prevention, 20-60 s",
        "asked when red flag `blame` fired; judged on ownership",
        "asked always; judged on lesson, prevention, 20-60 s",
        "What would you do differently?",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    let out = rehearse(&["banks", "show", "closing"]);
    assert!(stdout(&out).contains("questions-for-us"));
    let out = rehearse(&["banks", "show", "nope"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no question or bank has id `nope`"));

    let args = [
        "banks",
        "draw",
        "--seed",
        "11",
        "--count",
        "4",
        "--include",
        "biggest-mistake",
    ];
    let first = stdout(&rehearse(&args));
    assert_eq!(first, stdout(&rehearse(&args)));
    assert!(first.starts_with("seed 11 "), "{first}");
    assert_eq!(
        first.lines().filter(|l| l.contains(". ")).count(),
        4,
        "{first}"
    );
    assert!(first.contains("biggest-mistake"));
    let out = rehearse(&["banks", "draw", "--bank", "closing", "--count", "50"]);
    assert_ne!(out.status.code(), Some(0));
    let closing = catalog().bank("closing").unwrap().questions.len();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains(&format!("only {closing} match (bank closing)")),
        "{stderr}"
    );

    let env_dir = fixtures().join("valid");
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(["banks", "show", "why-product"])
        .env(load::BANK_DIR_ENV, &env_dir)
        .env("HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------- content dev set

/// One labelled answer of `tests/fixtures/content-dev/` (format in its README).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct DevAnswer {
    id: String,
    question: String,
    split: String,
    style: String,
    speaker: String,
    text: String,
    covered: Vec<String>,
    partly: Vec<String>,
    red_flags: Vec<String>,
    #[serde(default)]
    notes: Option<String>,
}

#[test]
fn content_dev_set_parses_and_names_only_real_ids() {
    let catalog = catalog();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content-dev");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let mut seen = HashSet::new();
    // question -> (tune, test)
    let mut splits: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut speakers = HashSet::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        let answers: Vec<DevAnswer> =
            serde_yaml::from_str(&source).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for a in answers {
            let at = format!("{} {}", file.display(), a.id);
            assert!(seen.insert(a.id.clone()), "{at}: id used twice");
            let q = catalog
                .question(&a.question)
                .unwrap_or_else(|| panic!("{at}: no question `{}`", a.question));
            for id in a.covered.iter().chain(&a.partly) {
                assert!(
                    q.element(id).is_some(),
                    "{at}: `{}` has no element `{id}`",
                    q.id
                );
            }
            for id in &a.red_flags {
                assert!(
                    q.red_flag(id).is_some(),
                    "{at}: `{}` has no red flag `{id}`",
                    q.id
                );
            }
            let both: Vec<&String> = a.covered.iter().filter(|c| a.partly.contains(c)).collect();
            assert!(both.is_empty(), "{at}: both covered and partly: {both:?}");
            let register = a.style.trim_end_matches("/transcript");
            assert!(
                register.split('/').all(|r| {
                    ["plain", "rambling", "terse", "non-native", "nervous"].contains(&r)
                }),
                "{at}: style {}",
                a.style
            );
            assert!(
                !a.text.trim().is_empty() && !a.speaker.trim().is_empty(),
                "{at}"
            );
            speakers.insert(a.speaker.clone());
            let entry = splits.entry(a.question.clone()).or_default();
            match a.split.as_str() {
                "tune" => entry.0 += 1,
                "test" => entry.1 += 1,
                other => panic!("{at}: split `{other}` (tune or test)"),
            }
        }
    }
    let total: usize = splits.values().map(|(a, b)| a + b).sum();
    assert!(total >= 100, "{total} answers");
    assert!(splits.len() >= 5, "{splits:?}");
    assert!(speakers.len() >= 14, "{} speakers", speakers.len());
    // A question is either tuned on or held out whole. One that is tuned
    // on keeps its test split as large as it can be: no more test answers
    // than tune answers (plus one). One held out whole (no tune answers:
    // written blind, scored once, never read; README.md there) tests the
    // judge on a question it was never tuned on, and must have enough
    // answers (4) to say something. At least half the set's first batch
    // (52) is test; later batches go to `tune` only once they have been
    // looked at.
    let tuned_on = splits.values().filter(|(tune, _)| *tune >= 1).count();
    assert!(tuned_on >= 5, "{splits:?}");
    for (question, (tune, test)) in &splits {
        if *tune == 0 {
            assert!(*test >= 4, "{question}: held out whole with {test} answers");
        } else {
            assert!(*test <= tune + 1, "{question}: {tune} tune, {test} test");
        }
    }
    let tests: usize = splits.values().map(|(_, b)| b).sum();
    assert!(tests >= 50, "{tests} test answers");
    assert!(
        splits.values().filter(|(_, b)| *b >= 4).count() >= 4,
        "{splits:?}"
    );
}

// ---------------------------------------------------------------- phase-based advice

fn analysed(question: &str, text: &str) -> (bank::Question, rehearse::analysis::Analysis) {
    use rehearse::analysis::{analyze, AnalysisSettings, AnswerInput};
    let q = catalog().question(question).unwrap().clone();
    let a = analyze(
        &q,
        &AnswerInput::Typed { text: text.into() },
        &AnalysisSettings::default(),
    );
    (q, a)
}

#[test]
fn rubric_phases_are_set_where_a_story_has_a_set_up_and_a_resolution() {
    let catalog = catalog();
    for q in catalog.questions() {
        for c in &q.rubric {
            assert!(c.phase.is_some(), "{}: {} has no phase", q.id, c.id);
        }
        for c in &q.red_flags {
            assert!(c.phase.is_none(), "{}: red flag {} has a phase", q.id, c.id);
        }
    }
    let phases = |id: &str| -> Vec<(String, Phase)> {
        let q = catalog.question(id).unwrap();
        q.rubric
            .iter()
            .map(|c| (c.id.clone(), c.phase.unwrap()))
            .collect()
    };
    let setup: Vec<String> = phases("biggest-mistake")
        .into_iter()
        .filter(|(_, p)| *p == Phase::Setup)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(setup, ["identify", "ownership", "causes", "impact"]);
    assert!(phases("questions-for-us")
        .iter()
        .all(|(_, p)| *p == Phase::Other));
    assert!(phases("time-you-failed")
        .iter()
        .any(|(id, p)| id == "situation" && *p == Phase::Setup));
}

#[test]
fn too_much_set_up_is_said_for_a_long_set_up_to_biggest_mistake() {
    use rehearse::analysis::advice::phase_balance;
    use rehearse::analysis::StepKind;
    let text = "My biggest mistake was a supplier order I got wrong at my last job. \
        That was my fault, entirely. \
        It happened because I was rushing and copied last year's quantities. \
        The quantities were wrong, the delivery dates were wrong and the prices were out of date. \
        I had not looked at the new price list, I had not checked the dates and I had not asked the buyer. \
        The impact was that three stores ran out of stock for a week. \
        It cost us about twenty thousand in lost sales and the client was furious. \
        The stores had to turn customers away every day that week and the regional manager had to call each store. \
        I learned to check.";
    let (q, a) = analysed("biggest-mistake", text);
    let balance = phase_balance(&q, &a.content.elements).expect("biggest-mistake has both phases");
    assert!(balance.setup > 0.7, "{balance:?}");
    assert!(balance.resolution < 0.3, "{balance:?}");
    let step = a
        .next_attempt
        .iter()
        .find(|s| s.kind == StepKind::Balance)
        .unwrap_or_else(|| panic!("no set-up remark: {:#?}", a.next_attempt));
    assert!(
        step.text.contains("of the answer went on the set-up"),
        "{}",
        step.text
    );
    assert!(step.text.contains("what you did about it"), "{}", step.text);
}

#[test]
fn too_much_set_up_is_never_said_for_questions_for_us() {
    use rehearse::analysis::advice::{next_attempt_for, phase_balance, AdviceSettings};
    use rehearse::analysis::StepKind;
    // Almost all about the role: under the old rule (first half of the rubric
    // = set-up) this answer was told to "spend the time on what you did".
    let text = "I'd like to ask about the role. What does success look like in the first 90 days? \
        What would the day to day involve, and what is the biggest challenge in it? \
        How would you measure it, and what are the priorities for the first six months? \
        Which of the priorities matters most, and what does the day to day look like in a busy week? \
        And how does the team work?";
    let (q, a) = analysed("questions-for-us", text);
    assert!(
        a.content.elements[0].share > AdviceSettings::default().setup_share_max,
        "the answer should dwell on its first element for this test to mean anything: {:#?}",
        a.content.elements
    );
    assert_eq!(phase_balance(&q, &a.content.elements), None);
    for steps in [
        a.next_attempt.clone(),
        next_attempt_for(&q, &a, &AdviceSettings::default()),
    ] {
        assert!(
            steps.iter().all(|s| s.kind != StepKind::Balance),
            "{steps:#?}"
        );
    }
}

/// Lower-case words of a text, apostrophes kept.
fn words_of(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('\u{2019}', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bundled_examples_are_varied_and_not_taken_from_the_dev_set() {
    // Every run of six words in the dev set's answers.
    const RUN: usize = 6;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content-dev");
    let mut dev_runs: HashSet<Vec<String>> = HashSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "yaml") {
            let answers: Vec<DevAnswer> =
                serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for a in answers {
                let w = words_of(&a.text);
                dev_runs.extend(w.windows(RUN).map(<[String]>::to_vec));
            }
        }
    }
    assert!(dev_runs.len() > 5000, "{}", dev_runs.len());
    let catalog = catalog();
    let mut criteria = 0;
    for q in catalog.questions() {
        for c in q.rubric.iter().chain(&q.red_flags) {
            criteria += 1;
            let at = format!("{} / {}", q.id, c.id);
            assert!(
                (6..=12).contains(&c.examples.len()),
                "{at}: {} examples",
                c.examples.len()
            );
            // At least one phrased as speech comes out of the recogniser.
            assert!(
                c.examples.iter().any(|e| {
                    e.starts_with("um ") || e.starts_with("uh ") || !e.ends_with(['.', '?', '!'])
                }),
                "{at}: no example in spoken style"
            );
            for e in c.examples.iter().chain(&c.counter_examples) {
                let w = words_of(e);
                let copied = w.windows(RUN).find(|run| dev_runs.contains(*run));
                assert!(
                    copied.is_none(),
                    "{at}: {e:?} repeats the dev set: {copied:?}"
                );
            }
        }
    }
    assert!(criteria > 150, "{criteria}");
}

/// A 200 KB file of nested brackets is refused at once, at the bracket
/// that goes too deep (it used to take minutes to reach the same verdict).
#[test]
fn deeply_nested_brackets_are_refused_with_their_position() {
    let depth = 100_000;
    let source = format!(
        "id: deep\ntitle: Deep\nquestions: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let errors = bank::load::parse_bank(&source, "deep.yaml").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!((e.file.as_str(), e.line), ("deep.yaml", 3), "{e:?}");
    assert!(e.message.contains("nested more than"), "{}", e.message);
}
