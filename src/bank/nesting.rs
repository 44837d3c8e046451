//! A guard run before any YAML parsing: brackets (`[`, `{`) nested deeper
//! than any bank needs are refused at once, with their position. Parsing
//! such a file costs time that grows with the square of the depth (a
//! 200 KB file of nested brackets took minutes), so it must not reach the
//! parser.

use super::locate::Pos;

/// Deepest bracket nesting a bank may use; real banks need two or three.
pub const MAX_DEPTH: usize = 32;

/// The position of the first bracket that opens deeper than [`MAX_DEPTH`],
/// if any. Brackets inside quoted strings and comments do not count.
pub fn too_deep(source: &str) -> Option<Pos> {
    let (mut line, mut column) = (1usize, 0usize);
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for c in source.chars() {
        if c == '\n' {
            line += 1;
            column = 0;
            comment = false;
            previous = c;
            continue;
        }
        column += 1;
        if comment {
            previous = c;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '#' if previous.is_whitespace() => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(Pos { line, column });
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_brackets_are_found_where_they_go_too_deep() {
        let deep = format!("id: x\nquestions: {}{}", "[".repeat(40), "]".repeat(40));
        assert_eq!(
            too_deep(&deep),
            Some(Pos {
                line: 2,
                column: 12 + MAX_DEPTH
            })
        );
        let fine = "cues: [\"a [b] c\", '{{{{'] # [[[[[[\nother: {a: [1, 2]}\n";
        assert_eq!(too_deep(fine), None);
    }
}
