//! Cleaning what visitors type into public forms, the same way on every form.

/// One line of text: at most `max` characters, control characters (line breaks, tabs,
/// NUL) turned into spaces so the value can never become a header line, trimmed.
pub fn one_line(v: &str, max: usize) -> String {
    v.chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

/// Text with paragraphs: at most `max` characters, line endings unified to `\n`, other
/// control characters except tabs removed, trimmed.
pub fn paragraphs(v: &str, max: usize) -> String {
    v.chars()
        .take(max)
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .collect::<String>()
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

/// A phone number as people write it: digits, spaces and `+ ( ) -`, up to 30 characters.
pub fn phone_ok(s: &str) -> bool {
    s.chars().count() <= 30 && s.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c))
}

/// A web address: http(s), a host with a dot made of letters, digits, `.`, `-` and a
/// port, and nothing that could break out of an attribute (whitespace, quotes, `<`, `>`).
pub fn web_address_ok(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
        && !url.contains(char::is_whitespace)
        && !url.contains(['"', '<', '>'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_text_is_cleaned_alike_everywhere() {
        assert_eq!(one_line(" Eve\r\nBcc: x ", 100), "Eve  Bcc: x");
        assert_eq!(one_line("abcdef", 3), "abc");
        assert_eq!(
            paragraphs("One\r\n\r\nTwo\rThree\u{0}\t!", 100),
            "One\n\nTwo\nThree\t!"
        );
        assert!(
            phone_ok("+44 (0)29 2000-0000") && !phone_ok("call me") && !phone_ok(&"1".repeat(31))
        );
    }

    #[test]
    fn web_addresses() {
        assert!(web_address_ok("https://tickets.example.org/coffee?id=1"));
        assert!(!web_address_ok("javascript:alert(1)"));
        assert!(!web_address_ok("https://localhost"));
        assert!(!web_address_ok("https://a.example/ x"));
        assert!(!web_address_ok("ftp://a.example"));
    }
}
