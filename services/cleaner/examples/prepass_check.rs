//! Checks that the pass before html5ever leaves the parsed page unchanged
//! (apart from script and style text, comment text and unread attributes)
//! on every `*.html` page in the given folders, and how many bytes it cuts.
//!
//!     cargo run --release -p news-cleaner --example prepass_check -- DIR...

use news_cleaner::prepass::{outline, prepare};

fn main() {
    let (mut pages, mut differ, mut before, mut after) = (0, 0, 0, 0);
    for dir in std::env::args().skip(1) {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_none_or(|x| x != "html") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let html = news_core::charset::decode_html(&bytes, None).0;
            let prepared = prepare(&html, usize::MAX);
            pages += 1;
            before += html.len();
            after += prepared.len();
            let (want, got) = (outline(&html), outline(&prepared));
            if want != got {
                differ += 1;
                let at = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
                println!(
                    "{}: line {at}: {:?} became {:?}",
                    path.display(),
                    want.get(at),
                    got.get(at)
                );
            }
        }
    }
    println!(
        "{pages} pages, {differ} parsed differently; {before} bytes -> {after} ({:.1}%)",
        100.0 * after as f64 / before.max(1) as f64
    );
    std::process::exit(i32::from(differ > 0));
}
