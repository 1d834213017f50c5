//! The Flemish municipalities (since the 1 January 2025 mergers) with NIS
//! code, province and postcodes. The file ships inside the binary; see
//! `data/SOURCES.md` for where it comes from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::m20261123_000003_directory::{Municipalities, MunicipalityPostcodes};

pub const CSV: &str = include_str!("../data/municipalities.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    pub nis_code: String,
    pub name: String,
    pub province: String,
    pub postcodes: Vec<String>,
}

/// Parses `nis_code,name_nl,province,postcodes` (postcodes space-separated).
pub fn parse(csv: &str) -> Result<Vec<Municipality>, String> {
    let mut out = Vec::new();
    for (n, line) in csv.lines().enumerate().skip(1) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(|f| f.trim().trim_matches('"')).collect();
        let [nis, name, province, postcodes] = fields[..] else {
            return Err(format!("municipalities.csv line {}: expected 4 fields", n + 1));
        };
        let well_formed = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if !well_formed(nis, 5) || name.is_empty() || province.is_empty() {
            return Err(format!("municipalities.csv line {}: malformed", n + 1));
        }
        let postcodes: Vec<String> = postcodes.split_whitespace().map(str::to_owned).collect();
        if postcodes.is_empty() || !postcodes.iter().all(|p| well_formed(p, 4)) {
            return Err(format!("municipalities.csv line {}: malformed postcodes", n + 1));
        }
        out.push(Municipality {
            nis_code: nis.to_owned(),
            name: name.to_owned(),
            province: province.to_owned(),
            postcodes,
        });
    }
    Ok(out)
}

/// Loads (or refreshes) the reference data; safe to run again.
pub async fn load<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let rows = parse(CSV).map_err(DbErr::Custom)?;
    let backend = db.get_database_backend();
    for chunk in rows.chunks(200) {
        let mut insert = Query::insert();
        insert.into_table(Municipalities::Table).columns([
            Municipalities::NisCode,
            Municipalities::Name,
            Municipalities::Province,
        ]);
        for m in chunk {
            insert.values_panic([
                m.nis_code.clone().into(),
                m.name.clone().into(),
                m.province.clone().into(),
            ]);
        }
        insert.on_conflict(
            OnConflict::column(Municipalities::NisCode)
                .update_columns([Municipalities::Name, Municipalities::Province])
                .to_owned(),
        );
        db.execute(backend.build(&insert)).await?;
    }
    db.execute(backend.build(Query::delete().from_table(MunicipalityPostcodes::Table)))
        .await?;
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .flat_map(|m| m.postcodes.iter().map(move |p| (p.as_str(), m.nis_code.as_str())))
        .collect();
    for chunk in pairs.chunks(400) {
        let mut insert = Query::insert();
        insert
            .into_table(MunicipalityPostcodes::Table)
            .columns([MunicipalityPostcodes::Postcode, MunicipalityPostcodes::NisCode]);
        for (postcode, nis) in chunk {
            insert.values_panic([(*postcode).into(), (*nis).into()]);
        }
        insert.on_conflict(
            OnConflict::columns([MunicipalityPostcodes::Postcode, MunicipalityPostcodes::NisCode])
                .do_nothing()
                .to_owned(),
        );
        db.execute(backend.build(&insert)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_file_is_well_formed() {
        let rows = parse(CSV).expect("parses");
        assert!(rows.len() >= 280, "only {} municipalities", rows.len());
        let mut codes: Vec<&str> = rows.iter().map(|m| m.nis_code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), rows.len(), "duplicate NIS codes");
        for m in &rows {
            let expected = match m.province.as_str() {
                "Antwerpen" => "1",
                "Vlaams-Brabant" => "2",
                "West-Vlaanderen" => "3",
                "Oost-Vlaanderen" => "4",
                "Limburg" => "7",
                other => panic!("{}: unknown province {other}", m.name),
            };
            assert!(m.nis_code.starts_with(expected), "{} {}", m.nis_code, m.name);
        }
        for pilot in [
            "Balen",
            "Dessel",
            "Mol",
            "Retie",
            "Leuven",
            "Mechelen",
            "Herenthout",
            "Oostende",
        ] {
            assert!(rows.iter().any(|m| m.name == pilot), "{pilot} missing");
        }
    }

    #[test]
    fn malformed_lines_are_refused() {
        assert!(parse("h\n1234,X,Limburg,3500\n").is_err());
        assert!(parse("h\n71022,Hasselt,Limburg,\n").is_err());
        assert!(parse("h\n71022,Hasselt,Limburg,35000\n").is_err());
        assert!(parse("h\n71022,Hasselt\n").is_err());
        assert_eq!(
            parse("h\n71022,Hasselt,Limburg,3500 3510\n").map(|r| r[0].postcodes.len()),
            Ok(2)
        );
    }
}
