//! Colours for terminal output. Off when the stream is not a terminal, when `NO_COLOR` is set
//! to anything non-empty (<https://no-color.org>) or when `TERM=dumb`. The styles are
//! `anstyle` values (the crate clap colours its own help with), rendered as ANSI SGR codes.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Style};

/// What a piece of text is, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// `agsekit: error:` (red, bold).
    Error,
    /// `hint:` and warnings (yellow).
    Hint,
    /// Section headings (bold).
    Heading,
    /// Command names and command lines (cyan).
    Command,
    /// Secondary text (dim).
    Dim,
}

impl Tone {
    fn style(self) -> Style {
        let colour = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        match self {
            Tone::Error => colour(AnsiColor::Red).bold(),
            Tone::Hint => colour(AnsiColor::Yellow),
            Tone::Heading => Style::new().bold(),
            Tone::Command => colour(AnsiColor::Cyan),
            Tone::Dim => Style::new().dimmed(),
        }
    }
}

/// Whether colour may be used on a stream, given whether it is a terminal and the
/// environment (`get` reads a variable).
pub fn allowed(is_terminal: bool, get: impl Fn(&str) -> Option<String>) -> bool {
    if !is_terminal {
        return false;
    }
    if get("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    get("TERM").as_deref() != Some("dumb")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Whether colour may be used on stderr.
pub fn stderr_allowed() -> bool {
    allowed(std::io::stderr().is_terminal(), env)
}

/// Whether colour may be used on stdout.
pub fn stdout_allowed() -> bool {
    allowed(std::io::stdout().is_terminal(), env)
}

/// `text` in the colour of `tone` when `on`, else unchanged.
pub fn paint(on: bool, tone: Tone, text: &str) -> String {
    if on && !text.is_empty() {
        let style = tone.style();
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Colours the machine-readable prefixes of a rendered error report (`agsekit: error:`,
/// `agsekit: warning:`, `hint:`) at the start of lines; the rest is left as it is.
pub fn paint_report(on: bool, report: &str) -> String {
    if !on {
        return report.to_string();
    }
    let mut out = String::with_capacity(report.len() + 32);
    for line in report.split_inclusive('\n') {
        let painted = [
            ("agsekit: error:", Tone::Error),
            ("agsekit: warning:", Tone::Hint),
            ("hint:", Tone::Hint),
        ]
        .iter()
        .find_map(|(prefix, tone)| {
            line.strip_prefix(prefix)
                .map(|rest| format!("{}{rest}", paint(true, *tone, prefix)))
        });
        out.push_str(&painted.unwrap_or_else(|| line.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(allowed(true, vars(&[])));
        assert!(!allowed(false, vars(&[])));
        assert!(!allowed(true, vars(&[("NO_COLOR", "1")])));
        // An empty NO_COLOR does not count, as the convention says.
        assert!(allowed(true, vars(&[("NO_COLOR", "")])));
        assert!(!allowed(true, vars(&[("TERM", "dumb")])));
    }

    #[test]
    fn only_the_prefixes_of_a_report_are_coloured() {
        let report = "agsekit: error: no VM named \"x\"\nhint: agsekit config-check\n";
        assert_eq!(paint_report(false, report), report);
        assert_eq!(
            paint_report(true, report),
            "\x1b[1m\x1b[31magsekit: error:\x1b[0m no VM named \"x\"\n\x1b[33mhint:\x1b[0m agsekit config-check\n"
        );
        assert_eq!(paint(true, Tone::Command, ""), "");
    }
}
