//! Markdown written by people (agendas, minutes, practices) becomes HTML
//! only through here: pulldown-cmark renders, ammonia sanitises (no
//! scripts, no inline styles or event handlers; links get
//! `rel="noopener noreferrer"`), so stored text can never inject into a page.

/// Longest Markdown text accepted anywhere (characters).
pub const MARKDOWN_MAX: usize = 20_000;

#[cfg(feature = "ssr")]
pub fn to_safe_html(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"))
        .clean(&raw)
        .to_string()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::to_safe_html;

    #[test]
    fn renders_markdown_and_strips_what_could_run() {
        let html = to_safe_html(
            "# Agenda\n\n- **ronde**\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) [y](https://kring.example)",
        );
        assert!(
            html.contains("<h1>Agenda</h1>") && html.contains("<strong>ronde</strong>"),
            "{html}"
        );
        assert!(
            !html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://kring.example" rel="noopener noreferrer">y</a>"#),
            "{html}"
        );
    }
}
