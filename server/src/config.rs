//! Configuration: `kring.toml` (optional) overridden by environment
//! variables. A bad value stops start-up with one line naming the setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kring_app::accounts::sso::{ProviderConfig, check_all};
use serde::Deserialize;
use url::Url;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: Url,
    pub log: String,
    pub demo_password: String,
    /// None: mail is written to the log instead of sent.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// Per-address rate limits on sign-in, search and posting (`limits`).
    pub rate_limits: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`proxies`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Single sign-on providers: `[[sso]]` tables in `kring.toml`, or in the
    /// TOML file named by `KRING_SSO_FILE`.
    pub sso: Vec<ProviderConfig>,
}

#[derive(Debug, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

fn bad(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

/// The keys `kring.toml` may hold (the same names, lowercase, without the
/// `KRING_` prefix).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<String>,
    data_dir: Option<String>,
    database_url: Option<String>,
    base_url: Option<String>,
    log: Option<String>,
    demo_password: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    rate_limits: Option<String>,
    trusted_proxies: Option<String>,
    sso: Option<Vec<ProviderConfig>>,
}

/// The file `KRING_SSO_FILE` names: only `[[sso]]` tables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SsoFile {
    #[serde(default)]
    sso: Vec<ProviderConfig>,
}

/// The providers of a `[[sso]]` TOML text, checked (one line on error).
pub fn parse_sso(text: &str) -> Result<Vec<ProviderConfig>, String> {
    let file = toml::from_str::<SsoFile>(text).map_err(|e| e.message().replace('\n', " "))?;
    check_all(&file.sso)?;
    Ok(file.sso)
}

impl Config {
    /// Reads `kring.toml` from the working directory (or `KRING_CONFIG`)
    /// and the process environment.
    pub fn load() -> Result<Self, ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        let file = match env("KRING_CONFIG") {
            Some(path) => Some(PathBuf::from(path)),
            None => Path::new("kring.toml")
                .exists()
                .then(|| PathBuf::from("kring.toml")),
        };
        let file_cfg = match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| bad("KRING_CONFIG", format!("cannot read {}: {e}", path.display())))?;
                toml::from_str::<FileConfig>(&text).map_err(|e| {
                    bad(
                        "KRING_CONFIG",
                        format!("{} is not valid: {}", path.display(), e.message()),
                    )
                })?
            }
            None => FileConfig::default(),
        };
        Self::from_sources(file_cfg, env)
    }

    /// Builds a configuration from explicit values (tests use this).
    pub fn from_env_fn(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_sources(FileConfig::default(), env)
    }

    fn from_sources(file: FileConfig, env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let pick = |key: &str, from_file: Option<String>| env(key).or(from_file);

        let bind_raw = pick("KRING_BIND", file.bind).unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            bad(
                "KRING_BIND",
                format!("'{bind_raw}' is not an address and port like 127.0.0.1:3000"),
            )
        })?;

        let data_dir =
            PathBuf::from(pick("KRING_DATA_DIR", file.data_dir).unwrap_or_else(|| "./data".into()));
        if data_dir.as_os_str().is_empty() {
            return Err(bad("KRING_DATA_DIR", "must not be empty"));
        }

        let database_url = match pick("KRING_DATABASE_URL", file.database_url) {
            Some(url) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://"))
                {
                    return Err(bad(
                        "KRING_DATABASE_URL",
                        format!("'{url}' must start with sqlite:, postgres:// or postgresql://"),
                    ));
                }
                url
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.join("kring.db").display()),
        };

        let base_raw = pick("KRING_BASE_URL", file.base_url).unwrap_or_else(|| format!("http://{bind}"));
        let base_url = Url::parse(base_raw.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                bad(
                    "KRING_BASE_URL",
                    format!("'{base_raw}' is not an http(s) URL like https://kring.example.be"),
                )
            })?;

        let log = pick("KRING_LOG", file.log).unwrap_or_else(|| "info".into());
        if tracing_subscriber::EnvFilter::try_new(&log).is_err() {
            return Err(bad(
                "KRING_LOG",
                format!("'{log}' is not a log filter like info or kring=debug"),
            ));
        }

        let demo_password =
            pick("KRING_DEMO_PASSWORD", file.demo_password).unwrap_or_else(|| "kring-demo".into());

        let rate_limits = match pick("KRING_RATE_LIMITS", file.rate_limits)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(bad(
                    "KRING_RATE_LIMITS",
                    format!("'{other}' is neither on nor off"),
                ));
            }
        };

        let trusted_proxies =
            crate::proxies::parse(&pick("KRING_TRUSTED_PROXIES", file.trusted_proxies).unwrap_or_default())
                .map_err(|reason| bad("KRING_TRUSTED_PROXIES", reason))?;

        let smtp_url = pick("KRING_SMTP_URL", file.smtp_url).filter(|u| !u.trim().is_empty());
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(bad(
                "KRING_SMTP_URL",
                format!("'{url}' must start with smtp:// or smtps://"),
            ));
        }
        let mail_from = pick("KRING_MAIL_FROM", file.mail_from).unwrap_or_else(|| match base_url.host() {
            Some(url::Host::Domain(d)) => format!("Kring <kring@{d}>"),
            _ => "Kring <kring@localhost>".into(),
        });

        let sso = match env("KRING_SSO_FILE").filter(|p| !p.trim().is_empty()) {
            Some(path) => {
                let text = std::fs::read_to_string(path.trim())
                    .map_err(|e| bad("KRING_SSO_FILE", format!("cannot read {path}: {e}")))?;
                parse_sso(&text).map_err(|reason| bad("KRING_SSO_FILE", format!("{path}: {reason}")))?
            }
            None => file.sso.unwrap_or_default(),
        };
        check_all(&sso).map_err(|reason| bad("sso", reason))?;

        Ok(Config {
            sso,
            rate_limits,
            trusted_proxies,
            smtp_url,
            mail_from,
            bind,
            data_dir,
            database_url,
            base_url,
            log,
            demo_password,
        })
    }

    /// Creates the data directory (SQLite file, later the search index).
    pub fn ensure_data_dir(&self) -> Result<(), ConfigError> {
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            bad(
                "KRING_DATA_DIR",
                format!("cannot create {}: {e}", self.data_dir.display()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_env_fn(move |k| vars.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults() {
        let c = with(&[]).expect("the defaults are valid");
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url, "sqlite://./data/kring.db?mode=rwc");
        assert_eq!(c.base_url.as_str(), "http://127.0.0.1:3000/");
        assert_eq!(c.demo_password, "kring-demo");
        assert!(c.rate_limits);
    }

    #[test]
    fn rate_limits_can_be_switched_off_and_nothing_else() {
        assert!(!with(&[("KRING_RATE_LIMITS", "off")]).expect("valid").rate_limits);
        assert!(with(&[("KRING_RATE_LIMITS", "ON")]).expect("valid").rate_limits);
        let err = with(&[("KRING_RATE_LIMITS", "soms")]).expect_err("invalid");
        assert_eq!(err.setting, "KRING_RATE_LIMITS");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        assert!(with(&[]).expect("valid").trusted_proxies.is_empty());
        let c = with(&[("KRING_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12")]).expect("valid");
        assert_eq!(c.trusted_proxies.len(), 2);
        let err = with(&[("KRING_TRUSTED_PROXIES", "de proxy")]).expect_err("invalid");
        assert_eq!(err.setting, "KRING_TRUSTED_PROXIES");
    }

    #[test]
    fn postgres_url_is_accepted() {
        let c = with(&[("KRING_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kring")]).expect("valid");
        assert!(c.database_url.starts_with("postgres://"));
    }

    #[test]
    fn each_bad_setting_is_named() {
        for (key, value) in [
            ("KRING_BIND", "localhost"),
            ("KRING_BIND", "127.0.0.1:99999"),
            ("KRING_DATABASE_URL", "mysql://root@localhost/kring"),
            ("KRING_BASE_URL", "kring.example.be"),
            ("KRING_BASE_URL", "ftp://kring.example.be"),
            ("KRING_LOG", "info,,=[["),
            ("KRING_DATA_DIR", ""),
        ] {
            let err = with(&[(key, value)]).unwrap_err();
            assert_eq!(err.setting, key, "{value}");
            let line = err.to_string();
            assert!(line.starts_with(key) && !line.contains('\n'), "{line}");
        }
    }

    const GOOD: &str = r#"
[[sso]]
id = "gent"
name = "Stad Gent"
issuer = "https://login.gent.be/realms/stad"
client_id = "kring"
client_secret = "geheim"
allowed_domains = ["stad.gent"]
organisation = "Stad Gent"

[[sso]]
id = "thuis"
name = "Thuis"
issuer = "http://127.0.0.1:4000"
client_id = "kring-public"
"#;

    #[test]
    fn sso_providers_are_read_several_at_once() {
        let list = parse_sso(GOOD).expect("valid");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].allowed_domains, vec!["stad.gent".to_owned()]);
        assert_eq!(list[1].client_secret, None);
        // Also inside kring.toml.
        let file: FileConfig = toml::from_str(GOOD).expect("kring.toml with [[sso]]");
        assert_eq!(file.sso.map(|s| s.len()), Some(2));
    }

    #[test]
    fn each_bad_sso_entry_stops_start_up_with_one_line() {
        let entry = |extra: &str, id: &str, issuer: &str, client: &str| {
            format!(
                "[[sso]]\nid = \"{id}\"\nname = \"X\"\nissuer = \"{issuer}\"\nclient_id = \"{client}\"\n{extra}"
            )
        };
        for (text, says) in [
            (entry("", "Stad Gent", "https://a.be", "k"), "slug"),
            (entry("", "gent", "http://login.gent.be", "k"), "https"),
            (entry("", "gent", "ftp://login.gent.be", "k"), "https"),
            (entry("", "gent", "https://a.be", ""), "client_id"),
            (
                entry("kleur = \"blauw\"\n", "gent", "https://a.be", "k"),
                "unknown field",
            ),
            (
                format!(
                    "{}{}",
                    entry("", "gent", "https://a.be", "k"),
                    entry("", "gent", "https://b.be", "k")
                ),
                "two providers",
            ),
            (
                "[[sso]]\nid = \"gent\"\nname = \"X\"\nissuer = \"https://a.be\"\n".to_owned(),
                "client_id",
            ),
        ] {
            let err = parse_sso(&text).expect_err(&text);
            assert!(err.contains(says) && !err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn sso_file_from_the_environment() {
        let dir = std::env::temp_dir().join(format!("kring-sso-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let good = dir.join("good.toml");
        std::fs::write(&good, GOOD).expect("write");
        let c = with(&[("KRING_SSO_FILE", &good.display().to_string())]).expect("valid");
        assert_eq!(c.sso.len(), 2);
        let bad = dir.join("bad.toml");
        std::fs::write(
            &bad,
            GOOD.replace("https://login.gent.be", "http://login.gent.be"),
        )
        .expect("write");
        let err = with(&[("KRING_SSO_FILE", &bad.display().to_string())]).expect_err("refused");
        assert_eq!(err.setting, "KRING_SSO_FILE");
        assert!(!err.to_string().contains('\n'), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn toml_file_with_unknown_key_is_refused() {
        let err = toml::from_str::<FileConfig>("bnid = \"x\"").unwrap_err();
        assert!(err.message().contains("unknown field"));
    }
}
