//! A small block-style YAML emitter over an ordered tree: maps and lists as indented blocks,
//! short lists of scalars as `[a, b]`, and every string either plain, when no YAML reader could
//! take it for anything else, or double-quoted with escapes. Multi-line text is written as a
//! literal (`|`) or folded (`>`) block only where that reads back byte for byte.

use serde_json::Value;

/// A node of the tree, keys in the order they are written.
#[derive(Debug, Clone)]
pub(super) enum Node {
    /// A string, number, boolean or null.
    Scalar(Value),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A map key: text, or a number (a status in `skip_if_status`, read back as a number).
#[derive(Debug, Clone)]
pub(super) enum Key {
    Text(String),
    Number(u64),
}

impl Node {
    pub(super) fn text(s: &str) -> Node {
        Node::Scalar(Value::String(s.to_string()))
    }

    /// A JSON value as a tree: objects and arrays become blocks.
    pub(super) fn json(v: &Value) -> Node {
        match v {
            Value::Array(items) => Node::Seq(items.iter().map(Node::json).collect()),
            Value::Object(map) => Node::Map(
                map.iter()
                    .map(|(k, v)| (Key::Text(k.clone()), Node::json(v)))
                    .collect(),
            ),
            scalar => Node::Scalar(scalar.clone()),
        }
    }
}

/// Widest line a flow list or folded text is given, indentation included.
const WIDTH: usize = 96;

/// The entries of a map at column `indent`. With `inline_first`, the first entry continues
/// the current line (after a list item's `- `).
pub(super) fn map(out: &mut String, entries: &[(Key, Node)], indent: usize, inline_first: bool) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        match key {
            Key::Text(k) => out.push_str(&string(k, Context::Key)),
            Key::Number(n) => out.push_str(&n.to_string()),
        }
        out.push(':');
        after_indicator(out, value, indent);
    }
}

/// The items of a list at column `indent`, each `- item`.
pub(super) fn seq(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push('-');
        match item {
            // A map's first entry shares the dash's line; the rest align under it.
            Node::Map(entries) if !entries.is_empty() => {
                out.push(' ');
                map(out, entries, indent + 2, true);
            }
            other => after_indicator(out, other, indent),
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// What follows `key:` or `-` on a line at column `indent`, through the end of the node.
fn after_indicator(out: &mut String, value: &Node, indent: usize) {
    match value {
        Node::Seq(items) if items.is_empty() => out.push_str(" []\n"),
        Node::Map(entries) if entries.is_empty() => out.push_str(" {}\n"),
        Node::Seq(items) => match flow_list(items, indent) {
            Some(flow) => {
                out.push(' ');
                out.push_str(&flow);
                out.push('\n');
            }
            None => {
                out.push('\n');
                seq(out, items, indent + 2);
            }
        },
        Node::Map(entries) => {
            out.push('\n');
            map(out, entries, indent + 2, false);
        }
        Node::Scalar(v) => {
            out.push(' ');
            match v {
                Value::String(s) => match block_text(s, indent + 2) {
                    Some(block) => out.push_str(&block),
                    None => out.push_str(&string(s, Context::Block)),
                },
                other => out.push_str(&other.to_string()),
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
}

/// `[a, b]` when every item is a scalar and the line stays short.
fn flow_list(items: &[Node], indent: usize) -> Option<String> {
    let texts: Vec<String> = items
        .iter()
        .map(|item| match item {
            Node::Scalar(Value::String(s)) => Some(string(s, Context::Flow)),
            Node::Scalar(other) => Some(other.to_string()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let flow = format!("[{}]", texts.join(", "));
    (indent + flow.len() <= WIDTH - 16).then_some(flow)
}

/// Where a string is written: its rules for plain text differ.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Context {
    /// A map key.
    Key,
    /// A value in block context.
    Block,
    /// An item of `[a, b]`.
    Flow,
}

/// The string as a scalar on one line: plain when safe, else double-quoted.
pub(super) fn string(s: &str, context: Context) -> String {
    if plain_is_safe(s, context) {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Words a YAML reader (1.1 or 1.2, any case) may take for a null, boolean or number.
const RESERVED: &[&str] = &[
    "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "infinity",
];

/// Whether `s` written plain reads back as this same string, in any YAML reader: it starts
/// with a letter, `/`, `_`, `$` or `(`, is no reserved word, holds nothing a reader would stop
/// at or trim, and in a flow list no `,[]{}:#`.
fn plain_is_safe(s: &str, context: Context) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let starts_well = first.is_ascii_alphabetic()
        || matches!(first, '/' | '_' | '$' | '(')
        || (!first.is_ascii() && first.is_alphabetic());
    if !starts_well || RESERVED.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return false;
    }
    let chars_ok = s
        .chars()
        .all(|c| c == ' ' || (printable(c) && !c.is_whitespace()));
    let flow_ok = context != Context::Flow || !s.contains([',', '[', ']', '{', '}', ':', '#']);
    chars_ok
        && flow_ok
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && (context != Context::Key || s.chars().count() <= 128)
}

/// Characters written as themselves: YAML's printable set, less the line and paragraph
/// separators, the byte order mark and C1 controls that some readers treat as breaks.
fn printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// A double-quoted scalar: `"` and `\` escaped, anything not printable as `\n`, `\t` or
/// `\uXXXX`.
pub(super) fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Text spanning lines as a block whose lines sit at column `indent`: `|` (or `|-` without a
/// final line break) for text with line breaks, `>` for one paragraph ending in a line break
/// (what a file's `description: >` reads as). `None` where a block would not read back
/// exactly (leading or trailing blanks, tabs, several final breaks, unprintable characters).
fn block_text(s: &str, indent: usize) -> Option<String> {
    let body = s.strip_suffix('\n').unwrap_or(s);
    if !s.contains('\n')
        || body.is_empty()
        || body.ends_with('\n')
        || !body.chars().all(|c| c == '\n' || c == ' ' || printable(c))
    {
        return None;
    }
    let lines: Vec<&str> = body.split('\n').collect();
    // A first line starting with a blank would set the block's indentation; a line of blanks
    // only or ending in one is read differently by readers.
    if lines[0].starts_with(' ') || lines.iter().any(|l| l.ends_with(' ')) {
        return None;
    }
    let mut out = String::new();
    if lines.len() == 1 {
        // One paragraph with its final break: folded at word boundaries.
        if body.contains("  ") {
            return None;
        }
        out.push_str(">\n");
        let mut line = String::new();
        for word in body.split(' ') {
            if !line.is_empty() && indent + line.len() + 1 + word.len() > WIDTH {
                pad(&mut out, indent);
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        pad(&mut out, indent);
        out.push_str(&line);
        out.push('\n');
        return Some(out);
    }
    out.push_str(if s.ends_with('\n') { "|\n" } else { "|-\n" });
    for line in lines {
        if !line.is_empty() {
            pad(&mut out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
    Some(out)
}
