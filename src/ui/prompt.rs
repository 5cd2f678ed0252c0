//! Plain line prompts for commands that ask questions in a terminal: a question on stderr, an
//! answer line from stdin. Kept to plain lines (no raw-mode widgets) so they work over SSH, in
//! tmux-driven tests and with screen readers. Generic over the streams so tests can script
//! the answers. A closed input ends the questions with [`Closed`], which the error module
//! turns into the user-facing error (`impl From<Closed> for UserError` in `src/error.rs`:
//! `ui` may not import `error`, which imports `ui`).

use std::io::{self, BufRead, IsTerminal, Write};

use crate::t;

/// Whether prompts may be shown: stdin and stderr are terminals and `--non-interactive` is off.
pub fn can_prompt(non_interactive: bool) -> bool {
    !non_interactive && io::stdin().is_terminal() && io::stderr().is_terminal()
}

pub struct Prompter<R, W> {
    input: R,
    out: W,
}

/// Standard input, read a line at a time with the process-wide stdin lock taken only for
/// the read. A prompter that kept the lock would block any other reader of stdin in this
/// process: the command the menu runs in-process (config-gen, addmount, doctor's questions)
/// would wait forever for the menu's own prompter.
pub struct TerminalInput {
    line: Vec<u8>,
    at: usize,
}

impl io::Read for TerminalInput {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = io::BufRead::fill_buf(self)?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        io::BufRead::consume(self, n);
        Ok(n)
    }
}

impl BufRead for TerminalInput {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at >= self.line.len() {
            self.line.clear();
            self.at = 0;
            let mut lock = io::stdin().lock();
            let available = lock.fill_buf()?;
            // Up to the end of one line: what is typed ahead stays with stdin for the next
            // reader, whoever it is.
            let n = available
                .iter()
                .position(|b| *b == b'\n')
                .map_or(available.len(), |i| i + 1);
            self.line.extend_from_slice(&available[..n]);
            lock.consume(n);
        }
        Ok(&self.line[self.at..])
    }

    fn consume(&mut self, amount: usize) {
        self.at = (self.at + amount).min(self.line.len());
    }
}

impl Prompter<TerminalInput, io::Stderr> {
    /// Questions on stderr, answers from stdin.
    pub fn terminal() -> Self {
        Prompter {
            input: TerminalInput {
                line: Vec::new(),
                at: 0,
            },
            out: io::stderr(),
        }
    }
}

/// The input closed before an answer came (end of file, or a read error). Deliberately not a
/// `std::error::Error`: it reaches users only as the `UserError` it converts into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

impl<R: BufRead, W: Write> Prompter<R, W> {
    #[cfg_attr(not(test), allow(dead_code))] // scripted answers in tests
    pub fn new(input: R, out: W) -> Self {
        Prompter { input, out }
    }

    /// The output stream back (tests read what was shown).
    #[cfg(test)]
    pub fn into_output(self) -> W {
        self.out
    }

    /// Prints a line (for summaries between questions).
    pub fn say(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    fn read_line(&mut self) -> Result<String, Closed> {
        let _ = self.out.flush();
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => Err(Closed),
            Ok(_) => Ok(line.trim().to_string()),
        }
    }

    /// Free text; an empty answer takes `default` (shown in brackets) when there is one.
    pub fn text(&mut self, question: &str, default: Option<&str>) -> Result<String, Closed> {
        match default {
            Some(d) if !d.is_empty() => {
                let _ = write!(self.out, "{question} [{d}]: ");
            }
            _ => {
                let _ = write!(self.out, "{question}: ");
            }
        }
        let answer = self.read_line()?;
        Ok(if answer.is_empty() {
            default.unwrap_or("").to_string()
        } else {
            answer
        })
    }

    /// Asks until `check` accepts the answer; each refusal prints its reason.
    pub fn valid<T>(
        &mut self,
        question: &str,
        default: Option<&str>,
        mut check: impl FnMut(&str) -> Result<T, String>,
    ) -> Result<T, Closed> {
        loop {
            let answer = self.text(question, default)?;
            match check(&answer) {
                Ok(v) => return Ok(v),
                Err(why) => self.say(&format!("  {why}")),
            }
        }
    }

    /// Yes or no; an empty answer takes `default`.
    pub fn confirm(&mut self, question: &str, default: bool) -> Result<bool, Closed> {
        let shown = if default {
            t!("prompt.default_yes")
        } else {
            t!("prompt.default_no")
        };
        loop {
            let _ = write!(self.out, "{question} [{shown}]: ");
            let answer = self.read_line()?.to_lowercase();
            match answer.as_str() {
                "" => return Ok(default),
                // English letters always work; Russian ones too (д/да, н/нет).
                "y" | "yes" | "д" | "да" => return Ok(true),
                "n" | "no" | "н" | "нет" => return Ok(false),
                _ => self.say(&format!("  {}", t!("prompt.answer_yes_no"))),
            }
        }
    }

    /// One of `options`, by number (1-based on screen); returns the index. An empty answer
    /// takes `default` when given.
    pub fn choose(
        &mut self,
        question: &str,
        options: &[String],
        default: Option<usize>,
    ) -> Result<usize, Closed> {
        self.say(question);
        for (i, o) in options.iter().enumerate() {
            self.say(&format!("  {}) {o}", i + 1));
        }
        let default_text = default.map(|d| (d + 1).to_string());
        let count = options.len();
        self.valid(&t!("prompt.number"), default_text.as_deref(), |a| {
            match a.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => Ok(n - 1),
                _ => Err(t!("prompt.number_range", count = count)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripted(answers: &str) -> Prompter<&[u8], Vec<u8>> {
        Prompter::new(answers.as_bytes(), Vec::new())
    }

    #[test]
    fn defaults_retries_and_closed_input() {
        let mut p = scripted("\nmaybe\nn\n\nbad\n7\n2\n");
        assert!(p.confirm("Go?", true).expect("answer"));
        assert!(!p.confirm("Go?", true).expect("answer"));
        assert_eq!(p.text("Name", Some("x")).expect("answer"), "x");
        let opts = vec!["a".to_string(), "b".to_string()];
        assert_eq!(p.choose("Pick", &opts, None).expect("answer"), 1);
        let shown = String::from_utf8(p.out.clone()).expect("utf8");
        assert!(shown.contains("answer y or n"), "{shown}");
        assert!(shown.contains("  2) b"), "{shown}");
        assert!(shown.contains("type a number from 1 to 2"), "{shown}");
        assert!(p.text("More", None).is_err());
    }
}
