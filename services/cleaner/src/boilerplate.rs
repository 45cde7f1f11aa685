//! Text-level boilerplate recognition, shared by HTML and plain-text inputs:
//! appeals for money, "read also" headers, share prompts, captions, cookie
//! notices, language switchers. Element-level rules (class and id names) live
//! in `html.rs`.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// A line that introduces a list of links to other articles.
static RELATED_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(read (also|more|next)|also read|see also|more (on|about) (this|the) (topic|story|subject)|more from|explore further|related( (articles|stories|news|coverage|content|topics|reading|tags|links|searches))?|most (read|popular|viewed|shared)|recommended( for you)?|you (may|might) (also )?(like|be interested)|popular (now|posts|articles|stories|categories|tags)|trending( now)?|latest news|top stories|editor'?s picks|what to read next)\s*([:.!]|\.\.\.|…)?\s*$",
    )
    .expect("valid regex")
});

/// The same headers in the other languages newsmill's feeds come in
/// (Portuguese, Spanish, French, German, Italian, Dutch, Polish, Russian,
/// Ukrainian, Chinese, Japanese, Korean).
/// Headers of related lists that name an outlet or a kind: "More from
/// the Los Angeles Times", "More great WIRED stories". Read on short lines
/// only, so a sentence that starts "More from ..." stays a sentence.
static RELATED_HEADER_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(more (from .+|(great |top |recent |popular )?.*(stories|articles|news|posts|reads))|related (articles|stories|posts|news) (from|on|in|at) .+|popular (on|at) .+)\s*[:.!]?\s*$")
        .expect("valid regex")
});

static RELATED_HEADER_OTHER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(leia (também|mais)|veja (também|mais)|você (também )?pode gostar|notícias relacionadas|mais lidas|le[ea] (también|más)|te puede interesar|noticias relacionadas|más noticias|lo más (leído|visto)|(à )?lire (aussi|également)|sur le même sujet|vous (aimerez|pourriez aimer) aussi|les plus lus|lesen sie (auch|mehr)|mehr zum thema|das könnte sie auch interessieren|meistgelesen|leggi anche|potrebbe interessarti|articoli correlati|i più letti|lees ook|meest gelezen|(czytaj|zobacz) (też|także|również)|читайте (также|також)|смотрите также|дивіться також|похожие (новости|статьи)|схожі новини|самые (популярные|читаемые)(\s+\w+)?|найпопулярніші(\s+\w+)?|相[关關](阅读|閱讀|新闻|新聞|报道|報導|文章|推荐|推薦)|延伸(阅读|閱讀)|推[荐薦](阅读|閱讀)|热门推荐|熱門推薦|猜你喜[欢歡]|更多(新闻|新聞|精彩)|関連(記事|ニュース)|あわせて読みたい|おすすめ記事|人気記事|관련\s?(기사|뉴스)|추천\s?기사|많이 본 (기사|뉴스))\s*[:：.!…]*\s*$",
    )
    .expect("valid regex")
});

/// A heading that opens what follows a story: the author's bio, the
/// reviewer's, a disclaimer. Whatever comes after it is not the story.
static TAIL_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(about (the|this) (authors?|reviewers?|writers?|contributors?|experts?)|author(s'|'s)? (bio(graphy)?|information|details)|(medical |legal )?disclaimer)\s*[:.]?\s*$",
    )
    .expect("valid regex")
});

/// Phrases that only appear in appeals for money, membership or newsletters.
const APPEAL_CUES_PATTERN: &str = r"(?i)(?-u:\b)(support (us|our|independent|quality)|become (a|our) (patron|member|supporter|subscriber|co-creator)|become a patron|donat(e|ion|ing)|join our( [\w-]+){0,2} (community|forums?|discord|mailing list)|make a (contribution|donation)|contribute (today|now)|(?-i:[Ss]upport [A-Z]{2,}(?-u:\b))|patreon|cost of (one|a) cup of coffee|readers like you|subscribe (now|today|to our)|sign up (for|to) (our|the) newsletter|newsletter|membership|you could close this page|keep our (reporting|journalism)|breaking news (e-?mails|alerts)|meet your inbox|delivered (to your inbox|weekday mornings|every morning)|independent journalism|every contribution|paywall|unlimited access|already a subscriber|already have an account\? ?(log|sign) ?in|exclusive to [\w+ ]{1,20} (subscribers|members)|log ?in to continue|create a free account)";
static APPEAL_CUES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(APPEAL_CUES_PATTERN).expect("valid regex"));

/// Short prompts and chrome: sharing, cookies, ads, copyright, follow-us;
/// in Chinese, Japanese and Korean too (share bars, editor and source
/// lines, "back to top").
static CHROME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(share( this( article| story| page| post)?)?( on| via)?(\s*:?(\s*(facebook|twitter|x|linkedin|whatsapp|telegram|email|e-mail|reddit|pinterest|messenger|print|copy link)[,|]?)+)?|share on (facebook|twitter|x|linkedin|whatsapp|telegram)|tweet|email|print|copy link|advertisement( ?[-–—:|] ?.+)?|advertising|advert|sponsored( content)?|sharing is caring|(previous|next) (post|article|story)|skip (to|ad)|follow us( on)?.*|listen to (this )?article.*|comments?( \(\d+\))?|\d+ comments?|all rights reserved.*|©.*|copyright ©?.*|this (site|website) uses cookies.*|we use cookies.*|(accept|reject|manage) (all )?cookies.*|cookie (policy|settings|preferences).*|privacy policy|terms of (use|service)|back to top|loading\.*|close|menu|search|log ?in|sign (in|up)|subscribe|home|share:|tags?:.*|topics?:.*|filed under:?.*|table of contents?|contents|(text|font) size|in this (article|post|guide)|jump to( section)?:?|print this (page|article|story|post)|on this page|like this:|like loading\.*|tell us what you think\.*|follow \S+ on( .+)?|like this (story|article|post)\?.*|latest posts by .+ \(see all\)|(written|reviewed|edited|fact[- ]checked|medically reviewed) by:?|(last )?updated:?|published:?|posted (on|by):?|to read the full (story|article)|<[a-z][a-z0-9]*(\s+[a-z-]+=[^<>]*)?\s*/?>|x|×|✕|(image|photo|picture|slide) \d+ (of|/) \d+|\d+ ?[-–] ?\d+ of \d+|leave a (comment|reply)|post a comment|add a comment|join the (discussion|conversation)|分享(到|至)[：:]?.*|分享[：:].*|[责責]任[编編][辑輯][：:].*|[编編][辑輯][：:].*|(文章|新闻|新聞)?[来來]源[：:].*|原[标標]題[：:].*|原标题[：:].*|扫(码|描二维码).*|掃(碼|描二維碼).*|[关關]注我[们們].*|返回(顶部|頂部|首页|首頁)|打印|收藏|[举舉][报報]|[评評][论論]|[上下]一[篇页頁]|シェア(する)?|ツイート|ブックマーク|印刷|[前次]の記事|トップ[へに]戻る|공유하기|기사\s?(공유|스크랩)|인쇄|댓글|목록|맨\s?위로)\s*[.!]?\s*$",
    )
    .expect("valid regex")
});

/// A pointer to another article ("More details about X can be found in ...").
static MORE_ELSEWHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(more details|more information|read more|details) (about|on) .{0,80}(can be found|are available|in the article|here)(?-u:\b).{0,60}$")
        .expect("valid regex")
});

/// Notices that open with a fixed phrase and run a few sentences: cookie
/// banners, affiliate-link disclosures, "this needs JavaScript".
const SITE_NOTICE_PATTERN: &str = r"(?i)^\s*(this (web)?site uses cookies|we use cookies|the cookie settings on this|by (continuing to (use|browse)|using) (this|our) (web)?site)|(?-u:\b)(may )?contains? (affiliate|referral|sponsored)( and/or (affiliate|referral))? links|this (slideshow|video|content|page) requires javascript|(turn on|enable|allow) (browser |push |desktop )?notifications|have a (news |story )?tip\?|(please )?enable javascript|javascript protected|(?-u:\b)(may|might|will|could) (earn|receive|get|collect) (a |an )?(small )?(share of (the )?(sale|revenue)|(affiliate )?commissions?|compensation)|earn from qualifying purchases";
static SITE_NOTICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(SITE_NOTICE_PATTERN).expect("valid regex"));

/// Credit and contact lines after a story: "(Reporting by ...; editing by
/// ...)", "... contributed to this report.", "Email the author at ...",
/// "Originally published at ...".
/// Two regexes, one anchored at each end, so that neither is a search
/// through the whole line.
static CREDIT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W{0,3}((additional )?(reporting|writing|editing) by (?-i:\p{Lu})|(originally|first) published (at|on|in) |e-?mail \S+( \S+){0,3} at \S+@)")
        .expect("valid regex")
});
const CREDIT_LINE_END_PATTERN: &str = r"(?i)(contributed|contributing) (to )?(this )?(report|story|article)(ing)?( from( [^\s.]+){1,4})?\W{0,3}$";
static CREDIT_LINE_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(CREDIT_LINE_END_PATTERN).expect("valid regex"));

/// Copyright and reuse notices. Not the Chinese, Japanese and Korean ones
/// ("未经授权，不得转载", "무단전재 및 재배포금지"): the golds of the three
/// such pages in the extraction benchmarks keep them.
const RIGHTS_NOTICE_PATTERN: &str = r"(?i)^\s*(copyright(?-u:\b)|©|\(c\)\s*\d{4})|©\s*\d{4}|all rights reserved|may not be (re)?published, broadcast|without (the )?(prior )?written permission";
static RIGHTS_NOTICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(RIGHTS_NOTICE_PATTERN).expect("valid regex"));

/// Photo and image credits, as whole lines or trailing a caption.
const CAPTION_PATTERN: &str = r"(?i)(^\s*(photo|image|picture|illustration|video|graphic|credit|source image)s?\s*(:|by(?-u:\b)|credit)|[.(]\s*(photo|image|picture|pictured|illustration)\s*(:|by(?-u:\b)|credit)[^.]{0,80}\)?\s*$|\((photo|image|picture)s?:[^)]*\)\s*$|(?-u:\b)(getty images|reuters/[a-z]+|afp via getty|ap photo|shutterstock|epa-efe)\s*\)?\s*$)";
static CAPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(CAPTION_PATTERN).expect("valid regex"));

/// A photo credit on its own line, agency first: "Getty Images / Jane
/// Doe", "AP Photo/Evan Vucci". Read on short lines only, so that a
/// sentence about a "Reuters/Ipsos poll" stays.
static PHOTO_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(getty images|ap photo|reuters|afp|shutterstock|istock|alamy|epa)\s*/\s*\S",
    )
    .expect("valid regex")
});

/// Most words a photo credit line has.
const PHOTO_CREDIT_WORDS: usize = 6;

/// A line of language codes, such as "ua en ru" or "EN | DE | FR".
static LANG_SWITCH: LazyLock<Regex> = LazyLock::new(|| {
    // Codes apart from each other: "Business School" is not "bu si ne ss".
    Regex::new(r"(?i)^\s*[a-z]{2}(-[a-z]{2})?((\s*[|/·•,]\s*|\s+)[a-z]{2}(-[a-z]{2})?){1,7}\s*[|/·•,]?\s*$")
        .expect("valid regex")
});

/// What a block of text is, as far as boilerplate goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Story,
    /// Header of a related-links list: it and the list after it go.
    RelatedHeader,
    /// Header of the page's tail (author bio, disclaimer): it and the rest go.
    TailHeader,
    Appeal,
    Chrome,
    Caption,
    LanguageSwitcher,
}

/// A menu flattened to text: four or more short items between separators.
fn is_menu_line(t: &str) -> bool {
    let mut parts = 0;
    for part in t.split(['|', '•', '·']) {
        // A paragraph of prose fails on its fourth word. Chinese writes
        // foreign names with "·" ("唐纳德·特朗普") and no spaces, so its words
        // are counted as `word_count` does.
        let mut words = 0;
        for token in part.split_whitespace() {
            words += crate::words_in_token(token);
            if words > 3 {
                return false;
            }
        }
        parts += 1;
    }
    parts >= 4
}

/// Bylines and time stamps as lines of their own.
static BYLINE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(by\s+[\p{Lu}][\p{L}.'-]+(\s+[\p{Lu}][\p{L}.'-]+){0,3}(,\s*[\p{L} .&-]{2,40})?|(published|updated|posted)\s+(\d+\s+(minutes?|hours?|days?)\s+ago|on(?-u:\b).{0,40}|\d.{0,40})(\s*\|\s*\d+\s+min(ute)?s?\s+read)?|\d+\s*min(ute)?s?\.?\s+read( time)?|((reading|read) time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit|czas czytania|время чтения)(\s*:?\s*\d+\s*\w+\.?)?)\s*$")
        .expect("valid regex")
});

pub fn classify(line: &str) -> LineKind {
    classify_counted(line.trim(), crate::word_count(line))
}

/// The rules above that search the whole line, not only its start, as one
/// set: most lines match none of them, and one pass over a line costs
/// about what each search did on its own.
static SEARCHED_RULES: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        APPEAL_CUES_PATTERN,
        SITE_NOTICE_PATTERN,
        CREDIT_LINE_END_PATTERN,
        RIGHTS_NOTICE_PATTERN,
        CAPTION_PATTERN,
    ])
    .expect("valid regexes")
});

/// `classify` for a trimmed line whose words (as `word_count` counts them)
/// the caller has counted already.
pub fn classify_counted(t: &str, words: usize) -> LineKind {
    if t.is_empty() || is_menu_line(t) || BYLINE_LINE.is_match(t) {
        return LineKind::Chrome;
    }
    if RELATED_HEADER.is_match(t)
        || words <= 6 && (RELATED_HEADER_OTHER.is_match(t) || RELATED_HEADER_NAMED.is_match(t))
    {
        return LineKind::RelatedHeader;
    }
    if words <= 6 && TAIL_HEADER.is_match(t) {
        return LineKind::TailHeader;
    }
    if LANG_SWITCH.is_match(t) && words >= 2 {
        return LineKind::LanguageSwitcher;
    }
    if words <= 12 && CHROME_LINE.is_match(t) {
        return LineKind::Chrome;
    }
    if words <= PHOTO_CREDIT_WORDS && PHOTO_CREDIT.is_match(t) {
        return LineKind::Caption;
    }
    if words <= 45 && (MORE_ELSEWHERE.is_match(t) || CREDIT_LINE.is_match(t)) {
        return LineKind::Chrome;
    }
    if !SEARCHED_RULES.is_match(t) {
        return LineKind::Story;
    }
    if words <= 45 && (RIGHTS_NOTICE.is_match(t) || CREDIT_LINE_END.is_match(t))
        || words <= 60 && SITE_NOTICE.is_match(t)
    {
        return LineKind::Chrome;
    }
    if is_appeal(t) {
        return LineKind::Appeal;
    }
    if words <= 40 && CAPTION.is_match(t) {
        return LineKind::Caption;
    }
    LineKind::Story
}

/// An appeal: appeal phrases carry it; a long paragraph needs two of them, or
/// one plus heavy first-person-plural address to the reader.
pub fn is_appeal(text: &str) -> bool {
    let cues = APPEAL_CUES.find_iter(text).count();
    if cues == 0 {
        return false;
    }
    let words = crate::word_count(text);
    if words <= 15 {
        return true;
    }
    let we_you = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "we" | "our" | "us" | "you" | "your"
            )
        })
        .count();
    cues >= 2 || we_you * 12 >= words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_all(lines: &[&str], kind: LineKind) {
        for line in lines {
            assert_eq!(classify(line), kind, "{line}");
        }
    }

    #[test]
    fn seeds_boilerplate_kinds() {
        assert_eq!(classify("Support Us"), LineKind::Appeal);
        assert_eq!(
            classify("Support UP or become our patron!"),
            LineKind::Appeal
        );
        assert_eq!(classify("Become a Patron!"), LineKind::Appeal);
        assert_eq!(classify("Read also:"), LineKind::RelatedHeader);
        assert_all(
            &[
                "Читайте також:",
                "Leia também",
                "Você pode gostar...",
                "Lesen Sie auch",
                "Related Articles from The Verge:",
                "Popular on IndieWire",
                "You may also like...",
                "Related links:",
                "Related articles on Move.org",
            ],
            LineKind::RelatedHeader,
        );
        assert_eq!(
            classify("Lesen Sie auch den Bericht des Rates."),
            LineKind::Story
        );
        assert_eq!(classify("About the Author"), LineKind::TailHeader);
        assert_eq!(classify("Disclaimer:"), LineKind::TailHeader);
        assert_all(
            &[
                "Breaking News Emails",
                "Get breaking news alerts and special reports. The news and stories that matter, delivered weekday mornings.",
                "Join our Space Forums to keep talking space on the latest missions!",
                "Already have an account? Log in",
                "This article is exclusive to STAT+ subscribers",
            ],
            LineKind::Appeal,
        );
        assert_eq!(classify("POPULAR CATEGORIES"), LineKind::RelatedHeader);
        assert_eq!(
            classify("More Great WIRED Stories"),
            LineKind::RelatedHeader
        );
        assert_all(
            &[
                "(Reporting by Will Dunham; Editing by Tom Brown)",
                "Heba Habib contributed to this report.",
                "Keith Bradsher contributed reporting from Hong Kong.",
                "Associated Press writers Alan Fram and Zeke Miller contributed to this report.",
                "Email Tariq Malik at tmalik@example.com or follow him @tariqjmalik.",
                "Originally published at www.example.com on November 18, 2011.",
            ],
            LineKind::Chrome,
        );
        assert_eq!(
            classify("More From the Los Angeles Times"),
            LineKind::RelatedHeader
        );
        assert_eq!(
            classify("GET BREAKING NEWS IN YOUR BROWSER. CLICK HERE TO TURN ON NOTIFICATIONS."),
            LineKind::Chrome
        );
        assert_all(
            &[
                "Follow RT on",
                "Like this story? Share it with a friend!",
                "Written by",
                "Last Updated:",
                r#"<img height="1" width="1" style="display:none" src="http://b.example.com/p?c1=2">"#,
                "To Read the Full Story",
                "Have a tip? Amy Kuperinsky may be reached at amy@example.com. Follow her on Twitter.",
                "Image 1 of 5",
                "1 - 5 of 36",
                "X",
                "ADVERTISEMENT – Star Tours",
                "Tell us what YOU think...",
                "Leave a Reply",
                "This post may contain affiliate and/or referral links. Please see my disclosure page.",
                "If you buy something through this post, IGN may get a share of the sale. For more, learn more.",
                "We independently review everything we recommend. When you buy through our links, we may earn a commission.",
                "Disclosure: As an Affiliate Marketer, I earn from qualifying purchases.",
                "Share:",
                "Table of Contents",
                "In this article",
                "Jump to section",
                "Jump to:",
                "Table Of Content",
                "Share This Post",
                "Print This Page",
                "Reading Time: 8 minutes",
                "4 min read time",
                "0 min. read",
                "Font Size",
                "Tempo de leitura: 2 minutos",
                "Like this:",
            ],
            LineKind::Chrome,
        );
        assert_eq!(classify("ua en ru"), LineKind::LanguageSwitcher);
        assert_eq!(classify("EN | DE | FR"), LineKind::LanguageSwitcher);
        assert_eq!(classify("en-US / fr-CA"), LineKind::LanguageSwitcher);
        assert_eq!(
            classify("Vladimir Putin and Kim Jong Un. Photo: RIA Novosti"),
            LineKind::Caption
        );
        assert_all(
            &["Getty Images / Daniela Duncan", "AP Photo/Evan Vucci"],
            LineKind::Caption,
        );
        assert_eq!(
            classify("Reuters/Ipsos polled 1,000 adults on the bridge plan last week."),
            LineKind::Story
        );
        assert_eq!(
            classify(
                "You could close this page. Or you could join our community and help us produce more materials like this."
            ),
            LineKind::Appeal
        );
    }

    #[test]
    fn story_sentences_survive() {
        assert_all(
            &[
                "Source: Ukrinform news agency, citing Carpenter",
                "Putin in North Korea",
                "He said it is the coalition Russia is building, noting the sharp contrast with the group of 50 nations.",
                "Carpenter noted that this will not help Russia, which continues to provide strong support to Ukraine.",
                "Moscow and Pyongyang have denied the facts of arms supplies.",
                "About the author of the report, little is known.",
                "Business School",
                "Kyiv news",
                "In this article, the council explains why the bridge must close.",
                "More from the council meeting came later, when the mayor spoke.",
                "Related articles on the bridge were published by the council last year.",
                "Print this page and bring it to the polling station with your ID.",
                "Reading time for the whole report is about two hours.",
                "Real-estate agents earn a commission of about 5% on each sale in the county.",
                "<The Palace: Tale of Jang Noksu>",
                "Reporting by the agency showed the bridge had been closed twice before.",
                "More than 300 stories were told at the hearing.",
                "Follow the money on this deal, the mayor told the council on Monday, and you will see.",
                "He contributed reporting from Kyiv for a decade before he joined the paper.",
                "If you already have an account with a bank, have its routing number ready when you file.",
                "他在发布会上分享了救援的最新进展，并表示搜救工作将持续到明天。",
                "评论员指出，这次地震的震级与2016年的地震相当。",
                "来自泸定县的救援队已抵达震区，当地已开放三处避难场所。",
                "首相は記者会見で、被災地の状況を印刷物で配布すると述べた。",
                "정부는 피해 주민들에게 댓글이 아닌 공식 창구로 문의해 달라고 밝혔다.",
            ],
            LineKind::Story,
        );
    }

    #[test]
    fn chinese_japanese_and_korean_chrome_goes() {
        assert_all(
            &[
                "分享到：微信 微博 QQ空间",
                "责任编辑：王明",
                "責任編輯：王明",
                "来源：新华网",
                "原标题：四川泸定发生5.9级地震",
                "返回顶部",
                "上一篇",
                "シェアする",
                "次の記事",
                "공유하기",
                "맨 위로",
            ],
            LineKind::Chrome,
        );
        assert_all(
            &["相关阅读", "相關新聞：", "延伸阅读", "関連記事", "관련기사"],
            LineKind::RelatedHeader,
        );
    }
}
