//! One record of the embedded log on disk: `magic, flags, len u32, crc32
//! u32, body`, where the body holds the timestamp, key, headers and the
//! payload (LZ4-compressed when large). A record that is cut short reads
//! as a torn tail (a write in progress, or a crash's last write); one that
//! is whole but fails its marker, flags or checksum reads as damaged. Neither
//! is ever read as data, and a reader finds the next whole record after
//! damage (`next_record_after`) rather than stopping there.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use super::{BusError, InRecord, OutRecord};

const MAGIC: u8 = 0x4e; // 'N'
pub(super) const FLAG_LZ4: u8 = 1;
const HEADER_LEN: u64 = 10;

/// A body framed for the log: header, then the body.
pub(super) fn frame(body: &[u8], flags: u8) -> Vec<u8> {
    let mut frame = Vec::with_capacity(body.len() + HEADER_LEN as usize);
    frame.push(MAGIC);
    frame.push(flags);
    frame.extend_from_slice(&(body.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    frame.extend_from_slice(body);
    frame
}

pub(super) fn encode_body(record: &OutRecord, compress_over: usize) -> (Vec<u8>, u8) {
    let mut body = Vec::with_capacity(record.payload.len() + 64);
    body.extend_from_slice(&chrono::Utc::now().timestamp_millis().to_le_bytes());
    body.extend_from_slice(&(record.key.len() as u32).to_le_bytes());
    body.extend_from_slice(record.key.as_bytes());
    body.extend_from_slice(&(record.headers.len() as u16).to_le_bytes());
    for (name, value) in &record.headers {
        body.extend_from_slice(&(name.len() as u16).to_le_bytes());
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(&(value.len() as u32).to_le_bytes());
        body.extend_from_slice(value);
    }
    if record.payload.len() > compress_over {
        body.extend_from_slice(&lz4_flex::compress_prepend_size(&record.payload));
        (body, FLAG_LZ4)
    } else {
        body.extend_from_slice(&record.payload);
        (body, 0)
    }
}

pub(super) fn decode_body(
    topic: &str,
    offset: u64,
    next: u64,
    flags: u8,
    body: &[u8],
) -> Result<InRecord, BusError> {
    let corrupt = || BusError::Fatal(format!("corrupt record in {topic} at offset {offset}"));
    let mut cur = body;
    let mut take = |n: usize| -> Result<&[u8], BusError> {
        if cur.len() < n {
            return Err(corrupt());
        }
        let (head, rest) = cur.split_at(n);
        cur = rest;
        Ok(head)
    };
    let timestamp_ms = i64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let key_len = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
    let key = take(key_len)?.to_vec();
    let header_count = u16::from_le_bytes(take(2)?.try_into().expect("2 bytes"));
    let mut headers = Vec::with_capacity(header_count as usize);
    for _ in 0..header_count {
        let n = u16::from_le_bytes(take(2)?.try_into().expect("2 bytes")) as usize;
        let name = String::from_utf8_lossy(take(n)?).into_owned();
        let v = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
        headers.push((name, take(v)?.to_vec()));
    }
    let payload = if flags & FLAG_LZ4 != 0 {
        lz4_flex::decompress_size_prepended(cur).map_err(|_| corrupt())?
    } else {
        cur.to_vec()
    };
    Ok(InRecord {
        topic: topic.to_string(),
        partition: 0,
        offset: offset as i64,
        next_offset: next as i64,
        key: Some(key),
        headers,
        payload,
        timestamp_ms: Some(timestamp_ms),
    })
}

/// What opening a segment for appends found in it.
pub(super) struct SegmentScan {
    /// The end of its last whole record: anything after it is a torn tail.
    pub end: u64,
    /// Damaged stretches that whole records follow, as (start, length).
    pub damaged: Vec<(u64, u64)>,
}

/// Reads a whole segment: its whole records, the damaged stretches between
/// them, and where the last whole record ends. Only what no whole record
/// follows is a torn tail; cutting at the first bad byte, as a log whose
/// only damage is a crash's last write may, would also cut every record
/// written after a stretch damaged on disk.
pub(super) fn scan_segment(file: &mut File) -> Result<SegmentScan, BusError> {
    let mut scan = SegmentScan {
        end: 0,
        damaged: Vec::new(),
    };
    loop {
        file.seek(SeekFrom::Start(scan.end))?;
        let mut reader = io::BufReader::with_capacity(1 << 20, &mut *file);
        loop {
            match read_frame(&mut reader)? {
                Frame::Record { len, .. } => scan.end += len,
                Frame::End => return Ok(scan),
                Frame::Torn | Frame::Damaged => break,
            }
        }
        match next_record_after(file, scan.end)? {
            Some(next) => {
                scan.damaged.push((scan.end, next - scan.end));
                scan.end = next;
            }
            None => return Ok(scan),
        }
    }
}

/// Where the first whole, checksummed record after byte `bad` of `file`
/// starts, if one does. Reads the rest of the file (a segment: about 64
/// MiB at most), so it is for damage, which is rare, not for every read.
pub(super) fn next_record_after(file: &mut File, bad: u64) -> io::Result<Option<u64>> {
    file.seek(SeekFrom::Start(bad + 1))?;
    let mut rest = Vec::new();
    file.read_to_end(&mut rest)?;
    Ok(first_record_in(&rest).map(|at| bad + 1 + at as u64))
}

/// The position of the first whole record in `bytes`: its marker and known
/// flags, and a body inside `bytes` whose checksum holds. A stretch of
/// other bytes passes all three by chance about once in 2^40 tries.
fn first_record_in(bytes: &[u8]) -> Option<usize> {
    let header = HEADER_LEN as usize;
    (0..bytes.len().saturating_sub(header - 1)).find(|&at| {
        let h = &bytes[at..at + header];
        if h[0] != MAGIC || h[1] & !FLAG_LZ4 != 0 {
            return false;
        }
        let len = u32::from_le_bytes(h[2..6].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(h[6..10].try_into().expect("4 bytes"));
        bytes
            .get(at + header..at + header + len)
            .is_some_and(|body| crc32fast::hash(body) == crc)
    })
}

pub(super) enum Frame {
    Record {
        flags: u8,
        body: Vec<u8>,
        len: u64,
    },
    /// Clean end of data.
    End,
    /// The bytes end inside the record: a write in progress, or a crash's
    /// last write.
    Torn,
    /// A whole record's worth of bytes that is no record: a marker or flags
    /// that are not ours, or a failed checksum.
    Damaged,
}

pub(super) fn read_frame(reader: &mut impl Read) -> Result<Frame, BusError> {
    let mut header = [0u8; HEADER_LEN as usize];
    let mut got = 0;
    while got < header.len() {
        match reader.read(&mut header[got..])? {
            0 => return Ok(if got == 0 { Frame::End } else { Frame::Torn }),
            n => got += n,
        }
    }
    if header[0] != MAGIC || header[1] & !FLAG_LZ4 != 0 {
        return Ok(Frame::Damaged);
    }
    let len = u32::from_le_bytes(header[2..6].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(header[6..10].try_into().expect("4 bytes"));
    // Grown as the bytes come, not allocated at `len`: a damaged length may
    // say up to 4 GiB.
    let mut body = Vec::with_capacity(len.min(1 << 20));
    reader.by_ref().take(len as u64).read_to_end(&mut body)?;
    if body.len() < len {
        return Ok(Frame::Torn);
    }
    if crc32fast::hash(&body) != crc {
        return Ok(Frame::Damaged);
    }
    Ok(Frame::Record {
        flags: header[1],
        body,
        len: HEADER_LEN + len as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(payload: Vec<u8>) -> OutRecord {
        OutRecord {
            topic: "t".into(),
            key: "k1".into(),
            headers: vec![("reason".into(), b"bad json".to_vec())],
            payload,
        }
    }

    #[test]
    fn a_framed_record_reads_back_a_cut_one_is_torn_and_a_changed_one_damaged() {
        for (payload, compress_over) in [(b"{\"a\":1}".to_vec(), 1 << 20), (vec![b'x'; 4096], 64)] {
            let (body, flags) = encode_body(&record(payload.clone()), compress_over);
            let framed = frame(&body, flags);
            let Frame::Record { flags, body, len } = read_frame(&mut &framed[..]).unwrap() else {
                panic!("a whole record reads as one");
            };
            assert_eq!(len, framed.len() as u64);
            let back = decode_body("t", 0, len, flags, &body).unwrap();
            assert_eq!(back.payload, payload);
            assert_eq!(back.key.as_deref(), Some(&b"k1"[..]));
            assert_eq!(
                back.headers,
                vec![("reason".to_string(), b"bad json".to_vec())]
            );

            let cut = &framed[..framed.len() - 1];
            assert!(matches!(read_frame(&mut &cut[..]).unwrap(), Frame::Torn));
            let mut damaged = framed.clone();
            *damaged.last_mut().unwrap() ^= 1;
            assert!(matches!(
                read_frame(&mut &damaged[..]).unwrap(),
                Frame::Damaged
            ));
            let mut huge = framed.clone();
            huge[2..6].copy_from_slice(&u32::MAX.to_le_bytes());
            assert!(matches!(read_frame(&mut &huge[..]).unwrap(), Frame::Torn));
            let mut flagged = framed.clone();
            flagged[1] |= 0x80;
            assert!(matches!(
                read_frame(&mut &flagged[..]).unwrap(),
                Frame::Damaged
            ));
        }
        assert!(matches!(read_frame(&mut &[][..]).unwrap(), Frame::End));
    }
}
