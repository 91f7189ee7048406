//! Email addresses, web addresses and IP addresses.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

use crate::text::{chars_before, next_char, next_next_char, prev_char};
use crate::{Confidence, Hit, Kind, Reason};

const EMAIL: Reason = ("Email address.", "电子邮箱地址。");
const URL: Reason = (
    "Web address; links to personal pages, chats or cloud folders can identify a family.",
    "网址；个人主页、聊天或网盘链接可能指向患儿家庭。",
);
const URL_WITH_IP: Reason = (
    "Web address that contains an IP address.",
    "包含IP地址的网址。",
);
const URL_REFERENCE: Reason = (
    "Web address of a public reference site (guideline, journal); usually fine to keep.",
    "公共参考资料网址（指南、期刊），一般可以保留。",
);
const IP: Reason = ("IP address.", "IP地址。");

static EMAIL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}").unwrap()
});
/// A URL runs until whitespace, a Chinese char, or Chinese sentence
/// punctuation; trailing ASCII punctuation is trimmed afterwards.
static URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:https?://|ftp://|www\.)[^\s<>"'\p{Han}。、，；：（）【】「」《》]+"#)
        .unwrap()
});
static IPV4_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}").unwrap());
static IPV6_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}").unwrap());

/// Public reference sites whose addresses say nothing about a patient.
const REFERENCE_HOSTS: &[&str] = &[
    "who.int",
    "nhc.gov.cn",
    "gov.cn",
    "chinacdc.cn",
    "cdc.gov",
    "nih.gov",
    "doi.org",
    "cochranelibrary.com",
    "nice.org.uk",
    "aap.org",
    "unicef.org",
    "cma.org.cn",
    "wikipedia.org",
    "uptodate.com",
    "thelancet.com",
    "nejm.org",
    "bmj.com",
];

/// Words that make a dotted quad a version number rather than an address,
/// when they come right before it.
const VERSION_WORDS: &[&str] = &["version", "ver.", "ver", "v", "版本号", "版本", "版"];

/// Words before a dotted number that make it a clause or section of a text
/// (第3.2.1.4条, section 5.2.1.3), compared in lower case.
const CLAUSE_WORDS_BEFORE: &[&str] = &[
    "第",
    "见",
    "条款",
    "章节",
    "section",
    "sect.",
    "sec.",
    "clause",
    "chapter",
    "paragraph",
    "para.",
    "recommendation",
    "article",
    "item",
    "step",
    "§",
];

/// What follows a clause or section number: 条, 节, 款, 章, 项, 点.
const CLAUSE_CHARS_AFTER: &[char] = &['条', '节', '款', '章', '项', '点', '小', '部'];

pub(crate) fn detect(text: &str, hits: &mut Vec<Hit>) {
    for m in EMAIL_RE.find_iter(text) {
        hits.push(Hit::new(
            Kind::Email,
            Confidence::High,
            (m.start(), m.end()),
            EMAIL,
            "[邮箱]",
        ));
    }

    for m in URL_RE.find_iter(text) {
        // "xwww.…" or "a.www.…" is part of some other token.
        if prev_char(text, m.start()).is_some_and(|c| c.is_ascii_alphanumeric() || c == '.') {
            continue;
        }
        let url = trim_url(m.as_str());
        let host = url_host(url);
        let (confidence, reason) = if host.parse::<Ipv4Addr>().is_ok() {
            (Confidence::High, URL_WITH_IP)
        } else if is_reference_host(host) {
            (Confidence::Low, URL_REFERENCE)
        } else if host.contains('.') {
            // A personal page, chat group or cloud folder leads straight to
            // a family; only public reference sites are let through.
            (Confidence::High, URL)
        } else {
            continue;
        };
        hits.push(Hit::new(
            Kind::Url,
            confidence,
            (m.start(), m.start() + url.len()),
            reason,
            "[网址]",
        ));
    }

    for m in IPV4_RE.find_iter(text) {
        if ipv4_stands_alone(text, m.start(), m.end()) && m.as_str().parse::<Ipv4Addr>().is_ok() {
            hits.push(Hit::new(
                Kind::IpAddress,
                Confidence::High,
                (m.start(), m.end()),
                IP,
                "[IP]",
            ));
        }
    }

    for m in IPV6_RE.find_iter(text) {
        if looks_like_ipv6(text, m.start(), m.end()) {
            hits.push(Hit::new(
                Kind::IpAddress,
                Confidence::High,
                (m.start(), m.end()),
                IP,
                "[IP]",
            ));
        }
    }
}

/// Drops punctuation that ends the sentence rather than the URL, and a
/// closing bracket that has no opening bracket inside the URL.
fn trim_url(url: &str) -> &str {
    let mut url = url;
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']);
        let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            return url;
        }
        url = trimmed;
    }
}

/// The host part of a URL.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
    &rest[..end]
}

fn is_reference_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    REFERENCE_HOSTS
        .iter()
        .any(|r| host == *r || host.ends_with(&format!(".{r}")))
}

/// A dotted quad is an address only when it is not a slice of a longer dotted
/// number (`1.2.3.4.5`), a word, or a version string.
fn ipv4_stands_alone(text: &str, start: usize, end: usize) -> bool {
    if prev_char(text, start).is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
        return false;
    }
    if let Some(c) = next_char(text, end) {
        if c.is_ascii_alphanumeric() || c == '_' {
            return false;
        }
        if c == '.' && next_next_char(text, end).is_some_and(|n| n.is_ascii_digit()) {
            return false;
        }
    }
    !after_version_word(&text[..start]) && !is_clause_number(text, start, end)
}

/// Whether a dotted quad is the number of a clause or section of a text
/// rather than an address.
fn is_clause_number(text: &str, start: usize, end: usize) -> bool {
    let tail = text[end..].trim_start_matches(' ');
    if tail.starts_with(CLAUSE_CHARS_AFTER) {
        return true;
    }
    let head = text[..start].trim_end_matches([' ', ':']);
    let lower = chars_before(head, head.len(), 16).to_ascii_lowercase();
    CLAUSE_WORDS_BEFORE.iter().any(|w| {
        lower.strip_suffix(w).is_some_and(|before| {
            !w.starts_with(|c: char| c.is_ascii_alphabetic())
                || !before.ends_with(|c: char| c.is_ascii_alphabetic())
        })
    })
}

/// Whether `head` ends with a version word, ignoring spaces and a colon in
/// between; "server 10.0.0.1" must not count as "ver 10.0.0.1".
fn after_version_word(head: &str) -> bool {
    let head = head.trim_end_matches([' ', ':']);
    let lower = chars_before(head, head.len(), 8).to_ascii_lowercase();
    VERSION_WORDS.iter().any(|w| {
        lower.strip_suffix(w).is_some_and(|before| {
            !w.starts_with(|c: char| c.is_ascii_alphabetic())
                || !before.ends_with(|c: char| c.is_ascii_alphabetic())
        })
    })
}

/// Colon-separated hex is an IPv6 address when it parses as one, is a whole
/// token, and has either the full eight groups or the `::` shorthand with at
/// least two groups, which rules out clock times such as 14:30:00.
fn looks_like_ipv6(text: &str, start: usize, end: usize) -> bool {
    let s = &text[start..end];
    let touches =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == ':' || c == '_');
    if touches(prev_char(text, start))
        || touches(next_char(text, end))
        || s.parse::<Ipv6Addr>().is_err()
    {
        return false;
    }
    let groups = s.split(':').filter(|g| !g.is_empty()).count();
    groups == 8 || (s.contains("::") && groups >= 2)
}

#[cfg(test)]
mod tests {
    use crate::{Confidence, Kind, scan};

    fn found(text: &str) -> Vec<(Kind, Confidence, String)> {
        scan(text)
            .into_iter()
            .map(|f| (f.kind, f.confidence, f.text))
            .collect()
    }

    #[test]
    fn emails() {
        assert_eq!(
            found("家长邮箱：wangfang1988@163.com。"),
            [(Kind::Email, Confidence::High, "wangfang1988@163.com".into())]
        );
        assert_eq!(
            found("mail li.hua+clinic@example.org.cn")[0].2,
            "li.hua+clinic@example.org.cn"
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            found("照片见 https://pan.example.com/s/1aBcD。"),
            [(
                Kind::Url,
                Confidence::High,
                "https://pan.example.com/s/1aBcD".into()
            )]
        );
        assert_eq!(
            found("(see www.family-blog.cn/baby).")[0].2,
            "www.family-blog.cn/baby"
        );
        assert_eq!(
            found("http://192.168.1.20/pacs/view?id=88")[0].1,
            Confidence::High
        );
        assert_eq!(
            found("参考 https://www.who.int/publications/i/item/9789241506823")[0].1,
            Confidence::Low
        );
    }

    #[test]
    fn ip_addresses() {
        assert_eq!(found("工作站 192.168.10.25 已登录")[0].0, Kind::IpAddress);
        assert_eq!(
            found("host fe80::1ff:fe23:4567:890a up")[0].0,
            Kind::IpAddress
        );
        assert_eq!(
            found("2001:0db8:85a3:0000:0000:8a2e:0370:7334")[0].0,
            Kind::IpAddress
        );
        assert!(found("软件版本 1.2.3.4 已更新").is_empty());
        assert!(found("Version: 1.2.3.4").is_empty());
        assert_eq!(
            found("PACS server at 10.12.0.8 stores images")[0].0,
            Kind::IpAddress
        );
        assert!(found("build 1.2.3.4.5").is_empty());
        assert!(found("依据第3.2.1.4条处理").is_empty());
        assert!(found("按 2.3.1.5 款执行").is_empty());
        assert!(found("See section 5.2.1.3 for doses").is_empty());
        assert!(found("Recommendation 3.4.2.1 (grade B)").is_empty());
        assert_eq!(found("终端 10.0.3.117 已登录")[0].0, Kind::IpAddress);
        assert!(found("v1.10.2.3").is_empty());
        assert!(found("999.1.1.1").is_empty());
        assert!(found("14:30:00 给药").is_empty());
        assert!(found("Apgar 8-9-10, ratio 1:2:1").is_empty());
    }
}
