//! Generates the Tauri context and the permission manifest of the app's own commands, so each
//! command goes through the capability system (see capabilities/main.json).

/// Every command of docs/IPC.md, in the order of that table.
const COMMANDS: &[&str] = &[
    "dashboard",
    "watch_series",
    "list_watches",
    "save_watch",
    "remove_watch",
    "check_query",
    "preview_query",
    "list_mentions",
    "set_triage",
    "list_sources",
    "add_source",
    "remove_source",
    "check_source",
    "import_opml",
    "export_opml",
    "alerts",
    "get_settings",
    "save_settings",
    "open_external",
    "list_profiles",
    "create_profile",
    "set_allowed_handles",
    "active_profile",
    "set_active_profile",
    "list_accounts",
    "connect_account",
    "begin_mastodon_sign_in",
    "finish_mastodon_sign_in",
    "disconnect_account",
    "credential_is_set",
    "compose_check",
    "queue_post",
    "outbox",
    "cancel_post",
    "retry_post",
    "kill_switch",
    "set_kill_switch",
    "get_publish_settings",
    "save_publish_settings",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
