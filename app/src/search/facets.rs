//! Facet counts of a search (themes, municipalities, organisations).
//!
//! tantivy's `FacetCollector` reads every match's facets through the
//! columnar multi-value index, about 37 ns per match: most of the time of a
//! query that matches much of the library. Segments never change once
//! written, so each segment's facets are laid out once as a flat table
//! (document → a slice of small facet numbers) when the reader is reloaded
//! (tantivy's `Warmer` hook, which also says when a segment is gone), and
//! counting a match is a walk over a slice of two or three numbers.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, Searcher, SearcherGeneration, SegmentOrdinal, SegmentReader, Warmer};

/// The facet roots counted, in the order of [`Tally`]'s root index.
pub const ROOTS: [&str; 3] = ["theme", "municipality", "organisation"];

/// Counts per (root index in [`ROOTS`], value).
pub type Tally = BTreeMap<(usize, String), u64>;

/// One segment's facets.
struct SegmentTable {
    /// `ords[starts[d]..starts[d + 1]]` are document `d`'s facets.
    starts: Vec<u32>,
    ords: Vec<u32>,
    /// What each facet number stands for: (root index, value).
    names: Vec<(usize, String)>,
}

impl SegmentTable {
    fn build(reader: &SegmentReader, field: &str) -> tantivy::Result<Self> {
        let facets = reader.facet_reader(field)?;
        // Segment-local facet ordinal → our number (None: another root).
        let mut local = Vec::with_capacity(facets.num_facets());
        let mut names = Vec::new();
        let mut facet = Facet::root();
        for ord in 0..facets.num_facets() as u64 {
            facets.facet_from_ord(ord, &mut facet)?;
            let path = facet.to_path();
            let root = match path.as_slice() {
                [root, _] => ROOTS.iter().position(|r| r == root),
                _ => None,
            };
            local.push(root.map(|root| {
                names.push((root, path[1].to_owned()));
                (names.len() - 1) as u32
            }));
        }
        let max_doc = reader.max_doc();
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::with_capacity(max_doc as usize * 3);
        starts.push(0);
        for doc in 0..max_doc {
            let from = ords.len();
            for ord in facets.facet_ords(doc) {
                if let Some(Some(n)) = local.get(ord as usize)
                    && !ords[from..].contains(n)
                {
                    ords.push(*n);
                }
            }
            starts.push(ords.len() as u32);
        }
        Ok(SegmentTable { starts, ords, names })
    }
}

/// The tables of the segments of the current reader.
pub struct FacetTables {
    field: &'static str,
    tables: RwLock<HashMap<SegmentId, Arc<SegmentTable>>>,
}

impl FacetTables {
    pub fn new(field: &'static str) -> Self {
        FacetTables {
            field,
            tables: RwLock::new(HashMap::new()),
        }
    }

    fn table(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentTable>> {
        if let Some(t) = self
            .tables
            .read()
            .map_err(|_| poisoned())?
            .get(&reader.segment_id())
        {
            return Ok(t.clone());
        }
        // Not warmed (the warmer failed on it): build it now rather than
        // fail the search.
        let table = Arc::new(SegmentTable::build(reader, self.field)?);
        self.tables
            .write()
            .map_err(|_| poisoned())?
            .insert(reader.segment_id(), table.clone());
        Ok(table)
    }

    /// A collector counting the facets of every match.
    pub fn counter(&self) -> FacetCounter<'_> {
        FacetCounter { tables: self }
    }
}

impl Warmer for FacetTables {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        for reader in searcher.segment_readers() {
            self.table(reader)?;
        }
        Ok(())
    }

    fn garbage_collect(&self, live: &[&SearcherGeneration]) {
        if let Ok(mut tables) = self.tables.write() {
            tables.retain(|id, _| live.iter().any(|g| g.segments().contains_key(id)));
        }
    }
}

fn poisoned() -> tantivy::TantivyError {
    tantivy::TantivyError::InternalError("facet tables lock poisoned".into())
}

pub struct FacetCounter<'a> {
    tables: &'a FacetTables,
}

impl Collector for FacetCounter<'_> {
    type Fruit = Tally;
    type Child = SegmentCounter;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let table = self.tables.table(reader)?;
        let counts = vec![0; table.names.len()];
        Ok(SegmentCounter { table, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut all = Tally::new();
        for fruit in fruits {
            for (key, n) in fruit {
                *all.entry(key).or_default() += n;
            }
        }
        Ok(all)
    }
}

pub struct SegmentCounter {
    table: Arc<SegmentTable>,
    counts: Vec<u32>,
}

impl SegmentCollector for SegmentCounter {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _: Score) {
        let t = &*self.table;
        let (Some(&from), Some(&to)) = (t.starts.get(doc as usize), t.starts.get(doc as usize + 1)) else {
            return;
        };
        for &n in t.ords.get(from as usize..to as usize).unwrap_or_default() {
            if let Some(c) = self.counts.get_mut(n as usize) {
                *c += 1;
            }
        }
    }

    fn harvest(self) -> Tally {
        self.counts
            .iter()
            .zip(&self.table.names)
            .filter(|(n, _)| **n > 0)
            .map(|(n, name)| (name.clone(), u64::from(*n)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::FacetCollector;
    use tantivy::query::{AllQuery, Query, TermQuery};
    use tantivy::schema::{FacetOptions, IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, Term};

    use super::*;

    /// Our counts equal tantivy's own `FacetCollector`'s, over several
    /// segments, deleted documents, documents without facets, a facet
    /// given twice and a root that is not counted.
    #[test]
    fn counts_equal_tantivys_facet_collector() {
        let mut b = Schema::builder();
        let key = b.add_text_field("key", STRING);
        let word = b.add_text_field("word", STRING);
        let facets = b.add_facet_field("facets", FacetOptions::default());
        let index = Index::create_in_ram(b.build());
        let tables = Arc::new(FacetTables::new("facets"));
        let warmer: std::sync::Weak<dyn Warmer> = Arc::downgrade(&tables) as _;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![warmer])
            .try_into()
            .expect("reader");
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        let themes = ["Wonen", "Werk", "Gezondheid", "Onderwijs / vorming"];
        let places = ["Leuven", "Gent", "Brugge"];
        for segment in 0..3u32 {
            for i in 0..200u32 {
                let n = segment * 200 + i;
                let mut doc = TantivyDocument::new();
                doc.add_text(key, n.to_string());
                doc.add_text(word, if n % 3 == 0 { "even" } else { "oneven" });
                if n % 7 != 0 {
                    doc.add_facet(facets, Facet::from_path(["theme", themes[(n % 4) as usize]]));
                    doc.add_facet(facets, Facet::from_path(["theme", themes[(n / 4 % 4) as usize]]));
                    doc.add_facet(
                        facets,
                        Facet::from_path(["municipality", places[(n % 3) as usize]]),
                    );
                    doc.add_facet(facets, Facet::from_path(["other", "x"]));
                }
                if n % 5 == 0 {
                    doc.add_facet(
                        facets,
                        Facet::from_path(["organisation", &format!("Org {}", n % 11)]),
                    );
                }
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
        }
        for n in (0..600u32).step_by(13) {
            writer.delete_term(Term::from_field_text(key, &n.to_string()));
        }
        writer.commit().expect("commit");
        reader.reload().expect("reload");
        let searcher = reader.searcher();
        assert!(searcher.segment_readers().len() > 1, "several segments");
        // The reload warmed every segment's table before any search.
        {
            let warmed = tables.tables.read().expect("lock");
            assert!(
                searcher
                    .segment_readers()
                    .iter()
                    .all(|r| warmed.contains_key(&r.segment_id()))
            );
        }

        let queries: Vec<Box<dyn Query>> = vec![
            Box::new(AllQuery),
            Box::new(TermQuery::new(
                Term::from_field_text(word, "even"),
                IndexRecordOption::Basic,
            )),
        ];
        for query in queries {
            let ours = searcher.search(&query, &tables.counter()).expect("ours");
            let mut theirs = FacetCollector::for_field("facets");
            for root in ROOTS {
                theirs.add_facet(format!("/{root}").as_str());
            }
            let theirs = searcher.search(&query, &theirs).expect("theirs");
            let mut expected = Tally::new();
            for (i, root) in ROOTS.iter().enumerate() {
                for (facet, n) in theirs.get(format!("/{root}").as_str()) {
                    let value = facet
                        .to_path()
                        .last()
                        .map(|s| (*s).to_owned())
                        .unwrap_or_default();
                    expected.insert((i, value), n);
                }
            }
            assert!(expected.len() > 8, "the test covers every root");
            assert_eq!(ours, expected);
        }
    }
}
