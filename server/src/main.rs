//! `kring`: serve the platform and administer it from the command line.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kring_app::accounts::domain::{self, NewUser};
use kring_server::{Config, demo, http, library_cli, tasks};

#[derive(Parser)]
#[command(
    name = "kring",
    version,
    about = "Kring: the learning network of local family coaches"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve Kring on KRING_BIND.
    Serve {
        /// Load the demo data first (only what is missing).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo data of the pilot sites (idempotent).
    Demo,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Find personal data in a text on standard input and print JSON:
    /// {"spans":[{"start","end","kind","text"}],"redacted":…} (byte offsets).
    /// Needs no database.
    Anonymise {
        /// Read lines {"id":…,"text":…} and print one {"id":…,"spans":[…]}
        /// line each (empty lines are skipped).
        #[arg(long)]
        jsonl: bool,
    },
    /// Import or export library practices as JSON lines.
    Practices {
        #[command(subcommand)]
        command: PracticesCommand,
    },
    /// Print the sanitised HTML Kring shows for the Markdown on standard
    /// input (the one rendering path of practices, cases, agendas and
    /// minutes). Needs no database.
    Markdown,
    /// Search the library (and cases, for a member) like the search page.
    Search {
        query: String,
        /// Print {"total","took_ms","results":[{"slug","title","snippet","score"}]}.
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Search as this person (default: an anonymous visitor).
        #[arg(long = "as", value_name = "EMAIL")]
        as_email: Option<String>,
    },
    /// Rebuild the search index of this data directory from the database.
    Reindex,
}

#[derive(Subcommand)]
enum PracticesCommand {
    /// Upsert practices by slug from a JSON-lines file ("-": standard
    /// input). Bad lines are reported by number and skipped; the exit code
    /// is 1 when any line was skipped.
    Import {
        file: String,
        /// The network of lines with "visibility":"network" and no "network".
        #[arg(long)]
        network: Option<String>,
    },
    /// Write every practice as JSON lines to standard output.
    Export,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a local account. The password is read from standard input
    /// (asked twice on a terminal).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make this person a platform admin.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password for an account (read from standard input).
    SetPassword {
        #[arg(long)]
        email: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The anonymiser is a pure function of its input: no configuration,
    // database or runtime needed.
    if let Command::Anonymise { jsonl } = cli.command {
        return match anonymise(jsonl) {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("kring: {msg}");
                ExitCode::FAILURE
            }
        };
    }
    if let Command::Markdown = cli.command {
        return match kring_server::library_cli::markdown() {
            Ok(()) => ExitCode::SUCCESS,
            Err(msg) => {
                eprintln!("kring: {msg}");
                ExitCode::FAILURE
            }
        };
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kring: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&config.log))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kring: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("kring: {msg}");
            ExitCode::FAILURE
        }
    }
}

async fn open_db(config: &Config) -> Result<sea_orm::DatabaseConnection, String> {
    config
        .ensure_data_dir()
        .map_err(|e| format!("configuration error: {e}"))?;
    let db = kring_app::db::connect(&config.database_url)
        .await
        .map_err(|e| format!("KRING_DATABASE_URL: cannot connect: {e}"))?;
    kring_app::db::migrate(&db)
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    Ok(db)
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Migrate => {
            open_db(&config).await?;
            println!("Database is up to date.");
        }
        Command::Demo => {
            let db = open_db(&config).await?;
            load_demo(&db, &config).await?;
        }
        Command::Serve { demo } => {
            let db = open_db(&config).await?;
            if demo {
                load_demo(&db, &config).await?;
            }
            let listener = tokio::net::TcpListener::bind(config.bind)
                .await
                .map_err(|e| format!("KRING_BIND: cannot listen on {}: {e}", config.bind))?;
            let search = tasks::open_search(&config.data_dir, &db, true).await?;
            tasks::spawn_search(db.clone(), search.clone());
            let options = http::leptos_options(&config);
            let state = http::app_state(&config, db.clone(), search);
            let limits = config.rate_limits.then(kring_server::limits::RateLimits::default);
            let router = kring_server::proxies::trust(
                http::router(state, options, limits),
                config.trusted_proxies.clone(),
            );
            let mailer =
                kring_server::mail::Mailer::from_config(config.smtp_url.as_deref(), &config.mail_from)?;
            kring_server::mail::spawn_delivery(db.clone(), mailer);
            tasks::spawn_housekeeping(db);
            println!("Kring is running on {}", config.base_url);
            http::serve(listener, router, http::shutdown_signal())
                .await
                .map_err(|e| format!("server error: {e}"))?;
        }
        Command::Anonymise { .. } | Command::Markdown => {
            unreachable!("handled in main before the configuration is loaded")
        }
        Command::Practices { command } => {
            let db = open_db(&config).await?;
            match command {
                PracticesCommand::Import { file, network } => {
                    let complete = library_cli::import(&config, &db, &file, network.as_deref()).await?;
                    if !complete {
                        return Err("some lines were skipped (see above)".into());
                    }
                }
                PracticesCommand::Export => library_cli::export(&db).await?,
            }
        }
        Command::Search {
            query,
            json,
            limit,
            as_email,
        } => {
            let db = open_db(&config).await?;
            library_cli::search(&config, &db, &query, json, limit, as_email.as_deref()).await?;
        }
        Command::Reindex => {
            let db = open_db(&config).await?;
            library_cli::reindex(&config, &db).await?;
        }
        Command::User { command } => {
            let db = open_db(&config).await?;
            match command {
                UserCommand::Create { email, name, admin } => {
                    let password = read_password()?;
                    let user = domain::create_user(
                        &db,
                        NewUser {
                            email: &email,
                            display_name: &name,
                            password: &password,
                            is_admin: admin,
                            is_demo: false,
                        },
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    println!(
                        "Created {}{}",
                        user.email,
                        if admin { " (platform admin)" } else { "" }
                    );
                }
                UserCommand::SetPassword { email } => {
                    let user = domain::find_by_email(&db, &email)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("no account with email address {email}"))?;
                    let password = read_password()?;
                    domain::set_password(&db, user.id, &password)
                        .await
                        .map_err(|e| e.to_string())?;
                    println!("Password set for {}", user.email);
                }
            }
        }
    }
    Ok(())
}

async fn load_demo(db: &sea_orm::DatabaseConnection, config: &Config) -> Result<(), String> {
    let created = demo::load(db, &config.demo_password)
        .await
        .map_err(|e| format!("demo data: {e}"))?;
    if created > 0 {
        println!("Loaded the demo data ({created} accounts and networks).");
    }
    demo::print_sign_ins(&config.demo_password);
    Ok(())
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Password (again): ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    }
}

#[derive(serde::Serialize)]
struct Span<'a> {
    start: usize,
    end: usize,
    kind: &'static str,
    text: &'a str,
}

/// The output of `kring anonymise`, fields in this order.
#[derive(serde::Serialize)]
struct Whole<'a> {
    spans: Vec<Span<'a>>,
    redacted: String,
}

/// One output line of `kring anonymise --jsonl`.
#[derive(serde::Serialize)]
struct Line<'a> {
    id: serde_json::Value,
    spans: Vec<Span<'a>>,
}

fn spans(analysis: &kring_app::anonymise::Analysis) -> Vec<Span<'_>> {
    analysis
        .findings
        .iter()
        .map(|f| Span {
            start: f.start,
            end: f.end,
            kind: f.kind.as_str(),
            text: &f.text,
        })
        .collect()
}

/// `kring anonymise [--jsonl]`: see [`Command::Anonymise`].
fn anonymise(jsonl: bool) -> Result<(), String> {
    use kring_app::anonymise::{analyse, redact};
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let write_err = |e: std::io::Error| format!("cannot write the output: {e}");
    if !jsonl {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        let text = String::from_utf8(bytes).map_err(|_| "standard input is not UTF-8 text".to_owned())?;
        let analysis = analyse(&text);
        let whole = Whole {
            spans: spans(&analysis),
            redacted: redact(&text, &analysis),
        };
        let json = serde_json::to_string(&whole).map_err(|e| e.to_string())?;
        writeln!(out, "{json}").map_err(write_err)?;
        return out.flush().map_err(write_err);
    }
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let number = n + 1;
        let line = line.map_err(|e| format!("line {number}: cannot read: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let mut object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
            .map_err(|e| format!("line {number}: not a JSON object {{\"id\":…,\"text\":…}}: {e}"))?;
        let id = object
            .remove("id")
            .ok_or_else(|| format!("line {number}: the field \"id\" is missing"))?;
        let text = match object.remove("text") {
            Some(serde_json::Value::String(t)) => t,
            Some(_) => return Err(format!("line {number}: the field \"text\" must be a string")),
            None => return Err(format!("line {number}: the field \"text\" is missing")),
        };
        let analysis = analyse(&text);
        let json = serde_json::to_string(&Line {
            id,
            spans: spans(&analysis),
        })
        .map_err(|e| e.to_string())?;
        writeln!(out, "{json}").map_err(write_err)?;
    }
    out.flush().map_err(write_err)
}
