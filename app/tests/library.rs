//! The library on SQLite and PostgreSQL: writing practices (every save a
//! revision), who reads and writes what, diffs and restore, reflections,
//! the JSON-lines import and export, and the outbox that keeps the search
//! index current — including that another network's practice never shows
//! for an outsider, not in results, counts or facets.

mod common;

use common::fixtures::{intervision, network, published_case};

use std::sync::Arc;

use app::AppError;
use app::authz::Actor;
use app::errors::{Field, Problem};
use app::library::domain;
use app::library::entity::{practice, revision};
use app::library::{DiffTag, PracticeInput, Theme, jsonl};
use app::search::index::{Scope, SearchIndex};
use app::search::outbox::{self, Applied};
use app::search::{HitKind, SearchRequest};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

fn input(title: &str, body: &str, public: bool) -> PracticeInput {
    PracticeInput {
        title: title.into(),
        summary: "Een korte samenvatting.".into(),
        body_markdown: body.into(),
        themes: vec![Theme::Huisvesting, Theme::Inkomen],
        municipalities: vec!["Leuven".into(), "mechelen".into()],
        organisation: "OCMW Leuven".into(),
        contact: "gezinscoaching@leuven.be".into(),
        public,
    }
}

async fn index_for(db: &DatabaseConnection) -> Arc<SearchIndex> {
    let index = Arc::new(SearchIndex::in_ram().unwrap());
    outbox::prepare(db, &index).await.unwrap();
    index
}

fn query(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.into(),
        limit: 10,
        ..Default::default()
    }
}

on_both_databases!(
    writing_reading_and_the_history,
    |db: DatabaseConnection| async move {
        let a = network(&db, "netwerk-a").await;
        let b = network(&db, "netwerk-b").await;
        let body = "## Aanpak\n\n| Stap | Wie |\n|---|---|\n| Huurwaarborg aanvragen | OCMW |\n\n<script>alert(1)</script>";
        let slug = domain::create(
            &db,
            &a.coach,
            Some("netwerk-a"),
            &input("Huurwaarborg via het OCMW", body, false),
        )
        .await
        .unwrap();
        assert_eq!(slug, "huurwaarborg-via-het-ocmw");

        // Members read it (the table rendered, the script gone); others get
        // "not found", exactly as for a slug that does not exist.
        for reader in [&a.facilitator, &a.coach, &a.expert, &a.observer] {
            let v = domain::view(&db, reader, &slug).await.unwrap();
            assert!(
                v.body_html.contains("<table>") && !v.body_html.contains("<script"),
                "{}",
                v.body_html
            );
            assert_eq!(v.municipalities, vec!["Leuven".to_owned(), "Mechelen".to_owned()]);
        }
        for outsider in [&b.coach, &b.facilitator, &a.admin, &Actor::anonymous()] {
            assert_eq!(
                domain::view(&db, outsider, &slug).await.unwrap_err(),
                AppError::NotFound
            );
        }
        assert_eq!(
            domain::view(&db, &a.coach, "bestaat-niet").await.unwrap_err(),
            AppError::NotFound
        );

        // Who edits: its network's coaches (the author) and facilitators; not
        // experts, observers, other networks or anonymous visitors.
        let mut edited = input(
            "Huurwaarborg via het OCMW",
            &format!("{body}\n\nNieuw: ook via het CAW."),
            true,
        );
        edited.themes = vec![Theme::Huisvesting];
        for refused in [
            &a.expert,
            &a.observer,
            &b.coach,
            &b.facilitator,
            &Actor::anonymous(),
        ] {
            assert_eq!(
                domain::update(&db, refused, &slug, &edited, false)
                    .await
                    .unwrap_err(),
                AppError::NotFound
            );
        }
        domain::update(&db, &a.facilitator, &slug, &edited, false)
            .await
            .unwrap();
        // Saving the same content again makes no revision.
        domain::update(&db, &a.facilitator, &slug, &edited, false)
            .await
            .unwrap();
        let v = domain::view(&db, &Actor::anonymous(), &slug).await.unwrap();
        assert_eq!(v.revision, 2);
        assert!(v.public && v.body_html.contains("CAW"));
        assert_eq!(v.themes, vec![Theme::Huisvesting]);

        // The diff names what changed; restoring revision 1 is revision 3.
        let h = domain::history(&db, &a.coach, &slug, None, None).await.unwrap();
        assert_eq!((h.from, h.to, h.revisions.len()), (1, 2, 2));
        assert!(
            h.diff
                .iter()
                .any(|l| l.tag == DiffTag::Added && l.text.contains("CAW"))
        );
        assert!(
            h.diff
                .iter()
                .any(|l| l.tag == DiffTag::Removed && l.text.contains("inkomen"))
        );
        assert!(h.may_restore);
        assert_eq!(
            domain::restore(&db, &b.coach, &slug, 1).await.unwrap_err(),
            AppError::NotFound
        );
        domain::restore(&db, &a.coach, &slug, 1).await.unwrap();
        let v = domain::view(&db, &a.coach, &slug).await.unwrap();
        assert_eq!(v.revision, 3);
        assert!(!v.public && !v.body_html.contains("CAW"));
        assert_eq!(revision::Entity::find().count(&db).await.unwrap(), 3);
        assert_eq!(
            domain::restore(&db, &a.coach, &slug, 99).await.unwrap_err(),
            AppError::NotFound
        );

        // Reflections: experts by experience only.
        assert_eq!(
            domain::reflect(&db, &a.coach, &slug, "Mijn ervaring")
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            domain::reflect(&db, &a.expert, &slug, "   ").await.unwrap_err(),
            AppError::invalid(Field::Reflection, Problem::Empty)
        );
        domain::reflect(&db, &a.expert, &slug, "Wat hielp: **geen** wachtrij.")
            .await
            .unwrap();
        let v = domain::view(&db, &a.observer, &slug).await.unwrap();
        assert_eq!(v.reflections.len(), 1);
        assert!(v.reflections[0].body_html.contains("<strong>geen</strong>"));
        assert!(!v.may_reflect && !v.may_edit);
        let v = domain::view(&db, &a.expert, &slug).await.unwrap();
        assert!(v.may_reflect);
    }
);

on_both_databases!(
    bad_input_is_refused_clearly,
    |db: DatabaseConnection| async move {
        let a = network(&db, "netwerk-c").await;
        let cases: Vec<(PracticeInput, AppError)> = vec![
            (
                input("", "tekst", true),
                AppError::invalid(Field::Title, Problem::Empty),
            ),
            (
                input("Ab", "tekst", true),
                AppError::invalid(Field::Title, Problem::TooShort { min: 3 }),
            ),
            (
                input("Titel", "   ", true),
                AppError::invalid(Field::Body, Problem::Empty),
            ),
            (
                input("Titel", &"x".repeat(20_001), true),
                AppError::invalid(Field::Body, Problem::TooLong { max: 20_000 }),
            ),
            (
                PracticeInput {
                    themes: Vec::new(),
                    ..input("Titel", "tekst", true)
                },
                AppError::invalid(Field::Themes, Problem::Empty),
            ),
            (
                PracticeInput {
                    municipalities: vec!["Atlantis".into()],
                    ..input("Titel", "tekst", true)
                },
                AppError::UnknownMunicipality("Atlantis".into()),
            ),
        ];
        for (bad, expected) in cases {
            assert_eq!(
                domain::create(&db, &a.coach, Some("netwerk-c"), &bad)
                    .await
                    .unwrap_err(),
                expected
            );
        }
        // Observers and experts do not write practices; nobody writes for a
        // network they are not in; only admins write outside networks.
        for refused in [&a.observer, &a.expert] {
            assert_eq!(
                domain::create(&db, refused, Some("netwerk-c"), &input("Titel", "tekst", true))
                    .await
                    .unwrap_err(),
                AppError::NotFound
            );
        }
        assert_eq!(
            domain::create(&db, &a.coach, None, &input("Titel", "tekst", true))
                .await
                .unwrap_err(),
            AppError::NotFound
        );
        let slug = domain::create(&db, &a.admin, None, &input("Titel", "tekst", true))
            .await
            .unwrap();
        // The same title again gets a free address.
        let again = domain::create(&db, &a.admin, None, &input("Titel", "tekst", true))
            .await
            .unwrap();
        assert_eq!((slug.as_str(), again.as_str()), ("titel", "titel-2"));
        assert_eq!(practice::Entity::find().count(&db).await.unwrap(), 2);
    }
);

on_both_databases!(import_and_export, |db: DatabaseConnection| async move {
    let _a = network(&db, "netwerk-d").await;
    let file = [
        r#"{"slug":"schoolkosten-spreiden","title":"Schoolkosten spreiden","summary":"Afbetalingsplan met de school.","body_markdown":"Met de **school** een plan maken.","themes":["onderwijs","inkomen"],"municipalities":["Leuven"],"organisation":"CLB Leuven","visibility":"public"}"#,
        r#"{"slug":"intern-overleg","title":"Intern overleg","summary":"","body_markdown":"Alleen voor leden.","themes":["sociaal netwerk"],"municipalities":[],"organisation":"","visibility":"network"}"#,
        "niet eens json",
        r#"{"slug":"Fout Adres","title":"x","body_markdown":"y","themes":["werk"],"visibility":"public"}"#,
        r#"{"slug":"onbekend-thema","title":"Titel","body_markdown":"y","themes":["sterrenkunde"],"visibility":"public"}"#,
        r#"{"slug":"onbekend-netwerk","title":"Titel","body_markdown":"y","themes":["werk"],"visibility":"network","network":"bestaat-niet"}"#,
        "",
        r#"{"slug":"extra-veld","title":"Titel","body_markdown":"y","themes":["werk"],"visibility":"public","kleur":"blauw"}"#,
    ]
    .join("\n");
    let report = jsonl::import(&db, file.as_bytes(), Some("netwerk-d"), |_| {})
        .await
        .unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (2, 0, 0));
    let bad: Vec<u64> = report.errors.iter().map(|(n, _)| *n).collect();
    assert_eq!(bad, vec![3, 4, 5, 6, 8], "{:?}", report.errors);
    assert!(report.errors[2].1.contains("sterrenkunde"));
    assert!(report.errors[3].1.contains("bestaat-niet"));

    // Upsert by slug: a changed line is a new revision, an unchanged one
    // nothing; the network default applies to network lines.
    let changed = file
        .lines()
        .next()
        .unwrap()
        .replace("een plan maken", "een afbetalingsplan maken");
    let report = jsonl::import(
        &db,
        format!("{changed}\n{}", file.lines().nth(1).unwrap()).as_bytes(),
        Some("netwerk-d"),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((report.created, report.updated, report.unchanged), (0, 1, 1));
    let p = domain::find(&db, "schoolkosten-spreiden").await.unwrap();
    assert_eq!(p.revision, 2);

    // Export writes the same format, and importing it changes nothing.
    let mut out = Vec::new();
    assert_eq!(jsonl::export(&db, &mut out).await.unwrap(), 2);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["municipalities"], serde_json::json!(["Leuven"]));
    assert_eq!(lines[0]["themes"], serde_json::json!(["inkomen", "onderwijs"]));
    assert_eq!(lines[1]["network"], "netwerk-d");
    assert_eq!(lines[1]["themes"], serde_json::json!(["sociaal netwerk"]));
    let report = jsonl::import(&db, text.as_bytes(), None, |_| {}).await.unwrap();
    assert_eq!(
        (
            report.created,
            report.updated,
            report.unchanged,
            report.errors.len()
        ),
        (0, 0, 2, 0)
    );
});

on_both_databases!(
    the_index_follows_the_outbox_and_respects_networks,
    |db: DatabaseConnection| async move {
        let a = network(&db, "netwerk-e").await;
        let b = network(&db, "netwerk-f").await;
        let index = index_for(&db).await;
        let mut body = input(
            "Zwembadpas voor gezinnen",
            "Een **zwembadpas** via de vrijetijdsdienst.",
            true,
        );
        body.organisation = "Vrijetijdsdienst Geheim".into();
        let public = domain::create(&db, &a.coach, Some("netwerk-e"), &body)
            .await
            .unwrap();
        let mut secret = input(
            "Kwartetavond met buren",
            "Een kwartetavond (uniekwoord) om buren te leren kennen.",
            false,
        );
        secret.organisation = "Buurtwerk Verborgen".into();
        secret.municipalities = vec!["Bilzen-Hoeselt".into()];
        let network_only = domain::create(&db, &a.coach, Some("netwerk-e"), &secret)
            .await
            .unwrap();

        // Nothing yet: the index is a projection applied from the outbox.
        assert_eq!(
            index
                .search(&Scope::anonymous(), &query("zwembadpas"))
                .unwrap()
                .total,
            0
        );
        let mut applied = Applied::default();
        assert!(outbox::catch_up(&db, &index, &mut applied).await.unwrap() >= 2);
        let found = index.search(&Scope::anonymous(), &query("zwembadpas")).unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.results[0].slug, public);
        assert!(
            found.results[0].snippet.contains("<b>zwembadpas</b>"),
            "{}",
            found.results[0].snippet
        );

        // The network practice: members of its network find it, nobody else —
        // not in results, totals or facet counts.
        let outsiders = [
            Scope::anonymous(),
            Scope::for_actor(&b.coach),
            Scope::for_actor(&b.facilitator),
            Scope::for_actor(&a.admin),
        ];
        for scope in &outsiders {
            for q in ["uniekwoord", "kwartetavond", ""] {
                let r = index.search(scope, &query(q)).unwrap();
                assert!(r.results.iter().all(|h| h.slug != network_only), "{q}: {r:?}");
                assert!(
                    r.facets
                        .organisations
                        .iter()
                        .all(|f| f.value != "Buurtwerk Verborgen"),
                    "{q}"
                );
                assert!(
                    r.facets
                        .municipalities
                        .iter()
                        .all(|f| f.value != "Bilzen-Hoeselt"),
                    "{q}"
                );
                assert!(!r.results.iter().any(|h| h.snippet.contains("uniekwoord")));
            }
            assert_eq!(index.search(scope, &query("uniekwoord")).unwrap().total, 0);
        }
        for member in [&a.coach, &a.observer, &a.expert, &a.facilitator] {
            let r = index
                .search(&Scope::for_actor(member), &query("uniekwoord"))
                .unwrap();
            assert_eq!(r.total, 1);
            assert_eq!(r.results[0].slug, network_only);
            let all = index.search(&Scope::for_actor(member), &query("")).unwrap();
            assert!(
                all.facets
                    .organisations
                    .iter()
                    .any(|f| f.value == "Buurtwerk Verborgen" && f.count == 1)
            );
        }

        // Facet filters: theme and municipality narrow the results.
        let mut by_theme = query("");
        by_theme.themes = vec!["huisvesting".into()];
        by_theme.municipality = Some("Leuven".into());
        let r = index.search(&Scope::anonymous(), &by_theme).unwrap();
        assert_eq!(r.total, 1);
        by_theme.themes = vec!["werk".into()];
        assert_eq!(index.search(&Scope::anonymous(), &by_theme).unwrap().total, 0);

        // An edit shows after the next pass; making it network-only hides it.
        let mut edited = body.clone();
        edited.public = false;
        domain::update(&db, &a.coach, &public, &edited, false)
            .await
            .unwrap();
        outbox::catch_up(&db, &index, &mut applied).await.unwrap();
        assert_eq!(
            index
                .search(&Scope::anonymous(), &query("zwembadpas"))
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            index
                .search(&Scope::for_actor(&a.coach), &query("zwembadpas"))
                .unwrap()
                .total,
            1
        );

        // A rebuild gives the same answers.
        let rebuilt = Arc::new(SearchIndex::in_ram().unwrap());
        outbox::rebuild(&db, &rebuilt, |_, _| {}).await.unwrap();
        assert_eq!(rebuilt.len(), index.len());
        assert_eq!(
            rebuilt
                .search(&Scope::for_actor(&a.coach), &query("zwembadpas"))
                .unwrap()
                .total,
            1
        );
        assert_eq!(rebuilt.position(), index.position());

        // Related practices share themes or words, never the practice itself.
        let doc = app::search::index::IndexDoc {
            kind: HitKind::Practice,
            id: domain::find(&db, &public).await.unwrap().id,
            slug: public.clone(),
            title: "Zwembadpas voor gezinnen".into(),
            summary: String::new(),
            body: String::new(),
            themes: vec!["huisvesting".into()],
            municipalities: Vec::new(),
            organisation: String::new(),
            public: false,
            network: Some(a.id),
        };
        let related = index.related(&Scope::for_actor(&a.coach), &doc, 5).unwrap();
        assert!(related.iter().all(|h| h.slug != public));
        assert!(related.iter().any(|h| h.slug == network_only));
        assert!(
            index
                .related(&Scope::anonymous(), &doc, 5)
                .unwrap()
                .iter()
                .all(|h| h.slug != network_only)
        );
    }
);

on_both_databases!(
    a_closed_case_becomes_a_draft_practice,
    |db: DatabaseConnection| async move {
        use app::cases::domain::{self as cases, CaseInput, ReplyInput, ReplyOutcome};
        use app::i18n::Locale;
        use app::sessions::domain::{self as sessions, LiveCommand};
        use common::fixtures::{BASE, accept_all, case_input};

        let net = network(&db, "netwerk-p").await;
        let other = network(&db, "netwerk-q").await;
        let index = index_for(&db).await;
        let mut applied = Applied::default();

        // A case discussed in an intervision with the incident method.
        let sid = intervision(&db, &net, "incident").await;
        let raw = "Mama Fatima El Amrani kan de schoolkosten van Jonas niet meer betalen.";
        let id = cases::create_case(
            &db,
            &net.coach,
            &net.slug,
            CaseInput {
                session_id: Some(sid),
                ..case_input("Schoolkosten die blijven oplopen", raw)
            },
        )
        .await
        .unwrap();
        let decisions = accept_all(&db, &net.coach, id).await;
        cases::save_case(
            &db,
            &net.coach,
            id,
            CaseInput {
                session_id: Some(sid),
                decisions,
                ..case_input("Schoolkosten die blijven oplopen", raw)
            },
        )
        .await
        .unwrap();
        cases::publish_case(&db, &net.coach, id, BASE).await.unwrap();
        sessions::live(&db, &net.facilitator, sid, LiveCommand::Start)
            .await
            .unwrap();
        let reply = |body: &str, phase: u32, reflection: bool| ReplyInput {
            body: body.into(),
            phase: Some(phase),
            reflection,
            ..Default::default()
        };
        let posted = cases::post_reply(
            &db,
            &net.facilitator,
            id,
            reply("Sinds wanneer loopt de achterstand op?", 0, false),
            BASE,
        )
        .await;
        assert!(matches!(posted, Ok(ReplyOutcome::Posted(_))), "{posted:?}");
        for _ in 0..3 {
            sessions::live(&db, &net.facilitator, sid, LiveCommand::Next)
                .await
                .unwrap();
        }
        for (who, text, reflection) in [
            (&net.facilitator, "Vraag de school om een afbetalingsplan.", false),
            (
                &net.expert,
                "Schaamte houdt ouders stil; vraag ernaar zonder oordeel.",
                true,
            ),
        ] {
            let posted = cases::post_reply(&db, who, id, reply(text, 3, reflection), BASE).await;
            assert!(matches!(posted, Ok(ReplyOutcome::Posted(_))), "{posted:?}");
        }

        // Only closed cases, only their author or a facilitator.
        assert_eq!(
            domain::promote(&db, &net.coach, id, Locale::nl).await.err(),
            Some(AppError::CaseNotClosed)
        );
        cases::close_case(&db, &net.facilitator, id).await.unwrap();
        for stranger in [
            &net.expert,
            &net.observer,
            &other.coach,
            &other.facilitator,
            &net.admin,
        ] {
            assert_eq!(
                domain::promote(&db, stranger, id, Locale::nl).await.err(),
                Some(AppError::NotFound)
            );
        }
        assert_eq!(
            domain::promote(&db, &net.coach, id + 1000, Locale::nl)
                .await
                .err(),
            Some(AppError::NotFound)
        );
        let slug = domain::promote(&db, &net.coach, id, Locale::nl).await.unwrap();
        let p = domain::find(&db, &slug).await.unwrap();
        assert_eq!(p.status, "draft");
        assert_eq!(p.visibility, "network");
        assert_eq!(
            (p.network_id, p.source_case_id, p.author_id),
            (Some(net.id), Some(id), net.coach.user)
        );
        assert_eq!(p.title, "Schoolkosten die blijven oplopen");
        // What readers saw (pseudonyms), never the raw names; the lessons of
        // the closing phases and the reflection, not the clarifying question.
        assert!(
            !p.body.contains("Fatima") && !p.body.contains("Jonas"),
            "{}",
            p.body
        );
        assert!(!p.summary.contains("Fatima") && !p.summary.is_empty());
        assert!(p.body.starts_with("## De situatie\n"), "{}", p.body);
        assert!(p.body.contains("## Wat we leerden"));
        assert!(
            p.body
                .contains("### Advies\n\nVraag de school om een afbetalingsplan."),
            "{}",
            p.body
        );
        assert!(
            p.body
                .contains("### Reflecties van ervaringsdeskundigen\n\nSchaamte houdt")
        );
        assert!(!p.body.contains("Sinds wanneer"));

        // Promoting again opens the same draft (the facilitator too).
        assert_eq!(
            domain::promote(&db, &net.coach, id, Locale::nl).await.unwrap(),
            slug
        );
        assert_eq!(
            domain::promote(&db, &net.facilitator, id, Locale::nl)
                .await
                .unwrap(),
            slug
        );

        // A draft: its writers see it, with the link to the case; nobody
        // else, and the search neither.
        assert_eq!(
            domain::view(&db, &net.coach, &slug).await.unwrap().source_case,
            Some(id)
        );
        for reader in [&net.expert, &net.observer, &other.coach] {
            assert_eq!(
                domain::view(&db, reader, &slug).await.err(),
                Some(AppError::NotFound)
            );
        }
        outbox::catch_up(&db, &index, &mut applied).await.unwrap();
        let coach_scope = Scope::for_actor(&net.coach);
        let practices_only = |q: &str| SearchRequest {
            kind: Some(HitKind::Practice),
            ..query(q)
        };
        assert_eq!(
            index
                .search(&coach_scope, &practices_only("afbetalingsplan"))
                .unwrap()
                .total,
            0
        );

        // Published with a theme: members read it; only case readers see the link.
        let (mut edited, ..) = domain::editor(&db, &net.coach, &slug).await.unwrap();
        assert!(
            domain::update(&db, &net.coach, &slug, &edited, true)
                .await
                .err()
                .is_some(),
            "no theme yet"
        );
        edited.themes = vec![Theme::Onderwijs];
        domain::update(&db, &net.coach, &slug, &edited, true)
            .await
            .unwrap();
        assert_eq!(
            domain::view(&db, &net.expert, &slug).await.unwrap().source_case,
            Some(id)
        );
        let seen = domain::view(&db, &net.observer, &slug).await.unwrap();
        assert_eq!(seen.source_case, None, "observers do not read cases");
        assert_eq!(
            domain::view(&db, &other.coach, &slug).await.err(),
            Some(AppError::NotFound)
        );
        outbox::catch_up(&db, &index, &mut applied).await.unwrap();
        let found = index
            .search(&coach_scope, &practices_only("afbetalingsplan"))
            .unwrap();
        assert_eq!(
            found.results.iter().map(|h| h.slug.as_str()).collect::<Vec<_>>(),
            [slug.as_str()]
        );

        // In English the headings are English.
        let second = common::fixtures::published_case(&db, &net, "Een tweede casus", "Over de huur.").await;
        cases::close_case(&db, &net.coach, second).await.unwrap();
        let english = domain::promote(&db, &net.coach, second, Locale::en)
            .await
            .unwrap();
        assert!(
            domain::find(&db, &english)
                .await
                .unwrap()
                .body
                .starts_with("## The situation\n")
        );
    }
);

on_both_databases!(
    cases_are_found_by_their_readers_and_leave_when_purged,
    |db: DatabaseConnection| async move {
        use app::cases::domain as cases;
        let a = network(&db, "netwerk-r").await;
        let b = network(&db, "netwerk-s").await;
        let index = index_for(&db).await;
        let mut applied = Applied::default();
        let id = published_case(
            &db,
            &a,
            "Energiefactuur na de verhuis",
            "De budgetmeter (zeldzaamwoord) staat weer op nul.",
        )
        .await;
        outbox::catch_up(&db, &index, &mut applied).await.unwrap();
        for reader in [&a.coach, &a.facilitator, &a.expert] {
            let r = index
                .search(&Scope::for_actor(reader), &query("zeldzaamwoord"))
                .unwrap();
            assert_eq!(r.total, 1);
            assert_eq!(
                (r.results[0].kind, r.results[0].slug.clone()),
                (HitKind::Case, id.to_string())
            );
            assert!(r.results[0].snippet.contains("<b>zeldzaamwoord</b>"));
        }
        // Observers do not discuss cases; other networks, admins and
        // visitors never see them — not in results, totals or snippets.
        for scope in [
            Scope::for_actor(&a.observer),
            Scope::for_actor(&b.coach),
            Scope::for_actor(&b.facilitator),
            Scope::for_actor(&a.admin),
            Scope::anonymous(),
        ] {
            for q in ["zeldzaamwoord", "budgetmeter", ""] {
                let r = index.search(&scope, &query(q)).unwrap();
                assert!(r.results.iter().all(|h| h.kind != HitKind::Case), "{q}: {r:?}");
                assert!(!r.results.iter().any(|h| h.snippet.contains("zeldzaamwoord")));
            }
            assert_eq!(index.search(&scope, &query("zeldzaamwoord")).unwrap().total, 0);
        }
        // Deleted (purged) now: gone from the index at the next pass.
        cases::delete_case(&db, &a.facilitator, id).await.unwrap();
        outbox::catch_up(&db, &index, &mut applied).await.unwrap();
        assert_eq!(
            index
                .search(&Scope::for_actor(&a.coach), &query("zeldzaamwoord"))
                .unwrap()
                .total,
            0
        );
        // And a rebuild does not bring it back.
        let rebuilt = Arc::new(SearchIndex::in_ram().unwrap());
        outbox::rebuild(&db, &rebuilt, |_, _| {}).await.unwrap();
        assert_eq!(
            rebuilt
                .search(&Scope::for_actor(&a.coach), &query("zeldzaamwoord"))
                .unwrap()
                .total,
            0
        );
    }
);
