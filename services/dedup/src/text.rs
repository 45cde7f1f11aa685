//! Text features for dedup: tokens, shingle hashes and weighted terms.

use crate::chars::{
    ascii_of, changes_in_lowercase, is_abjad, is_alphanumeric, is_dropped_mark, is_kept_mark,
    next_char,
};
use crate::cjk;
use crate::name_keys::name_key;
use crate::probe::home_slot;
use crate::stopwords::{STOPWORD_MAX_BYTES, STOPWORDS};
use crate::word_cut::Script;
use icu_normalizer::ComposingNormalizerBorrowed;
use runs::{SoundRuns, cjk_run, word_run};
use sha2::{Digest, Sha256};
use std::borrow::Cow;

#[path = "text_runs.rs"]
mod runs;

/// 64-bit FNV-1a, stable across runs and platforms (state is persisted).
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.write(bytes);
    h.finish()
}

/// The FNV-1a state behind `hash64`, for hashing a text in pieces.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.write_byte(*b));
    }

    pub fn write_byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    /// Write `c` lowercased (one or more characters); returns the
    /// characters and bytes written.
    pub fn write_lowercase_char(&mut self, c: char) -> (usize, usize) {
        // German's "ß" is "ss" to the word tables, which fold case as
        // Unicode does (wordfreq has "strasse", "grosse", no "ß" at all),
        // and in Swiss spelling: written "ß", a common word weighed as a
        // rare one.
        if matches!(c, 'ß' | 'ẞ') {
            self.write(b"ss");
            return (2, 2);
        }
        // Greek's final sigma is its sigma, as the word tables write it
        // ("τησ"): "ΤΗΣ" lowercased is "τησ", and "της" must be the same.
        if c == 'ς' {
            self.write("σ".as_bytes());
            return (1, 2);
        }
        let mut buf = [0u8; 4];
        if !changes_in_lowercase(c) {
            let encoded = c.encode_utf8(&mut buf).as_bytes();
            self.write(encoded);
            return (1, encoded.len());
        }
        let (mut chars, mut bytes) = (0, 0);
        for lower in c.to_lowercase() {
            let encoded = lower.encode_utf8(&mut buf).as_bytes();
            self.write(encoded);
            chars += 1;
            bytes += encoded.len();
        }
        (chars, bytes)
    }

    pub fn finish(&self) -> u64 {
        avalanche(self.0)
    }
}

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv::new()
    }
}

/// Final avalanche (splitmix64's finaliser): every output bit depends on
/// every input bit, so low bits are well mixed for banding.
pub(crate) fn avalanche(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A word as it appeared, reduced to what dedup needs: the hash of its
/// lowercase form, and whether it was capitalised mid-sentence (a cheap
/// named-entity signal that survives paraphrase) or a number.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub hash: u64,
    pub stop: bool,
    pub capitalised: bool,
    /// A number of two or more digits.
    pub number: bool,
    /// A pair of CJK characters (`cjk.rs`), which no capital marks as a
    /// name; not one within a keyed katakana or Hangul word, which stands
    /// for its name through its key.
    pub pair: bool,
    /// For a capitalised word, any word in Arabic or Hebrew letters (or
    /// another script without capitals: India's, Sinhala, Georgian, Thai,
    /// Lao, Khmer, Burmese, Ethiopic, Thaana), and
    /// the pairs of a katakana or Hangul word, of a run of Chinese sound
    /// characters or of a listed Chinese name (in a text without kana),
    /// its name key
    /// (`name_keys.rs`), which it shares with its spellings in other
    /// scripts; 0 when it has none.
    pub name_key: u32,
}

/// The words of `text`: runs of letters and digits, with apostrophes inside
/// them. One pass over the text, hashing each word as it is read: no word
/// is looked at twice and none is copied (tokenising was a quarter of the
/// decision's time).
pub fn tokens(text: &str) -> Vec<Token> {
    tokens_and_text_hash(text).0
}

/// `tokens`, and in the same pass the key of exact copies: the SHA-256 of
/// the text with whitespace collapsed and letters lowercased, written out
/// as the words are read (a separate pass over the text was 6% of a
/// decision).
pub fn tokens_and_text_hash(text: &str) -> (Vec<Token>, u64) {
    let text = &*composed(text);
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut exact = CollapsedText::default();
    let mut word: Option<Word> = None;
    let mut at_sentence_start = true;
    let mut sound_runs = SoundRuns::default();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() {
            // A run of ASCII letters and digits, hashed in a tight loop.
            let run = bytes[i..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .map_or(bytes.len(), |n| i + n);
            word.get_or_insert_with(|| Word::starting(char::from(bytes[i]), at_sentence_start, i))
                .push_ascii(&bytes[i..run], &mut exact);
            i = run;
            continue;
        }
        let start = i;
        let c = next_char(text, &mut i);
        exact.push(c);
        // Most characters outside ASCII in a Latin text are quotes and
        // dashes: the letter test comes first.
        if is_alphanumeric(c) {
            if cjk::is_cjk(c) {
                if let Some(w) = word.take() {
                    out.push(w.finish(text));
                }
                i = cjk_run(text, start, i, c, &mut out, &mut exact, &mut sound_runs);
                at_sentence_start = false;
            } else if let Some(b) = ascii_of(c) {
                word.get_or_insert_with(|| Word::starting(char::from(b), at_sentence_start, start))
                    .push_full_width(b);
            } else if let Some(script) = Script::of(c) {
                if let Some(w) = word.take() {
                    out.push(w.finish(text));
                }
                i = word_run(text, start, i, script, &mut out, &mut exact);
                at_sentence_start = false;
            } else if is_abjad(c) && is_dropped_mark(c) {
                continue;
            } else {
                word.get_or_insert_with(|| Word::starting(c, at_sentence_start, start))
                    .push(c);
            }
            continue;
        }
        // A number written in groups ("5,000", "1.200") or with a decimal
        // part ("6.1", "2,5") is one number: its groups alone ("000") would
        // meet every other number of thousands, and its digits alone would
        // be too short to count.
        if matches!(c, ',' | '.' | '٫' | '٬')
            && let Some(w) = word.as_mut()
            && w.all_digits
            && w.bytes > 0
            && let Some(decimal) = separator_before(c, text, i)
        {
            w.push_number_separator(decimal);
            continue;
        }
        if (c == '\'' || c == '’')
            && let Some(w) = word.as_mut()
        {
            w.pending_apostrophes += 1;
            continue;
        }
        // Marks that are not letters: an accent left apart, a virama
        // joining two consonants ("प्र"), a joiner inside a Persian word.
        if let Some(w) = word.as_mut()
            && c >= '\u{300}'
        {
            if is_dropped_mark(c) {
                continue;
            }
            if is_kept_mark(c)
                || matches!(c, '\u{200c}' | '\u{200d}')
                    && text[i..].chars().next().is_some_and(is_alphanumeric)
            {
                w.push(c);
                continue;
            }
        }
        if let Some(w) = word.take() {
            out.push(w.finish(text));
            at_sentence_start = false;
        }
        // Words after these do not count as mid-sentence capitals.
        if matches!(
            c,
            '.' | '!'
                | '?'
                | '\n'
                | ':'
                | '"'
                | '“'
                | '('
                | '-'
                | '—'
                | '•'
                | '。'
                | '！'
                | '？'
                | '：'
                | '「'
                | '（'
        ) {
            at_sentence_start = true;
        }
    }
    if let Some(w) = word {
        out.push(w.finish(text));
    }
    sound_runs.apply(&mut out);
    (out, exact.key())
}

/// The normalised text being hashed, for the exact-copy key: the text's
/// characters lowercased, and one space for each run of whitespace
/// between them. Written through a small buffer that stays in cache.
struct CollapsedText {
    sha: Sha256,
    buf: [u8; COLLAPSED_BUF],
    len: usize,
    started: bool,
    gap: bool,
}

const COLLAPSED_BUF: usize = 512;

impl Default for CollapsedText {
    fn default() -> Self {
        CollapsedText {
            sha: Sha256::new(),
            buf: [0; COLLAPSED_BUF],
            len: 0,
            started: false,
            gap: false,
        }
    }
}

impl CollapsedText {
    /// Before the next characters that are not whitespace.
    fn word_starts(&mut self) {
        if std::mem::take(&mut self.gap) {
            self.write(b' ');
        }
        self.started = true;
    }

    fn write(&mut self, b: u8) {
        if self.len == COLLAPSED_BUF {
            self.sha.update(self.buf);
            self.len = 0;
        }
        self.buf[self.len] = b;
        self.len += 1;
    }

    #[inline(always)]
    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.gap = self.started;
            return;
        }
        self.word_starts();
        let mut utf8 = [0u8; 4];
        if !changes_in_lowercase(c) {
            c.encode_utf8(&mut utf8).bytes().for_each(|b| self.write(b));
            return;
        }
        for lower in c.to_lowercase() {
            lower
                .encode_utf8(&mut utf8)
                .bytes()
                .for_each(|b| self.write(b));
        }
    }

    /// The first 64 bits of the text's SHA-256. A cryptographic hash, so
    /// that no one can write a text that passes for a copy of another (a
    /// text whose key matches a given one takes about 2^64 tries); 64 bits
    /// keep the index and the state formats as they were.
    fn key(mut self) -> u64 {
        self.sha.update(&self.buf[..self.len]);
        let digest = self.sha.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }
}

/// A word being read: its lowercase hash so far, and what `Token` needs.
struct Word {
    hash: Fnv,
    /// Characters and bytes hashed (lowercase, apostrophes included).
    chars: usize,
    bytes: usize,
    /// Apostrophes not hashed yet: they count only when a letter follows.
    pending_apostrophes: usize,
    at_sentence_start: bool,
    first_upper: bool,
    any_lower: bool,
    all_digits: bool,
    /// Where the word starts in the text: a name's key reads it again.
    start: usize,
    /// Written in Arabic, Hebrew or Georgian letters or in one of India's
    /// scripts or Sinhala, which have no capitals: keyed whatever its case
    /// (`name_keys.rs`).
    uncased: bool,
}

impl Word {
    fn starting(first: char, at_sentence_start: bool, start: usize) -> Word {
        Word {
            start,
            hash: Fnv::new(),
            chars: 0,
            bytes: 0,
            pending_apostrophes: 0,
            at_sentence_start,
            first_upper: first.is_uppercase(),
            uncased: is_abjad(first)
                || crate::indic::is_indic(first)
                || crate::sinhala::is_sinhala(first)
                || crate::caucasus::is_georgian(first)
                || crate::ethiopic::is_ethiopic(first)
                || crate::thaana::is_thaana(first),
            any_lower: false,
            all_digits: true,
        }
    }

    fn take_apostrophes(&mut self) {
        for _ in 0..std::mem::take(&mut self.pending_apostrophes) {
            self.hash.write_byte(b'\'');
            self.chars += 1;
            self.bytes += 1;
            self.all_digits = false;
        }
    }

    /// A separator inside a number: a decimal point is read as "." (so
    /// "2,5" is "2.5"); one between groups of thousands is dropped.
    fn push_number_separator(&mut self, decimal: bool) {
        if decimal {
            self.hash.write_byte(b'.');
            self.chars += 1;
            self.bytes += 1;
        }
    }

    /// ASCII letters and digits, which go to the exact-copy text too.
    fn push_ascii(&mut self, run: &[u8], exact: &mut CollapsedText) {
        self.take_apostrophes();
        exact.word_starts();
        for &b in run {
            let lower = b.to_ascii_lowercase();
            self.hash.write_byte(lower);
            exact.write(lower);
        }
        self.chars += run.len();
        self.bytes += run.len();
        self.any_lower |= run.iter().any(u8::is_ascii_lowercase);
        self.all_digits &= run.iter().all(u8::is_ascii_digit);
    }

    /// A letter or digit written full width, read as its ASCII one. The
    /// exact-copy text keeps the character as written.
    fn push_full_width(&mut self, b: u8) {
        self.take_apostrophes();
        self.hash.write_byte(b.to_ascii_lowercase());
        self.chars += 1;
        self.bytes += 1;
        self.any_lower |= b.is_ascii_lowercase();
        self.all_digits &= b.is_ascii_digit();
    }

    /// A letter or digit outside ASCII.
    fn push(&mut self, c: char) {
        self.take_apostrophes();
        let (chars, bytes) = self.hash.write_lowercase_char(c);
        self.chars += chars;
        self.bytes += bytes;
        self.any_lower |= c.is_lowercase();
        self.all_digits = false;
    }

    #[inline(always)]
    fn finish(self, text: &str) -> Token {
        let hash = self.hash.finish();
        let capitalised = self.first_upper && !self.at_sentence_start && self.any_lower;
        // Stopwords are short: longer words skip the set.
        let stop =
            self.chars == 1 || (self.bytes <= STOPWORD_MAX_BYTES && STOPWORDS.get(hash).is_some());
        Token {
            hash,
            stop,
            capitalised,
            number: self.bytes >= 2 && self.all_digits,
            pair: false,
            name_key: if capitalised || self.uncased {
                key_of_word_at(text, self.start)
            } else {
                0
            },
        }
    }
}

/// Whether `separator`, a comma or point before byte `at` of `text`, sits
/// inside a number, and if so whether it is a decimal point: digits
/// follow, three of them for a separator of thousands, any other count for
/// a decimal. Arabic writes its decimal separator ("٫") and its thousands
/// one ("٬") apart.
fn separator_before(separator: char, text: &str, at: usize) -> Option<bool> {
    let digit = |c: char| c.is_ascii_digit() || ascii_of(c).is_some_and(|b| b.is_ascii_digit());
    let digits = text[at..].chars().take(4).take_while(|c| digit(*c)).count();
    (digits > 0).then_some(match separator {
        '٫' => true,
        '٬' => false,
        _ => digits != 3,
    })
}

/// The text in Unicode's composed form (NFC): a letter and its accent
/// written as two characters, as some systems write them ("e" and
/// U+0301), are the one character that other copies and the word tables
/// have ("é"), and a word is not cut at its accent.
fn composed(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    ComposingNormalizerBorrowed::new_nfc().normalize(text)
}

/// The name key of the word at byte `start` of `text`. Apart and cold, so
/// that `Word::finish`, which runs for every word, stays inlined: most
/// words are not capitalised.
#[cold]
#[inline(never)]
fn key_of_word_at(text: &str, start: usize) -> u32 {
    name_key(&text[start..])
}

/// Hashes of overlapping word `k`-shingles (lowercased), for MinHash, in
/// text order (a repeated shingle repeats: MinHash takes minimums, which
/// repeats leave as they are; `distinct_count` gives the set's size). Each
/// word is hashed once; a shingle's hash combines its words' hashes in order.
pub fn shingle_hashes(toks: &[Token], k: usize) -> Vec<u64> {
    let combine = |w: &[Token]| {
        w.iter().fold(0x9e37_79b9_7f4a_7c15u64, |h, t| {
            (h.rotate_left(23) ^ t.hash).wrapping_mul(0xff51_afd7_ed55_8ccd)
        })
    };
    if toks.len() < k {
        return if toks.is_empty() {
            Vec::new()
        } else {
            vec![combine(toks)]
        };
    }
    toks.windows(k).map(combine).collect()
}

/// How many distinct values `hashes` holds, counted in a small table
/// probed in place: sorting the shingles to drop repeats was 7% of a
/// decision's instructions.
pub fn distinct_count(hashes: &[u64]) -> usize {
    let slots = (hashes.len() * 2).next_power_of_two().max(16);
    // 0 marks an empty slot, so a hash of 0 is counted apart.
    let mut table = vec![0u64; slots];
    let mut count = usize::from(hashes.contains(&0));
    for &h in hashes.iter().filter(|h| **h != 0) {
        let mut i = home_slot(h, slots);
        loop {
            match table[i] {
                0 => {
                    table[i] = h;
                    count += 1;
                    break;
                }
                held if held == h => break,
                _ => i = (i + 1) & (slots - 1),
            }
        }
    }
    count
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
