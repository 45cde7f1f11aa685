//! A prior for the document frequencies. A stream learns its document
//! frequencies as it goes, so its first articles are weighed with almost
//! none: every word of a young stream is about as rare as every other, and
//! "arrested", "said" and "Tuesday" weigh what a place name or a rare term
//! weighs. The prior is what a reference corpus says of each word: the
//! 200,000 most frequent English words of wordfreq 3.1.1
//! (`data/wordfreq-en.txt.gz`, made by `scripts/df-prior.sh`; CC BY-SA 4.0,
//! see `data/README.md`). It counts as `PRIOR_DOCS` documents added to the
//! stream's own, so it rules a young stream and fades as the stream's
//! counts grow. Words it lacks (rare names, numbers) get the share of its
//! rarest words. On ECB+ it mostly lets rewrites of one event meet (B-cubed
//! recall on the dev topics 0.847 to 0.887).
//!
//! An article in another language that wordfreq has is weighed with that
//! language's table (its 50,000 most frequent words; 38 languages since
//! round 43, Serbo-Croatian's in Latin and Cyrillic letters): weighed with the
//! English one, each of its words was as rare as a name, so two reports of
//! different earthquakes in German met on "Erdbeben", "Stärke" and
//! "Kilometer", and a translation's names and numbers weighed little
//! against its common words. Words a table lacks get the English table's
//! rarest share in every language, so that a name weighs the same in each.
//!
//! Chinese, Japanese and Korean are read as pairs of characters
//! (`cjk.rs`), so their tables hold the most frequent pairs, estimated from
//! wordfreq's words by `scripts/df-prior.sh`. Thai, which wordfreq lacks,
//! has the Thai National Corpus' words (`thai.rs`); Lao, Khmer and
//! Burmese, the words of dictionaries with two weights, as no frequency
//! list of theirs is at hand (`lao_khmer_burmese.rs`); Amharic, its
//! function words and its dictionary's words, the same way; Tigrinya, its
//! function words alone; Georgian, a dictionary's stems, each weighed as
//! a listed word (its inflected forms, as rare). Languages with no table built in may be given
//! word lists at run time (`word_lists.rs`).

use std::io::Read;
use std::sync::OnceLock;

use crate::probe::{home_slot, prefetch_read};
use crate::text::tokens;
use crate::word_cut::Script;

/// Documents the prior counts as.
pub(crate) const PRIOR_DOCS: f32 = 10_000.0;

/// Words per reference document: a word of frequency `f` is in a share
/// `min(1, f * DOC_WORDS)` of the documents. Measured on the ECB+ train
/// topics between 1,000 and 10,000; 2,000 to 3,000 was best.
const DOC_WORDS: f32 = 2_000.0;

/// The tables by language code (ISO 639-1, the cleaner's codes). English is
/// first: it is also the table for an article of no known language.
const TABLES: &[(&str, &[u8])] = &[
    ("en", include_bytes!("../data/wordfreq-en.txt.gz")),
    ("ar", include_bytes!("../data/wordfreq-ar.txt.gz")),
    ("cs", include_bytes!("../data/wordfreq-cs.txt.gz")),
    ("da", include_bytes!("../data/wordfreq-da.txt.gz")),
    ("de", include_bytes!("../data/wordfreq-de.txt.gz")),
    ("es", include_bytes!("../data/wordfreq-es.txt.gz")),
    ("fi", include_bytes!("../data/wordfreq-fi.txt.gz")),
    ("fr", include_bytes!("../data/wordfreq-fr.txt.gz")),
    ("he", include_bytes!("../data/wordfreq-he.txt.gz")),
    ("it", include_bytes!("../data/wordfreq-it.txt.gz")),
    ("nb", include_bytes!("../data/wordfreq-nb.txt.gz")),
    ("nl", include_bytes!("../data/wordfreq-nl.txt.gz")),
    ("pl", include_bytes!("../data/wordfreq-pl.txt.gz")),
    ("pt", include_bytes!("../data/wordfreq-pt.txt.gz")),
    ("ru", include_bytes!("../data/wordfreq-ru.txt.gz")),
    ("sv", include_bytes!("../data/wordfreq-sv.txt.gz")),
    ("tr", include_bytes!("../data/wordfreq-tr.txt.gz")),
    ("uk", include_bytes!("../data/wordfreq-uk.txt.gz")),
    ("bg", include_bytes!("../data/wordfreq-bg.txt.gz")),
    ("bn", include_bytes!("../data/wordfreq-bn.txt.gz")),
    ("ca", include_bytes!("../data/wordfreq-ca.txt.gz")),
    ("el", include_bytes!("../data/wordfreq-el.txt.gz")),
    ("fa", include_bytes!("../data/wordfreq-fa.txt.gz")),
    ("fil", include_bytes!("../data/wordfreq-fil.txt.gz")),
    ("hi", include_bytes!("../data/wordfreq-hi.txt.gz")),
    ("hu", include_bytes!("../data/wordfreq-hu.txt.gz")),
    ("id", include_bytes!("../data/wordfreq-id.txt.gz")),
    ("is", include_bytes!("../data/wordfreq-is.txt.gz")),
    ("lt", include_bytes!("../data/wordfreq-lt.txt.gz")),
    ("lv", include_bytes!("../data/wordfreq-lv.txt.gz")),
    ("mk", include_bytes!("../data/wordfreq-mk.txt.gz")),
    ("ms", include_bytes!("../data/wordfreq-ms.txt.gz")),
    ("ro", include_bytes!("../data/wordfreq-ro.txt.gz")),
    ("sh", include_bytes!("../data/wordfreq-sh.txt.gz")),
    ("sk", include_bytes!("../data/wordfreq-sk.txt.gz")),
    ("sl", include_bytes!("../data/wordfreq-sl.txt.gz")),
    ("ta", include_bytes!("../data/wordfreq-ta.txt.gz")),
    ("ur", include_bytes!("../data/wordfreq-ur.txt.gz")),
    ("vi", include_bytes!("../data/wordfreq-vi.txt.gz")),
    ("th", crate::thai::TABLE),
    ("lo", crate::lao_khmer_burmese::LAO),
    ("km", crate::lao_khmer_burmese::KHMER),
    ("my", crate::lao_khmer_burmese::BURMESE),
    // Function words and a dictionary's words (`scripts/word-lists.sh`).
    ("am", include_bytes!("../data/words-am.txt.gz")),
    // Function words only.
    ("ti", include_bytes!("../data/words-ti.txt.gz")),
    // Counted in dhivehi-nlp's news text (`scripts/word-lists.sh`).
    ("dv", include_bytes!("../data/words-dv.txt.gz")),
    // A dictionary's stems (`scripts/word-lists.sh`).
    ("ka", include_bytes!("../data/words-ka.txt.gz")),
    ("ja", include_bytes!("../data/wordfreq-ja.txt.gz")),
    ("ko", include_bytes!("../data/wordfreq-ko.txt.gz")),
    ("zh", include_bytes!("../data/wordfreq-zh.txt.gz")),
];

/// The tables from here on (the last three: Japanese, Korean, Chinese)
/// hold pairs of characters, as `cjk.rs` reads these languages.
const FIRST_PAIRS_TABLE: usize = TABLES.len() - 3;

/// The share of reference documents that hold each word, by token hash.
/// Every term of every article is looked up, and a general-purpose map of
/// 200,000 words costs two cache misses a lookup (its control bytes, then
/// the entry); this one keeps a 32-bit check of the hash and the word's
/// Zipf value in one 8-byte slot, probed in place: one miss, 4 MiB for
/// English (524,288 slots).
pub(crate) struct DfPrior {
    slots: Vec<Slot>,
    /// The share for each Zipf value (hundredths).
    share_of_zipf: Vec<f32>,
    unknown: f32,
}

#[derive(Clone, Copy, Default)]
struct Slot {
    /// The hash's high half with the lowest bit set; 0 is an empty slot.
    check: u32,
    zipf: u16,
}

impl DfPrior {
    /// The share of reference documents holding `term`.
    pub(crate) fn share(&self, term: u64) -> f32 {
        let check = check_of(term);
        let mask = self.slots.len() - 1;
        let mut i = self.home(term);
        loop {
            let slot = self.slots[i];
            if slot.check == check {
                return self.share_of_zipf[usize::from(slot.zipf)];
            }
            if slot.check == 0 {
                return self.unknown;
            }
            i = (i + 1) & mask;
        }
    }

    /// Whether the table holds `term`.
    pub(crate) fn knows(&self, term: u64) -> bool {
        let check = check_of(term);
        let mask = self.slots.len() - 1;
        let mut i = self.home(term);
        loop {
            match self.slots[i].check {
                0 => return false,
                c if c == check => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Whether the table rates `term` among the most common words, found
    /// in every reference document (a Zipf value of about 5.7 or more: "من",
    /// "של", but also "ישראל").
    pub(crate) fn common(&self, term: u64) -> bool {
        self.share(term) >= 1.0
    }

    /// Ask the CPU to bring `term`'s slot closer. A weighing looks up a
    /// few hundred terms, and asked for one after another each waits for
    /// its slot on its own (the lookups were 7% of a decision).
    pub(crate) fn prefetch(&self, term: u64) {
        prefetch_read(&self.slots[self.home(term)]);
    }

    fn home(&self, term: u64) -> usize {
        home_slot(term, self.slots.len())
    }

    /// Parse the table: lines of "ZIPF<TAB>word word ...", where ZIPF is
    /// 100 times log10 of the frequency per billion words. Words it lacks
    /// get `unknown`, or else the share of its rarest words.
    fn parse(text: &str, unknown: Option<f32>, cut: Option<Script>) -> DfPrior {
        let mut words: Vec<(u64, u16)> = Vec::new();
        for line in text.lines() {
            let Some((zipf, list)) = line.split_once('\t') else {
                continue;
            };
            let Ok(zipf) = zipf.parse::<u16>() else {
                continue;
            };
            for word in list.split(' ') {
                // Other languages' tables hold a few Thai words (English's,
                // from the web), which only Thai's weighs: cutting them
                // would load the Thai word list in every process (and
                // Lao's, Khmer's and Burmese's alike).
                if !word.is_ascii()
                    && word
                        .chars()
                        .any(|c| Script::of(c).is_some_and(|s| Some(s) != cut))
                {
                    continue;
                }
                // A word the tokenizer splits ("e.g" is two tokens) is not
                // one of its terms.
                if let [one] = tokens(word).as_slice() {
                    words.push((one.hash, zipf));
                }
            }
        }
        let max_zipf = words.iter().map(|w| w.1).max().unwrap_or(0);
        let unknown =
            unknown.unwrap_or_else(|| words.iter().map(|w| share_of_zipf(w.1)).fold(1.0, f32::min));
        // At most three quarters full, so that probes stay short.
        let slots = (words.len() * 4 / 3 + 1).next_power_of_two().max(2);
        let mut prior = DfPrior {
            slots: vec![Slot::default(); slots],
            share_of_zipf: (0..=max_zipf).map(share_of_zipf).collect(),
            unknown,
        };
        let mask = slots - 1;
        for (hash, zipf) in words {
            let check = check_of(hash);
            let mut i = prior.home(hash);
            // The first (most frequent) entry of a hash wins.
            while prior.slots[i].check != 0 && prior.slots[i].check != check {
                i = (i + 1) & mask;
            }
            if prior.slots[i].check == 0 {
                prior.slots[i] = Slot { check, zipf };
            }
        }
        prior
    }
}

/// The share of documents the prior counts a word of `zipf` in (see
/// `DOC_WORDS`).
fn share_of_zipf(zipf: u16) -> f32 {
    (10f32.powf(f32::from(zipf) / 100.0 - 9.0) * DOC_WORDS).min(1.0)
}

/// Whether a word of `zipf` is one of the commonest (`DfPrior::common`),
/// for a reader of a table who has no `DfPrior` (the Thai word cut, which
/// the prior's own reading of the Thai table runs).
pub(crate) fn common_zipf(zipf: u16) -> bool {
    share_of_zipf(zipf) >= 1.0
}

fn check_of(hash: u64) -> u32 {
    (hash >> 32) as u32 | 1
}

/// Each table is read the first time an article in its language comes:
/// a stream in one language holds one (4 MiB for English, 1 MiB or less
/// for each other).
static PRIORS: [OnceLock<DfPrior>; TABLES.len()] = [const { OnceLock::new() }; TABLES.len()];

fn load(index: usize) -> &'static DfPrior {
    PRIORS[index].get_or_init(|| {
        let unknown = (index != 0 && index < FIRST_PAIRS_TABLE).then(|| load(0).unknown);
        DfPrior::parse(
            &table_text(index),
            unknown,
            Script::of_language(TABLES[index].0),
        )
    })
}

fn table_text(index: usize) -> String {
    built_in_text(TABLES[index].1)
}

/// The text of a gzipped list built into the binary (a table, a word or
/// name list).
pub(crate) fn built_in_text(gzipped: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gzipped)
        .read_to_string(&mut text)
        .expect("the built-in lists are valid gzip and UTF-8");
    text
}

/// The prior for an article in `lang` (a language code, as
/// `language_code` gives it): English's for no language or one
/// without a table.
pub(crate) fn prior(lang: Option<&str>) -> &'static DfPrior {
    if let Some(i) = lang.and_then(|l| IN_HINDIS_LETTERS.iter().position(|(code, _)| *code == l)) {
        return in_hindis_letters(i);
    }
    load(lang.and_then(own_table).unwrap_or(0))
}

/// The index in `TABLES` of the table `code` is weighed with, if it has one.
fn own_table(code: &str) -> Option<usize> {
    let table = table_of(code);
    TABLES.iter().position(|(name, _)| *name == table)
}

/// The table a language is weighed with: Serbian, Croatian and Bosnian
/// share wordfreq's Serbo-Croatian one, and Tagalog is Filipino's.
/// Marathi and Nepali, which wordfreq lacks, are weighed with Hindi's, and
/// Assamese with Bengali's: they are written in the same letters and share
/// much of their vocabulary (not their grammar's words, which the stream's
/// counts learn).
fn table_of(code: &str) -> &str {
    match code {
        "sr" | "hr" | "bs" => "sh",
        "tl" => "fil",
        "mr" | "ne" => "hi",
        "as" => "bn",
        _ => code,
    }
}

/// Languages of India that wordfreq lacks, written in scripts of their
/// own, each with the first letter of its block: they are weighed with
/// Hindi's table written in their letters (`indic.rs`: the blocks lay
/// their letters out alike). Gujarati, Punjabi and Oriya share much of
/// Hindi's vocabulary; Telugu, Kannada and Malayalam its Sanskrit and
/// English loans ("ప్రాంతీయ", regional). Weighed with English's table,
/// each of their words was as rare as a name, so their strongest words,
/// which stand in for their names, were their common ones.
const IN_HINDIS_LETTERS: [(&str, u32); 6] = [
    ("pa", 0x0a00),
    ("gu", 0x0a80),
    ("or", 0x0b00),
    ("te", 0x0c00),
    ("kn", 0x0c80),
    ("ml", 0x0d00),
];

static IN_HINDIS_LETTERS_PRIORS: [OnceLock<DfPrior>; IN_HINDIS_LETTERS.len()] =
    [const { OnceLock::new() }; IN_HINDIS_LETTERS.len()];

/// Hindi's table with its Devanagari letters written as those of the block
/// that starts at `block`.
fn in_hindis_letters(index: usize) -> &'static DfPrior {
    IN_HINDIS_LETTERS_PRIORS[index].get_or_init(|| {
        DfPrior::parse(
            &hindi_in_letters_of(IN_HINDIS_LETTERS[index].1),
            Some(load(0).unknown),
            None,
        )
    })
}

/// The text of Hindi's table in the letters of the block at `block`.
fn hindi_in_letters_of(block: u32) -> String {
    table_text(own_table("hi").expect("Hindi has a table"))
        .chars()
        .map(|c| match u32::from(c) {
            code @ 0x0900..=0x097f => char::from_u32(code - 0x0900 + block).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The Zipf value a word of a dictionary without frequencies weighs at:
/// the mean weight of a running word of Thai text that is not among its
/// commonest (`scripts/word-lists.sh`, which gives Lao's, Khmer's and
/// Burmese's listed words the same value).
const LISTED_ZIPF: u16 = 488;

/// The prior for `code` with the words of `list` (one per line; from a
/// slash or a space on, a dictionary's affix flags and fields, left out) added at
/// `LISTED_ZIPF` to what the language is weighed with without it: Hindi's
/// table in its letters for India's languages (a word both hold keeps
/// Hindi's value), no table for others. None when the language has a
/// frequency table of its own, which a list without frequencies would
/// only blur.
pub(crate) fn with_listed_words(code: &str, list: &str) -> Option<DfPrior> {
    if own_table(code).is_some() {
        return None;
    }
    let mut text = IN_HINDIS_LETTERS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, block)| hindi_in_letters_of(*block))
        .unwrap_or_default();
    text.push_str(&format!("\n{LISTED_ZIPF}\t"));
    for line in list.lines() {
        // Hunspell's lines may go on with fields after a tab.
        let word = line
            .split(|c: char| c == '/' || c.is_whitespace())
            .next()
            .unwrap_or_default();
        // A hunspell dictionary's first line is its word count.
        if !word.is_empty() && !word.bytes().all(|b| b.is_ascii_digit()) {
            text.push_str(word);
            text.push(' ');
        }
    }
    text.push('\n');
    Some(DfPrior::parse(
        &text,
        Some(load(0).unknown),
        Script::of_language(code),
    ))
}

/// The primary language subtag of a BCP 47 tag or locale, lowercased
/// ("en-US" and "en_gb" are "en"), or `None` for anything that is not two
/// or three ASCII letters: the value comes from pages and producers. The
/// three-letter codes of the languages the cleaner detects are written as
/// their two-letter ones, as BCP 47 does ("deu" and "ger" are "de"), so
/// that an article finds its language's word frequencies.
pub fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let code = primary.to_ascii_lowercase();
    let two_letters = match code.as_str() {
        "eng" => "en",
        "ara" => "ar",
        "ces" | "cze" => "cs",
        "dan" => "da",
        "deu" | "ger" => "de",
        "spa" => "es",
        "fin" => "fi",
        "fra" | "fre" => "fr",
        "heb" => "he",
        "ita" => "it",
        "nob" => "nb",
        "nld" | "dut" => "nl",
        "pol" => "pl",
        "por" => "pt",
        "rus" => "ru",
        "swe" => "sv",
        "tur" => "tr",
        "ukr" => "uk",
        "bul" => "bg",
        "ben" => "bn",
        "cat" => "ca",
        "ell" | "gre" => "el",
        "fas" | "per" | "pes" => "fa",
        "hin" => "hi",
        "mar" => "mr",
        "nep" | "npi" => "ne",
        "asm" => "as",
        "pan" => "pa",
        "guj" => "gu",
        "ori" | "ory" => "or",
        "tel" => "te",
        "kan" => "kn",
        "mal" => "ml",
        "kat" | "geo" => "ka",
        "hye" | "arm" => "hy",
        "hun" => "hu",
        "ind" => "id",
        "isl" | "ice" => "is",
        "lit" => "lt",
        "lav" => "lv",
        "mkd" | "mac" => "mk",
        "msa" | "may" | "zsm" => "ms",
        "ron" | "rum" => "ro",
        "hbs" => "sh",
        "hrv" => "hr",
        "srp" => "sr",
        "bos" => "bs",
        "slk" | "slo" => "sk",
        "slv" => "sl",
        "tam" => "ta",
        "urd" => "ur",
        "vie" => "vi",
        "tgl" | "fil" => "tl",
        "tha" => "th",
        "jpn" => "ja",
        "kor" => "ko",
        "zho" | "chi" | "cmn" => "zh",
        _ => return Some(code),
    };
    Some(two_letters.to_string())
}

#[cfg(test)]
#[path = "prior_tests.rs"]
mod tests;
