//! JSON-lines input read line by line with a bound on a line's length, so
//! that one bad line (bytes that are not UTF-8, or a line with no end) is
//! reported and skipped instead of ending the run or filling memory.

use std::io::{self, BufRead};

/// One line of input, or why it cannot be read as text.
#[derive(Debug, PartialEq)]
pub enum Line {
    Text(String),
    /// Not UTF-8: the offset of the first bad byte in the line.
    NotUtf8 {
        at: usize,
    },
    /// Longer than the bound: the bytes it had, at least the bound (the
    /// rest is skipped unread into memory).
    TooLong {
        bytes: usize,
    },
}

impl Line {
    /// Why a line that is not text was skipped, for the log.
    pub fn problem(&self, max: usize) -> Option<String> {
        match self {
            Line::Text(_) => None,
            Line::NotUtf8 { at } => Some(format!("not UTF-8 (a bad byte at offset {at})")),
            Line::TooLong { bytes } => {
                Some(format!("longer than {max} bytes ({bytes} bytes read)"))
            }
        }
    }
}

/// Lines of `reader`, at most `max` bytes each (the newline and a carriage
/// return before it not counted).
pub fn bounded_lines<R: BufRead>(reader: R, max: usize) -> BoundedLines<R> {
    BoundedLines {
        reader,
        max,
        buf: Vec::new(),
    }
}

pub struct BoundedLines<R> {
    reader: R,
    max: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> BoundedLines<R> {
    /// Reads up to the next newline. Returns the bytes it skipped beyond
    /// the bound (0 when the line fit), or `None` at the end of the input.
    fn fill_line(&mut self) -> io::Result<Option<usize>> {
        self.buf.clear();
        let (mut skipped, mut any) = (0usize, false);
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(any.then_some(skipped));
            }
            any = true;
            let (part, ends) = match chunk.iter().position(|b| *b == b'\n') {
                Some(n) => (&chunk[..n], true),
                None => (chunk, false),
            };
            // +1 keeps room for a carriage return before the newline.
            let room = (self.max + 1).saturating_sub(self.buf.len());
            let kept = part.len().min(room);
            self.buf.extend_from_slice(&part[..kept]);
            skipped += part.len() - kept;
            let used = part.len() + usize::from(ends);
            self.reader.consume(used);
            if ends {
                return Ok(Some(skipped));
            }
        }
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<io::Result<Line>> {
        let skipped = match self.fill_line() {
            Ok(Some(skipped)) => skipped,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        if skipped > 0 {
            return Some(Ok(Line::TooLong {
                bytes: self.buf.len() + skipped,
            }));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.len() > self.max {
            return Some(Ok(Line::TooLong {
                bytes: self.buf.len(),
            }));
        }
        let bytes = std::mem::take(&mut self.buf);
        Some(Ok(match String::from_utf8(bytes) {
            Ok(text) => Line::Text(text),
            Err(e) => Line::NotUtf8 {
                at: e.utf8_error().valid_up_to(),
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8], max: usize, capacity: usize) -> Vec<Line> {
        let reader = io::BufReader::with_capacity(capacity, input);
        bounded_lines(reader, max).map(Result::unwrap).collect()
    }

    #[test]
    fn a_bad_line_is_named_and_the_lines_after_it_are_read() {
        let input = b"{\"a\":1}\r\n\xff\xfe bad\nabc\xc3\n\n0123456789abcdef\nlast";
        for capacity in [1, 3, 8, 4096] {
            let lines = read(input, 10, capacity);
            assert_eq!(
                lines,
                [
                    Line::Text("{\"a\":1}".into()),
                    Line::NotUtf8 { at: 0 },
                    Line::NotUtf8 { at: 3 },
                    Line::Text(String::new()),
                    Line::TooLong { bytes: 16 },
                    Line::Text("last".into()),
                ],
                "buffer of {capacity} bytes"
            );
        }
    }

    #[test]
    fn a_line_of_exactly_the_bound_is_kept_and_one_byte_more_is_not() {
        assert_eq!(read(b"12345\r\n", 5, 2), [Line::Text("12345".into())]);
        assert_eq!(read(b"123456", 5, 2), [Line::TooLong { bytes: 6 }]);
        assert_eq!(read(b"12345\r6\n", 5, 2), [Line::TooLong { bytes: 7 }]);
        assert!(read(b"", 5, 2).is_empty());
    }
}
