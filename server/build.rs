//! Embeds the built site (wasm, JS, CSS, public/) into the release binary,
//! brotli-compressed, when KRING_EMBED_SITE=1 (scripts/build.sh sets it).
//! Otherwise the server reads the Leptos site directory at run time, which
//! is what `cargo leptos watch` needs.
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=KRING_EMBED_SITE");
    println!("cargo::rerun-if-env-changed=KRING_SITE_DIR");
    let embed = std::env::var("KRING_EMBED_SITE").is_ok_and(|v| v == "1");
    let site = match std::env::var_os("KRING_SITE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/site"),
    };
    if embed {
        if !site.join("pkg").is_dir() {
            panic!(
                "KRING_EMBED_SITE=1 but {} has no built site (run scripts/build.sh)",
                site.display()
            );
        }
        memory_serve::load_directory_with_embed(&site, true);
        println!("cargo::rustc-env=KRING_SITE_EMBEDDED=1");
    } else {
        // Nothing to embed: an empty directory keeps `load!` compiling.
        let empty = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("no-site");
        std::fs::create_dir_all(&empty).expect("create empty asset dir");
        memory_serve::load_directory_with_embed(&empty, false);
    }
}
