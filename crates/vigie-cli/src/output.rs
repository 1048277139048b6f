//! Plain tables for people, and the one way command output reaches stdout.

use std::io::Write;

/// Standard output was closed by its reader (`vigie mentions | head`): the command stops
/// quietly, as a Unix tool does, instead of panicking in `println!`.
#[derive(Debug)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// A poll ran, and some of its sources failed (exit code 2: what the others gave is stored).
#[derive(Debug)]
pub struct SourcesFailed {
    pub failed: usize,
    pub checked: usize,
}

impl std::fmt::Display for SourcesFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} of {} sources failed; `vigie source list` says why and what to do",
            self.failed, self.checked
        )
    }
}

impl std::error::Error for SourcesFailed {}

/// `Err(SourcesFailed)` when any source of the poll failed, so that a script or cron job
/// notices a dead feed.
pub fn sources_failed(r: &vigie_engine::PollReport) -> anyhow::Result<()> {
    if r.failed > 0 {
        return Err(SourcesFailed {
            failed: r.failed,
            checked: r.checked,
        }
        .into());
    }
    Ok(())
}

/// Writes command output (see the `outln!` and `out!` macros).
pub fn write_out(args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    write_to(&mut std::io::stdout().lock(), args)
}

fn write_to(w: &mut impl Write, args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    match w.write_fmt(args).and_then(|()| w.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(anyhow::Error::new(e).context("could not write to standard output")),
    }
}

/// Prints rows as aligned columns; long cells are cut with an ellipsis.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    print_table(headers, rows, false)
}

/// The same, with the last column whole (an explanation is read to its end).
pub fn table_long_last(headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    print_table(headers, rows, true)
}

fn print_table(headers: &[&str], rows: &[Vec<String>], long_last: bool) -> anyhow::Result<()> {
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
    let line = |cells: Vec<String>| -> anyhow::Result<()> {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        outln!("{}", parts.join("  ").trim_end());
        Ok(())
    };
    line(headers.iter().map(|h| h.to_uppercase()).collect())?;
    for r in rows {
        line(r)?;
    }
    Ok(())
}

/// A time as the user's clock shows it (the system time zone).
pub fn time(ts: i64) -> String {
    local(ts, "%Y-%m-%d %H:%M")
}

/// A moment within the next minutes, to the second (an undo window lasts seconds).
pub fn clock(ts: i64) -> String {
    local(ts, "%H:%M:%S")
}

fn local(ts: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.with_timezone(&chrono::Local).format(format).to_string())
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
