//! Plain tables for people.

/// Prints rows as aligned columns; long cells are cut with an ellipsis.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    print_table(headers, rows, false);
}

/// The same, with the last column whole (an explanation is read to its end).
pub fn table_long_last(headers: &[&str], rows: &[Vec<String>]) {
    print_table(headers, rows, true);
}

fn print_table(headers: &[&str], rows: &[Vec<String>], long_last: bool) {
    const MAX: usize = 60;
    let last = headers.len().saturating_sub(1);
    let cut = |i: usize, s: &str| -> String {
        let one_line = printable(s);
        if one_line.chars().count() > MAX && !(long_last && i == last) {
            format!("{}…", one_line.chars().take(MAX - 1).collect::<String>())
        } else {
            one_line
        }
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().enumerate().map(|(i, c)| cut(i, c)).collect())
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_uppercase()).collect());
    for r in rows {
        line(r);
    }
}

/// A time as the user's clock shows it (the system time zone).
pub fn time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| {
            d.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// A cell as one line a terminal shows as it is: line breaks and tabs become spaces; control
/// characters and bidirectional overrides (which could recolour, clear or retitle the
/// terminal, or reorder what is shown) are written as escapes (`\u{1b}`). Cells hold text
/// from remote feeds.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{202a}'..='\u{202e}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{200e}'
                        | '\u{200f}'
                        | '\u{061c}'
                        | '\u{2028}'
                        | '\u{2029}'
                ) =>
            {
                out.push_str(&c.escape_unicode().to_string())
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_cannot_drive_the_terminal() {
        assert_eq!(
            super::printable("Danone \u{1b}[31mROUGE\u{7}\nligne\u{202e}txt"),
            "Danone \\u{1b}[31mROUGE\\u{7} ligne\\u{202e}txt"
        );
        assert_eq!(super::printable("« Société » é"), "« Société » é");
        assert_eq!(
            super::printable("a\u{200f}b\u{2028}c"),
            "a\\u{200f}b\\u{2028}c"
        );
    }
}
