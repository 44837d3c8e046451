//! Line and column of every key and value in a YAML file, by path.
//!
//! serde_yaml reports positions for the errors it finds itself, but keeps no
//! spans on the values it produces, so the semantic checks (duplicate ids,
//! unknown references, bad windows...) would not know where to point. This
//! module walks the file's events with `saphyr-parser` and records, for each
//! node, the position of its key and of its value under a path written the way
//! serde_yaml writes paths: `questions[3].follow_ups[0].when.missing`.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Span};

/// A position in a file, both numbers starting at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// The start of the file.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

impl From<&Span> for Pos {
    fn from(span: &Span) -> Self {
        Pos {
            line: span.start.line().max(1),
            column: span.start.col() + 1,
        }
    }
}

/// Positions of the nodes of one YAML file.
#[derive(Debug, Default)]
pub struct Locator {
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
    /// Keys written twice in the same mapping: (path, position of the repeat).
    duplicate_keys: Vec<(String, Pos)>,
    /// Where each document starts (a file must hold exactly one).
    documents: Vec<Pos>,
}

enum Frame {
    Mapping {
        path: String,
        /// The key just read, waiting for its value.
        key: Option<String>,
        seen: Vec<String>,
    },
    Sequence {
        path: String,
        next: usize,
    },
    /// A mapping or sequence used as a key: its insides have no path.
    Opaque,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Locator {
    /// Reads `source`. Stops quietly at a syntax error: whatever was located
    /// before it stays available (serde_yaml reports the error itself).
    pub fn new(source: &str) -> Self {
        let mut locator = Locator::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(source) {
            let Ok((event, span)) = event else { break };
            let pos = Pos::from(&span);
            match event {
                Event::DocumentStart(_) => {
                    locator.documents.push(pos);
                    stack.clear();
                }
                Event::Scalar(text, ..) => {
                    if let Some(Frame::Mapping { key, seen, path }) = stack.last_mut() {
                        if key.is_none() {
                            let text = text.to_string();
                            let full = join(path, &text);
                            if seen.contains(&text) {
                                locator.duplicate_keys.push((full, pos));
                            } else {
                                seen.push(text.clone());
                                locator.keys.insert(full, pos);
                            }
                            *key = Some(text);
                            continue;
                        }
                    }
                    locator.place_value(&mut stack, pos);
                }
                Event::Alias(_) => {
                    locator.place_value(&mut stack, pos);
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let is_mapping = matches!(event, Event::MappingStart(..));
                    let frame = match locator.place_value(&mut stack, pos) {
                        Some(path) if is_mapping => Frame::Mapping {
                            path,
                            key: None,
                            seen: Vec::new(),
                        },
                        Some(path) => Frame::Sequence { path, next: 0 },
                        None => Frame::Opaque,
                    };
                    stack.push(frame);
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                _ => {}
            }
        }
        locator
    }

    /// Records a value node at `pos` under its parent; returns its path, or
    /// `None` when it is (inside) a complex mapping key.
    fn place_value(&mut self, stack: &mut [Frame], pos: Pos) -> Option<String> {
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Mapping { path, key, seen }) => match key.take() {
                Some(key) => join(path, &key),
                None => {
                    // A mapping or sequence used as a key: it takes the key's
                    // place, and the value that follows gets a placeholder.
                    let placeholder = format!("?{}", seen.len());
                    seen.push(placeholder.clone());
                    *key = Some(placeholder);
                    return None;
                }
            },
            Some(Frame::Sequence { path, next }) => {
                *next += 1;
                format!("{path}[{}]", *next - 1)
            }
            Some(Frame::Opaque) => return None,
        };
        self.values.entry(path.clone()).or_insert(pos);
        Some(path)
    }

    /// Where the value at `path` starts.
    pub fn value(&self, path: &str) -> Option<Pos> {
        self.values.get(path).copied()
    }

    /// Where the key of the value at `path` is written.
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.keys.get(path).copied()
    }

    /// The value's position, else its key's, else the nearest located
    /// ancestor's (`a.b[2].c` -> `a.b[2]` -> `a.b` -> `a`), else the start.
    pub fn best(&self, path: &str) -> Pos {
        let mut path = path;
        loop {
            if let Some(pos) = self.value(path).or_else(|| self.key(path)) {
                return pos;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return Pos::START,
            }
        }
    }

    /// Keys written twice in one mapping, in file order.
    pub fn duplicate_keys(&self) -> &[(String, Pos)] {
        &self.duplicate_keys
    }

    /// Start of each YAML document in the file.
    pub fn documents(&self) -> &[Pos] {
        &self.documents
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
id: demo
questions:
  - id: first
    tags: [a, b]
    when: {missing: p}
  - id: second
    target_seconds:
      min: 5
      max: 3
";

    fn at(line: usize, column: usize) -> Option<Pos> {
        Some(Pos { line, column })
    }

    #[test]
    fn locates_keys_and_values_by_serde_style_paths() {
        let loc = Locator::new(SOURCE);
        assert_eq!(loc.value("id"), at(1, 5));
        assert_eq!(loc.key("id"), at(1, 1));
        assert_eq!(loc.value("questions[0].id"), at(3, 9));
        assert_eq!(loc.value("questions[0].tags[1]"), at(4, 15));
        assert_eq!(loc.value("questions[0].when.missing"), at(5, 21));
        assert_eq!(loc.key("questions[1].target_seconds.max"), at(9, 7));
        assert_eq!(loc.value("questions[1].target_seconds.max"), at(9, 12));
        assert_eq!(loc.value("questions[1]"), at(6, 5));
        assert_eq!(loc.value("nope"), None);
    }

    #[test]
    fn best_falls_back_to_the_nearest_ancestor() {
        let loc = Locator::new(SOURCE);
        assert_eq!(Some(loc.best("questions[1].rubric[0].id")), at(6, 5));
        assert_eq!(loc.best("missing.entirely"), Pos::START);
    }

    #[test]
    fn finds_duplicate_keys_and_documents() {
        let loc = Locator::new("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n---\nx: 1\n");
        let dups: Vec<_> = loc
            .duplicate_keys()
            .iter()
            .map(|(p, pos)| (p.as_str(), *pos))
            .collect();
        assert_eq!(
            dups,
            vec![
                ("b.c", Pos { line: 4, column: 3 }),
                ("a", Pos { line: 5, column: 1 })
            ]
        );
        assert_eq!(loc.documents().len(), 2);
        assert_eq!(loc.documents()[1].line, 6);
    }

    #[test]
    fn survives_complex_keys_aliases_and_syntax_errors() {
        let loc = Locator::new("? [a, b]\n: 1\nx: &k {y: 2}\nz: *k\nw: [unclosed\n");
        assert_eq!(loc.key("x.y"), at(3, 8));
        assert_eq!(loc.value("x.y"), at(3, 11));
        assert_eq!(loc.value("z"), at(4, 4));
        let _ = Locator::new("{{{{[[[[");
        let _ = Locator::new("");
    }
}
