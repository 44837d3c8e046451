//! `rehearse banks list|show|validate|draw`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;
use rehearse::bank::{self, Bank, Catalog, Criterion, DrawRequest, Filter, Question};

#[derive(Debug, Subcommand)]
pub enum BanksCommand {
    /// List the banks and their questions (bundled and your own)
    #[command(after_help = super::examples::BANKS_LIST)]
    List {
        /// Also list each question's follow-up questions with their ids
        /// (for `rehearse practice ID --follow-up FOLLOW-UP`)
        #[arg(long)]
        follow_ups: bool,
    },
    /// Show a question with its rubric, red flags and follow-ups, or a whole bank
    #[command(after_help = super::examples::BANKS_SHOW)]
    Show {
        /// A question id (e.g. biggest-mistake) or a bank id (e.g. behavioral)
        id: String,
    },
    /// Check bank files or directories of them; prints FILE:LINE:COL: message
    /// for every problem and exits with status 1 if there is any
    #[command(after_help = super::examples::BANKS_VALIDATE)]
    Validate {
        /// Bank files (.yaml/.yml) or directories holding them
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Draw questions the way a practice session would
    #[command(after_help = super::examples::BANKS_DRAW)]
    Draw {
        /// Number of questions
        #[arg(
            long = "questions",
            short = 'n',
            alias = "count",
            value_name = "N",
            default_value_t = 5
        )]
        count: usize,
        /// Seed for a reproducible draw [default: random, printed]
        #[arg(long, value_name = "N")]
        seed: Option<u64>,
        /// Only from this bank (repeatable)
        #[arg(long = "bank", value_name = "BANK")]
        banks: Vec<String>,
        /// Only this category (repeatable)
        #[arg(long = "category", value_name = "CATEGORY")]
        categories: Vec<String>,
        /// Only questions with this tag (repeatable)
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        /// Always include this question id, whatever the filters (repeatable)
        #[arg(long = "include", value_name = "ID")]
        include: Vec<String>,
    },
}

/// `bank_dir`: the user bank directory from `--bank-dir`, if given.
pub fn run(cmd: BanksCommand, bank_dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let bank_dir = bank_dir.or_else(bank::default_user_bank_dir);
    match cmd {
        BanksCommand::List { follow_ups } => {
            list_cmd(&load(bank_dir.as_deref())?, bank_dir.as_deref(), follow_ups)
        }
        BanksCommand::Show { id } => show_cmd(&load(bank_dir.as_deref())?, &id),
        BanksCommand::Validate { paths } => validate_cmd(&paths),
        BanksCommand::Draw {
            count,
            seed,
            banks,
            categories,
            tags,
            include,
        } => {
            let catalog = load(bank_dir.as_deref())?;
            let request = DrawRequest {
                count,
                seed,
                filter: Filter {
                    banks,
                    categories,
                    tags,
                },
                include,
                ..DrawRequest::default()
            };
            draw_cmd(&catalog, &request)
        }
    }
}

fn load(bank_dir: Option<&Path>) -> anyhow::Result<Catalog> {
    bank::load_catalog(bank_dir).with_context(|| match bank_dir {
        Some(dir) => format!(
            "cannot load the question banks (bundled + {}); `rehearse banks validate {}` lists the problems",
            dir.display(),
            dir.display()
        ),
        None => "cannot load the bundled question banks".to_string(),
    })
}

/// "1 question", "3 questions".
fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn origin(bank: &Bank) -> String {
    if bank.bundled {
        "bundled".to_string()
    } else {
        bank.defined_at.file.clone()
    }
}

fn question_line(q: &Question) -> String {
    format!(
        "  {:<30} {:<22} {:<6} {}",
        q.id,
        q.category,
        q.difficulty.as_str(),
        q.text
    )
}

fn list_cmd(
    catalog: &Catalog,
    bank_dir: Option<&Path>,
    follow_ups: bool,
) -> anyhow::Result<ExitCode> {
    match bank_dir {
        Some(dir) => println!("user bank directory: {}", dir.display()),
        None => println!(
            "user bank directory: none (use --bank-dir DIR or ${})",
            bank::BANK_DIR_ENV
        ),
    }
    println!(
        "{}, {}",
        plural(catalog.banks().len(), "bank"),
        plural(catalog.len(), "question")
    );
    for b in catalog.banks() {
        println!();
        let replaces = if b.replaces_bundled {
            ", replaces the bundled bank"
        } else {
            ""
        };
        println!(
            "{} ({}, {}{replaces}): {}",
            b.id,
            plural(b.questions.len(), "question"),
            origin(b),
            b.title
        );
        for q in &b.questions {
            println!("{}", question_line(q));
            if follow_ups {
                for f in &q.follow_ups {
                    println!("      --follow-up {:<20} {}", f.id, f.text);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn show_cmd(catalog: &Catalog, id: &str) -> anyhow::Result<ExitCode> {
    if let Some(q) = catalog.question(id) {
        show_question(q);
    } else if let Some(b) = catalog.bank(id) {
        println!("{}: {} ({})", b.id, b.title, origin(b));
        if let Some(description) = &b.description {
            println!("  {description}");
        }
        println!();
        for q in &b.questions {
            println!("{}", question_line(q));
        }
    } else {
        bail!("no question or bank has id `{id}`: `rehearse banks list` shows the ids");
    }
    Ok(ExitCode::SUCCESS)
}

fn show_question(q: &Question) {
    println!("{}  (bank {}, {})", q.id, q.bank, q.defined_at);
    println!("  \"{}\"", q.text);
    println!(
        "  category {}, difficulty {}, stage {}, tags: {}",
        q.category,
        q.difficulty,
        q.stage.as_str(),
        if q.tags.is_empty() {
            "none".to_string()
        } else {
            q.tags.join(", ")
        }
    );
    println!(
        "  target answer {}-{} s, time limit {} s",
        q.target_seconds.min, q.target_seconds.max, q.time_limit_seconds
    );
    if let Some(guidance) = &q.guidance {
        println!("\nGuidance:\n  {guidance}");
    }
    println!("\nRubric ({} elements):", q.rubric.len());
    for c in &q.rubric {
        show_criterion(c, "if missing");
    }
    if !q.red_flags.is_empty() {
        println!("\nRed flags ({}):", q.red_flags.len());
        for c in &q.red_flags {
            show_criterion(c, "if found");
        }
    }
    if !q.follow_ups.is_empty() {
        println!(
            "\nFollow-ups (in priority order; drill one with `rehearse practice {} --follow-up ID`):",
            q.id
        );
        for (i, f) in q.follow_ups.iter().enumerate() {
            println!("  {}. {:<18} {}", i + 1, f.id, f.text);
            let targets = if f.targets.is_empty() {
                "the whole rubric".to_string()
            } else {
                f.targets.join(", ")
            };
            println!(
                "       asked {}; judged on {targets}, {}-{} s",
                f.when, f.target_seconds.min, f.target_seconds.max
            );
            if let Some(g) = &f.guidance {
                println!("       {g}");
            }
        }
    }
}

fn show_criterion(c: &Criterion, when: &str) {
    println!("  {:<22} {}", c.id, c.name);
    if !c.cues.is_empty() {
        println!("      cues: {}", c.cues.join(" | "));
    }
    if !c.patterns.is_empty() {
        println!("      patterns: {}", c.patterns.join(" | "));
    }
    println!("      {when}: {}", c.advice);
}

fn validate_cmd(paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let validation = bank::validate_paths(paths);
    for d in &validation.diagnostics {
        println!("{d}");
    }
    for b in &validation.banks {
        if !validation
            .diagnostics
            .iter()
            .any(|d| d.file == b.defined_at.file)
        {
            println!(
                "ok: {} (bank `{}`, {})",
                b.defined_at.file,
                b.id,
                plural(b.questions.len(), "question")
            );
        }
    }
    if validation.is_ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{} found; the schema is described in question-banks/README.md",
            plural(validation.diagnostics.len(), "problem")
        );
        Ok(ExitCode::from(1))
    }
}

fn draw_cmd(catalog: &Catalog, request: &DrawRequest) -> anyhow::Result<ExitCode> {
    let drawn = bank::draw(catalog, request)?;
    println!(
        "seed {} (pass --seed {} to draw the same questions again)",
        drawn.seed, drawn.seed
    );
    for (i, q) in drawn.questions.iter().enumerate() {
        println!(
            "{:>3}. {:<30} [{}, {}] {}",
            i + 1,
            q.id,
            q.bank,
            q.difficulty.as_str(),
            q.text
        );
    }
    Ok(ExitCode::SUCCESS)
}
