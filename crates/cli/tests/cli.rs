//! The `fours` binary end to end on a SQLite file: migrate, add a user, issue a token, back up.

use std::path::Path;
use std::process::{Command, Output};

fn fours(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fours"))
        .args(args)
        .env("FOURS_DATA_DIR", data_dir)
        .env_remove("FOURS_DATABASE_URL")
        .env_remove("FOURS_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run fours")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "fours failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn users_tokens_and_backups_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("fours-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    assert!(stdout(&fours(&dir, &["migrate"])).contains("up to date"));
    let missing_group = fours(&dir, &["user", "add", "wang", "--role", "service_advisor"]);
    assert!(
        !missing_group.status.success(),
        "no dealer group exists before the first serve"
    );

    // `serve` creates the group and the first admin; stop it as soon as it listens.
    let mut server = Command::new(env!("CARGO_BIN_EXE_fours"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("FOURS_DATA_DIR", &dir)
        .env_remove("FOURS_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_lines = String::new();
    let mut reader = std::io::BufReader::new(server.stdout.take().unwrap());
    while !first_lines.contains("running at") {
        let mut line = String::new();
        if std::io::BufRead::read_line(&mut reader, &mut line).unwrap() == 0 {
            break;
        }
        first_lines.push_str(&line);
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        first_lines.contains("Created the first user: admin / "),
        "{first_lines}"
    );

    let added = stdout(&fours(
        &dir,
        &[
            "user",
            "add",
            "wang",
            "--role",
            "service_advisor",
            "--store",
            "S01",
            "--password",
            "long-enough-pw",
        ],
    ));
    assert!(added.contains("created wang"));
    let token = stdout(&fours(&dir, &["user", "token", "wang", "--days", "1"]));
    assert!(
        token.trim().contains('.'),
        "token is <tenant>.<secret>: {token}"
    );
    assert!(
        !fours(&dir, &["user", "add", "li", "--role", "janitor"])
            .status
            .success()
    );

    let backup = dir.join("backup.db");
    assert!(
        stdout(&fours(&dir, &["backup", "--out", backup.to_str().unwrap()]))
            .contains("backup written")
    );
    assert!(std::fs::metadata(&backup).unwrap().len() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generated_files_import_from_the_command_line_and_again_add_nothing() {
    let dir = std::env::temp_dir().join(format!("fours-cli-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let files = dir.join("files");
    let written = stdout(&fours(
        &dir,
        &[
            "generate",
            "--customers",
            "300",
            "--seed",
            "9",
            "--out",
            files.to_str().unwrap(),
            "--format",
            "xlsx",
        ],
    ));
    assert!(written.contains("(300 customers)"), "{written}");
    let file = files.join("customers-seed9-300.xlsx");
    // Loading the database creates the group; the generator's first 100 customers are the file's first 100.
    let loaded = stdout(&fours(
        &dir,
        &["generate", "--customers", "100", "--seed", "9"],
    ));
    assert!(loaded.contains("100 customers"), "{loaded}");
    let first = stdout(&fours(
        &dir,
        &["import", "customers", file.to_str().unwrap()],
    ));
    assert!(first.contains(" 200 customers and"), "{first}");
    assert!(first.contains(" 0 rows rejected"), "{first}");
    let again = stdout(&fours(
        &dir,
        &["import", "customers", file.to_str().unwrap()],
    ));
    assert!(
        again.contains(" 0 customers and 0 vehicles created"),
        "{again}"
    );

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "姓名,手机\n好人,13900000001\n坏人,139\n").unwrap();
    let report = dir.join("bad.rejects.xlsx");
    let checked = stdout(&fours(
        &dir,
        &["import", "customers", bad.to_str().unwrap(), "--dry-run"],
    ));
    assert!(checked.contains("1 rows rejected (dry run"), "{checked}");
    assert!(report.exists(), "the report is written next to the file");
    std::fs::remove_dir_all(&dir).unwrap();
}
