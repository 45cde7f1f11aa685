//! Repair text that went through a wrong decoder on its way to us.
//!
//! Two faults are common in feeds and pages: UTF-8 bytes read as
//! windows-1252 and written out again as UTF-8 ("donâ€™t" for "don’t",
//! "cafÃ©" for "café"), and windows-1252 punctuation read as Latin-1, which
//! leaves C1 control characters (U+0092 for ’) that no writer means.

use std::borrow::Cow;

/// Repair double-encoded UTF-8 when the whole text reads back as valid
/// UTF-8, then map any C1 control left to the windows-1252 character at
/// that byte. Text without either fault comes back borrowed.
pub fn repair_text(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    if let Some(restored) = with_lost_no_break_spaces(text)
        && let Cow::Owned(fixed) = repair(&restored)
    {
        return Cow::Owned(without_no_break_spaces_before_space(&fixed));
    }
    repair(text)
}

/// A double-encoded no-break space is "Â" and U+00A0. Where a clean-up of
/// whitespace has since made the U+00A0 a space, or trimmed it at a line's
/// end, "Â" is left alone after a word ("andÂ the", "cats.Â"), and the
/// text no longer reads back. Such an "Â" is given its U+00A0 again (no
/// word ends in a capital after a small letter or a sign); None when there
/// is none.
fn with_lost_no_break_spaces(text: &str) -> Option<String> {
    if !text.contains('Â') {
        return None;
    }
    let mut out: Option<String> = None;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let lost = c == 'Â'
            && prev.is_some_and(|p| !p.is_whitespace() && !p.is_uppercase())
            && chars
                .peek()
                .is_none_or(|(_, next)| next.is_ascii_whitespace());
        if lost {
            out.get_or_insert_with(|| text[..at].to_string())
                .push_str("Â\u{a0}");
        } else if let Some(o) = out.as_mut() {
            o.push(c);
        }
        prev = Some(c);
    }
    out
}

/// The no-break spaces `with_lost_no_break_spaces` gave back, repaired,
/// stand where whitespace already is: they go.
fn without_no_break_spaces_before_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{a0}' && chars.peek().is_none_or(|next| next.is_whitespace()) {
            continue;
        }
        out.push(c);
    }
    out
}

/// `repair_text` on the text as it is.
fn repair(text: &str) -> Cow<'_, str> {
    let (lead_then_continuation, c1_control) = scan(text);
    if !lead_then_continuation && !c1_control {
        return Cow::Borrowed(text);
    }
    let repaired = lead_then_continuation
        .then(|| {
            undo_double_encoding(text, whole_text_lead)
                .or_else(|| undo_double_encoding_by_run(text))
        })
        .flatten()
        .map_or(Cow::Borrowed(text), Cow::Owned);
    if !repaired.chars().any(is_c1_control) {
        return repaired;
    }
    Cow::Owned(repaired.chars().map(windows_1252_for_c1).collect())
}

/// One pass: does a character that reads as a UTF-8 lead byte come right
/// before one that reads as a continuation byte (without such a pair there
/// is no double encoding), and is there a C1 control?
fn scan(text: &str) -> (bool, bool) {
    let mut pair = false;
    let mut c1 = false;
    let mut after_lead = false;
    for c in text.chars() {
        if c.is_ascii() {
            after_lead = false;
            continue;
        }
        pair |= after_lead && reads_as_continuation(c);
        c1 |= is_c1_control(c);
        if pair && c1 {
            break;
        }
        after_lead = ('\u{c2}'..='\u{f4}').contains(&c);
    }
    (pair, c1)
}

/// Characters that windows-1252 (or Latin-1) makes of bytes 0x80 to 0xBF.
fn reads_as_continuation(c: char) -> bool {
    /// windows-1252's characters at 0x80 to 0x9F.
    const HIGH_PUNCTUATION: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    matches!(c as u32, 0x80..=0xBF) || HIGH_PUNCTUATION.contains(c)
}

fn is_c1_control(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// A C1 control named by its byte is the windows-1252 character at that
/// byte (HTML5 reads `&#146;` the same way); the five bytes windows-1252
/// leaves undefined stay as they are.
pub fn windows_1252_for_c1(c: char) -> char {
    if !is_c1_control(c) {
        return c;
    }
    let byte = [c as u32 as u8];
    let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
    s.chars().next().unwrap_or(c)
}

/// UTF-8 lead bytes whose characters double encoding really produces in
/// news text: Latin-1 and Latin Extended-A letters, Greek, Cyrillic,
/// punctuation and symbols, CJK and Hangul, emoji.
fn whole_text_lead(lead: u8) -> bool {
    matches!(lead, 0xC2..=0xC5 | 0xCE..=0xD1 | 0xE2..=0xED | 0xF0)
}

/// A run of non-ASCII characters alone is weaker evidence (an Icelandic
/// "Ð" before a degree sign reads as UTF-8 for Cyrillic "а"), so a run is
/// repaired only into the characters that mojibake in Western text is
/// nearly always made of: Latin-1 letters and signs (leads 0xC2, 0xC3) and
/// punctuation (0xE2: ’ “ ” – — …, €).
fn run_lead(lead: u8) -> bool {
    matches!(lead, 0xC2 | 0xC3 | 0xE2)
}

/// Text that mixes correct characters with double-encoded ones (a page
/// pasted together from two sources) is repaired run by run, when at least
/// two runs need it: a text about mojibake may quote one ("Ã¤" for "ä"),
/// while a double-encoded passage breaks every apostrophe and dash in it.
fn undo_double_encoding_by_run(text: &str) -> Option<String> {
    const RUNS_NEEDED: usize = 2;
    let mut out = String::with_capacity(text.len());
    let mut repaired_runs = 0;
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_ascii()) {
        out.push_str(&rest[..start]);
        let run_len = rest[start..]
            .find(|c: char| c.is_ascii())
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + run_len];
        match undo_double_encoding(run, run_lead) {
            Some(fixed) => {
                out.push_str(&fixed);
                repaired_runs += 1;
            }
            None => out.push_str(run),
        }
        rest = &rest[start + run_len..];
    }
    out.push_str(rest);
    (repaired_runs >= RUNS_NEEDED).then_some(out)
}

/// The text, written back as the windows-1252 bytes it was read from, must
/// be valid UTF-8 holding at least one multi-byte character, each from a
/// lead byte that `lead_allowed` accepts. Legitimate text passes this only
/// by a coincidence of every non-ASCII character in it.
fn undo_double_encoding(text: &str, lead_allowed: fn(u8) -> bool) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        bytes.push(windows_1252_byte(c)?);
    }
    let decoded = String::from_utf8(bytes).ok()?;
    let mut multibyte = false;
    for c in decoded.chars() {
        let mut buf = [0u8; 4];
        let lead = c.encode_utf8(&mut buf).as_bytes()[0];
        if lead < 0x80 {
            continue;
        }
        multibyte = true;
        if !lead_allowed(lead) {
            return None;
        }
    }
    multibyte.then_some(decoded)
}

/// The byte a windows-1252 (or Latin-1, for the C1 range) decoder turned
/// into `c`, if any did.
fn windows_1252_byte(c: char) -> Option<u8> {
    let n = c as u32;
    if n < 0x100 {
        return Some(n as u8);
    }
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    (!unmappable && bytes.len() == 1).then(|| bytes[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_punctuation_and_letters_are_restored() {
        for good in [
            "don’t “quote” — dash… €5",
            "café in Zürich, São Paulo",
            "Łódź and Kraków",
            "Москва, Ελλάδα",
            "東京 and 😀",
        ] {
            // What a system that read UTF-8 as windows-1252 wrote out.
            let (bad, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(good.as_bytes());
            assert_ne!(bad, good);
            assert_eq!(repair_text(&bad), good, "from {bad:?}");
        }
    }

    #[test]
    fn a_double_encoded_no_break_space_whose_second_half_became_a_space_is_repaired() {
        // "\u{a0}" double-encoded is "Â\u{a0}"; a whitespace clean-up made
        // its second half a space, or trimmed it at the line's end.
        assert_eq!(
            repair_text("for cats.Â\nand dogsÂ in 2024"),
            "for cats.\nand dogs in 2024"
        );
        assert_eq!(
            repair_text("than 1%Â â€“Â just over 1,800"),
            "than 1% – just over 1,800"
        );
        // A capital "Â" that ends a word or stands alone is a letter.
        for good in ["MÂ and TÂ", "Â is a letter, Ã too, and â", "ÂÂ x"] {
            assert_eq!(repair_text(good), good);
        }
    }

    #[test]
    fn c1_controls_become_windows_1252_punctuation() {
        assert_eq!(repair_text("don\u{92}t \u{93}q\u{94}"), "don’t “q”");
        // Undefined in windows-1252: kept.
        assert_eq!(repair_text("a\u{81}b"), "a\u{81}b");
    }

    #[test]
    fn correct_text_is_left_alone() {
        for good in [
            "plain ASCII",
            "café in Zürich, São Paulo",
            "Â is a letter, Ã too, and â",
            "ESPAÑA © 2024",
            "«ESPAÑA»",
            // Every non-ASCII pair reads as UTF-8, but of IPA letters (lead
            // 0xC9): no double encoding writes those for news text.
            "CAFÉ’s",
            "Москва",
            "東京",
            "naïve résumé — “quoted”",
        ] {
            assert!(matches!(repair_text(good), Cow::Borrowed(_)), "{good}");
        }
    }

    #[test]
    fn mixed_text_is_repaired_run_by_run() {
        // One real é among mojibake: the whole text does not read back,
        // each run of the mojibake does.
        assert_eq!(
            repair_text("café and donâ€™t, WireGuardÂ® and naÃ¯ve"),
            "café and don’t, WireGuard® and naïve"
        );
        // The same mojibake with its C1 bytes left as controls.
        assert_eq!(
            repair_text("café: youâ\u{80}\u{99}re weâ\u{80}\u{99}ve"),
            "café: you’re we’ve"
        );
        // Runs are trusted only with Latin-1 letters and punctuation: in a
        // text that is not double-encoded whole, "Ð°" is less likely a
        // broken Cyrillic "а" than an Icelandic letter and a degree sign.
        let eth = "café at 5 Ð° and 6 Ð°";
        assert_eq!(repair_text(eth), eth);
        // One quoted example of mojibake is not mojibake.
        let about = "I saw \"Ã¤\" instead of \"ä\" for years";
        assert_eq!(repair_text(about), about);
    }
}
