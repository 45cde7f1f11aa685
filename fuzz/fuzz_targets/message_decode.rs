//! Every topic's message decoder returns a value or a typed error for any
//! payload; none panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use news_core::messages::{
    CleanArticle, DeadLetter, DecidedArticle, DedupVerdict, FeedCommand, RawItem, Story, decode,
};

fuzz_target!(|data: &[u8]| {
    let _ = decode::<RawItem>(data);
    let _ = decode::<CleanArticle>(data);
    let _ = decode::<DedupVerdict>(data);
    let _ = decode::<Story>(data);
    let _ = decode::<DecidedArticle>(data);
    let _ = decode::<DeadLetter>(data);
    let _ = FeedCommand::decode(data);
});
