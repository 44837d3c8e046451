//! The semantic content judge with the real embedding model
//! (models/all-MiniLM-L6-v2, fetched by scripts/fetch-model.sh): the
//! sentences from issue 13 that keyword matching got wrong, the evidence
//! each element quotes, floors on the development set's test split, and the
//! CLI's behaviour with and without the model.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rehearse::analysis::dev_set;
use rehearse::analysis::{
    analyze_with, Analysis, AnalysisSettings, AnswerInput, FlagStatus, SemanticJudge, Status,
};
use rehearse::bank::{self, Catalog};
use rehearse::embed::Embedder;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn models_dir() -> PathBuf {
    root().join("models")
}

/// One embedder and judge for the whole test binary.
fn judge() -> &'static SemanticJudge {
    static JUDGE: OnceLock<SemanticJudge> = OnceLock::new();
    JUDGE.get_or_init(|| {
        let embedder = Embedder::load_from_models_dir(&models_dir())
            .unwrap_or_else(|e| panic!("{e}: run `scripts/fetch-model.sh` before the tests"));
        SemanticJudge::new(Arc::new(embedder))
    })
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| bank::bundled().expect("bundled banks load"))
}

fn judged(question: &str, text: &str) -> Analysis {
    let q = catalog().question(question).expect("question exists");
    analyze_with(
        q,
        &AnswerInput::Typed { text: text.into() },
        &AnalysisSettings::default(),
        Some(judge()),
    )
    .expect("judged")
}

fn element(a: &Analysis, id: &str) -> Status {
    a.content
        .elements
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no element {id}"))
        .status
}

/// The sentence quoted as evidence for element `id` (empty if none).
fn quote(a: &Analysis, id: &str) -> String {
    a.content
        .elements
        .iter()
        .find(|e| e.id == id)
        .and_then(|e| e.evidence.as_ref())
        .map(|ev| ev.quote.clone())
        .unwrap_or_default()
}

fn flag(a: &Analysis, id: &str) -> FlagStatus {
    a.content
        .red_flags
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no red flag {id}"))
        .status
}

#[test]
fn paraphrases_and_inserted_words_are_understood() {
    let a = judged("biggest-mistake", "I blew it with the quarterly report.");
    assert_eq!(
        element(&a, "identify"),
        Status::Covered,
        "{:#?}",
        a.content.elements
    );

    let a = judged("biggest-mistake", "Honestly, that one is totally on me.");
    assert_eq!(
        element(&a, "ownership"),
        Status::Covered,
        "{:#?}",
        a.content.elements
    );

    let a = judged("biggest-mistake", "I can't honestly think of one.");
    assert_eq!(
        flag(&a, "no-example"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );

    let a = judged("biggest-mistake", "It was honestly not a huge deal.");
    assert_eq!(
        flag(&a, "minimising"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );
}

#[test]
fn context_decides_what_a_phrase_means() {
    let a = judged(
        "biggest-mistake",
        "Since then our office moved to a new building.",
    );
    assert_ne!(element(&a, "prevention"), Status::Covered);

    let a = judged("biggest-mistake", "I felt like an idiot afterwards.");
    assert_ne!(flag(&a, "harsh-words"), FlagStatus::Fired);

    let a = judged("biggest-mistake", "I'd put a checklist in place.");
    assert_ne!(element(&a, "prevention"), Status::Covered);

    let a = judged(
        "biggest-mistake",
        "Looking back, the vendor should have warned us, I did what I could with what I had.",
    );
    assert_eq!(
        flag(&a, "blame"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );
    assert_eq!(
        flag(&a, "excuses"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );
}

#[test]
fn each_covered_element_quotes_its_own_sentence() {
    let text = "In my first year as an analyst I sent a client report with the wrong exchange rate. \
                That was entirely on me, I skipped the second check because I was rushing. \
                The client had already shared the numbers with their board, so they lost some trust in us. \
                I called them that afternoon, apologised and sent a corrected version within the hour. \
                It taught me that speed is worth nothing without accuracy. \
                Since then I run a checklist on every report before it goes out.";
    let a = judged("biggest-mistake", text);
    for (id, words) in [
        ("identify", "wrong exchange rate"),
        ("ownership", "entirely on me"),
        ("fix", "called them"),
        ("lesson", "taught me"),
        ("prevention", "checklist"),
    ] {
        assert_eq!(
            element(&a, id),
            Status::Covered,
            "{id}: {:#?}",
            a.content.elements
        );
        assert!(
            quote(&a, id).contains(words),
            "{id} quotes {:?}",
            quote(&a, id)
        );
    }
    for e in &a.content.elements {
        assert_eq!(e.covered, e.status == Status::Covered);
    }
    assert!(a.content.fired.is_empty(), "{:?}", a.content.fired);
}

/// Red flags told in ordinary words, each in an otherwise plain answer.
#[test]
fn red_flags_in_ordinary_words_fire() {
    let story = "I sent the wrong price list to a client last spring. \
                 I called them the same day and sent the right one.";
    for (id, sentence) in [
        (
            "perfect-record",
            "I don't think I've ever really made a serious mistake at work.",
        ),
        (
            "blame",
            "Nobody had told us that the supplier moved the date.",
        ),
        (
            "blame",
            "Honestly it was the printer's fault, they sent us the old file.",
        ),
        (
            "minimising",
            "Nobody even noticed, and it all worked out in the end.",
        ),
        ("excuses", "We were completely short-staffed that week."),
        (
            "blame",
            "To be honest the project manager should have sent me the final figures sooner.",
        ),
        (
            "blame",
            "The courier was late and the client was unhelpful.",
        ),
        (
            "excuses",
            "The timeline was totally unrealistic from day one.",
        ),
        ("excuses", "My hands were tied, it was out of my control."),
        (
            "minimising",
            "It was a tiny hiccup, nobody was any the wiser.",
        ),
        (
            "perfect-record",
            "I can't really think of one that was, you know, that big.",
        ),
        ("no-example", "Sorry, nothing much springs to mind."),
        (
            "hypothetical",
            "If I ever made a mistake like that I'd own up straight away.",
        ),
        (
            "deflecting",
            "Somewhere along the line the numbers got swapped.",
        ),
        (
            "harsh-words",
            "The agency temps they sent us were a bunch of cowboys.",
        ),
        (
            "blame",
            "The supplier never sent the revised price list, so I had the old one.",
        ),
    ] {
        let a = judged("biggest-mistake", &format!("{story} {sentence}"));
        assert_eq!(
            flag(&a, id),
            FlagStatus::Fired,
            "{id} on {sentence:?}: {:#?}",
            a.content.red_flags
        );
    }
    let plain = judged("biggest-mistake", story);
    assert!(plain.content.fired.is_empty(), "{:?}", plain.content.fired);
    // Near misses: harsh words about oneself, others' view of the pressure,
    // a colleague described without blame.
    for sentence in [
        "I felt awful and, honestly, a bit stupid, because it was such a simple check.",
        "Two customers said, quite fairly, that the wait was unreasonable.",
        "My manager didn't like surprises, so I told her first thing.",
    ] {
        let a = judged("biggest-mistake", &format!("{story} {sentence}"));
        assert!(
            a.content.fired.is_empty(),
            "{sentence:?} fired {:?}",
            a.content.fired
        );
    }
}

/// Red flags that only the answer as a whole shows: no real occasion told,
/// only what the speaker does in general (hypothetical); no "I" anywhere
/// (deflecting). A real story with a habit in it, and a story told with
/// "I", stay clear.
#[test]
fn whole_answer_red_flags() {
    let habits = "In a busy kitchen you get orders wrong all the time. \
                  What I do is own it straight away and remake the dish. \
                  I think that's what matters most.";
    let a = judged("biggest-mistake", habits);
    assert_eq!(
        flag(&a, "hypothetical"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );
    let story = "I sent the wrong price list to a client last spring. \
                 I called them the same day and sent the right one. \
                 Now whenever I send a price list I check the date on it first.";
    let a = judged("biggest-mistake", story);
    assert_ne!(flag(&a, "hypothetical"), FlagStatus::Fired);
    assert_ne!(flag(&a, "deflecting"), FlagStatus::Fired);
    let no_i = "The one that comes to mind was a payroll run. \
                We sent the file a day late and forty people were paid late. \
                We paid them by emergency transfer the next morning.";
    let a = judged("biggest-mistake", no_i);
    assert_eq!(
        flag(&a, "deflecting"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );
}

/// Owning it with "I" statements is also telling one's own slip in the
/// first person ("I put the wrong date", "I didn't check"), not only "it was
/// my fault"; a slip someone else made, or one only found, is not.
#[test]
fn a_slip_told_with_i_is_ownership() {
    let owned =
        "I booked a truck for a delivery to Rotterdam but I put the wrong date on the order. \
                 The customer's line waited a whole day for the parts.";
    let a = judged("biggest-mistake", owned);
    assert_eq!(
        element(&a, "ownership"),
        Status::Covered,
        "{:#?}",
        a.content.elements
    );
    let found =
        "The wholesaler sent the wrong breakers and I realised the rating was wrong too late. \
                 The customer had to call us back out twice.";
    let a = judged("biggest-mistake", found);
    assert_ne!(
        element(&a, "ownership"),
        Status::Covered,
        "{:#?}",
        a.content.elements
    );
}

/// An answer with no occasion in it that a "no story" flag fires on shows
/// no element for real: what it says of fixing or learning is what the
/// speaker would do, however close to the examples it reads.
#[test]
fn a_hypothetical_answer_covers_no_element() {
    let text = "If I made a mistake I would tell my manager straight away. \
                Then I'd fix it as quickly as I can and learn from it. \
                I usually put a checklist in place so it doesn't happen again.";
    let a = judged("biggest-mistake", text);
    assert_eq!(flag(&a, "hypothetical"), FlagStatus::Fired);
    for e in &a.content.elements {
        assert_ne!(
            e.status,
            Status::Covered,
            "{}: {:#?}",
            e.id,
            a.content.elements
        );
    }
}

/// An insult aimed at someone else in a story answer puts the mistake on
/// them: blame, besides harsh words.
#[test]
fn an_insult_at_a_colleague_is_blame() {
    let text = "The dessert went out with the nut crumb on it. \
                The lad's a complete muppet honestly, useless, he'd been told twice.";
    let a = judged("biggest-mistake", text);
    assert_eq!(
        flag(&a, "blame"),
        FlagStatus::Fired,
        "{:#?}",
        a.content.red_flags
    );
}

/// A full story with no prevention and no pivot: the past event and its
/// lesson are not a change that lasts nor a strength now, and each element
/// quotes the sentence that says it (a cue sentence before one that only
/// resembles the element).
#[test]
fn a_story_without_a_lasting_change_lacks_prevention_and_pivot() {
    let text = "The worst mistake I made was at the bakery where I worked two summers ago. \
                I wanted to finish early, so I labelled a whole tray of nut cakes as plain ones. \
                It happened because I rushed the labelling at the end of the shift. \
                As a result, a customer with an allergy had to go to the pharmacy. \
                That was completely my fault. \
                I told the owner the same hour, pulled the tray and called the customer to apologise. \
                I learned that a rush is never a reason to skip the allergen check.";
    let a = judged("biggest-mistake", text);
    for id in ["prevention", "pivot"] {
        assert_eq!(
            element(&a, id),
            Status::Missing,
            "{id}: {:#?}",
            a.content.elements
        );
    }
    for (id, words) in [
        ("impact", "pharmacy"),
        ("fix", "told the owner"),
        ("lesson", "I learned"),
    ] {
        assert_eq!(element(&a, id), Status::Covered, "{id}");
        assert!(
            quote(&a, id).contains(words),
            "{id} quotes {:?}",
            quote(&a, id)
        );
    }
}

/// Floors on the held-out split of the development set (tuned on `tune`).
#[test]
fn test_split_meets_the_floors() {
    let answers = dev_set::load(&root().join("tests/fixtures/content-dev")).expect("dev set");
    let settings = AnalysisSettings::default();
    let (mut etp, mut efp, mut efn) = (0usize, 0usize, 0usize);
    let (mut ftp, mut ffp, mut ffn) = (0usize, 0usize, 0usize);
    let mut n = 0;
    for a in answers.iter().filter(|a| a.split == "test") {
        n += 1;
        let q = catalog().question(&a.question).expect("question");
        let r = analyze_with(
            q,
            &AnswerInput::Typed {
                text: a.text.clone(),
            },
            &settings,
            Some(judge()),
        )
        .unwrap();
        for e in &r.content.elements {
            if a.partly.contains(&e.id) {
                continue;
            }
            match (e.covered, a.covered.contains(&e.id)) {
                (true, true) => etp += 1,
                (true, false) => efp += 1,
                (false, true) => efn += 1,
                _ => {}
            }
        }
        for f in &r.content.red_flags {
            match (f.fired, a.fired.contains(&f.id)) {
                (true, true) => ftp += 1,
                (true, false) => ffp += 1,
                (false, true) => ffn += 1,
                _ => {}
            }
        }
    }
    let f1 = |tp: usize, fp: usize, fn_: usize| 2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64;
    let (ef, ff) = (f1(etp, efp, efn), f1(ftp, ffp, ffn));
    assert!(n >= 20, "only {n} test answers");
    assert!(
        ef >= ELEMENT_F1_FLOOR,
        "element F1 {ef:.3} on {n} test answers"
    );
    assert!(
        ff >= FLAG_F1_FLOOR,
        "red-flag F1 {ff:.3} on {n} test answers"
    );
}

/// Set a little under what scripts/eval-content.sh measured (2026-12-03,
/// 172 test answers: element F1 0.89, red-flag F1 0.82), so a real
/// regression fails and noise does not.
const ELEMENT_F1_FLOOR: f64 = 0.86;
const FLAG_F1_FLOOR: f64 = 0.79;

#[test]
fn cli_needs_the_model_or_keywords_only() {
    let dir = tempfile::tempdir().unwrap();
    let answer = dir.path().join("answer.txt");
    std::fs::write(
        &answer,
        "I blew it with the quarterly report. It was totally on me.",
    )
    .unwrap();
    let empty = dir.path().join("no-models");
    std::fs::create_dir(&empty).unwrap();
    let args = |models: &Path, extra: &[&str]| {
        let mut v = vec![
            "--models-dir".to_string(),
            models.display().to_string(),
            "analyze".into(),
            "--text-file".into(),
            answer.display().to_string(),
            "-q".into(),
            "biggest-mistake".into(),
            "--json".into(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        common::rehearse(&refs)
    };

    let out = run(args(&empty, &[]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("rehearse model fetch minilm"), "{err}");
    assert!(err.contains("--keywords-only"), "{err}");

    let out = run(args(&empty, &["--keywords-only"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["content"]["judge"], "keywords");

    // An altered file is refused, naming it.
    let altered = dir.path().join("altered");
    let model = altered.join("all-MiniLM-L6-v2");
    std::fs::create_dir_all(&model).unwrap();
    for entry in std::fs::read_dir(models_dir().join("all-MiniLM-L6-v2")).unwrap() {
        let path = entry.unwrap().path();
        let target = model.join(path.file_name().unwrap());
        if path.file_name().unwrap() == "NOTICE" {
            let mut text = std::fs::read(&path).unwrap();
            text.push(b'!');
            std::fs::write(&target, text).unwrap();
        } else {
            std::os::unix::fs::symlink(&path, &target).unwrap();
        }
    }
    let out = run(args(&altered, &[]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("NOTICE") && err.contains("sha256"), "{err}");

    let out = run(args(&models_dir(), &[]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["content"]["judge"], "semantic");
    let elements = json["content"]["elements"].as_array().unwrap();
    let identify = elements.iter().find(|e| e["id"] == "identify").unwrap();
    assert_eq!(identify["covered"], true);
    assert_eq!(identify["status"], "covered");
}

/// A benchmark replaying one answer several times judges each replay as a
/// new answer: forgetting drops the answer's sentences, and judging still
/// works after it (the question's examples stay).
#[test]
fn forgotten_sentences_are_embedded_again() {
    let sentence = "I forgot to renew the staging certificate on a Friday.";
    judge().warm(&[sentence]).unwrap();
    assert!(judge().is_embedded(sentence));
    judge().forget_answers();
    assert!(!judge().is_embedded(sentence));
    let a = judged(
        "biggest-mistake",
        "It was my fault. I forgot to renew the certificate and the site went down.",
    );
    assert_eq!(element(&a, "ownership"), Status::Covered);
}
