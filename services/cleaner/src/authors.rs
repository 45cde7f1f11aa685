//! Author names as pages and feeds give them, made into names: bylines
//! ("By STEVE PEOPLES, AP National Political Writer"), two authors in one
//! field ("MEG KINNARD and ERRIN HAINES, Associated Press"), RSS's
//! "jane@example.org (Jane Doe)", and what is no name at all: a CMS
//! account ("admin"), a template's placeholder ("undefined",
//! "page.head.extra.author"), a profile URL or a numeric id.

/// The names in `fields`, in order, each once.
pub fn author_names<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for field in fields {
        for name in names_in(field) {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                names.push(name);
            }
        }
    }
    names
}

fn names_in(field: &str) -> Vec<String> {
    let field = crate::metadata::collapse(field);
    // RSS: "jane@example.org (Jane Doe)".
    if let Some((before, inside)) = field.split_once(" (")
        && before.contains('@')
        && let Some(name) = inside.strip_suffix(')')
    {
        return names_in(name);
    }
    let field = without_links_in_brackets(&field);
    let field = without_byline_word(&field);
    // "NAME, AP Auto Writer", "NAME, CNN Business": the role or the outlet
    // goes. "Chen Zhao, Daryl Fairweather" is two people, and "Kooman, F."
    // one, written surname first.
    let field = match field.split_once(", ") {
        Some((name, rest)) if name.contains(' ') && names_a_role_or_outlet(rest) => name,
        _ => field,
    };
    // Two people in one field, each with a name of two words or more
    // ("Mac & i" is one magazine).
    let parts: Vec<&str> = field
        .split(" and ")
        .flat_map(|part| part.split(" & "))
        .flat_map(|part| part.split(", "))
        .map(str::trim)
        .collect();
    let people = if parts.len() > 1 && parts.iter().all(|p| p.contains(' ')) {
        parts
    } else {
        vec![field]
    };
    people
        .into_iter()
        .filter(|name| is_a_name(name))
        .map(str::to_string)
        .collect()
}

/// Words that follow a byline's name and are no name: a role, a degree,
/// an outlet.
const ROLE_OR_OUTLET: &[&str] = &[
    "writer",
    "editor",
    "correspondent",
    "reporter",
    "columnist",
    "contributor",
    "staff",
    "press",
    "news",
    "business",
    "insider",
    "times",
    "post",
    "journal",
    "herald",
    "tribune",
    "magazine",
    "network",
    "agency",
    "bureau",
    "desk",
    "educator",
    "from",
    "for",
    "the",
    "ap",
    "afp",
    "reuters",
    "cnn",
    "bbc",
    "ms",
    "md",
    "phd",
    "rdn",
    "rd",
    "mph",
];

fn names_a_role_or_outlet(rest: &str) -> bool {
    rest.split([' ', ',', '-'])
        .map(|w| w.trim_matches('.').to_lowercase())
        .any(|w| ROLE_OR_OUTLET.contains(&w.as_str()) || w.ends_with(".com"))
}

/// "Bradley M. Kuhn (http://ebb.org/bkuhn/)" is "Bradley M. Kuhn".
fn without_links_in_brackets(field: &str) -> String {
    let mut out = field.to_string();
    while let Some(open) = out.find(" (") {
        let Some(close) = out[open..].find(')').map(|i| open + i) else {
            break;
        };
        let inside = &out[open + 2..close];
        if !(inside.contains("://") || inside.starts_with("www.") || inside.contains('@')) {
            break;
        }
        out.replace_range(open..=close, "");
    }
    out
}

/// "By Jane Doe", "Analysis by Chris Cillizza", "Written by X": the name
/// after the word "by" within a byline's first three words.
fn without_byline_word(field: &str) -> &str {
    let words: Vec<(usize, &str)> = field
        .split(' ')
        .scan(0, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .take(3)
        .collect();
    for (start, word) in words {
        let word = word.trim_end_matches(':');
        if word.eq_ignore_ascii_case("by") {
            return field[start..].split_once(' ').map_or("", |(_, rest)| rest);
        }
    }
    field
}

/// Words a CMS or a template leaves where no author was given.
const NOT_NAMES: &[&str] = &[
    "undefined",
    "null",
    "none",
    "nan",
    "n/a",
    "unknown",
    "author",
    "admin",
    "administrator",
    "webmaster",
    "root",
    "guest",
    "user",
];

fn is_a_name(s: &str) -> bool {
    let lower = s.to_lowercase();
    let one_token = !s.contains(' ');
    let no_letter = !s.chars().any(char::is_alphabetic);
    let placeholder = NOT_NAMES.contains(&lower.as_str()) || s.contains("{{") || s.contains("${");
    // "q_admin", "adminn": accounts, not people.
    let account = one_token && lower.contains("admin");
    let address = lower.contains("://") || lower.starts_with("www.") || s.contains('@');
    // A template's path ("page.head.extra.author").
    let path = one_token
        && s.matches('.').count() >= 2
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    !(no_letter || placeholder || account || address || path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines_become_names() {
        let cases: &[(&str, &[&str])] = &[
            (
                "By STEVE PEOPLES, AP National Political Writer",
                &["STEVE PEOPLES"],
            ),
            (
                "By MEG KINNARD and ERRIN HAINES, Associated Press",
                &["MEG KINNARD", "ERRIN HAINES"],
            ),
            (
                "Analysis by Chris Cillizza, CNN Editor-at-large",
                &["Chris Cillizza"],
            ),
            ("by Arlene Marturano", &["Arlene Marturano"]),
            ("Written by: Jane Doe", &["Jane Doe"]),
            ("jane@example.org (Jane Doe)", &["Jane Doe"]),
            (
                "Bradley M. Kuhn (http://ebb.org/bkuhn/)",
                &["Bradley M. Kuhn"],
            ),
            ("Tom Smith & Ann Lee", &["Tom Smith", "Ann Lee"]),
            ("Ilana Muhlstein, MS, RDN", &["Ilana Muhlstein"]),
            ("Troy L. Smith, Cleveland.com", &["Troy L. Smith"]),
            (
                "Chen Zhao, Daryl Fairweather",
                &["Chen Zhao", "Daryl Fairweather"],
            ),
            (
                "Manoj Jain and Jagpreet Chhatwal, The Commercial Appeal",
                &["Manoj Jain", "Jagpreet Chhatwal"],
            ),
            ("Martin Luther King, Jr.", &["Martin Luther King, Jr."]),
            // Kept whole: a magazine, and a name written surname first.
            ("Mac & i", &["Mac & i"]),
            ("Kooman, F.", &["Kooman, F."]),
            // Kept as written.
            ("Reuters", &["Reuters"]),
            ("Ursula von der Leyen", &["Ursula von der Leyen"]),
            ("Seán O'Brien", &["Seán O'Brien"]),
            ("肖春芳", &["肖春芳"]),
            ("Derby County Staff", &["Derby County Staff"]),
            ("AP", &["AP"]),
        ];
        for (field, want) in cases {
            assert_eq!(author_names([*field]), *want, "{field:?}");
        }
    }

    #[test]
    fn what_is_no_name_goes() {
        for field in [
            "admin",
            "q_admin",
            "undefined",
            "page.head.extra.author",
            "262588213843476",
            "www.facebook.com/somepage",
            "https://example.org/author/jane",
            "{{ author }}",
            "jane@example.org",
            "",
        ] {
            assert!(author_names([field]).is_empty(), "{field:?}");
        }
    }

    #[test]
    fn each_name_once_in_the_order_given() {
        assert_eq!(
            author_names(["Jane Doe", "By JANE DOE", "John Roe"]),
            ["Jane Doe", "John Roe"]
        );
    }
}
