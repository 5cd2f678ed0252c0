//! The menu's line widgets (`agsekit` with no command, `src/cli/menu.rs`): lines cut to the
//! terminal's width at a word, and a command entry with its name painted and padded.

use super::style::{self, Tone};

/// The width of the terminal on stderr (where the menu is drawn): the window size the
/// terminal reports, else `$COLUMNS`, else 80.
pub fn terminal_width() -> usize {
    crate::ui::stderr_columns().unwrap_or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|c| *c > 0)
            .unwrap_or(80)
    })
}

/// `text` cut to at most `width` characters: at the last space that keeps it short enough
/// (at a character when there is none), with `…` where something was cut. A line that is
/// cut never wraps mid-word on the next line: there is no next line.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let room: String = text.chars().take(width - 1).collect();
    let cut = match room.rfind(' ') {
        Some(i) if i > 0 => room[..i].trim_end_matches([' ', ',']).to_string(),
        _ => room,
    };
    format!("{cut}…")
}

/// One menu line: `prefix` and a padded `name` (painted as a command when `color`), then
/// `rest` cut to what the width leaves.
pub fn menu_line(
    color: bool,
    prefix: &str,
    name: &str,
    name_width: usize,
    rest: &str,
    width: usize,
) -> String {
    let padded = format!("{name:<name_width$}");
    let used = prefix.chars().count() + padded.chars().count() + 2;
    let rest = fit(rest, width.saturating_sub(used));
    let line = format!(
        "{prefix}{}  {rest}",
        style::paint(color, Tone::Command, &padded)
    );
    line.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_at_a_word_and_marked() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("Run a single backup", 12), "Run a…");
        assert_eq!(fit("up, prepare, config-gen", 16), "up, prepare…");
        assert_eq!(fit("abcdefghij", 5), "abcd…");
        assert_eq!(fit("Показать текущее состояние", 20), "Показать текущее…");
        assert!(fit("x y z", 0).is_empty());
    }
}
