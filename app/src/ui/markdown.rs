//! Markdown written by people (agendas, minutes, practices) becomes HTML
//! only through here: pulldown-cmark renders, ammonia sanitises (no
//! scripts, no inline styles or event handlers; links get
//! `rel="noopener noreferrer"`), so stored text can never inject into a page.

/// Longest Markdown text accepted anywhere (characters).
pub const MARKDOWN_MAX: usize = 20_000;

/// One sanitiser for the process: building ammonia's tag and attribute
/// tables costs more than cleaning a short reply.
#[cfg(feature = "ssr")]
static SANITISER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"));
    b
});

/// Rendered HTML by its Markdown source. A thread page shows a hundred
/// posts that rarely change; rendering and sanitising them on every read
/// was most of its cost. Entries expire (`RENDERED_TTL`) so that the text
/// of a purged case does not outlive the purge in memory for long.
#[cfg(feature = "ssr")]
static RENDERED: std::sync::LazyLock<quick_cache::sync::Cache<String, Rendered, RenderedBytes>> =
    std::sync::LazyLock::new(|| quick_cache::sync::Cache::with_weighter(20_000, 32 << 20, RenderedBytes));

#[cfg(feature = "ssr")]
const RENDERED_TTL: std::time::Duration = std::time::Duration::from_secs(600);

/// Shorter texts are rendered every time: caching them saves little.
#[cfg(feature = "ssr")]
const CACHE_MIN_LEN: usize = 64;

#[cfg(feature = "ssr")]
#[derive(Clone)]
struct Rendered {
    at: std::time::Instant,
    html: std::sync::Arc<str>,
}

#[cfg(feature = "ssr")]
#[derive(Clone)]
struct RenderedBytes;

#[cfg(feature = "ssr")]
impl quick_cache::Weighter<String, Rendered> for RenderedBytes {
    fn weight(&self, key: &String, value: &Rendered) -> u64 {
        (key.len() + value.html.len()).max(1) as u64
    }
}

/// Markdown to sanitised HTML (the one rendering path).
#[cfg(feature = "ssr")]
pub fn to_safe_html(markdown: &str) -> String {
    if markdown.len() < CACHE_MIN_LEN {
        return render(markdown);
    }
    if let Some(hit) = RENDERED.get(markdown)
        && hit.at.elapsed() < RENDERED_TTL
    {
        return hit.html.to_string();
    }
    let html = render(markdown);
    RENDERED.insert(
        markdown.to_owned(),
        Rendered {
            at: std::time::Instant::now(),
            html: html.as_str().into(),
        },
    );
    html
}

/// Drops the rendering of `markdown` (its text was purged or deleted).
#[cfg(feature = "ssr")]
pub fn forget(markdown: &str) {
    RENDERED.remove(markdown);
}

#[cfg(feature = "ssr")]
fn render(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    SANITISER.clean(&raw).to_string()
}

/// The words of a Markdown text without its markup (for the search index
/// and snippets): text, code and link texts; raw HTML is dropped.
#[cfg(feature = "ssr")]
pub fn to_plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, TagEnd};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_),
            ) if !out.ends_with(char::is_whitespace) => {
                out.push(if out.ends_with(['.', '!', '?', ':']) {
                    ' '
                } else {
                    '\n'
                });
            }
            _ => {}
        }
    }
    out.trim().to_owned()
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

    #[test]
    fn plain_text_keeps_the_words_only() {
        let text = super::to_plain_text(
            "## Kosten\n\n| a | b |\n|---|---|\n| huur | *waarborg* |\n\n<b>x</b> [link](https://e.be)",
        );
        assert!(
            text.contains("Kosten")
                && text.contains("huur")
                && text.contains("waarborg")
                && text.contains("link")
        );
        assert!(
            !text.contains('<') && !text.contains('|') && !text.contains("https"),
            "{text}"
        );
    }

    #[test]
    fn a_cached_rendering_is_the_rendering() {
        let text = "Een **langere** reactie met <script>alert(1)</script> en [een link](https://kring.example) erin.";
        let first = to_safe_html(text);
        assert_eq!(to_safe_html(text), first);
        assert!(
            !first.contains("<script") && first.contains("<strong>langere</strong>"),
            "{first}"
        );
        super::forget(text);
        assert_eq!(to_safe_html(text), first);
    }
}
