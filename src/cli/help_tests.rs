//! The help layout every command shares: examples, the global options under
//! their own heading, one meaning per short flag and per option name, and
//! the same metavars for the same kind of value.

use clap::{Arg, Command, CommandFactory};

/// The options every command takes, shown apart from its own.
const GLOBALS: [&str; 3] = ["--models-dir", "--bank-dir", "--data-dir"];

/// The metavars in use: a kind of value is always named the same way.
const METAVARS: &[&str] = &[
    "FILE",
    "DIR",
    "PATH",
    "N",
    "SECS",
    "X",
    "ID",
    "NAME",
    "NAME|PATH",
    "TEXT",
    "MIN-MAX",
    "WORD",
    "TAG",
    "CATEGORY",
    "BANK",
    "DEVICE",
    "WHEN",
    "WHEEL",
    "SOURCE",
    "MODEL",
];

/// Every command and subcommand below `cmd` (not clap's own `help`), with
/// its full name ("rehearse model fetch").
fn commands(cmd: &Command, prefix: &str, out: &mut Vec<(String, Command)>) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("{prefix} {}", sub.get_name());
        out.push((name.clone(), sub.clone()));
        commands(sub, &name, out);
    }
}

fn built() -> Command {
    let mut cli = super::Cli::command();
    cli.build();
    cli
}

fn all_commands() -> Vec<(String, Command)> {
    let mut out = Vec::new();
    commands(&built(), "rehearse", &mut out);
    out
}

#[test]
fn the_command_line_is_consistent() {
    super::Cli::command().debug_assert();
}

#[test]
fn every_help_has_examples_and_the_global_options_apart() {
    let mut problems = Vec::new();
    for (name, mut cmd) in all_commands() {
        let help = cmd.render_long_help().to_string();
        let Some(examples) = help.find("Examples:") else {
            problems.push(format!("{name}: no Examples section"));
            continue;
        };
        // Each example runs the command it documents.
        if !help[examples..].contains(&format!("  {name}")) {
            problems.push(format!("{name}: no example runs `{name}`"));
        }
        let Some(globals) = help.find("Global options:") else {
            problems.push(format!("{name}: no Global options heading"));
            continue;
        };
        let (own, global) = (&help[..globals], &help[globals..examples.max(globals)]);
        for option in GLOBALS {
            if own.contains(option) {
                problems.push(format!(
                    "{name}: {option} listed with the command's own options"
                ));
            }
            if !global.contains(option) {
                problems.push(format!("{name}: {option} not under Global options"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn options(cmd: &Command) -> impl Iterator<Item = &Arg> {
    cmd.get_arguments().filter(|a| !a.is_hide_set())
}

#[test]
fn a_short_flag_and_an_option_name_mean_one_thing_everywhere() {
    let mut problems = Vec::new();
    for (name, cmd) in all_commands() {
        for arg in options(&cmd) {
            if arg.get_short() == Some('n') && arg.get_long() != Some("questions") {
                problems.push(format!(
                    "{name}: -n is --{}, elsewhere --questions",
                    arg.get_long().unwrap_or("?")
                ));
            }
            let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
            if arg.get_long().is_some() && takes_value {
                for metavar in arg.get_value_names().unwrap_or_default() {
                    if !METAVARS.contains(&metavar.as_str()) {
                        problems.push(format!(
                            "{name} --{}: metavar {metavar} is not one of {METAVARS:?}",
                            arg.get_long().unwrap_or("?")
                        ));
                    }
                }
                if arg.get_value_names().is_none() {
                    problems.push(format!(
                        "{name} --{}: no metavar",
                        arg.get_long().unwrap_or("?")
                    ));
                }
            }
        }
    }
    // --pace is the WPM band of `analyze`; the feeding speed of
    // `transcribe` is --feed-speed.
    for (name, cmd) in all_commands() {
        if let Some(pace) = options(&cmd).find(|a| a.get_long() == Some("pace")) {
            let names = pace.get_value_names().unwrap_or_default();
            if names.iter().map(|n| n.as_str()).collect::<Vec<_>>() != ["MIN-MAX"] {
                problems.push(format!("{name}: --pace is not the MIN-MAX pace band"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn data_dir_is_global_and_reaches_every_history_command() {
    use clap::Parser;
    for args in [
        ["rehearse", "--data-dir", "somewhere", "replay"],
        ["rehearse", "replay", "--data-dir", "somewhere"],
    ] {
        let cli = super::Cli::try_parse_from(args).unwrap();
        assert_eq!(
            cli.data_dir.as_deref(),
            Some(std::path::Path::new("somewhere"))
        );
    }
}

/// The words of an example line: the command before its two-space
/// comment, split like a shell would (double quotes group words).
fn example_words(line: &str) -> Vec<String> {
    let command = line.trim_start().split("  ").next().unwrap_or_default();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

#[test]
fn every_example_is_a_valid_command_line() {
    use clap::Parser;
    let mut cli = built();
    let mut helps = vec![cli.render_long_help().to_string()];
    helps.extend(
        all_commands()
            .into_iter()
            .map(|(_, mut cmd)| cmd.render_long_help().to_string()),
    );
    let mut checked = 0;
    for help in helps {
        let examples = &help[help.find("Examples:").expect("examples")..];
        for line in examples.lines().filter(|l| l.starts_with("  rehearse ")) {
            let words = example_words(line);
            if let Err(e) = super::Cli::try_parse_from(&words) {
                panic!("{line:?} does not parse: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} examples");
}
