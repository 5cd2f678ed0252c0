//! Editing the config file's `mounts:` list while keeping everything else byte for byte: the
//! user's comments, key order, quoting, blank lines and indentation.
//!
//! The edits are text splices guided by a parse that knows where every node is
//! (`saphyr-parser` events carry spans; the loader's YAML crate does not). Only the lines of the
//! entry being added or removed change. Callers must still re-load the result with the real
//! loader and compare it with the expected change before writing ([`verify_mounts`]); the
//! writing itself (backup copy, atomic replace) is in [`super::write`].

use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use super::model::{CleanMethod, Config, MinimumsOf, MountConfig};
use super::validate::load_from_str;
use crate::error::UserError;
use crate::t;

/// A mount entry as `addmount` writes it: every key 1.7.4 writes, with values already
/// resolved (absolute, clean paths).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMount {
    pub source: PathBuf,
    pub vm: String,
    pub target: PathBuf,
    pub backup: PathBuf,
    pub interval: u32,
    pub max_backups: u32,
    pub backup_clean_method: CleanMethod,
    pub allowed_agents: Option<Vec<String>>,
}

impl NewMount {
    /// The validated mount the loader makes of this entry.
    pub fn expected(&self) -> MountConfig {
        MountConfig {
            source: self.source.clone(),
            target: self.target.clone(),
            backup: self.backup.clone(),
            vm: self.vm.clone(),
            interval: self.interval,
            max_backups: self.max_backups,
            backup_clean_method: self.backup_clean_method,
            first_backup: true,
            allowed_agents: self.allowed_agents.clone(),
        }
    }

    /// `(key, YAML value text)` pairs in the order 1.7.4 writes them.
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("source", yaml_scalar(&self.source.to_string_lossy())),
            ("vm", yaml_scalar(&self.vm)),
            ("target", yaml_scalar(&self.target.to_string_lossy())),
            ("backup", yaml_scalar(&self.backup.to_string_lossy())),
            ("interval", self.interval.to_string()),
            ("max_backups", self.max_backups.to_string()),
            (
                "backup_clean_method",
                self.backup_clean_method.as_str().to_string(),
            ),
        ];
        if let Some(list) = &self.allowed_agents {
            let items: Vec<String> = list.iter().map(|a| yaml_scalar(a)).collect();
            out.push(("allowed_agents", format!("[{}]", items.join(", "))));
        }
        out
    }

    fn flow_text(&self) -> String {
        let parts: Vec<String> = self
            .fields()
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// A scalar as YAML text, safe in block and flow context: plain when it cannot be misread,
/// double-quoted (JSON escaping is valid YAML) otherwise.
pub fn yaml_scalar(text: &str) -> String {
    let plain_chars = |c: char| c.is_ascii_alphanumeric() || "/._-~+@=".contains(c);
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || "/._".contains(c));
    let looks_special = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~" | ".inf" | ".nan"
    ) || text.parse::<f64>().is_ok()
        || text.starts_with("0x")
        || text.starts_with("0o");
    if first_ok && text.chars().all(plain_chars) && !looks_special {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

/// Why the file cannot be edited automatically. The hint says how to do it by hand.
fn cannot_edit(path: &Path, why: impl std::fmt::Display) -> UserError {
    UserError::config(t!("config.edit_cannot", path = path.display(), why = why))
        .hint(t!("config.edit_by_hand", path = path.display()))
}

/// Positions in the text: char index to byte offset, and line starts.
struct Text<'a> {
    text: &'a str,
    char_bytes: Vec<usize>,
    line_starts: Vec<usize>,
}

impl<'a> Text<'a> {
    fn new(text: &'a str) -> Self {
        let mut char_bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        char_bytes.push(text.len());
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Text {
            text,
            char_bytes,
            line_starts,
        }
    }

    fn byte(&self, m: Marker) -> usize {
        self.char_bytes
            .get(m.index())
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset where 1-based `line` starts (the text's end past the last line).
    fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// Byte offset just past 1-based `line`, its line break included.
    fn line_end(&self, line: usize) -> usize {
        self.line_start(line + 1)
    }

    /// The line's text, without a byte order mark at the start of the file.
    fn line(&self, line: usize) -> &'a str {
        let text = &self.text[self.line_start(line)..self.line_end(line)];
        text.strip_prefix('\u{feff}').unwrap_or(text)
    }

    /// The column of `m` in characters, not counting a byte order mark (the parser counts it).
    fn col(&self, m: Marker) -> usize {
        let start = self.line_start(m.line());
        let before = self.text.get(start..self.byte(m)).unwrap_or("");
        let before = before.strip_prefix('\u{feff}').unwrap_or(before);
        before.chars().count()
    }

    fn line_count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.line_starts.len() - 1
        } else {
            self.line_starts.len()
        }
    }

    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }
}

/// One node of the parsed document with where it is.
#[derive(Debug)]
struct Node {
    start: Marker,
    /// Last line holding content of this node (1-based).
    last_line: usize,
    /// Byte just past the node's last character (for flow splices).
    end_byte: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Scalar {
        value: String,
        style: ScalarStyle,
        empty_span: bool,
        tagged: bool,
    },
    Alias,
    Seq {
        flow: bool,
        items: Vec<Node>,
        /// Byte of `[` for flow sequences.
        open_byte: usize,
        tagged: bool,
    },
    Map {
        flow: bool,
        entries: Vec<(Node, Node)>,
    },
}

/// Builds the node tree from the event list.
struct Builder<'t, 'a> {
    events: Vec<(Event<'a>, saphyr_parser::Span)>,
    pos: usize,
    text: &'t Text<'a>,
}

impl<'a> Builder<'_, 'a> {
    fn node(&mut self) -> Option<Node> {
        let (event, span) = self.events.get(self.pos)?.clone();
        self.pos += 1;
        let start_byte = self.text.byte(span.start);
        let first_char = self.text.text[start_byte..].chars().next();
        match event {
            Event::Scalar(value, style, _anchor, tag) => {
                let end_byte = self.text.byte(span.end);
                let empty_span = span.start.index() == span.end.index();
                let last_line = if !empty_span && span.end.col() == 0 {
                    span.end.line().saturating_sub(1).max(span.start.line())
                } else {
                    span.end.line()
                };
                Some(Node {
                    start: span.start,
                    last_line,
                    end_byte,
                    kind: Kind::Scalar {
                        value: value.into_owned(),
                        style,
                        empty_span,
                        tagged: tag.is_some(),
                    },
                })
            }
            Event::Alias(_) => Some(Node {
                start: span.start,
                last_line: span.end.line(),
                end_byte: self.text.byte(span.end),
                kind: Kind::Alias,
            }),
            Event::SequenceStart(_, tag) => {
                let flow = first_char == Some('[');
                let mut items = Vec::new();
                loop {
                    let (ev, end_span) = self.events.get(self.pos)?.clone();
                    if matches!(ev, Event::SequenceEnd) {
                        self.pos += 1;
                        let (last_line, end_byte) = if flow {
                            (end_span.start.line(), self.text.byte(end_span.start) + 1)
                        } else {
                            let last = items.last().map(|n: &Node| (n.last_line, n.end_byte));
                            last.unwrap_or((span.start.line(), start_byte))
                        };
                        return Some(Node {
                            start: span.start,
                            last_line,
                            end_byte,
                            kind: Kind::Seq {
                                flow,
                                items,
                                open_byte: start_byte,
                                tagged: tag.is_some(),
                            },
                        });
                    }
                    items.push(self.node()?);
                }
            }
            Event::MappingStart(_, _tag) => {
                let flow = first_char == Some('{');
                let mut entries = Vec::new();
                loop {
                    let (ev, end_span) = self.events.get(self.pos)?.clone();
                    if matches!(ev, Event::MappingEnd) {
                        self.pos += 1;
                        let (last_line, end_byte) = if flow {
                            (end_span.start.line(), self.text.byte(end_span.start) + 1)
                        } else {
                            let last = entries
                                .last()
                                .map(|(_, v): &(Node, Node)| (v.last_line, v.end_byte));
                            last.unwrap_or((span.start.line(), start_byte))
                        };
                        return Some(Node {
                            start: span.start,
                            last_line,
                            end_byte,
                            kind: Kind::Map { flow, entries },
                        });
                    }
                    let key = self.node()?;
                    let value = self.node()?;
                    entries.push((key, value));
                }
            }
            _ => None,
        }
    }
}

/// The document's root node, or `None` for an empty document.
fn parse(text: &Text<'_>, path: &Path) -> Result<Option<Node>, UserError> {
    let mut events = Vec::new();
    for item in Parser::new_from_str(text.text) {
        match item {
            Ok(ev) => events.push(ev),
            Err(err) => return Err(cannot_edit(path, t!("config.yaml_syntax", error = err))),
        }
    }
    let docs = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::DocumentStart(_)))
        .count();
    if docs > 1 {
        return Err(cannot_edit(path, t!("config.edit_many_documents")));
    }
    let explicit_end = events
        .iter()
        .any(|(e, span)| matches!(e, Event::DocumentEnd) && span.start.index() != span.end.index());
    if explicit_end {
        return Err(cannot_edit(path, t!("config.edit_document_end")));
    }
    let Some(start) = events
        .iter()
        .position(|(e, _)| matches!(e, Event::DocumentStart(_)))
    else {
        return Ok(None);
    };
    let mut builder = Builder {
        events,
        pos: start + 1,
        text,
    };
    match builder.node() {
        Some(node) => Ok(Some(node)),
        None => Err(cannot_edit(path, t!("config.edit_structure"))),
    }
}

/// Indentation habits of the file, taken from its existing block lists.
struct Style {
    /// Columns from a key to the `-` of its block list (0 for `key:\n- item`).
    seq_indent: usize,
    /// Columns from `-` to the item's first key (`- source:` = 2).
    item_offset: usize,
}

fn infer_style(t: &Text<'_>, root: Option<&Node>) -> Style {
    fn walk(
        t: &Text<'_>,
        node: &Node,
        seq_indent: &mut Option<usize>,
        item_offset: &mut Option<usize>,
    ) {
        match &node.kind {
            Kind::Map { entries, .. } => {
                for (k, v) in entries {
                    if let Kind::Seq { flow: false, .. } = &v.kind {
                        match block_dash_col(t, v) {
                            Some(col) if seq_indent.is_none() && col >= t.col(k.start) => {
                                *seq_indent = Some(col - t.col(k.start));
                            }
                            _ => {}
                        }
                    }
                    walk(t, v, seq_indent, item_offset);
                }
            }
            Kind::Seq {
                flow: false, items, ..
            } => {
                for item in items {
                    let block_item = matches!(
                        item.kind,
                        Kind::Map { flow: false, .. } | Kind::Scalar { .. }
                    );
                    match block_dash_col(t, node) {
                        Some(col)
                            if block_item && item_offset.is_none() && t.col(item.start) > col =>
                        {
                            *item_offset = Some(t.col(item.start) - col);
                        }
                        _ => {}
                    }
                    walk(t, item, seq_indent, item_offset);
                }
            }
            Kind::Seq { items, .. } => items
                .iter()
                .for_each(|i| walk(t, i, seq_indent, item_offset)),
            _ => {}
        }
    }
    let (mut seq_indent, mut item_offset) = (None, None);
    if let Some(root) = root {
        walk(t, root, &mut seq_indent, &mut item_offset);
    }
    Style {
        seq_indent: seq_indent.unwrap_or(2),
        item_offset: item_offset.filter(|o| *o >= 2).unwrap_or(2),
    }
}

/// The column of the `-` of a block list: the first non-blank character of the line where the
/// list starts (indentation is spaces only in YAML).
fn block_dash_col(t: &Text<'_>, seq: &Node) -> Option<usize> {
    let line = t.line(seq.start.line());
    let col = line.len() - line.trim_start_matches(' ').len();
    (line.as_bytes().get(col) == Some(&b'-')).then_some(col)
}

/// The last line of a block list item, counting comment lines right after its content that
/// are indented deeper than its `-` (they read as part of the item).
fn extend_over_comments(t: &Text<'_>, last_line: usize, dash_col: usize) -> usize {
    let mut last = last_line;
    while last < t.line_count() {
        let next = t.line(last + 1);
        let indent = next.len() - next.trim_start_matches(' ').len();
        if next.trim_start().starts_with('#') && indent > dash_col {
            last += 1;
        } else {
            break;
        }
    }
    last
}

/// The root mapping's entries and whether it is block style; `None` for an empty document.
fn root_entries<'n>(
    root: Option<&'n Node>,
    path: &Path,
) -> Result<Option<&'n [(Node, Node)]>, UserError> {
    match root {
        None => Ok(None),
        Some(Node {
            kind: Kind::Scalar {
                empty_span: true, ..
            },
            ..
        }) => Ok(None),
        Some(Node {
            kind: Kind::Map {
                flow: false,
                entries,
            },
            ..
        }) => Ok(Some(entries)),
        Some(Node {
            kind: Kind::Map { flow: true, .. },
            ..
        }) => Err(cannot_edit(path, t!("config.edit_top_flow"))),
        Some(_) => Err(cannot_edit(path, t!("config.edit_top_not_mapping"))),
    }
}

fn find_mounts(entries: &[(Node, Node)]) -> Option<&(Node, Node)> {
    entries
        .iter()
        .find(|(k, _)| matches!(&k.kind, Kind::Scalar { value, .. } if value == "mounts"))
}

fn is_null_scalar(kind: &Kind) -> bool {
    match kind {
        Kind::Scalar {
            value,
            style: ScalarStyle::Plain,
            tagged: false,
            ..
        } => matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"),
        _ => false,
    }
}

/// The block lines of a new list item, with `-` at `dash_col`.
fn block_item(entry: &NewMount, dash_col: usize, offset: usize, nl: &str) -> String {
    let pad = " ".repeat(dash_col);
    let key_pad = " ".repeat(dash_col + offset);
    let mut out = String::new();
    for (i, (k, v)) in entry.fields().into_iter().enumerate() {
        if i == 0 {
            out.push_str(&format!(
                "{pad}-{}{k}: {v}{nl}",
                " ".repeat(offset.saturating_sub(1).max(1))
            ));
        } else {
            out.push_str(&format!("{key_pad}{k}: {v}{nl}"));
        }
    }
    out
}

/// Inserts `block` (whole lines ending in a line break) after 1-based `line`.
fn insert_after_line(text: &Text<'_>, line: usize, block: &str, nl: &str) -> String {
    let at = text.line_end(line);
    let mut out = String::with_capacity(text.text.len() + block.len() + 2);
    out.push_str(&text.text[..at]);
    if at == text.text.len() && !text.text.is_empty() && !text.text.ends_with('\n') {
        // The file has no final line break: keep it that way.
        out.push_str(nl);
        out.push_str(block.strip_suffix(nl).unwrap_or(block));
    } else {
        out.push_str(block);
    }
    out.push_str(&text.text[at..]);
    out
}

/// Appends `entry` to `mounts:` (creating the key at the end when absent) and returns the new
/// text. Everything outside the inserted lines is unchanged.
pub fn append_mount(text: &str, path: &Path, entry: &NewMount) -> Result<String, UserError> {
    let t = Text::new(text);
    let nl = t.newline();
    let root = parse(&t, path)?;
    let style = infer_style(&t, root.as_ref());
    let entries = root_entries(root.as_ref(), path)?;
    let Some((key, value)) = entries.and_then(find_mounts) else {
        // No `mounts:` yet: add it at the end, at the column of the other top-level keys.
        let col = entries
            .and_then(|e| e.first())
            .map(|(k, _)| t.col(k.start))
            .unwrap_or(0);
        let mut block = format!("{}mounts:{nl}", " ".repeat(col));
        block.push_str(&block_item(
            entry,
            col + style.seq_indent,
            style.item_offset,
            nl,
        ));
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(nl);
        }
        out.push_str(&block);
        return Ok(out);
    };
    match &value.kind {
        Kind::Scalar { empty_span, .. } if is_null_scalar(&value.kind) => {
            let mut t_owned = text.to_string();
            if !empty_span {
                if value.start.line() != key.start.line() {
                    return Err(cannot_edit(path, t!("config.edit_empty_value_elsewhere")));
                }
                let (s, e) = (t.byte(value.start), value.end_byte);
                // `mounts: null` -> `mounts:` (keeping any comment after it).
                let s = text[..s].trim_end_matches(' ').len();
                t_owned.replace_range(s..e, "");
            }
            let t2 = Text::new(&t_owned);
            let block = block_item(
                entry,
                t.col(key.start) + style.seq_indent,
                style.item_offset,
                nl,
            );
            Ok(insert_after_line(&t2, key.start.line(), &block, nl))
        }
        Kind::Seq { tagged: true, .. } => Err(cannot_edit(path, t!("config.edit_mounts_tagged"))),
        Kind::Seq {
            flow: true,
            items,
            open_byte,
            ..
        } => {
            let (at, insert) = match items.last() {
                Some(last) => (last.end_byte, format!(", {}", entry.flow_text())),
                None => (open_byte + 1, entry.flow_text()),
            };
            let mut out = text.to_string();
            out.insert_str(at, &insert);
            Ok(out)
        }
        Kind::Seq {
            flow: false, items, ..
        } => {
            let Some(last) = items.last() else {
                return Err(cannot_edit(path, t!("config.edit_mounts_empty_block")));
            };
            let dash_col = block_dash_col(&t, value)
                .ok_or_else(|| cannot_edit(path, t!("config.edit_first_dash")))?;
            let all_flow = items
                .iter()
                .all(|i| matches!(i.kind, Kind::Map { flow: true, .. }));
            let offset = match &last.kind {
                Kind::Map { flow: false, .. } if t.col(last.start) > dash_col => {
                    t.col(last.start) - dash_col
                }
                _ => style.item_offset,
            };
            let block = if all_flow {
                let gap = match &last.kind {
                    Kind::Map { flow: true, .. } if t.col(last.start) > dash_col => {
                        t.col(last.start) - dash_col
                    }
                    _ => 2,
                };
                format!(
                    "{}-{}{}{nl}",
                    " ".repeat(dash_col),
                    " ".repeat(gap - 1),
                    entry.flow_text()
                )
            } else {
                block_item(entry, dash_col, offset, nl)
            };
            let after = extend_over_comments(&t, last.last_line, dash_col);
            Ok(insert_after_line(&t, after, &block, nl))
        }
        Kind::Alias => Err(cannot_edit(path, t!("config.edit_mounts_alias"))),
        _ => Err(cannot_edit(path, t!("config.edit_mounts_not_list"))),
    }
}

/// The 1-based line of the `-` that opens `item` in a block list whose dashes are at `col`.
fn dash_line(t: &Text<'_>, item: &Node, col: usize) -> Option<usize> {
    (1..=item.start.line()).rev().find(|&l| {
        let line = t.line(l);
        let bytes = line.as_bytes();
        bytes.len() > col
            && bytes[..col].iter().all(|b| *b == b' ')
            && bytes[col] == b'-'
            && bytes
                .get(col + 1)
                .is_none_or(|b| matches!(b, b' ' | b'\n' | b'\r'))
    })
}

/// Removes entry `index` (numbered as the loader numbers `mounts[...]`) and returns the new
/// text. Only that entry's lines change (for a flow list, its text and one separating comma).
/// Comments above or below the entry are kept; comments inside it go with it.
pub fn remove_mount(text: &str, path: &Path, index: usize) -> Result<String, UserError> {
    let t = Text::new(text);
    let root = parse(&t, path)?;
    let entries = root_entries(root.as_ref(), path)?;
    let Some((key, value)) = entries.and_then(find_mounts) else {
        return Err(cannot_edit(path, t!("config.edit_no_mounts")));
    };
    let missing = || cannot_edit(path, t!("config.edit_no_entry", index = index));
    match &value.kind {
        Kind::Seq {
            flow: true, items, ..
        } => {
            let item = items.get(index).ok_or_else(missing)?;
            let item_start = t.byte(item.start);
            let (s, e) = if index > 0 {
                (items[index - 1].end_byte, item.end_byte)
            } else if let Some(next) = items.get(1) {
                (item_start, t.byte(next.start))
            } else {
                (item_start, item.end_byte)
            };
            let mut out = text.to_string();
            out.replace_range(s..e, "");
            Ok(out)
        }
        Kind::Seq {
            flow: false, items, ..
        } => {
            let item = items.get(index).ok_or_else(missing)?;
            let col = block_dash_col(&t, value)
                .ok_or_else(|| cannot_edit(path, t!("config.edit_first_dash")))?;
            let first = dash_line(&t, item, col)
                .ok_or_else(|| cannot_edit(path, t!("config.edit_entry_dash")))?;
            let last = extend_over_comments(&t, item.last_line, col);
            // Nothing else may share those lines.
            if let Some(next) = items.get(index + 1) {
                if next.start.line() <= last {
                    return Err(cannot_edit(path, t!("config.edit_shared_line")));
                }
            }
            let only = items.len() == 1;
            let at_eof = last >= t.line_count();
            let key_line = t.line(key.start.line());
            let bare_key =
                key_line.trim_end() == format!("{}mounts:", " ".repeat(t.col(key.start)));
            let (s, e) = if only && at_eof && bare_key && first == key.start.line() + 1 {
                // The list was added at the end of the file with its key: take the key too,
                // so add then remove gives back the original file.
                (t.line_start(key.start.line()), text.len())
            } else {
                (t.line_start(first), t.line_end(last))
            };
            let mut out = String::with_capacity(text.len());
            out.push_str(&text[..s]);
            out.push_str(&text[e..]);
            if e == text.len() && !text.ends_with('\n') && s > 0 {
                // The removed lines had no final line break: neither does the file now.
                let trimmed = out.trim_end_matches('\n').trim_end_matches('\r').len();
                out.truncate(trimmed);
            }
            Ok(out)
        }
        _ => Err(cannot_edit(path, t!("config.edit_mounts_not_list"))),
    }
}

/// Re-loads `new_text` with the real loader and checks that the only change from `old` is
/// that `mounts` became `expected`. Returns the new configuration.
pub fn verify_mounts(
    old: &Config,
    new_text: &str,
    path: &Path,
    expected: &[MountConfig],
    minimums: MinimumsOf,
) -> Result<Config, UserError> {
    verify_mounts_with(old, new_text, path, expected, (false, minimums))
}

/// [`verify_mounts`] for a removal from a file whose layout was already unsafe: the result
/// may keep layout problems (see [`crate::config::Invalid::layout_only`]), as long as it
/// reads back as exactly the intended change.
pub fn verify_removal(
    old: &Config,
    new_text: &str,
    path: &Path,
    expected: &[MountConfig],
    minimums: MinimumsOf,
) -> Result<Config, UserError> {
    verify_mounts_with(old, new_text, path, expected, (true, minimums))
}

fn verify_mounts_with(
    old: &Config,
    new_text: &str,
    path: &Path,
    expected: &[MountConfig],
    (allow_layout, minimums): (bool, MinimumsOf),
) -> Result<Config, UserError> {
    let new = match load_from_str(new_text, path, minimums) {
        Ok(new) => new,
        Err(crate::config::Invalid {
            layout_only: Some(new),
            ..
        }) if allow_layout => *new,
        Err(invalid) => {
            let mut err = invalid.to_user_error();
            err.message = t!("config.edit_invalid", problems = err.message);
            err.hints = vec![t!("config.edit_by_hand", path = path.display())];
            return Err(err);
        }
    };
    let same_rest = new.global == old.global && new.vms == old.vms && new.agents == old.agents;
    if !same_rest || new.mounts != expected {
        return Err(cannot_edit(path, t!("config.edit_readback")));
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(source: &str) -> NewMount {
        let source = PathBuf::from(source);
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        NewMount {
            target: PathBuf::from(crate::guest::GUEST_HOME).join(&name),
            backup: source
                .parent()
                .unwrap_or(Path::new("/"))
                .join(format!("backups-{name}")),
            source,
            vm: "v".into(),
            interval: 5,
            max_backups: 100,
            backup_clean_method: CleanMethod::Thin,
            allowed_agents: None,
        }
    }

    const VMS: &str = "vms:\n  v: {cpu: 1, ram: 1G, disk: 1G}\n";

    /// Adds, checks the result validates with the new entry last, removes it again and
    /// requires the original bytes back.
    fn round_trip(text: &str) -> String {
        let p = Path::new("/c.yaml");
        let old = load_from_str(text, p, crate::backend::minimums).expect("original valid");
        let e = entry("/home/me/new-proj");
        let added = append_mount(text, p, &e).expect("append");
        let mut expected = old.mounts.clone();
        expected.push(e.expected());
        verify_mounts(&old, &added, p, &expected, crate::backend::minimums)
            .unwrap_or_else(|err| panic!("{}\n---\n{added}", err.message));
        let removed = remove_mount(&added, p, old.mounts.len()).expect("remove");
        assert_eq!(
            removed, text,
            "round trip changed the file; added:\n{added}"
        );
        added
    }

    #[test]
    fn round_trip_block_list_with_comments() {
        let text = format!(
            "# top\n{VMS}\nmounts:   # the list\n  # above first\n  - source: /home/a  # trailing\n    vm: v\n    # inside\n\n  - {{source: /home/b}}\n    # after last\n\n# end\nagents: {{}}\n"
        );
        let added = round_trip(&text);
        assert!(
            added.contains("  - {source: /home/b}\n    # after last\n  - source: /home/me/new-proj\n    vm: v\n"),
            "{added}"
        );
    }

    #[test]
    fn round_trip_wide_and_indentless_lists() {
        round_trip(&format!("{VMS}mounts:\n-   source: /home/a\n    vm: v\n"));
        let added = round_trip(&format!("{VMS}mounts:\n    -   source: /home/a\nagents:\n"));
        assert!(added.contains("    -   source: /home/me/new-proj\n        vm: v\n"));
    }

    #[test]
    fn round_trip_flow_lists() {
        let added = round_trip(&format!("{VMS}mounts: [ {{source: /home/a}} ]  # flow\n"));
        assert!(added.contains("mounts: [ {source: /home/a}, {source: /home/me/new-proj, vm: v"));
        round_trip(&format!("{VMS}mounts: []\n"));
        round_trip(&format!(
            "{VMS}mounts: [\n  {{source: /home/a}},\n  {{source: /home/b}}\n]\n"
        ));
        round_trip(&format!(
            "{VMS}mounts:\n  - {{source: /home/a}}\n  - {{source: /home/b}}\n"
        ));
    }

    #[test]
    fn round_trip_empty_and_absent() {
        let added = round_trip(&format!("{VMS}mounts:\nagents: {{}}\n"));
        assert!(
            added.contains("mounts:\n  - source: /home/me/new-proj\n"),
            "{added}"
        );
        let added = round_trip(&format!("# c\n{VMS}\n# trailing comment\n"));
        assert!(added.ends_with("# trailing comment\nmounts:\n  - source: /home/me/new-proj\n    vm: v\n    target: /home/ubuntu/new-proj\n    backup: /home/me/backups-new-proj\n    interval: 5\n    max_backups: 100\n    backup_clean_method: thin\n"), "{added}");
        round_trip(&format!(
            "{VMS}mounts:  # none yet\n  # - source: /home/x\nagents:\n"
        ));
        // A byte order mark, no final line break, CRLF line ends.
        round_trip(&format!("\u{feff}{VMS}"));
        round_trip(&format!("\u{feff}{VMS}mounts:\n  - source: /home/a\n"));
        round_trip(&format!("{VMS}mounts:\n  - source: /home/a"));
        round_trip(
            "vms:\r\n  v: {cpu: 1, ram: 1G, disk: 1G}\r\nmounts:\r\n  - source: /home/a\r\n",
        );
    }

    #[test]
    fn indentation_follows_the_other_lists() {
        let text = "vms:\n    v:\n        cpu: 1\n        ram: 1G\n        disk: 1G\n        install:\n            -   python\nagents:\n";
        let added = append_mount(text, Path::new("/c"), &entry("/home/a")).expect("append");
        assert!(
            added.contains("agents:\nmounts:\n    -   source: /home/a\n        vm: v\n"),
            "{added}"
        );
    }

    #[test]
    fn null_value_becomes_a_list() {
        let text = format!("{VMS}mounts: null  # none\nagents:\n");
        let p = Path::new("/c");
        let added = append_mount(&text, p, &entry("/home/a")).expect("append");
        assert!(
            added.contains("mounts:  # none\n  - source: /home/a\n"),
            "{added}"
        );
    }

    #[test]
    fn removing_keeps_neighbours_and_comments() {
        let text = format!(
            "{VMS}mounts:\n  # first\n  - source: /home/a\n    vm: v\n  # second\n  - source: /home/b\n    allowed_agents:\n      - codex\n    # inside b\n  # third\n  - source: /home/c\n"
        );
        let p = Path::new("/c");
        let out = remove_mount(&text, p, 1).expect("remove");
        assert_eq!(
            out,
            format!("{VMS}mounts:\n  # first\n  - source: /home/a\n    vm: v\n  # second\n  # third\n  - source: /home/c\n")
        );
        let out = remove_mount(&text, p, 2).expect("remove");
        assert!(
            out.ends_with("      - codex\n    # inside b\n  # third\n"),
            "{out}"
        );
        let flow = format!(
            "{VMS}mounts: [{{source: /home/a}}, {{source: /home/b}}, {{source: /home/c}}]\n"
        );
        assert!(remove_mount(&flow, p, 0)
            .expect("remove")
            .contains("mounts: [{source: /home/b}, {source: /home/c}]"));
        assert!(remove_mount(&flow, p, 1)
            .expect("remove")
            .contains("mounts: [{source: /home/a}, {source: /home/c}]"));
        assert!(remove_mount(&flow, p, 3).is_err());
    }

    #[test]
    fn removing_the_only_entry_keeps_a_key_that_was_there() {
        let text = format!("{VMS}mounts:\n  - source: /home/a\nagents:\n");
        let out = remove_mount(&text, Path::new("/c"), 0).expect("remove");
        assert_eq!(out, format!("{VMS}mounts:\nagents:\n"));
        let text = format!("{VMS}mounts: # mine\n  - source: /home/a\n");
        let out = remove_mount(&text, Path::new("/c"), 0).expect("remove");
        assert_eq!(out, format!("{VMS}mounts: # mine\n"));
    }

    #[test]
    fn the_loader_reads_files_with_a_byte_order_mark() {
        let text = format!("\u{feff}{VMS}mounts:\n  - source: /home/a\n    vm: v\n");
        let c = load_from_str(&text, Path::new("/c"), crate::backend::minimums)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.mounts.len(), 1);
    }

    #[test]
    fn a_bare_key_on_the_last_line_goes_with_the_last_entry() {
        // Documented: add then remove cannot tell this from a file without `mounts:`.
        let text = format!("{VMS}mounts:\n");
        let p = Path::new("/c");
        let added = append_mount(&text, p, &entry("/home/a")).expect("append");
        assert_eq!(remove_mount(&added, p, 0).expect("remove"), VMS);
    }

    #[test]
    fn refuses_what_it_cannot_follow() {
        let p = Path::new("/c");
        for text in [
            "{vms: {v: {cpu: 1, ram: 1G, disk: 1G}}}\n",
            "- a\n",
            "a: 1\n---\nb: 2\n",
            "vms: {}\nmounts: *x\n",
            "vms: {}\n...\n",
        ] {
            assert!(append_mount(text, p, &entry("/home/a")).is_err(), "{text}");
        }
    }

    #[test]
    fn scalars_are_quoted_when_needed() {
        assert_eq!(yaml_scalar("/home/me/app"), "/home/me/app");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("123"), "\"123\"");
        assert_eq!(yaml_scalar("/a b: c"), "\"/a b: c\"");
        assert_eq!(yaml_scalar("a,b"), "\"a,b\"");
        assert_eq!(yaml_scalar("#x"), "\"#x\"");
        assert_eq!(yaml_scalar("päth"), "\"päth\"");
        // Whatever the text, it reads back as itself in block and flow context.
        for s in [
            "a\"b", "x\\y", "- a", "[a]", "{b}", "&x", "*y", "!t", "%p", "@a", "`c", "' q", "a\tb",
            "null", "~",
        ] {
            let doc = format!("k: {}\nf: [{}]\n", yaml_scalar(s), yaml_scalar(s));
            let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(&doc).expect("parses");
            assert_eq!(v["k"].as_str(), Some(s), "{doc}");
            assert_eq!(v["f"][0].as_str(), Some(s), "{doc}");
        }
    }

    mod generated {
        use super::*;
        use proptest::prelude::*;

        /// Comment and blank lines that may sit between parts, at a given column.
        fn filler(col: usize) -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    Just(String::new()),
                    Just(format!("{}# a comment: with - dashes\n", " ".repeat(col))),
                    Just("#\n".to_string()),
                    Just("\n".to_string()),
                ],
                0..3,
            )
            .prop_map(|v| v.concat())
        }

        /// One mount entry in one of several styles, `-` at `dash`.
        fn item(n: usize, dash: usize) -> impl Strategy<Value = String> {
            let pad = " ".repeat(dash);
            (0..5usize, 2..5usize, filler(dash + 2), any::<bool>()).prop_map(
                move |(style, off, inner, trailing)| {
                    let src = format!("/home/u/p{n}");
                    let key_pad = " ".repeat(dash + off);
                    let tail = if trailing { "   # note" } else { "" };
                    match style {
                        0 => format!("{pad}- {{source: {src}}}{tail}\n"),
                        1 => format!(
                            "{pad}-{}source: {src}{tail}\n{inner}{key_pad}interval: 3\n",
                            " ".repeat(off - 1)
                        ),
                        2 => format!("{pad}-\n{key_pad}source: \"{src}\"\n{key_pad}max_backups: 4\n"),
                        3 => format!(
                            "{pad}-{}source: {src}\n{key_pad}allowed_agents:\n{key_pad}  - codex{tail}\n{key_pad}  # inside\n",
                            " ".repeat(off - 1)
                        ),
                        _ => format!(
                            "{pad}-{}source: >-\n{key_pad}  {src}\n{key_pad}first_backup: false\n",
                            " ".repeat(off - 1)
                        ),
                    }
                },
            )
        }

        fn mounts_section() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(String::new()),
                Just("mounts:\n".to_string()),
                Just("mounts: []   # none\n".to_string()),
                Just("mounts: [{source: /home/u/f1}, {source: /home/u/f2,  vm: v}]\n".to_string()),
                (0..4usize, 1..4usize, filler(0)).prop_flat_map(|(dash, n, before)| {
                    let items: Vec<_> = (0..n).map(|i| item(i, dash)).collect();
                    (items, prop::collection::vec(filler(dash), n)).prop_map(
                        move |(items, gaps)| {
                            let mut out = format!("mounts:   # shared\n{before}");
                            for (i, it) in items.iter().enumerate() {
                                out.push_str(it);
                                out.push_str(&gaps[i]);
                            }
                            out
                        },
                    )
                }),
            ]
        }

        fn document() -> impl Strategy<Value = String> {
            (
                (any::<bool>(), any::<bool>(), any::<bool>()),
                filler(0),
                mounts_section(),
                filler(0),
                0..3usize,
                any::<bool>(),
            )
                .prop_map(|((doc_start, bom, crlf), head, mounts, mid, order, agents_first)| {
                    let vms = "vms:\n  v:\n    cpu: 1   # one\n    ram: 1G\n    disk: 1G\n    install:\n      - python\n";
                    let agents = "agents:\n  codex: {type: codex}\n";
                    let mut parts = vec![vms.to_string(), agents.to_string()];
                    if agents_first {
                        parts.swap(0, 1);
                    }
                    parts.insert(order.min(parts.len()), mounts);
                    let start = match (bom, doc_start) {
                        (true, true) => "\u{feff}---\n",
                        (true, false) => "\u{feff}",
                        (false, true) => "---\n",
                        (false, false) => "",
                    };
                    let mut doc = format!("{start}{head}{}{mid}", parts.join(""));
                    if doc.ends_with("\nmounts:\n") {
                        // The one documented exception: a bare `mounts:` as the file's last
                        // line is taken away with the last entry (tested separately).
                        doc.push_str("# end\n");
                    }
                    if crlf {
                        doc = doc.replace('\n', "\r\n");
                    }
                    doc
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

            /// add then remove gives the same bytes; each step reads back as the intended
            /// change; removing any existing entry reads back as that entry gone.
            #[test]
            fn edits_touch_only_the_entry(text in document(), pick in 0..8usize) {
                let p = Path::new("/c.yaml");
                let old = load_from_str(&text, p, crate::backend::minimums).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                let e = entry("/home/u/new");
                let added = append_mount(&text, p, &e).map_err(|e| TestCaseError::fail(format!("{}\n{text}", e.message)))?;
                let mut expected = old.mounts.clone();
                expected.push(e.expected());
                verify_mounts(&old, &added, p, &expected, crate::backend::minimums)
                    .map_err(|err| TestCaseError::fail(format!("{}\n--- before\n{text}--- after\n{added}", err.message)))?;
                let removed = remove_mount(&added, p, old.mounts.len()).map_err(|e| TestCaseError::fail(e.message))?;
                prop_assert_eq!(&removed, &text);
                if !old.mounts.is_empty() {
                    let i = pick % old.mounts.len();
                    let out = remove_mount(&text, p, i).map_err(|e| TestCaseError::fail(e.message))?;
                    let mut expected = old.mounts.clone();
                    expected.remove(i);
                    verify_mounts(&old, &out, p, &expected, crate::backend::minimums)
                        .map_err(|err| TestCaseError::fail(format!("{}\n--- before\n{text}--- after\n{out}", err.message)))?;
                }
            }
        }
    }
}
