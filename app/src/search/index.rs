//! The tantivy index: schema, writing (only through the outbox) and the
//! query. The query is built here rather than by tantivy's query parser so
//! that no input can make it fail: every word becomes a group of
//! alternatives (Dutch stems and compound parts, synonyms, English stems,
//! typo-tolerant and, for the word being typed, prefix matches on whole
//! words); all groups must match, and when nothing does, any may.
//! Permissions are a filter inside the query, so counts, facets and the
//! top results only ever see what the person may read.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::analysis::{self, EN, NL, WORDS};
use super::facets::{FacetTables, ROOTS};
use super::{FacetCount, Facets, Hit, HitKind, LIMIT_MAX, QUERY_MAX, SearchRequest, SearchResults};

/// Bumped when the schema or the analysis changes: an index of another
/// version is rebuilt from the database.
pub const SCHEMA_VERSION: u32 = 1;

/// Most words of a query that are used.
const WORDS_MAX: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("the search index is kept by another running process")]
    Busy,
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
}

/// What the index holds about one practice or case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDoc {
    pub kind: HitKind,
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// Plain text (Markdown already stripped).
    pub body: String,
    /// Theme names.
    pub themes: Vec<String>,
    /// Municipality names.
    pub municipalities: Vec<String>,
    pub organisation: String,
    pub public: bool,
    pub network: Option<i64>,
}

pub fn key(kind: HitKind, id: i64) -> String {
    match kind {
        HitKind::Practice => format!("p{id}"),
        HitKind::Case => format!("c{id}"),
    }
}

fn kind_str(kind: HitKind) -> &'static str {
    match kind {
        HitKind::Practice => "practice",
        HitKind::Case => "case",
    }
}

/// Who is searching, as the index sees it: the networks whose network-only
/// practices and whose cases they may read (from `authz`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub practice_networks: Vec<i64>,
    pub case_networks: Vec<i64>,
}

impl Scope {
    pub fn anonymous() -> Self {
        Scope::default()
    }

    pub fn for_actor(actor: &crate::authz::Actor) -> Self {
        use crate::authz::{ResourceKind, readable_networks};
        Scope {
            practice_networks: readable_networks(actor, ResourceKind::Practice),
            case_networks: readable_networks(actor, ResourceKind::Case),
        }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    slug: Field,
    title: Field,
    summary: Field,
    body: Field,
    en: Field,
    words: Field,
    facets: Field,
    visibility: Field,
    network: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |analyser: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyser)
                .set_index_option(record),
        )
    };
    let positions = IndexRecordOption::WithFreqsAndPositions;
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", STORED),
        slug: b.add_text_field("slug", STORED),
        title: b.add_text_field("title", text(NL, positions) | STORED),
        summary: b.add_text_field("summary", text(NL, positions) | STORED),
        body: b.add_text_field("body", text(NL, positions) | STORED),
        en: b.add_text_field("en", text(EN, IndexRecordOption::WithFreqs)),
        words: b.add_text_field("words", text(WORDS, IndexRecordOption::WithFreqs)),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        visibility: b.add_text_field("visibility", STRING),
        network: b.add_i64_field("network", INDEXED),
    };
    (b.build(), fields)
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    position: i64,
    schema: u32,
}

/// The search index of this server node.
pub struct SearchIndex {
    reader: IndexReader,
    /// None when another process keeps the index (a CLI search while the
    /// server runs): this one only reads.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    /// Each segment's facets, for counting (kept by the reader's warmer).
    facet_tables: Arc<FacetTables>,
    /// The last outbox entry applied (committed with the index).
    position: AtomicI64,
    /// Whether the index must be rebuilt from the database (new, or of an
    /// older schema).
    stale: bool,
}

const WRITER_MEMORY: usize = 64 << 20;

/// A word whose terms are in this many documents is no typo (see
/// `SearchIndex::well_known`).
const WELL_KNOWN_DOCS: u64 = 20;

/// Most words a prefix being typed is expanded to by hand (more: the
/// prefix automaton itself is the query).
const PREFIX_WORDS_MAX: usize = 64;

/// Threads one search may use (one per segment at most).
const SEARCH_THREADS_MAX: usize = 4;

impl SearchIndex {
    /// Opens (or creates) the index in `dir`. An index of another schema
    /// version is emptied and marked stale.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let mut stale = false;
        let index = match tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| SearchError::Io(std::io::Error::other(e.to_string())))
            .and_then(|d| Ok(Index::open_or_create(d, schema.clone())?))
        {
            Ok(index) => index,
            Err(_) => {
                // Another schema or a damaged index: start again (it is a
                // projection; the database has everything).
                tracing::warn!(dir = %dir.display(), "search index unreadable; rebuilding it");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                stale = true;
                Index::create_in_dir(dir, schema)?
            }
        };
        Self::with_index(index, fields, stale)
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, true)
    }

    fn with_index(mut index: Index, fields: Fields, mut stale: bool) -> Result<Self, SearchError> {
        analysis::register(index.tokenizers());
        // A broad word matches most documents, and every match is visited
        // for the facet counts: the segments are searched side by side on
        // the machine's cores (results and counts are merged after).
        let cores = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(SEARCH_THREADS_MAX);
        if cores > 1 {
            index.set_multithread_executor(cores)?;
        }
        let payload: Payload = index
            .load_metas()?
            .payload
            .and_then(|p| serde_json::from_str(&p).ok())
            .unwrap_or_default();
        if payload.schema != SCHEMA_VERSION {
            stale = true;
        }
        let writer = match index.writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY) {
            Ok(w) => Some(w),
            Err(tantivy::TantivyError::LockFailure(..)) => None,
            Err(e) => return Err(e.into()),
        };
        let facet_tables = Arc::new(FacetTables::new("facets"));
        let warmer: std::sync::Weak<dyn tantivy::Warmer> = Arc::downgrade(&facet_tables) as _;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![warmer])
            .try_into()?;
        Ok(SearchIndex {
            reader,
            facet_tables,
            writer: Mutex::new(writer),
            fields,
            position: AtomicI64::new(if stale { 0 } else { payload.position }),
            stale,
        })
    }

    pub fn is_stale(&self) -> bool {
        self.stale
    }

    pub fn writable(&self) -> bool {
        self.writer.lock().map(|w| w.is_some()).unwrap_or(false)
    }

    /// The last outbox entry this index has applied.
    pub fn position(&self) -> i64 {
        self.position.load(Ordering::SeqCst)
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn document(&self, d: &IndexDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.key, key(d.kind, d.id));
        doc.add_text(f.kind, kind_str(d.kind));
        doc.add_i64(f.id, d.id);
        doc.add_text(f.slug, &d.slug);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.summary, &d.summary);
        doc.add_text(f.body, &d.body);
        let all = format!("{}\n{}\n{}", d.title, d.summary, d.body);
        doc.add_text(f.en, &all);
        doc.add_text(f.words, &all);
        for t in &d.themes {
            doc.add_facet(f.facets, tantivy::schema::Facet::from_path(["theme", t.as_str()]));
        }
        for m in &d.municipalities {
            doc.add_facet(
                f.facets,
                tantivy::schema::Facet::from_path(["municipality", m.as_str()]),
            );
        }
        if !d.organisation.trim().is_empty() {
            doc.add_facet(
                f.facets,
                tantivy::schema::Facet::from_path(["organisation", d.organisation.trim()]),
            );
        }
        doc.add_text(f.visibility, if d.public { "public" } else { "network" });
        if let Some(n) = d.network {
            doc.add_i64(f.network, n);
        }
        doc
    }

    fn commit(&self, writer: &mut IndexWriter, position: i64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&Payload {
            position,
            schema: SCHEMA_VERSION,
        })
        .unwrap_or_default();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.position.store(position, Ordering::SeqCst);
        self.reader.reload()?;
        Ok(())
    }

    /// Applies changes: every key is removed, then `docs` are added, and the
    /// outbox position is committed with them (all or nothing).
    pub fn apply(
        &self,
        removed: &[(HitKind, i64)],
        docs: &[IndexDoc],
        position: i64,
    ) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Busy)?;
        let writer = guard.as_mut().ok_or(SearchError::Busy)?;
        for (kind, id) in removed {
            writer.delete_term(Term::from_field_text(self.fields.key, &key(*kind, *id)));
        }
        for d in docs {
            writer.add_document(self.document(d))?;
        }
        self.commit(writer, position.max(self.position()))
    }

    /// A rebuild, step 1: forget every document (nothing is visible until
    /// [`SearchIndex::finish_rebuild`] commits). Only while no outbox task
    /// applies changes: at start, or from `kring reindex`.
    pub fn start_rebuild(&self) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Busy)?;
        let writer = guard.as_mut().ok_or(SearchError::Busy)?;
        writer.delete_all_documents()?;
        Ok(())
    }

    /// A rebuild, step 2 (repeated): add documents.
    pub fn add(&self, docs: &[IndexDoc]) -> Result<(), SearchError> {
        let guard = self.writer.lock().map_err(|_| SearchError::Busy)?;
        let writer = guard.as_ref().ok_or(SearchError::Busy)?;
        for d in docs {
            writer.add_document(self.document(d))?;
        }
        Ok(())
    }

    /// A rebuild, step 3: commit everything with the outbox `position`.
    pub fn finish_rebuild(&self, position: i64) -> Result<(), SearchError> {
        let mut guard = self.writer.lock().map_err(|_| SearchError::Busy)?;
        let writer = guard.as_mut().ok_or(SearchError::Busy)?;
        self.commit(writer, position)
    }

    /// Runs a search for someone with `scope`.
    pub fn search(&self, scope: &Scope, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let started = Instant::now();
        let searcher = self.reader.searcher();
        let parsed = parse_query(&req.q);
        let mut highlight: BTreeMap<String, f32> = BTreeMap::new();
        let mut groups: Vec<Box<dyn Query>> = Vec::new();
        for phrase in &parsed.phrases {
            if let Some(q) = self.phrase_group(phrase, &mut highlight) {
                groups.push(q);
            }
        }
        let last = parsed.words.len().saturating_sub(1);
        for (i, word) in parsed.words.iter().enumerate() {
            let prefix = parsed.last_is_prefix && i == last;
            if let Some(q) = self.word_group(&searcher, word, prefix, &mut highlight) {
                groups.push(q);
            }
        }
        let filters = self.filters(scope, req);
        let limit = req.limit.clamp(1, LIMIT_MAX);
        let run = |text: Option<Box<dyn Query>>| -> Result<_, SearchError> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                filters.iter().map(|q| (Occur::Must, q.box_clone())).collect();
            clauses.push((Occur::Must, text.unwrap_or_else(|| Box::new(AllQuery))));
            let query = BooleanQuery::new(clauses);
            let facets = self.facet_tables.counter();
            let top = TopDocs::with_limit(limit).and_offset(req.offset).order_by_score();
            Ok(searcher.search(&query, &(top, Count, facets))?)
        };
        let all_of = |gs: &[Box<dyn Query>]| -> Option<Box<dyn Query>> {
            (!gs.is_empty()).then(|| {
                Box::new(BooleanQuery::new(
                    gs.iter().map(|g| (Occur::Must, g.box_clone())).collect(),
                )) as Box<dyn Query>
            })
        };
        let (mut top, mut total, mut facet_counts) = run(all_of(&groups))?;
        let mut relaxed = false;
        if total == 0 && groups.len() > 1 {
            let any: Box<dyn Query> = Box::new(BooleanQuery::new(
                groups.iter().map(|g| (Occur::Should, g.box_clone())).collect(),
            ));
            (top, total, facet_counts) = run(Some(any))?;
            relaxed = true;
        }
        let generator = SnippetGenerator::new(highlight, analysis::analyser(NL), self.fields.body, 200);
        let mut results = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |f: Field| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            let kind = if text(self.fields.kind) == "case" {
                HitKind::Case
            } else {
                HitKind::Practice
            };
            let body = text(self.fields.body);
            let snippet = generator.snippet(&body);
            let snippet = if snippet.is_empty() || snippet.highlighted().is_empty() {
                let summary = text(self.fields.summary);
                let lead = if summary.is_empty() { body } else { summary };
                escape(&truncate(&lead, 200))
            } else {
                snippet.to_html()
            };
            results.push(Hit {
                kind,
                slug: text(self.fields.slug),
                title: text(self.fields.title),
                snippet,
                score,
            });
        }
        let mut by_root: [Vec<FacetCount>; ROOTS.len()] = Default::default();
        for ((root, value), count) in facet_counts {
            if let Some(list) = by_root.get_mut(root) {
                list.push(FacetCount { value, count });
            }
        }
        for list in &mut by_root {
            list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        }
        let [themes, municipalities, organisations] = by_root;
        Ok(SearchResults {
            total: total as u64,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            results,
            facets: Facets {
                themes,
                municipalities,
                organisations,
            },
            relaxed,
            trimmed: parsed.trimmed,
        })
    }

    /// Practices like this one (shared themes and title terms), for its page.
    pub fn related(&self, scope: &Scope, doc: &IndexDoc, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let mut likes: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &doc.themes {
            let facet = tantivy::schema::Facet::from_path(["theme", t.as_str()]);
            likes.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_facet(f.facets, &facet),
                        IndexRecordOption::Basic,
                    )),
                    2.0,
                )),
            ));
        }
        let mut nl = analysis::analyser(NL);
        let mut seen = std::collections::BTreeSet::new();
        for (_, t) in analysis::analyse(&mut nl, &format!("{} {}", doc.title, doc.summary)) {
            if seen.insert(t.clone()) {
                likes.push((
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.title, &t),
                        IndexRecordOption::WithFreqs,
                    )),
                ));
                likes.push((
                    Occur::Should,
                    Box::new(TermQuery::new(
                        Term::from_field_text(f.summary, &t),
                        IndexRecordOption::WithFreqs,
                    )),
                ));
            }
        }
        if likes.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(likes))),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.key, &key(doc.kind, doc.id)),
                    IndexRecordOption::Basic,
                )),
            ),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.kind, kind_str(HitKind::Practice)),
                    IndexRecordOption::Basic,
                )),
            ),
        ];
        clauses.push((Occur::Must, self.scope_query(scope)));
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let mut out = Vec::new();
        for (score, address) in top {
            let d: TantivyDocument = searcher.doc(address)?;
            let text = |f: Field| d.get_first(f).and_then(|v| v.as_str()).unwrap_or("").to_owned();
            out.push(Hit {
                kind: HitKind::Practice,
                slug: text(self.fields.slug),
                title: text(self.fields.title),
                snippet: String::new(),
                score,
            });
        }
        Ok(out)
    }

    fn term(&self, field: Field, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// What the person may see, and the facet filters they chose.
    fn filters(&self, scope: &Scope, req: &SearchRequest) -> Vec<Box<dyn Query>> {
        let f = &self.fields;
        let mut out: Vec<Box<dyn Query>> = vec![self.scope_query(scope)];
        let facet = |root: &str, value: &str| -> Box<dyn Query> {
            let facet = tantivy::schema::Facet::from_path([root, value]);
            Box::new(TermQuery::new(
                Term::from_facet(f.facets, &facet),
                IndexRecordOption::Basic,
            ))
        };
        for t in &req.themes {
            let name = crate::library::Theme::parse(t)
                .map(|t| t.name().to_owned())
                .unwrap_or_else(|| t.clone());
            out.push(facet("theme", &name));
        }
        if let Some(m) = req.municipality.as_deref().filter(|m| !m.trim().is_empty()) {
            out.push(facet("municipality", m.trim()));
        }
        if let Some(o) = req.organisation.as_deref().filter(|o| !o.trim().is_empty()) {
            out.push(facet("organisation", o.trim()));
        }
        if let Some(kind) = req.kind {
            out.push(self.term(f.kind, kind_str(kind)));
        }
        out
    }

    fn scope_query(&self, scope: &Scope) -> Box<dyn Query> {
        let f = &self.fields;
        let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, self.term(f.visibility, "public"))];
        for (kind, networks) in [
            (HitKind::Practice, &scope.practice_networks),
            (HitKind::Case, &scope.case_networks),
        ] {
            if networks.is_empty() {
                continue;
            }
            let set = TermSetQuery::new(networks.iter().map(|n| Term::from_field_i64(f.network, *n)));
            any.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, self.term(f.kind, kind_str(kind))),
                    (Occur::Must, Box::new(set)),
                ])),
            ));
        }
        Box::new(BooleanQuery::new(any))
    }

    /// A term in title, summary or body, title and summary weighing more.
    fn in_text_fields(&self, term: &str) -> Box<dyn Query> {
        let f = &self.fields;
        Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(self.term(f.title, term), 3.0)),
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(self.term(f.summary, term), 2.0)),
            ),
            (Occur::Should, self.term(f.body, term)),
        ]))
    }

    fn every(&self, terms: &[(usize, String)]) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            terms
                .iter()
                .map(|(_, t)| (Occur::Must, self.in_text_fields(t)))
                .collect(),
        ))
    }

    fn word_group(
        &self,
        searcher: &tantivy::Searcher,
        word: &str,
        prefix: bool,
        highlight: &mut BTreeMap<String, f32>,
    ) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut nl = analysis::analyser(NL);
        let nl_terms = analysis::analyse(&mut nl, word);
        let en_terms = analysis::analyse(&mut analysis::analyser(EN), word);
        let typing = prefix && word.chars().count() >= 2;
        // A stop word in either language says nothing about the topic, unless
        // it is still being typed (it may become a real word).
        if (nl_terms.is_empty() || en_terms.is_empty()) && !typing {
            return None;
        }
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !nl_terms.is_empty() {
            for (_, t) in &nl_terms {
                highlight.insert(t.clone(), 1.0);
            }
            alternatives.push((Occur::Should, self.every(&nl_terms)));
        }
        for synonym in analysis::SYNONYM_GROUPS.of(word) {
            let terms = analysis::analyse(&mut nl, synonym);
            if !terms.is_empty() {
                for (_, t) in &terms {
                    highlight.insert(t.clone(), 0.8);
                }
                alternatives.push((Occur::Should, Box::new(BoostQuery::new(self.every(&terms), 0.8))));
            }
        }
        let known = self.well_known(searcher, &nl_terms);
        // A word common in the Dutch text is a Dutch word: its English
        // alternative would walk the same documents' postings once more.
        if !en_terms.is_empty() && !known {
            let en: Vec<(Occur, Box<dyn Query>)> = en_terms
                .iter()
                .map(|(_, t)| (Occur::Must, self.term(f.en, t)))
                .collect();
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(BooleanQuery::new(en)), 0.6)),
            ));
        }
        let folded = analysis::fold(word);
        let length = folded.chars().count();
        if length >= 5 && !folded.contains(' ') && !known {
            let distance = if length >= 9 { 2 } else { 1 };
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(f.words, &folded), distance, true);
            self.expand_for_highlight(searcher, &fuzzy, &mut nl, highlight);
            alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(fuzzy), 0.5))));
        }
        if typing && !folded.contains(' ') {
            let starts = FuzzyTermQuery::new_prefix(Term::from_field_text(f.words, &folded), 0, false);
            // The word itself is matched by its Dutch terms already; the
            // longer words it starts are what typing adds.
            let itself = (!nl_terms.is_empty()).then_some(folded.as_str());
            match self.longer_words(searcher, &starts, itself) {
                Some(words) if words.is_empty() => {}
                Some(words) => {
                    for word in &words {
                        for (_, t) in analysis::analyse(&mut nl, word) {
                            highlight.entry(t).or_insert(0.5);
                        }
                    }
                    let set = TermSetQuery::new(words.iter().map(|w| Term::from_field_text(f.words, w)));
                    alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(set), 0.4))));
                }
                None => {
                    self.expand_for_highlight(searcher, &starts, &mut nl, highlight);
                    alternatives.push((Occur::Should, Box::new(BoostQuery::new(Box::new(starts), 0.4))));
                }
            }
        }
        (!alternatives.is_empty()).then(|| Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
    }

    /// Whether every Dutch term of a word is in at least `WELL_KNOWN_DOCS`
    /// documents: then the word is taken as typed. Typo tolerance for it
    /// would only add the near-spellings of a long posting list (which cost
    /// most of the time of a broad search and change no top result).
    fn well_known(&self, searcher: &tantivy::Searcher, nl_terms: &[(usize, String)]) -> bool {
        let f = &self.fields;
        !nl_terms.is_empty()
            && nl_terms.iter().all(|(_, t)| {
                [f.title, f.summary, f.body].iter().any(|field| {
                    searcher
                        .doc_freq(&Term::from_field_text(*field, t))
                        .is_ok_and(|n| n >= WELL_KNOWN_DOCS)
                })
            })
    }

    /// The words of the index that a prefix query matches, but `itself`;
    /// None when there are more than `PREFIX_WORDS_MAX` (a short prefix:
    /// the automaton then stays the query).
    fn longer_words(
        &self,
        searcher: &tantivy::Searcher,
        query: &FuzzyTermQuery,
        itself: Option<&str>,
    ) -> Option<Vec<String>> {
        let automaton = query.automaton().ok()?;
        let mut words = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.words).ok()?;
            let mut stream = inverted.terms().search(&automaton).into_stream().ok()?;
            while stream.advance() {
                let word = std::str::from_utf8(stream.key()).ok()?;
                if Some(word) != itself && words.insert(word.to_owned()) && words.len() > PREFIX_WORDS_MAX {
                    return None;
                }
            }
        }
        Some(words.into_iter().collect())
    }

    /// The words a fuzzy or prefix query matched, so the snippet can mark
    /// them (a few, from the term dictionary).
    fn expand_for_highlight(
        &self,
        searcher: &tantivy::Searcher,
        query: &FuzzyTermQuery,
        nl: &mut tantivy::tokenizer::TextAnalyzer,
        highlight: &mut BTreeMap<String, f32>,
    ) {
        let Ok(automaton) = query.automaton() else {
            return;
        };
        let mut found = 0;
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.words) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                continue;
            };
            while stream.advance() && found < 16 {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    for (_, t) in analysis::analyse(nl, word) {
                        highlight.entry(t).or_insert(0.5);
                    }
                    found += 1;
                }
            }
        }
    }

    fn phrase_group(&self, phrase: &str, highlight: &mut BTreeMap<String, f32>) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let terms = analysis::analyse(&mut analysis::analyser(NL), phrase);
        for (_, t) in &terms {
            highlight.insert(t.clone(), 1.0);
        }
        let distinct_positions = terms
            .iter()
            .map(|(p, _)| *p)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        match terms.len() {
            0 => None,
            _ if distinct_positions < 2 || distinct_positions != terms.len() => Some(self.every(&terms)),
            _ => {
                let first = terms[0].0;
                let in_field = |field: Field, boost: f32| -> (Occur, Box<dyn Query>) {
                    let phrase = PhraseQuery::new_with_offset(
                        terms
                            .iter()
                            .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
                            .collect(),
                    );
                    (Occur::Should, Box::new(BoostQuery::new(Box::new(phrase), boost)))
                };
                Some(Box::new(BooleanQuery::new(vec![
                    in_field(f.title, 3.0),
                    in_field(f.summary, 2.0),
                    in_field(f.body, 1.0),
                ])))
            }
        }
    }
}

/// A query split into quoted phrases and words. Never fails: an unclosed
/// quote is a phrase to the end, operators and punctuation are ignored.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub phrases: Vec<String>,
    pub words: Vec<String>,
    /// The last word is still being typed (no space after it).
    pub last_is_prefix: bool,
    pub trimmed: bool,
}

pub fn parse_query(raw: &str) -> ParsedQuery {
    let mut out = ParsedQuery::default();
    let mut q: String = raw.chars().take(QUERY_MAX).collect();
    if q.len() < raw.len() {
        out.trimmed = true;
        // Not half a word: cut back to the last whole one.
        if !raw[q.len()..].starts_with(char::is_whitespace)
            && let Some(i) = q.rfind(char::is_whitespace)
        {
            q.truncate(i);
        }
    }
    let mut words_analyser = analysis::analyser(WORDS);
    for (i, part) in q.split('"').enumerate() {
        let quoted = i % 2 == 1;
        if quoted && !part.trim().is_empty() {
            out.phrases.push(part.trim().to_owned());
            continue;
        }
        for raw_word in part.split_whitespace() {
            if matches!(raw_word, "AND" | "OR" | "NOT" | "&&" | "||" | "-" | "+") {
                out.trimmed = true;
                continue;
            }
            for (_, w) in analysis::analyse(&mut words_analyser, raw_word) {
                if out.words.len() >= WORDS_MAX {
                    out.trimmed = true;
                    break;
                }
                if !out.words.contains(&w) {
                    out.words.push(w);
                }
            }
        }
    }
    // Typing goes on at the end, outside quotes.
    let outside_quotes = q.matches('"').count().is_multiple_of(2);
    out.last_is_prefix =
        !out.words.is_empty() && outside_quotes && q.chars().last().is_some_and(char::is_alphanumeric);
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(' ') {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_never_fail_to_parse() {
        let p = parse_query("\"unclosed phrase");
        assert_eq!(p.phrases, vec!["unclosed phrase".to_owned()]);
        let p = parse_query("AND AND");
        assert!(p.words.is_empty() && p.trimmed);
        let p = parse_query(&"schoolkosten ".repeat(400));
        assert!(p.trimmed);
        assert_eq!(p.words, vec!["schoolkosten".to_owned()]);
    }

    #[test]
    fn the_last_word_is_a_prefix_while_typing() {
        assert!(parse_query("huisves").last_is_prefix);
        assert!(!parse_query("huisvesting ").last_is_prefix);
        assert!(!parse_query("\"sociale huur\"").last_is_prefix);
    }
}
