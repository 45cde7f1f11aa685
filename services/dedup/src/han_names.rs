//! Chinese names written as custom has them, not by their sounds: "普京"
//! (Putin, whose characters sound pu-jing), "默克尔" (Merkel, mo-ke-er,
//! the "r" moved), "武汉" (Wuhan), "习近平" (Xi Jinping). Sound characters (`han_sounds.rs`) key a name
//! Xinhua's tables spell; these have a spelling of their own, or are
//! Chinese names, which have no foreign spelling to sound out.
//!
//! The list (`data/names-zh.txt.gz`, from CC-CEDICT by
//! `scripts/han-names.sh`) pairs each name with the Latin-script word
//! that stands for it in an English text (Putin, Wuhan; for a Chinese
//! person the family name, which English writes alone: Xi); the name
//! takes that word's key, so that it meets the word's other spellings as
//! a sound-keyed name does. A run of Chinese characters is searched for
//! the longest listed name at each place, left to right.

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use crate::han_sounds::is_sound_character;
use crate::name_keys::name_key;
use crate::prior::built_in_text;
use crate::text::{Fnv, hash64};

const NAMES: &[u8] = include_bytes!("../data/names-zh.txt.gz");

/// The listed names with a key, as the hashes of their characters, and
/// for each pair of characters a name starts with, the longest such name.
pub(crate) struct HanNames {
    keys: HashMap<u64, u32>,
    longest_from: HashMap<u64, u8>,
}

/// The list, read when a Chinese text first asks for it (about 17,000
/// names).
pub(crate) fn names() -> &'static HanNames {
    static NAMES_READ: OnceLock<HanNames> = OnceLock::new();
    NAMES_READ.get_or_init(|| HanNames::read(NAMES))
}

impl HanNames {
    /// The list in `gzipped` ("NAME<TAB>WORD" lines, or "NAME<TAB>WORD
    /// WORD", the first word with a key the name's: a Chinese name's
    /// family name, then its given name); names whose words have no key
    /// are left out.
    pub(crate) fn read(gzipped: &[u8]) -> HanNames {
        let text = built_in_text(gzipped);
        let mut names = HanNames {
            keys: HashMap::default(),
            longest_from: HashMap::default(),
        };
        for line in text.lines() {
            let Some((name, word)) = line.split_once('\t') else {
                continue;
            };
            let chars: Vec<char> = name.chars().collect();
            let key = word.split(' ').map(name_key).find(|k| *k != 0).unwrap_or(0);
            if chars.len() < 2 || chars.len() > usize::from(u8::MAX) || key == 0 {
                continue;
            }
            names.keys.insert(hash64(name.as_bytes()), key);
            let longest = names
                .longest_from
                .entry(pair(chars[0], chars[1]))
                .or_default();
            *longest = (*longest).max(chars.len() as u8);
        }
        names
    }

    /// Each listed name in `run` (Simplified characters), as where it
    /// starts, its length and its key: the longest at each place, and the
    /// next looked for after its end. A name written in sound characters
    /// alone ("普京") counts only where no other sound character stands
    /// next to it: such a name is often a piece of a longer one ("尔德",
    /// Eid, in "费尔德豪斯", Feldhaus), whose sounds key it.
    pub(crate) fn find(&self, run: &[char], mut found: impl FnMut(usize, usize, u32)) {
        let mut i = 0;
        while i + 1 < run.len() {
            let longest = self.longest_from.get(&pair(run[i], run[i + 1])).copied();
            let longest = usize::from(longest.unwrap_or(0)).min(run.len() - i);
            let mut best = None;
            for len in 2..=longest {
                if let Some(key) = self.keys.get(&chars_hash(&run[i..i + len]))
                    && !inside_sound_run(run, i, len)
                {
                    best = Some((len, *key));
                }
            }
            match best {
                Some((len, key)) => {
                    found(i, len, key);
                    i += len;
                }
                None => i += 1,
            }
        }
    }
}

/// Whether the `len` characters at `at` of `run` are sound characters
/// (`han_sounds.rs`) with another one before or after them.
fn inside_sound_run(run: &[char], at: usize, len: usize) -> bool {
    let sound = |i: usize| run.get(i).is_some_and(|c| is_sound_character(*c));
    (at..at + len).all(sound) && (at > 0 && sound(at - 1) || sound(at + len))
}

/// Two characters as one number.
fn pair(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The hash of characters as `hash64` hashes their text, without
/// writing it out.
fn chars_hash(chars: &[char]) -> u64 {
    let mut hash = Fnv::new();
    for c in chars {
        hash.write(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    hash.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found_in(text: &str) -> Vec<(String, u32)> {
        let run: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        names().find(&run, |at, len, key| {
            out.push((run[at..at + len].iter().collect(), key));
        });
        out
    }

    #[test]
    fn customary_names_are_found_in_a_run_and_take_their_words_keys() {
        let found = found_in("俄罗斯总统普京抵达北京与习近平会谈");
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["俄罗斯", "普京", "北京", "习近平"]);
        assert_eq!(found[1].1, name_key("Putin"));
        assert_eq!(found[2].1, name_key("Beijing"));
        assert_eq!(found[3].1, name_key("Xi"));
        assert_ne!(name_key("Xi"), 0);
        // A family name too short for a key gives way to the given name.
        assert_eq!(found_in("李林甫")[0].1, name_key("Linfu"));
        // The longest name at a place: "新德里" (New Delhi), not "德里".
        assert_eq!(
            found_in("抵达新德里")[0],
            ("新德里".to_string(), name_key("Delhi"))
        );
    }

    #[test]
    fn a_listed_names_pairs_carry_its_key_over_a_sound_run_and_none_beside_kana() {
        use crate::text::tokens;
        // "默克尔" (Merkel) is also a run of sound characters, keyed m-k-r
        // by them: both its pairs carry Merkel's key, the pair past it none.
        let toks = tokens("默克尔访问");
        let merkel = name_key("Merkel");
        let keys: Vec<u32> = toks.iter().map(|t| t.name_key).collect();
        assert_eq!(keys, [merkel, merkel, 0, 0]);
        // Japanese writes its own words in these characters: a text with
        // kana keys no listed name.
        assert!(tokens("普京は北京へ").iter().all(|t| t.name_key == 0));
        assert_ne!(tokens("普京到北京")[0].name_key, 0);
    }

    #[test]
    fn a_run_without_listed_names_has_none_and_a_short_one_is_no_trouble() {
        assert!(found_in("连日暴雨导致多处街道被淹").is_empty());
        assert!(found_in("普").is_empty());
        // Sound characters alone are keyed by their sounds, not as the
        // names they hold ("尔德", Eid, in Feldhaus).
        assert!(found_in("费尔德豪斯").is_empty());
        assert!(found_in("").is_empty());
    }
}
