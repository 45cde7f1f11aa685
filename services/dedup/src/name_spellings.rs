//! A name's id (its key, `name_keys.rs`, tagged apart from word hashes) and
//! the ids it meets: the same key in the coarse classes Japanese, Korean
//! and Chinese keys are written in, or with a Latin letter of two sounds
//! read as either. Kept apart from the keying, which reads letters; this
//! reads and compares keys.

use crate::name_keys::KEY_CONSONANTS;

/// The name a key stands for, among the terms (hashes) that are names: the
/// tag in the top half keeps it from any word's hash in practice.
pub(crate) fn name_id(key: u32) -> u64 {
    (NAME_ID_TAG << 32) | u64::from(key)
}

/// Whether a term is a name's key (`name_id`), not a word's hash.
pub(crate) fn is_name_id(term: u64) -> bool {
    term >> 32 == NAME_ID_TAG
}

/// A name's id as round 36 and earlier keyed it, when "p" had a class of
/// its own, made the id it has now: "p" and "b" share one (Arabic writes
/// both "ب", as in "بوتين", Putin). Other ids and terms are returned as
/// they are, so it may be applied to state of any round.
pub(crate) fn rekeyed(id: u64) -> u64 {
    if !is_name_id(id) {
        return id;
    }
    name_id(map_classes(id as u32, |c| if c == b'p' { b'b' } else { c }))
}

/// A key with each of its class bytes mapped by `f`.
fn map_classes(key: u32, f: impl Fn(u8) -> u8) -> u32 {
    u32::from_be_bytes(key.to_be_bytes().map(f))
}

/// Japanese and Korean tell neither "l" from "r" nor "b" from "v" (nor,
/// in Korean, "p" and "f" from them): their keys write one class for each
/// pair, "R" and "B" (`kana_hangul.rs`), and meet a key of another script
/// in the form it takes with its classes so merged (`coarse`). Other
/// scripts' keys keep them apart, so that their names collide no more.
/// Korean's "ㅈ" is "J", for "j" and "s" (the class Latin keys give "z"):
/// "존스" is Jones, "젤렌스키" Zelensky, "일제" Ilse. Chinese keys are coarse
/// too (`han_sounds.rs`). Each coarse class, with the classes it stands for.
const COARSE_CLASSES: [(u8, &[u8; 2]); 3] = [(b'R', b"lr"), (b'B', b"bv"), (b'J', b"js")];

/// The coarse class a class is read as, or the class itself.
fn coarse_class(class: u8) -> u8 {
    COARSE_CLASSES
        .iter()
        .find(|(_, fine)| fine.contains(&class))
        .map_or(class, |(coarse, _)| *coarse)
}

/// A name's id with "l" and "r" read as "R", "b" and "v" as "B".
pub(crate) fn coarse(id: u64) -> u64 {
    if !is_name_id(id) {
        return id;
    }
    name_id(map_classes(id as u32, coarse_class))
}

/// Whether a name's key has a class that stands for two ("R", "B", "J").
pub(crate) fn is_coarse(id: u64) -> bool {
    has_class_of(id, &COARSE_READ)
}

/// Whether a name's key has one of the classes `classes` gives readings
/// for.
fn has_class_of(id: u64, classes: &Readings) -> bool {
    is_name_id(id)
        && (id as u32)
            .to_be_bytes()
            .iter()
            .any(|c| classes[usize::from(*c)][0] != 0)
}

/// Latin letters that languages read as two sounds, which other scripts
/// write apart, each with the classes it stands for: "ch", which English
/// writes for the sound of "ч" ("C", as "č" is) and German, Dutch, Polish
/// and Czech for that of "х" or "χ" ("G"); and the "s" that starts "st" or
/// "sp", which German reads as "ш" (Steinbach, Штайнбах) and English as
/// "с" (Stone, Стоун); and "z", which is "з" in most languages (Zelensky,
/// Зеленский) and "ц" in German (Scholz, Шольц): "ц" is keyed "t" then
/// "s", so "W" is also read as those two where a class follows it
/// (t-s-r for Zürich and Цюрих), and meets the "t" where it is a key's
/// last class (m-r-t for Merz and Мерц). India's scripts write "j" and "z" with one letter
/// ("V"), and Tamil "k" and "g" with one, "t" and "d" with each of two,
/// and "s" and "ch" with one (`indic.rs`): "K", "T" and "Q". Burmese
/// writes "b" and "v" with one ("ဗ", `lao_khmer_burmese.rs`): "P". An
/// "m" before a "b" is "M", "m" or "b" (`key_of_sounds`). A key with one
/// meets either spelling, in that place only (a coarse key would merge
/// "l" and "r" too).
const TWO_SOUNDS: [(u8, &[u8; 2]); 10] = [
    (b'V', b"js"),
    (b'X', b"CG"),
    (b'Y', b"sS"),
    (b'W', b"st"),
    (b'K', b"kG"),
    (b'T', b"td"),
    (b'Q', b"sC"),
    (b'H', b"CS"),
    (b'P', b"bv"),
    (b'M', b"mb"),
];

/// Whether a name's key has a letter of two sounds (`TWO_SOUNDS`).
pub(crate) fn has_two_sounds(id: u64) -> bool {
    has_class_of(id, &TWO_SOUNDS_READ)
}

/// A name's id with each letter of two sounds read as either, and a "z"
/// read as "ц" (`TWO_SOUNDS`): a handful of ids, on the stack (the names
/// checks ask for them in their loops).
pub(crate) fn sound_spellings(id: u64) -> Spelled {
    expand(id, &TWO_SOUNDS_READ)
}

/// Most ids a key is spelled as: three classes of two spellings each give
/// eight, and a "z" read as "ц" adds its own.
const MAX_SPELLINGS: usize = 16;

/// The ids a key is spelled as (`expand`).
pub(crate) struct Spelled {
    ids: [u64; MAX_SPELLINGS],
    len: usize,
}

impl Spelled {
    /// Adds `id`, unless it is there (`unique` false) or there is no room.
    #[inline]
    fn push(&mut self, id: u64, unique: bool) {
        if self.len < MAX_SPELLINGS && (unique || !self.contains(&id)) {
            self.ids[self.len] = id;
            self.len += 1;
        }
    }
}

impl std::ops::Deref for Spelled {
    type Target = [u64];

    fn deref(&self) -> &[u64] {
        &self.ids[..self.len]
    }
}

/// The ids `id` stands for, with each class of `tables` (which hold
/// `TWO_SOUNDS`) read as each of the classes it stands for, and a "z"
/// that a class follows also read as "ц", "t" then "s", the two places
/// "ц" takes in a key.
fn expand(id: u64, tables: &Readings) -> Spelled {
    let mut spelled = Spelled {
        ids: [0; MAX_SPELLINGS],
        len: 0,
    };
    let key = id as u32;
    expand_classes(key, tables, &mut spelled);
    let [_, classes @ ..] = key.to_be_bytes();
    for at in 0..KEY_CONSONANTS - 1 {
        if classes[at] == b'W' {
            let mut as_ts = [0u8; KEY_CONSONANTS];
            as_ts[..at].copy_from_slice(&classes[..at]);
            as_ts[at] = b't';
            as_ts[at + 1] = b's';
            as_ts[at + 2..].copy_from_slice(&classes[at + 1..KEY_CONSONANTS - 1]);
            let shifted = as_ts.iter().fold(0u32, |key, c| (key << 8) | u32::from(*c));
            expand_classes(shifted, tables, &mut spelled);
        }
    }
    spelled
}

/// Each class's two readings, by class byte (none: zeros), read from
/// tables of classes: one look-up where a key's classes are read, in the
/// loops of the names checks.
type Readings = [[u8; 2]; 256];

const fn readings(tables: &[&[(u8, &[u8; 2])]]) -> Readings {
    let mut out = [[0u8; 2]; 256];
    let mut t = 0;
    while t < tables.len() {
        let mut i = 0;
        while i < tables[t].len() {
            let (class, two) = tables[t][i];
            out[class as usize] = *two;
            i += 1;
        }
        t += 1;
    }
    out
}

static COARSE_READ: Readings = readings(&[&COARSE_CLASSES]);
static TWO_SOUNDS_READ: Readings = readings(&[&TWO_SOUNDS]);
static COARSE_AND_TWO_SOUNDS_READ: Readings = readings(&[&COARSE_CLASSES, &TWO_SOUNDS]);

/// Adds the ids `key` stands for with each class of `tables` read as each
/// of the classes it stands for (three classes: at most eight).
#[inline]
fn expand_classes(key: u32, tables: &Readings, spelled: &mut Spelled) {
    let mut keys = [0u32; 8];
    keys[0] = key;
    let mut len = 1;
    for (i, class) in key.to_be_bytes().into_iter().enumerate() {
        let [first, second] = tables[usize::from(class)];
        if first == 0 {
            continue;
        }
        let shift = 8 * (3 - i);
        for k in 0..len {
            let without = keys[k] & !(0xff << shift);
            keys[k] = without | u32::from(first) << shift;
            keys[len + k] = without | u32::from(second) << shift;
        }
        len *= 2;
    }
    // The first key's spellings differ from each other; a "z" read as "ц"
    // may give one of them again.
    let unique = spelled.len == 0;
    for key in &keys[..len] {
        spelled.push(name_id(*key), unique);
    }
}

/// Whether two names are one: the same id; or, when one of them was keyed
/// in Japanese or Korean, the same in the coarse form; or, when one has a
/// letter of two sounds, the same in one of its spellings.
pub(crate) fn same_name(a: u64, b: u64) -> bool {
    let meet = |a: u64, b: u64| a == b || (is_coarse(a) || is_coarse(b)) && coarse(a) == coarse(b);
    if has_two_sounds(a) || has_two_sounds(b) {
        let b = sound_spellings(b);
        sound_spellings(a)
            .iter()
            .any(|a| b.iter().any(|b| meet(*a, *b)))
    } else {
        meet(a, b)
    }
}

/// The ids a coarse key may stand for in another script ("R" for "l" and
/// "r", "B" for "b" and "v"), and with its letters of two sounds read as
/// either (`TWO_SOUNDS`).
pub(crate) fn spellings(id: u64) -> Spelled {
    expand(id, &COARSE_AND_TWO_SOUNDS_READ)
}

/// "name" in ASCII.
pub(crate) const NAME_ID_TAG: u64 = 0x6e61_6d65;
