//! Drafting the thank-you note to send after an interview, following the
//! article's template and its do's and don'ts: addressed by name, specific
//! about something discussed, interest restated, concise, never about salary.

/// What the note is built from.
#[derive(Debug, Clone, Default)]
pub struct NoteDetails {
    pub interviewer: String,
    pub company: String,
    pub position: String,
    /// The user's name for the signature.
    pub your_name: Option<String>,
    /// A specific topic from the conversation (derived from the session when absent).
    pub topic: Option<String>,
    /// What the team does, in the company's words ("builds ...").
    pub mission: Option<String>,
    /// "yesterday", "today", "this morning".
    pub when: Option<String>,
}

/// A drafted note and the reminders that go with it.
#[derive(Debug, Clone)]
pub struct Note {
    pub text: String,
    /// Things the user still has to fill in or check.
    pub reminders: Vec<String>,
}

/// Words a thank-you note must not bring up (the article: don't ask about salary or benefits).
const OFF_LIMITS: [&str; 8] = [
    "salary",
    "salaries",
    "compensation",
    "benefits",
    "bonus",
    "pay rise",
    "vacation",
    "stock options",
];

/// Longest note still "concise and professional", in words.
pub const MAX_WORDS: usize = 150;

/// Problems with a note's text: off-limits topics, length.
pub fn check_note(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut problems: Vec<String> = OFF_LIMITS
        .iter()
        .filter(|w| {
            lower
                .split(|c: char| !c.is_alphanumeric() && c != ' ')
                .any(|part| part.contains(*w))
        })
        .map(|w| format!("mentions {w:?}: leave pay and benefits out of a thank-you note"))
        .collect();
    let words = text.split_whitespace().count();
    if words > MAX_WORDS {
        problems.push(format!(
            "{words} words: keep it under {MAX_WORDS}, the interviewer's time is short"
        ));
    }
    problems
}

/// Turns an interview question into the topic it asked about, in the
/// candidate's voice: "Tell me about your biggest mistake." -> "my biggest
/// mistake". `None` when the question does not follow a known shape.
pub fn topic_from_question(question: &str) -> Option<String> {
    let q = question.trim().trim_end_matches(['.', '?', '!']).trim();
    let lower = q.to_lowercase();
    let lower = lower
        .trim_end_matches(", and why")
        .trim_end_matches(" and why");
    if let Some(topic) = topic_from_direct_question(lower) {
        return Some(topic);
    }
    let prefixes = [
        "tell me about a time when ",
        "tell me about a time ",
        "tell me about ",
        "describe a time when ",
        "describe a time ",
        "describe ",
        "walk me through ",
        "talk me through ",
    ];
    let rest = prefixes
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|r| (p, r)))
        .map(|(p, r)| {
            if p.contains("a time") {
                format!("the time {r}")
            } else {
                r.to_string()
            }
        })?;
    let first_clause = rest.split(['.', '?']).next().unwrap_or(&rest).trim();
    let voiced: Vec<String> = first_clause
        .split_whitespace()
        .map(|w| match w {
            "your" => "my".to_string(),
            "you" => "I".to_string(),
            "you've" => "I've".to_string(),
            "yourself" => "myself".to_string(),
            other => other.to_string(),
        })
        .collect();
    match voiced.join(" ").as_str() {
        "" => None,
        // "Tell me about yourself": what was talked about is one's background.
        "myself" => Some("my background".into()),
        topic => Some(topic.to_string()),
    }
}

/// The topic of a direct question ("Why do you want to work for us?" ->
/// "why I want to work for you", "What is your greatest strength?" -> "my
/// greatest strength"), in the candidate's voice; `None` for another shape.
fn topic_from_direct_question(lower: &str) -> Option<String> {
    let voiced = |rest: &str| -> String {
        rest.split_whitespace()
            .map(|w| match w {
                "your" => "my",
                "you" => "me",
                "yourself" => "myself",
                "us" => "you",
                "we" => "you",
                other => other,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let words: Vec<&str> = lower.split_whitespace().collect();
    let topic = match words.as_slice() {
        ["why", "do", "you", "want", rest @ ..] => {
            format!("why I want {}", voiced(&rest.join(" ")))
        }
        ["why", "are", "you", rest @ ..] => format!("why I am {}", voiced(&rest.join(" "))),
        ["why", "should", "we", verb, "you", rest @ ..] => {
            format!("why you should {verb} me {}", voiced(&rest.join(" ")))
        }
        ["where", "do", "you", "see", "yourself", rest @ ..] => {
            format!("where I see myself {}", voiced(&rest.join(" ")))
        }
        ["what", "motivates", "you", rest @ ..] => {
            format!("what motivates me {}", voiced(&rest.join(" ")))
        }
        ["what", "is", "your", rest @ ..] => format!("my {}", voiced(&rest.join(" "))),
        ["what", thing, "are", "you", rest @ ..] => {
            format!("the {thing} I am {}", voiced(&rest.join(" ")))
        }
        ["how", "would", "your", who, "describe", "you", rest @ ..] => {
            format!("how my {who} would describe me {}", voiced(&rest.join(" ")))
        }
        _ => return None,
    };
    Some(topic.trim().to_string())
}

/// Topics a thank-you note should leave alone: why one leaves a job, pay,
/// other employers.
const NOT_RECALLED: &[&str] = &["leaving", "salary", "other"];

/// Words of a topic a thank-you note should never praise: the conversation
/// about one's own mistake, weakness or failure is not the one to recall.
const SELF_CRITICAL: &[&str] = &[
    "mistake",
    "mistakes",
    "weakness",
    "weaknesses",
    "failed",
    "failure",
    "fail",
    "criticism",
    "conflict",
    "error",
    "regret",
    "wrong",
];

/// The topic a note recalls by default: of the session's main questions
/// (`(question, coverage, is_follow_up)`), the best answered one whose topic
/// can be named and is not about a mistake, weakness or failure.
pub fn default_topic<'a>(
    questions: impl IntoIterator<Item = (&'a str, Option<f64>, bool)>,
) -> Option<String> {
    let mut main: Vec<(&str, f64)> = questions
        .into_iter()
        .filter(|&(_, _, follow_up)| !follow_up)
        .map(|(q, coverage, _)| (q, coverage.unwrap_or(0.0)))
        .collect();
    main.sort_by(|a, b| b.1.total_cmp(&a.1));
    main.into_iter()
        .filter_map(|(q, _)| topic_from_question(q))
        .find(|topic| {
            !topic
                .split_whitespace()
                .any(|w| SELF_CRITICAL.contains(&w) || NOT_RECALLED.contains(&w))
        })
}

/// Drafts the note.
pub fn draft(details: &NoteDetails) -> Note {
    let mut reminders = vec!["send it within 24 hours of the interview".to_string()];
    let topic = match &details.topic {
        Some(t) => t.clone(),
        None => {
            reminders.push(
                "name something specific you discussed (--topic): a generic note is easy to ignore"
                    .into(),
            );
            "[a specific topic you discussed]".into()
        }
    };
    let when = details.when.clone().unwrap_or_else(|| "today".into());
    let team = match &details.mission {
        Some(m) => format!("being part of the team that {}", m.trim_end_matches('.')),
        None => {
            reminders.push("add what the team does, in the company's own words (--mission)".into());
            "being part of the team".into()
        }
    };
    let signature = details.your_name.clone().unwrap_or_else(|| {
        reminders.push("sign with your name (--name)".into());
        "[Your name]".into()
    });
    let text = format!(
        "Dear {interviewer},\n\n\
         Thank you for taking the time to meet with me {when}. I truly appreciate the opportunity \
         to learn more about the {position} role at {company}. Our conversation about {topic} was \
         particularly insightful. I'm excited about the possibility of contributing to {company}'s \
         work and {team}. Thank you again for your time and consideration.\n\n\
         Sincerely,\n{signature}\n",
        interviewer = details.interviewer.trim(),
        position = details.position.trim(),
        company = details.company.trim(),
    );
    reminders.extend(check_note(&text));
    Note { text, reminders }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> NoteDetails {
        NoteDetails {
            interviewer: "Ms Rivera".into(),
            company: "Acme".into(),
            position: "Backend Engineer".into(),
            your_name: Some("Sam".into()),
            topic: Some("how your team runs migrations".into()),
            mission: Some("keeps small shops online".into()),
            when: Some("yesterday".into()),
        }
    }

    #[test]
    fn follows_the_template_and_stays_concise() {
        let note = draft(&details());
        assert!(note.text.starts_with("Dear Ms Rivera,"));
        assert!(note.text.contains("meet with me yesterday"));
        assert!(note.text.contains("Backend Engineer role at Acme"));
        assert!(note
            .text
            .contains("Our conversation about how your team runs migrations"));
        assert!(note.text.contains("the team that keeps small shops online"));
        assert!(note.text.trim_end().ends_with("Sincerely,\nSam"));
        assert!(note.text.split_whitespace().count() <= MAX_WORDS);
        assert_eq!(
            note.reminders,
            vec!["send it within 24 hours of the interview"]
        );
    }

    #[test]
    fn missing_details_become_placeholders_and_reminders() {
        let note = draft(&NoteDetails {
            topic: None,
            your_name: None,
            mission: None,
            ..details()
        });
        assert!(note.text.contains("[a specific topic you discussed]"));
        assert!(note.text.contains("[Your name]"));
        assert_eq!(note.reminders.len(), 4, "{:?}", note.reminders);
    }

    #[test]
    fn salary_talk_and_long_notes_are_flagged() {
        let note = draft(&NoteDetails {
            topic: Some("the salary range and benefits".into()),
            ..details()
        });
        assert!(
            note.reminders.iter().any(|r| r.contains("\"salary\"")),
            "{:?}",
            note.reminders
        );
        assert!(note.reminders.iter().any(|r| r.contains("\"benefits\"")));
        assert!(check_note(&"word ".repeat(200))[0].contains("200 words"));
    }

    #[test]
    fn topics_come_from_questions_in_the_candidates_voice() {
        assert_eq!(
            topic_from_question("Tell me about your biggest mistake.").as_deref(),
            Some("my biggest mistake")
        );
        assert_eq!(
            topic_from_question(
                "Tell me about a time you had a conflict with a coworker. How did you handle it?"
            )
            .as_deref(),
            Some("the time I had a conflict with a coworker")
        );
        // A question of no known shape names no topic (direct questions
        // such as "Why do you want to work for us?" now do: see below).
        assert_eq!(
            topic_from_question("Do you have any questions for us?"),
            None
        );
        assert_eq!(
            topic_from_question("Are you interviewing with other companies?"),
            None
        );
        assert_eq!(
            topic_from_question("Tell me about yourself.").as_deref(),
            Some("my background")
        );
    }

    #[test]
    fn direct_questions_give_topics_too() {
        for (question, topic) in [
            (
                "Why do you want to work for us?",
                "why I want to work for you",
            ),
            (
                "Why are you interested in this role?",
                "why I am interested in this role",
            ),
            ("Why should we hire you?", "why you should hire me"),
            (
                "Where do you see yourself in five years?",
                "where I see myself in five years",
            ),
            ("What motivates you at work?", "what motivates me at work"),
            ("What is your greatest strength?", "my greatest strength"),
            (
                "What achievement are you most proud of, and why?",
                "the achievement I am most proud of",
            ),
            (
                "How would your colleagues describe you?",
                "how my colleagues would describe me",
            ),
            (
                "What skill are you working on improving right now?",
                "the skill I am working on improving right now",
            ),
        ] {
            assert_eq!(
                topic_from_question(question).as_deref(),
                Some(topic),
                "{question}"
            );
        }
    }

    /// Every main question of the bundled banks either gives a note its
    /// topic or is one a note should not recall (a mistake, a weakness,
    /// pay, leaving a job, other employers) or cannot name (the closing
    /// questions).
    #[test]
    fn every_bundled_question_a_note_may_recall_gives_a_topic() {
        let catalog = crate::bank::bundled().unwrap();
        let not_a_topic = [
            "questions-for-us",
            "anything-else",
            "salary-expectations",
            "other-interviews",
            "why-leaving",
        ];
        for question in catalog.banks.iter().flat_map(|b| &b.questions) {
            let topic = default_topic([(question.text.as_str(), Some(1.0), false)]);
            let critical = topic_from_question(&question.text)
                .is_some_and(|t| t.split_whitespace().any(|w| SELF_CRITICAL.contains(&w)));
            if not_a_topic.contains(&question.id.as_str()) || critical {
                continue;
            }
            assert!(topic.is_some(), "{}: {:?}", question.id, question.text);
        }
    }

    #[test]
    fn the_default_topic_never_recalls_a_mistake_or_a_follow_up() {
        let session = [
            ("Tell me about your biggest mistake.", Some(1.0), false),
            (
                "What did you do to prevent this from happening again?",
                Some(1.0),
                true,
            ),
            ("Tell me about yourself.", Some(0.5), false),
            ("Do you have any questions for us?", Some(0.9), false),
        ];
        assert_eq!(default_topic(session).as_deref(), Some("my background"));
        assert_eq!(
            default_topic([("Tell me about your greatest weakness.", Some(1.0), false)]),
            None
        );
        assert_eq!(
            default_topic([
                ("Describe a project you are proud of.", Some(0.2), false),
                ("Tell me about a time you led a team.", Some(0.8), false),
            ])
            .as_deref(),
            Some("the time I led a team")
        );
    }
}
