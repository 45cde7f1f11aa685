//! HTML's character references (`&alpha;`, `&#8216;`), which feeds use
//! without declaring them and pages leave in their JSON-LD strings.
//!
//! quick-xml 0.42's HTML table gives the wrong character for 444 of the
//! 2,026 names it shares with html5ever's (`&alpha;` reads as `;`,
//! `&Scaron;` as a control character), so the names come from html5ever's
//! table, the one the cleaner's parser uses.

use std::collections::HashMap;
use std::sync::OnceLock;

use markup5ever::data::NAMED_ENTITIES;

/// The text a named reference stands for, given its name without `&` and `;`.
pub fn html_entity(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            NAMED_ENTITIES
                .entries()
                // The names without `;` are HTML's legacy spellings of the
                // same references; the table has each one with `;` too.
                .filter_map(|(key, &(first, second))| {
                    let name = key.strip_suffix(';')?;
                    let text: String = [first, second]
                        .into_iter()
                        .filter(|&c| c != 0)
                        .filter_map(char::from_u32)
                        .collect();
                    Some((name, text))
                })
                .collect()
        })
        .get(name)
        .map(String::as_str)
}

/// A numeric reference's character (`#233`, `#xE9`, and `#XE9`, which XML
/// forbids and HTML allows). `#0`, surrogates and signed numbers are none.
pub fn numeric_reference(reference: &str) -> Option<char> {
    let number = reference.strip_prefix('#')?;
    let (digits, radix) = match number.strip_prefix(['x', 'X']) {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    // from_str_radix would take a leading `+`.
    if !digits.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let code = u32::from_str_radix(digits, radix).ok()?;
    char::from_u32(code).filter(|&c| c != '\0')
}

/// The length of a character reference (`&amp;`, `&#38;`, `&#x26;`) at the
/// start of `s`, or 0 when there is none.
pub fn reference_len(s: &str) -> usize {
    let b = s.as_bytes();
    if b.first() != Some(&b'&') {
        return 0;
    }
    let body_end = match (b.get(1), b.get(2)) {
        (Some(b'#'), Some(b'x' | b'X')) => {
            let n = b[3..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if n == 0 { return 0 } else { 3 + n }
        }
        (Some(b'#'), _) => {
            let n = b[2..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 { return 0 } else { 2 + n }
        }
        (Some(c), _) if c.is_ascii_alphabetic() => {
            1 + b[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric())
                .count()
        }
        _ => return 0,
    };
    if b.get(body_end) == Some(&b';') {
        body_end + 1
    } else {
        0
    }
}

/// `value` with its character references decoded (an attribute's value,
/// a JSON-LD string); a `&` that starts none is kept.
pub fn unescape(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let len = reference_len(tail);
        if len == 0 {
            out.push('&');
            rest = &tail[1..];
            continue;
        }
        let r = &tail[1..len - 1];
        match numeric_reference(r) {
            Some(c) => out.push(c),
            None => out.push_str(html_entity(r).unwrap_or(&tail[..len])),
        }
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_references_read_as_their_characters() {
        let cases = [
            ("alpha", "α"),
            ("Omega", "Ω"),
            ("Scaron", "Š"),
            ("OElig", "Œ"),
            ("tilde", "˜"),
            ("hellip", "…"),
            ("copy", "©"),
            ("nbsp", "\u{a0}"),
            // Two code points.
            ("NotEqualTilde", "\u{2242}\u{338}"),
        ];
        for (name, text) in cases {
            assert_eq!(html_entity(name), Some(text), "&{name};");
        }
        assert_eq!(html_entity("bogus"), None);
        assert_eq!(html_entity("alpha;"), None);
    }

    #[test]
    fn numeric_references_take_either_case_of_x() {
        assert_eq!(numeric_reference("#65"), Some('A'));
        assert_eq!(numeric_reference("#x41"), Some('A'));
        assert_eq!(numeric_reference("#X41"), Some('A'));
        assert_eq!(numeric_reference("#x110000"), None);
        assert_eq!(numeric_reference("#xZZ"), None);
        assert_eq!(numeric_reference("#+65"), None);
        assert_eq!(numeric_reference("#0"), None);
        assert_eq!(numeric_reference("#xD800"), None);
        assert_eq!(numeric_reference("amp"), None);
    }
}
