//! The embedded log on disk: what a crash's torn write and bytes damaged
//! on disk cost (the damaged record, and nothing after it).

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use super::*;

const TOPIC: &str = "t";

fn open(dir: &Path) -> EmbeddedBus {
    EmbeddedBus::open(dir, 1 << 20, 1 << 20, u64::MAX).unwrap()
}

/// Appends records "0", "1", ... and returns their offsets.
fn append_numbers(bus: &EmbeddedBus, numbers: std::ops::Range<u32>) -> Vec<u64> {
    numbers
        .map(|n| {
            let record = OutRecord {
                topic: TOPIC.into(),
                key: format!("k{n}"),
                headers: vec![],
                payload: format!("{{\"n\":{n},\"pad\":\"{}\"}}", "x".repeat(40)).into_bytes(),
            };
            bus.append(&record).unwrap() as u64
        })
        .collect()
}

/// The numbers a new consumer reads, polling until `wait` (200 ms at
/// least) has passed with nothing new.
fn numbers_read(bus: &EmbeddedBus, wait: Duration) -> Vec<u32> {
    numbers_read_until(bus, wait, |_| false)
}

/// `numbers_read`, ending early once `last` says a number is the last.
fn numbers_read_until(bus: &EmbeddedBus, wait: Duration, last: impl Fn(u32) -> bool) -> Vec<u32> {
    let wait = wait.max(Duration::from_millis(200));
    let mut consumer = bus.consumer("g", &[TOPIC.to_string()]).unwrap();
    let mut numbers = Vec::new();
    let mut quiet_since = Instant::now();
    while quiet_since.elapsed() < wait {
        match consumer.try_recv().unwrap() {
            Some(r) => {
                let v: serde_json::Value = serde_json::from_slice(&r.payload).unwrap();
                numbers.push(v["n"].as_u64().unwrap() as u32);
                if last(numbers[numbers.len() - 1]) {
                    break;
                }
                quiet_since = Instant::now();
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    numbers
}

fn segment(dir: &Path, base: u64) -> PathBuf {
    segment_path(&dir.join("log").join(TOPIC), base)
}

fn flip_byte(path: &Path, at: u64) {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut b = [0u8];
    f.read_exact_at(&mut b, at).unwrap();
    f.write_all_at(&[b[0] ^ 0x20], at).unwrap();
}

#[test]
fn a_record_damaged_on_disk_costs_that_record_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let offsets = append_numbers(&open(dir.path()), 0..5);
    let path = segment(dir.path(), 0);
    let len = fs::metadata(&path).unwrap().len();
    // A byte of record 2's payload, changed on disk.
    flip_byte(&path, offsets[2] + 30);

    // Opening the log to write finds the damage and keeps what follows it.
    let bus = open(dir.path());
    append_numbers(&bus, 5..6);
    assert!(fs::metadata(&path).unwrap().len() > len, "nothing was cut");
    assert_eq!(numbers_read(&bus, Duration::ZERO), [0, 1, 3, 4, 5]);
    // The record that names the damaged offset is gone, and says so.
    assert!(bus.read_at(TOPIC, offsets[2]).unwrap().is_none());
    assert!(bus.read_at(TOPIC, offsets[3]).unwrap().is_some());
}

#[test]
fn a_torn_write_at_the_end_is_cut_when_the_log_is_opened_again() {
    let dir = tempfile::tempdir().unwrap();
    append_numbers(&open(dir.path()), 0..3);
    let path = segment(dir.path(), 0);
    let whole = fs::metadata(&path).unwrap().len();
    // The first 30 bytes of a fourth record, as a crash leaves them.
    let torn = frame(&[b'y'; 64], 0);
    OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(&torn[..30])
        .unwrap();

    let bus = open(dir.path());
    let offsets = append_numbers(&bus, 3..4);
    assert_eq!(
        offsets,
        [whole],
        "the next record goes where the torn one began"
    );
    assert_eq!(numbers_read(&bus, Duration::ZERO), [0, 1, 2, 3]);
}

#[test]
fn a_damaged_length_neither_holds_a_reader_nor_is_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let offsets = append_numbers(&open(dir.path()), 0..4);
    let path = segment(dir.path(), 0);
    // Record 1's length now says 4 GiB less a little.
    let f = OpenOptions::new().write(true).open(&path).unwrap();
    f.write_all_at(&0xffff_fff0u32.to_le_bytes(), offsets[1] + 2)
        .unwrap();

    // A reader beside no writer: the record looks cut short, as a write in
    // progress does, until it has looked so for a while.
    let reader = EmbeddedBus::open_reader(dir.path()).unwrap();
    let mut consumer = reader.consumer("g", &[TOPIC.to_string()]).unwrap();
    assert!(consumer.try_recv().unwrap().is_some());
    assert!(consumer.try_recv().unwrap().is_none());
    assert_eq!(
        numbers_read(&reader, Duration::from_millis(1500)),
        [0, 2, 3]
    );
}

#[test]
fn a_position_inside_a_record_reads_on_from_the_next_whole_one() {
    let dir = tempfile::tempdir().unwrap();
    let bus = open(dir.path());
    let offsets = append_numbers(&bus, 0..4);
    let group = dir.path().join("log/groups/g");
    fs::create_dir_all(&group).unwrap();
    write_position(&group.join(format!("{TOPIC}.pos")), offsets[1] + 3).unwrap();
    assert_eq!(numbers_read(&bus, Duration::ZERO), [2, 3]);
}

/// Twelve records in segments of about 300 bytes, the first segment cut
/// to `cut(its last record's offset, the second segment's base)` bytes:
/// the numbers a reader then reads, and the ones it should.
fn read_after_cutting_the_first_segment(cut: impl Fn(u64, u64) -> u64) -> (Vec<u32>, Vec<u32>) {
    let dir = tempfile::tempdir().unwrap();
    let mut bus = open(dir.path());
    Arc::get_mut(&mut bus.inner).unwrap().segment_bytes = 300;
    let offsets = append_numbers(&bus, 0..12);
    let segments = list_segments(&dir.path().join("log").join(TOPIC)).unwrap();
    assert!(segments.len() >= 3, "{segments:?}");
    let (second_base, _) = segments[1];
    let last_of_first = offsets.iter().rposition(|o| *o < second_base).unwrap();
    let file = OpenOptions::new().write(true).open(&segments[0].1).unwrap();
    file.set_len(cut(offsets[last_of_first], second_base))
        .unwrap();
    let expected = (0..12).filter(|n| *n as usize != last_of_first).collect();
    (numbers_read(&bus, Duration::ZERO), expected)
}

#[test]
fn damage_at_the_end_of_an_older_segment_moves_readers_to_the_next() {
    // The last record of the first segment, cut short.
    let (read, expected) = read_after_cutting_the_first_segment(|_, next_base| next_base - 5);
    assert_eq!(read, expected);
}

#[test]
fn an_older_segment_that_lost_whole_records_at_its_end_is_read_past() {
    // The first segment loses its last record whole: it ends on a record's
    // boundary, short of where the second begins.
    let (read, expected) = read_after_cutting_the_first_segment(|last, _| last);
    assert_eq!(read, expected);
}

/// Bytes changed at random over a log of many records: a reader returns
/// exactly the records no change touched, in order, and a writer opening
/// the log afterwards cuts none of them.
#[test]
fn random_damage_costs_exactly_the_records_it_touches() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..12 {
        let dir = tempfile::tempdir().unwrap();
        let offsets = append_numbers(&open(dir.path()), 0..40);
        let path = segment(dir.path(), 0);
        let end = fs::metadata(&path).unwrap().len();
        let mut touched = BTreeSet::new();
        for _ in 0..1 + round % 4 {
            let at = next() % end;
            flip_byte(&path, at);
            touched.insert(offsets.iter().rposition(|o| *o <= at).unwrap() as u32);
        }
        let whole: Vec<u32> = (0..40).filter(|n| !touched.contains(n)).collect();

        let bus = open(dir.path());
        append_numbers(&bus, 40..41);
        let mut expected = whole.clone();
        expected.push(40);
        // A changed length makes a record look cut short for a second
        // before it counts as damage; the record appended last ends it.
        assert_eq!(
            numbers_read_until(&bus, Duration::from_millis(1500), |n| n == 40),
            expected,
            "round {round}: changed records {touched:?}"
        );
    }
}

/// A new segment that cannot be begun (no room for one more file) fails
/// that append and moves nothing: the next append begins the segment
/// where the last one ends, and readers find every record.
#[test]
fn a_segment_that_cannot_be_begun_leaves_the_offsets_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let mut bus = open(dir.path());
    Arc::get_mut(&mut bus.inner).unwrap().segment_bytes = 300;
    let first = segment(dir.path(), 0);
    let mut n = 0;
    while fs::metadata(&first).map_or(0, |m| m.len()) < 300 {
        append_numbers(&bus, n..n + 1);
        n += 1;
    }
    let end = fs::metadata(&first).unwrap().len();
    // A directory where the next segment's file goes makes its open fail.
    let blocked = segment(dir.path(), end);
    fs::create_dir(&blocked).unwrap();
    let record = |n: u32| OutRecord {
        topic: TOPIC.into(),
        key: format!("k{n}"),
        headers: vec![],
        payload: format!("{{\"n\":{n}}}").into_bytes(),
    };
    let err = bus.append(&record(n)).unwrap_err().to_string();
    assert!(err.contains(&blocked.display().to_string()), "{err}");
    fs::remove_dir(&blocked).unwrap();
    assert_eq!(bus.append(&record(n)).unwrap() as u64, end);
    assert_eq!(
        numbers_read(&bus, Duration::ZERO),
        (0..=n).collect::<Vec<_>>()
    );
}

/// A consumer has read to the end only once it has taken every record
/// appended so far, and is behind again as soon as one more comes.
#[test]
fn a_consumer_has_read_to_the_end_only_when_no_record_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let bus = open(dir.path());
    let mut consumer = bus.consumer("g", &[TOPIC.to_string()]).unwrap();
    assert!(consumer.read_to_end(), "an empty log");
    append_numbers(&bus, 0..2);
    assert!(!consumer.read_to_end());
    assert!(consumer.try_recv().unwrap().is_some());
    assert!(!consumer.read_to_end(), "one of two read");
    assert!(consumer.try_recv().unwrap().is_some());
    assert!(consumer.read_to_end());
    append_numbers(&bus, 2..3);
    assert!(!consumer.read_to_end());
}
