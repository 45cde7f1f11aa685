//! Word lists given at run time, for languages that have no frequency
//! table built in (`prior.rs`): Telugu, Kannada, Malayalam, Gujarati,
//! Punjabi and Oriya, weighed with Hindi's table in their letters, and
//! Sinhala or Armenian, weighed with none. Without a table every
//! word of such a language weighs as rare as a name, so in a young stream
//! two reports of one kind meet on their common words ("bridge",
//! "river"), and the words that stand in for names are a toss-up among
//! them. A dictionary tells the common words from the names, which no
//! dictionary holds.
//!
//! The dictionaries at hand for these languages (Debian's hunspell and
//! aspell ones) are GPL, which this Apache-2.0 binary does not take in: an
//! operator installs them and points `dedup.word_lists` at a directory of
//! `<language>.txt` files, one word per line (`scripts/word-lists-debian.sh`
//! writes them from Debian's packages; the container image holds them).
//! Each listed word weighs as a word of Zipf 4.88, the weight Lao's, Khmer's
//! and Burmese's built-in dictionaries give theirs.

use std::fmt;
use std::path::Path;

use crate::prior::{DfPrior, with_listed_words};

/// Files read from the directory at most: there are few languages to list.
const MAX_LISTS: usize = 64;
/// Bytes of one list at most (Debian's largest, Gujarati's, is 3.6 MB).
const MAX_LIST_BYTES: u64 = 64 << 20;

/// The priors built from the lists, by language code.
pub struct WordLists {
    lists: Vec<List>,
}

/// One list read: its language, how many lines it had and its prior.
struct List {
    language: String,
    lines: usize,
    prior: DfPrior,
}

#[derive(Debug, thiserror::Error)]
pub enum WordListError {
    #[error("reading word lists in {dir}: {error}")]
    Io { dir: String, error: std::io::Error },
    #[error("word list {file}: {reason}")]
    Invalid { file: String, reason: String },
}

impl WordLists {
    /// Read every `<language>.txt` of `dir` (a language code of two or three
    /// lowercase letters; other files are left alone). A list for a
    /// language with a table of its own, an oversized list or one that is
    /// not UTF-8 is an error that names the file.
    pub fn read_dir(dir: &Path) -> Result<WordLists, WordListError> {
        let io = |error| WordListError::Io {
            dir: dir.display().to_string(),
            error,
        };
        let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let Some(language) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".txt"))
                .filter(|l| {
                    (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase())
                })
            else {
                continue;
            };
            files.push((language.to_string(), path.clone()));
        }
        if files.len() > MAX_LISTS {
            return Err(WordListError::Invalid {
                file: dir.display().to_string(),
                reason: format!("{} lists, more than {MAX_LISTS}", files.len()),
            });
        }
        files.sort();
        let mut lists = Vec::new();
        for (language, path) in files {
            let invalid = |reason: String| WordListError::Invalid {
                file: path.display().to_string(),
                reason,
            };
            let size = std::fs::metadata(&path).map_err(io)?.len();
            if size > MAX_LIST_BYTES {
                return Err(invalid(format!("{size} bytes, more than {MAX_LIST_BYTES}")));
            }
            let bytes = std::fs::read(&path).map_err(io)?;
            let text = String::from_utf8(bytes).map_err(|e| invalid(format!("not UTF-8: {e}")))?;
            let prior = with_listed_words(&language, &text)
                .ok_or_else(|| invalid(format!("{language} has a frequency table of its own")))?;
            lists.push(List {
                language,
                lines: text.lines().count(),
                prior,
            });
        }
        Ok(WordLists { lists })
    }

    /// The languages listed, each with its list's line count, by code.
    pub fn languages(&self) -> impl Iterator<Item = (&str, usize)> {
        self.lists.iter().map(|l| (l.language.as_str(), l.lines))
    }

    /// The prior for an article in `lang`, when a list was given for it.
    pub(crate) fn prior(&self, lang: Option<&str>) -> Option<&DfPrior> {
        let lang = lang?;
        self.lists
            .iter()
            .find(|l| l.language == lang)
            .map(|l| &l.prior)
    }
}

impl fmt::Debug for WordLists {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.languages().map(|(code, _)| code))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens;

    fn hash(word: &str) -> u64 {
        tokens(word)[0].hash
    }

    fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        dir
    }

    #[test]
    fn lists_are_read_by_language_and_other_files_left_alone() {
        // A hunspell dictionary: its word count, then words with their
        // affix flags; an aspell list: a word a line.
        let dir = dir_with(&[
            ("si.txt", "3\nපාලම/12,44\nගඟ\tpo:noun\nකඩා\n".as_bytes()),
            ("te.txt", "వంతెన\nనది\n".as_bytes()),
            ("README.md", b"not a list"),
            ("copyright.txt", b"not a language"),
        ]);
        let lists = WordLists::read_dir(dir.path()).unwrap();
        let languages: Vec<(&str, usize)> = lists.languages().collect();
        assert_eq!(languages, [("si", 4), ("te", 2)]);
        let sinhala = lists.prior(Some("si")).unwrap();
        assert!(sinhala.knows(hash("පාලම")) && sinhala.knows(hash("ගඟ")));
        assert!(!sinhala.knows(hash("3")) && !sinhala.knows(hash("ඩ්‍රැවික්")));
        assert!(lists.prior(Some("ml")).is_none() && lists.prior(None).is_none());
        // Telugu keeps Hindi's table in its letters beside the list:
        // "ప్రాంతీయ" (regional) is Hindi's "प्रांतीय".
        let telugu = lists.prior(Some("te")).unwrap();
        assert!(telugu.knows(hash("వంతెన")) && telugu.knows(hash("ప్రాంతీయ")));
    }

    #[test]
    fn a_list_for_a_language_with_a_table_or_that_is_no_text_is_refused_by_name() {
        let english = dir_with(&[("en.txt", b"bridge\nriver\n")]);
        let err = WordLists::read_dir(english.path()).unwrap_err().to_string();
        assert!(
            err.contains("en.txt") && err.contains("table of its own"),
            "{err}"
        );
        let binary = dir_with(&[("te.txt", b"\xff\xfe\x00")]);
        let err = WordLists::read_dir(binary.path()).unwrap_err().to_string();
        assert!(err.contains("te.txt") && err.contains("UTF-8"), "{err}");
        let missing = WordLists::read_dir(Path::new("/nonexistent/word-lists")).unwrap_err();
        assert!(
            missing.to_string().contains("/nonexistent/word-lists"),
            "{missing}"
        );
    }
}
