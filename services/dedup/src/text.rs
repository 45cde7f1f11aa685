//! Text features for dedup: tokens, shingle hashes and weighted terms.

/// 64-bit FNV-1a, stable across runs and platforms (state is persisted).
pub fn hash64(bytes: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.write(bytes);
    h.finish()
}

/// The FNV-1a state behind `hash64`, for hashing a text in pieces.
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

    /// Write `word` lowercased, without building the lowercase string.
    pub fn write_lowercase(&mut self, word: &str) {
        if word.is_ascii() {
            word.bytes()
                .for_each(|b| self.write_byte(b.to_ascii_lowercase()));
        } else {
            let mut buf = [0u8; 4];
            for c in word.chars().flat_map(char::to_lowercase) {
                self.write(c.encode_utf8(&mut buf).as_bytes());
            }
        }
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
}

pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut lower = String::new();
    let mut at_sentence_start = true;
    // Words are slices of the text: runs of letters and digits, with
    // apostrophes inside them.
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() || ((c == '\'' || c == '’') && start.is_some()) {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            push_token(&text[s..i], at_sentence_start, &mut lower, &mut out);
            at_sentence_start = false;
        }
        // Words after these do not count as mid-sentence capitals.
        if matches!(
            c,
            '.' | '!' | '?' | '\n' | ':' | '"' | '“' | '(' | '-' | '—' | '•'
        ) {
            at_sentence_start = true;
        }
    }
    if let Some(s) = start {
        push_token(&text[s..], at_sentence_start, &mut lower, &mut out);
    }
    out
}

fn push_token(word: &str, at_start: bool, lower: &mut String, out: &mut Vec<Token>) {
    let w = word.trim_matches(|c| c == '\'' || c == '’');
    let Some(first) = w.chars().next() else {
        return;
    };
    let (hash, single_char) = if w.is_ascii() {
        // The common case, without building the lowercase word.
        let mut h = Fnv::new();
        h.write_lowercase(w);
        (h.finish(), w.len() == 1)
    } else {
        lower.clear();
        for c in w.chars() {
            if c == '’' {
                lower.push('\'');
            } else {
                lower.extend(c.to_lowercase());
            }
        }
        (hash64(lower.as_bytes()), lower.chars().nth(1).is_none())
    };
    out.push(Token {
        hash,
        stop: single_char || STOPWORDS.contains(&hash),
        capitalised: first.is_uppercase() && !at_start && !w.chars().all(|c| !c.is_lowercase()),
        number: w.len() >= 2 && w.bytes().all(|b| b.is_ascii_digit()),
    });
}

/// Common function words in the languages newsmill sees most; they carry no
/// event information. Held by the hash tokens carry anyway: no second pass
/// over the word.
static STOPWORDS: std::sync::LazyLock<rustc_hash::FxHashSet<u64>> =
    std::sync::LazyLock::new(|| STOP.iter().map(|w| hash64(w.as_bytes())).collect());

const STOP: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "it's",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "said",
    "same",
    "says",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "told",
    "according",
    "new",
    "one",
    "two",
    "year",
    "years",
    "last",
    "first",
    "may",
    "like",
    "since",
    "many",
    "much",
    "even",
    "well",
    "back",
    "still",
    "way",
    "get",
    "got",
    "make",
    "made",
    "say",
    "see",
    "time",
    "including",
    "however",
    "although",
    "among",
    "around",
    "per",
    "der",
    "die",
    "das",
    "und",
    "ist",
    "den",
    "von",
    "mit",
    "sich",
    "des",
    "auf",
    "für",
    "nicht",
    "ein",
    "eine",
    "le",
    "la",
    "les",
    "des",
    "et",
    "est",
    "un",
    "une",
    "du",
    "en",
    "que",
    "qui",
    "dans",
    "pour",
    "el",
    "los",
    "las",
    "y",
    "es",
    "del",
    "por",
    "con",
    "para",
    "una",
    "se",
    "lo",
    "и",
    "в",
    "не",
    "на",
    "что",
    "с",
    "по",
    "это",
    "как",
    "а",
    "из",
    "у",
    "за",
    "о",
    "от",
    "для",
    "та",
    "що",
    "з",
    "до",
    "як",
    "це",
    "від",
    "й",
];

/// Hashes of overlapping word `k`-shingles (lowercased), for MinHash. Each
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
    let mut out: Vec<u64> = toks.windows(k).map(combine).collect();
    out.sort_unstable();
    out.dedup();
    out
}
