//! `suite`: see the library (`suite_cli`) for the commands.

fn main() -> std::process::ExitCode {
    suite_cli::run()
}
