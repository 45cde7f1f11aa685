//! The seed articles (five outlets, one event) as the sample site serves them:
//! every boilerplate kind goes, every story sentence stays.

use news_cleaner::{Limits, extract_html};

fn page(n: usize) -> String {
    let path = format!(
        "{}/../../examples/site/articles/seed-{n}.html",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).expect("sample site is committed")
}

const BOILERPLATE: &[&str] = &[
    "Support Us",
    "Support UP",
    "become our patron",
    "Become a Patron",
    "ua en ru",
    "Read also",
    "You could close this page",
    "join our community",
    "cup of coffee",
    "Share on Facebook",
    "Copy link",
    "cookies",
    "All rights reserved",
    "Photo: RIA Novosti",
    "(photo: Getty Images)",
    "By Newsroom Staff",
    "Parliament passes budget",
    "More details about the visit can be found",
];

#[test]
fn no_boilerplate_kind_survives() {
    for n in 0..5 {
        let text = extract_html(&page(n), Limits::default()).text;
        assert!(!text.is_empty(), "seed {n} has text");
        for b in BOILERPLATE {
            assert!(
                !text.contains(b),
                "seed {n} kept boilerplate {b:?}:\n{text}"
            );
        }
    }
}

#[test]
fn story_sentences_and_background_bullets_stay() {
    let must = [
        (
            0,
            "Michael Carpenter, Senior Director for European Affairs at the US National Security Council, has stated",
        ),
        (0, "Source: Ukrinform news agency, citing Carpenter"),
        (
            0,
            "In mid-June, Shin Won-sik said North Korea had sent at least 10,000 containers to Russia by sea",
        ),
        (
            0,
            "The United States has information, confirmed by satellite imagery",
        ),
        (
            1,
            "Putin and North Korean dictator Kim Jong Un signed a comprehensive strategic partnership treaty",
        ),
        (
            2,
            "However, the text of the document has not yet been published.",
        ),
        (
            3,
            "Moscow and Pyongyang have denied the facts of arms supplies.",
        ),
        (
            3,
            "extended deterrence efforts when it comes to supporting our allies in South Korea and Japan",
        ),
        (
            4,
            "The dictators of the Russian Federation and the DPRK signed an agreement on a comprehensive strategic partnership",
        ),
    ];
    for (n, sentence) in must {
        let text = extract_html(&page(n), Limits::default()).text;
        assert!(
            text.contains(sentence),
            "seed {n} lost {sentence:?}:\n{text}"
        );
    }
}
