//! `samverka`: serve the application, load the demo, migrate the database, create the first
//! administrator.

mod config;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use samverka_app::App;
use samverka_store::Db;
use samverka_web::{AppState, WebConfig};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

// glibc malloc contends between the database driver's threads and ours; see docs/benchmarks.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "samverka",
    version,
    about = "Cross-sector care coordination: healthcare, social services, school, the Social Insurance Agency and the Employment Service around one person."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DataArgs {
    /// Directory for the embedded SQLite database (unless DATABASE_URL points elsewhere).
    #[arg(long, env = "SAMVERKA_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Configuration file (TOML); see config/samverka.example.toml.
    #[arg(long, env = "SAMVERKA_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server on an existing database (migrating it first).
    Serve {
        #[command(flatten)]
        data: DataArgs,
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the config file).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Run the server with synthetic demo data and demo accounts (password "demo").
    Demo {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Number of synthetic Swedish persons.
        #[arg(long, default_value_t = 3000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
        persons: u32,
        /// Number of synthetic Danish persons.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
        danish_persons: u32,
        /// Seed of the generator: the same seed gives the same world.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Load the demo data and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Import signal files (CSV, one layout per signal kind; see docs/signals.md). Each file is
    /// validated row by row: valid rows go in, rejected rows are reported with line, column and
    /// problem. Importing the same file again changes nothing. The signals it adds are screened
    /// as they are stored. Exits 1 if a file could not be imported at all.
    Import {
        #[command(flatten)]
        data: DataArgs,
        /// The administrator account the import is done as (and logged as).
        #[arg(long, env = "SAMVERKA_IMPORT_USER")]
        user: String,
        /// The organisation supplying the signals (needed if the user administers several).
        #[arg(long)]
        organisation: Option<String>,
        /// The signal kind, if the header should not decide it: sick_leave, income_support,
        /// unemployment, admission, emergency_visit, school_absence, screening.
        #[arg(long)]
        kind: Option<String>,
        /// The CSV files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Screen every stored signal against the rules (after a change of the rules file, and
    /// daily: items appear as days pass). Imports screen what they change themselves. Recorded
    /// first contacts and dismissals are kept.
    Screen {
        #[command(flatten)]
        data: DataArgs,
        /// Accepted for scheduled jobs written as `screen --full`; every screening is full.
        #[arg(long, hide = true)]
        full: bool,
    },
    /// Write realistic synthetic signal files (one CSV per signal kind, in the import layouts)
    /// for synthetic persons, for demos, tests and benchmarks. The same seed gives the same files.
    Generate {
        /// Number of synthetic Swedish persons.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20_000_000))]
        persons: u32,
        /// Number of synthetic Danish persons (in files of their own, under DIR/dk).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=20_000_000))]
        danish_persons: u32,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Directory to write the files to (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Years of history before today.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=20))]
        years: u32,
        /// Multiplies how often episodes and events happen (1 = realistic; benchmarks use more).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
        intensity: u32,
        /// The day the history ends (YYYY-MM-DD); default today in the deployment's time zone.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
    },
    /// Access-log tools for auditors and operators.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Create an administrator account (for a new deployment). The password is read from
    /// SAMVERKA_ADMIN_PASSWORD or asked for on the terminal.
    CreateAdmin {
        #[command(flatten)]
        data: DataArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// Name of the organisation the administrator belongs to (created if missing).
        #[arg(long, default_value = "Samverka administration")]
        organisation: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the access log's hash chain: exits 0 when intact, 1 naming the first entry that was
    /// changed, removed or reordered.
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) if e.is::<ChainBroken>() => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn settings(data: &DataArgs) -> anyhow::Result<config::Settings> {
    let env = |k: &str| std::env::var(k).ok();
    Ok(config::load(data.config.as_deref(), &env)?)
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open_db(data_dir: &Path, s: &config::Settings) -> anyhow::Result<Db> {
    let db = match &s.database_url {
        Some(url) => Db::connect(url)
            .await
            .context("cannot open the database given by DATABASE_URL")?,
        None => Db::open_data_dir(data_dir)
            .await
            .with_context(|| format!("cannot open the database in {}", data_dir.display()))?,
    };
    db.migrate().await.context("database migration failed")?;
    Ok(db)
}

/// A check that ran to its end and found the access log broken: reported as it is, exit 1.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ChainBroken(String);

async fn audit_verify(data: &DataArgs) -> anyhow::Result<()> {
    let s = settings(data)?;
    init_logging(s.json_logs);
    let db = open_db(&data.data_dir, &s).await?;
    // Entries a writer that stopped left in the SQLite tail are moved (and sealed) first.
    samverka_app::access_log::LogWriter::start(&db)
        .flush()
        .await?;
    let report = samverka_app::access_log::verify_chain(&db).await?;
    let pending = if report.unsealed > 0 {
        format!(
            " ({} newest entries not sealed yet; run again in a moment to include them)",
            report.unsealed
        )
    } else {
        String::new()
    };
    match report.result {
        Ok(v) => {
            println!(
                "Access log intact: {} entries verified{pending}.",
                v.entries
            );
            Ok(())
        }
        Err(e) => Err(ChainBroken(format!("Access log broken: {e}.{pending}")).into()),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { data, listen } => {
            let s = settings(&data)?;
            init_logging(s.json_logs);
            let db = open_db(&data.data_dir, &s).await?;
            let app = App::new(db, s.app.clone());
            let demo = app.is_demo().await?;
            serve(
                app,
                &s,
                listen.unwrap_or(s.listen),
                s.secure_cookies,
                demo,
                None,
            )
            .await
        }
        Command::Demo {
            data,
            listen,
            persons,
            danish_persons,
            seed,
            no_serve,
        } => {
            let s = settings(&data)?;
            init_logging(s.json_logs);
            let db = open_db(&data.data_dir, &s).await?;
            let app = App::new(db, s.app.clone());
            let summary = app
                .load_demo(seed, persons as usize, danish_persons as usize)
                .await?;
            if summary.created {
                println!(
                    "Demo data created: {} organisations, {} users, {} synthetic persons.",
                    summary.organisations, summary.users, summary.persons
                );
            } else {
                println!(
                    "Reusing the demo data in {} ({} synthetic persons).",
                    data.data_dir.display(),
                    summary.persons
                );
            }
            if no_serve {
                app.log.flush().await?;
                return Ok(());
            }
            let addr = listen.unwrap_or(s.listen);
            let banner = format!(
                "Samverka demo is running at http://{addr}/\n\
                 Sign in at http://{addr}/login as one of: admin, coordinator, lead, auditor, primarycare, \
                 hospital, social, homecare, school, insurance, employment, coordinator-halmstad, \
                 coordinator-harnosand, koordinator-odense (password: demo).\n\
                 Stop with Ctrl-C."
            );
            // Demo mode runs on plain http://, so its cookies cannot be Secure.
            serve(app, &s, addr, false, true, Some(banner)).await
        }
        Command::Migrate { data } => {
            let s = settings(&data)?;
            init_logging(s.json_logs);
            open_db(&data.data_dir, &s).await?;
            println!("Database is up to date.");
            Ok(())
        }
        Command::CreateAdmin {
            data,
            username,
            display_name,
            organisation,
        } => {
            let s = settings(&data)?;
            init_logging(s.json_logs);
            let password = match std::env::var("SAMVERKA_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) if std::io::stdin().is_terminal() => {
                    rpassword::prompt_password("Password for the new administrator: ")?
                }
                Err(_) => {
                    bail!("set SAMVERKA_ADMIN_PASSWORD or run on a terminal to type the password")
                }
            };
            let db = open_db(&data.data_dir, &s).await?;
            let app = App::new(db, s.app.clone());
            match app
                .bootstrap_admin(&username, &display_name, &password, &organisation)
                .await
            {
                Ok(()) => {
                    println!("Administrator {username} created.");
                    app.log.flush().await?;
                    Ok(())
                }
                Err(samverka_app::AppError::Invalid(errors)) => {
                    let msgs: Vec<String> = errors
                        .iter()
                        .map(|e| {
                            let lang = samverka_web::i18n::Lang::En;
                            format!("{}: {}", e.field, lang.ta(e.code, &e.args))
                        })
                        .collect();
                    bail!("{}", msgs.join("; "))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { data },
        } => audit_verify(&data).await,
        Command::Import {
            data,
            user,
            organisation,
            kind,
            files,
        } => {
            import(
                &data,
                &user,
                organisation.as_deref(),
                kind.as_deref(),
                &files,
            )
            .await
        }
        Command::Generate {
            persons,
            danish_persons,
            seed,
            out,
            years,
            intensity,
            today,
        } => generate(persons, danish_persons, seed, &out, years, intensity, today),
        Command::Screen { data, full: _ } => {
            let s = settings(&data)?;
            init_logging(s.json_logs);
            let db = open_db(&data.data_dir, &s).await?;
            let app = App::new(db, s.app.clone());
            let started = std::time::Instant::now();
            let r = app.screen_full().await?;
            println!(
                "Screened {} persons ({} signal sets) in {:.2} s: {} items raised, {} changed, {} no longer raised.",
                r.persons,
                r.sets,
                started.elapsed().as_secs_f64(),
                r.raised,
                r.changed,
                r.dropped
            );
            app.log.flush().await?;
            Ok(())
        }
    }
}

fn generate(
    persons: u32,
    danish_persons: u32,
    seed: u64,
    out: &Path,
    years: u32,
    intensity: u32,
    today: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    use samverka_core::synthetic::{self, Country};
    use samverka_core::synthetic_signals::{Options, write_signals};
    let today = match today {
        Some(d) => d,
        None => {
            let env = |k: &str| std::env::var(k).ok();
            let s = config::load(None, &env)?;
            chrono::Utc::now()
                .with_timezone(&s.app.time_zone)
                .date_naive()
        }
    };
    let started = std::time::Instant::now();
    for (country, count, salt, dir) in [
        (Country::Sweden, persons, 0u64, out.to_path_buf()),
        (Country::Denmark, danish_persons, 1, out.join("dk")),
    ] {
        if count == 0 {
            continue;
        }
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let people = synthetic::persons(seed.wrapping_add(salt), count as usize, country, today);
        let mut opts = Options::new(seed.wrapping_add(salt), today);
        opts.years = years;
        opts.intensity = intensity;
        let written = write_signals(&people, &opts, |kind| {
            let path = dir.join(format!("{}.csv", kind.code()));
            std::fs::File::create(&path)
        })
        .with_context(|| format!("cannot write the files in {}", dir.display()))?;
        let total: u64 = written.iter().map(|w| w.rows).sum();
        for w in &written {
            println!(
                "{}: {} rows",
                dir.join(format!("{}.csv", w.kind.code())).display(),
                w.rows
            );
        }
        println!(
            "{} persons, {} signal rows in {:.1} s.",
            people.len(),
            total,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Messages of an `Invalid` error in English, for the terminal.
fn field_messages(errors: &[samverka_app::FieldError]) -> String {
    let lang = samverka_web::i18n::Lang::En;
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, lang.ta(e.code, &e.args)))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn import(
    data: &DataArgs,
    user: &str,
    organisation: Option<&str>,
    kind: Option<&str>,
    files: &[PathBuf],
) -> anyhow::Result<()> {
    let s = settings(data)?;
    init_logging(s.json_logs);
    let kind = match kind {
        None => None,
        Some(k) => Some(k.parse::<samverka_core::signal::SignalKind>().map_err(|_| {
            anyhow::anyhow!(
                "--kind: `{k}` is not one of sick_leave, income_support, unemployment, admission, emergency_visit, school_absence, screening"
            )
        })?),
    };
    let db = open_db(&data.data_dir, &s).await?;
    let app = App::new(db, s.app.clone());
    let invalid = |e: samverka_app::AppError| match e {
        samverka_app::AppError::Invalid(errors) => anyhow::anyhow!(field_messages(&errors)),
        samverka_app::AppError::Forbidden => {
            anyhow::anyhow!(
                "{user} may not import signals (an administrator of the organisation is needed)"
            )
        }
        e => e.into(),
    };
    let actor = app.actor_by_username(user).await.map_err(invalid)?;
    let org = match organisation {
        Some(name) => Some(app.organisation_by_name(name).await.map_err(invalid)?),
        None => None,
    };
    let mut failed = 0;
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{}: cannot open: {e}", path.display());
                failed += 1;
                continue;
            }
        };
        let size = file.metadata().ok().map(|m| m.len() as i64);
        let started = std::time::Instant::now();
        let opened = app
            .open_import(
                &actor,
                org,
                &name,
                kind,
                size,
                std::io::BufReader::with_capacity(1 << 20, file),
            )
            .await;
        let outcome = match opened {
            Ok(open) => app.run_import(open).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(o) => {
                let c = o.import.counts;
                println!(
                    "{}: import #{} ({}) in {:.2} s (of which screening {:.2} s): {} rows, {} signals added, {} already known, {} rejected, {} persons registered; screening: {} items raised, {} changed, {} no longer raised.",
                    path.display(),
                    o.import.seq,
                    o.import.kind,
                    started.elapsed().as_secs_f64(),
                    o.screening.as_secs_f64(),
                    c.total,
                    c.added,
                    c.known,
                    c.rejected,
                    c.persons_added,
                    o.screened.raised,
                    o.screened.changed,
                    o.screened.dropped
                );
                for e in o.report.iter().take(50) {
                    println!("  {e}");
                }
                if c.rejected > 50 {
                    println!(
                        "  … {} more rejected rows; the whole report is on the import's page.",
                        c.rejected - 50
                    );
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}: {:#}", path.display(), invalid(e));
            }
        }
    }
    // Seal this command's access-log entries now rather than at the next start.
    app.log.flush().await?;
    if failed > 0 {
        bail!("{failed} of {} files could not be imported", files.len());
    }
    Ok(())
}

async fn serve(
    app: App,
    s: &config::Settings,
    addr: SocketAddr,
    secure_cookies: bool,
    demo: bool,
    banner: Option<String>,
) -> anyhow::Result<()> {
    let stopped = app.mark_interrupted_imports().await?;
    if stopped > 0 {
        tracing::warn!(
            imports = stopped,
            "imports interrupted by the last stop marked as stopped"
        );
    }
    // Entries a stopped process left in the access log's tail are moved and sealed before the
    // first request, and this server's own when it stops.
    app.log.flush().await?;
    let log = app.log.clone();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let state = AppState {
        app: Arc::new(app),
        config: Arc::new(WebConfig {
            secure_cookies,
            demo,
            default_lang: s.default_lang,
        }),
    };
    tracing::info!(%addr, demo, "listening");
    if let Some(b) = banner {
        println!("{b}");
    }
    samverka_web::serve(state, listener).await?;
    log.flush().await?;
    Ok(())
}
