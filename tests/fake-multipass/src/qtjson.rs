//! JSON printed the way Multipass 1.16 prints it (Qt's `QJsonDocument::Indented`): keys
//! sorted, four spaces per level, `"key": value`, and empty arrays and objects split over two
//! lines (`[` then the closing bracket on its own line at the parent's indentation).

use serde_json::Value;

/// The document as Multipass prints it, ending with a newline.
pub fn to_qt_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, 0, &mut out);
    out.push('\n');
    out
}

fn indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn write_value(value: &Value, level: usize, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(level + 1, out);
                write_value(item, level + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("{\n");
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.iter().enumerate() {
                indent(level + 1, out);
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push_str(": ");
                if let Some(v) = map.get(*key) {
                    write_value(v, level + 1, out);
                }
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(level, out);
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}
