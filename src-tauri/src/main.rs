//! Vigie's desktop shell: one window over the web UI (`ui/dist`), a tray icon showing the
//! highest level across watches, desktop notifications that open the right watch, and thin
//! commands over [`vigie_engine::app::App`]. No business logic lives here.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod events;
mod memory;
mod notifier;
mod setup;
mod tray;
mod window;

use tauri::{Manager, RunEvent, WindowEvent};

/// WebKit hands the process locale to the page as `navigator.language`; the C/POSIX locale
/// is not a language tag and makes `Intl` throw in the UI. Give such a session a real one
/// (English), before any thread starts.
fn ensure_language_tag() {
    let is_c = |v: Option<String>| {
        v.is_some_and(|v| v.is_empty() || v == "C" || v == "POSIX" || v.starts_with("C."))
    };
    let lc_all = std::env::var("LC_ALL").ok();
    if is_c(lc_all.clone()) {
        std::env::remove_var("LC_ALL");
    }
    let lang = std::env::var("LANG").ok();
    if lang.is_none() || is_c(lang) {
        std::env::set_var("LANG", "en_US.UTF-8");
    }
}

fn main() {
    memory::Allocator::limit_arenas();
    ensure_language_tag();
    memory::tune_environment();
    let app = tauri::Builder::default()
        // First: a second launch only brings the running window forward.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::show_main(app)
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                // Size, position and maximised state; never "hidden", or a Quit from the tray
                // while the window was closed would start the next session invisible.
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        // Rust side only (open_external); the webview is granted no opener permission.
        .plugin(tauri_plugin_opener::init())
        .manage(window::Releaser::default())
        .setup(|app| setup::setup(app))
        .on_window_event(|w, event| {
            // Closing the window hides it (and later releases its webview, see window.rs): the
            // engine keeps listening, the tray and a second launch bring the window back.
            if let WindowEvent::CloseRequested { api, .. } = event {
                if w.label() == window::MAIN_WINDOW {
                    api.prevent_close();
                    window::on_close_requested(w);
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::dashboard,
            commands::dashboard_series,
            commands::list_watches,
            commands::save_watch,
            commands::remove_watch,
            commands::check_query,
            commands::preview_query,
            commands::list_mentions,
            commands::set_triage,
            commands::list_sources,
            commands::add_source,
            commands::remove_source,
            commands::check_source,
            commands::set_triage_many,
            commands::check_all_sources,
            commands::set_source_enabled,
            commands::import_opml,
            commands::export_opml,
            commands::alerts,
            commands::alerts_seen,
            commands::mark_alerts_seen,
            commands::get_settings,
            commands::save_settings,
            commands::open_external,
            commands::list_profiles,
            commands::create_profile,
            commands::set_allowed_handles,
            commands::active_profile,
            commands::set_active_profile,
            commands::list_accounts,
            commands::connect_account,
            commands::begin_mastodon_sign_in,
            commands::finish_mastodon_sign_in,
            commands::cancel_mastodon_sign_in,
            commands::disconnect_account,
            commands::credential_is_set,
            commands::compose_check,
            commands::queue_post,
            commands::outbox,
            commands::cancel_post,
            commands::retry_post,
            commands::kill_switch,
            commands::set_kill_switch,
            commands::get_publish_settings,
            commands::save_publish_settings,
            commands::my_identity,
            commands::create_identity,
            commands::list_roster,
            commands::export_roster,
            commands::import_roster,
            commands::set_member,
            commands::get_policy,
            commands::save_policy,
            commands::list_drafts,
            commands::get_draft,
            commands::create_draft,
            commands::save_variant,
            commands::comment_draft,
            commands::list_playbooks,
            commands::import_playbook,
            commands::export_playbook,
            commands::use_statement,
            commands::request_approval,
            commands::review_request,
            commands::approve_request,
            commands::pre_approve,
            commands::import_approval,
            commands::list_approvals,
            commands::requirement,
            commands::audit_log,
            commands::verify_audit,
            commands::account_target,
            commands::release_window,
        ])
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("vigie: the desktop app could not start: {e}");
            std::process::exit(1);
        });

    app.run(|handle, event| match event {
        // The released window was the last one: keep running (the engine listens, the tray
        // and a second launch build the window again). Quit and SIGTERM exit with a code.
        RunEvent::ExitRequested {
            code: None, api, ..
        } if handle.state::<window::Releaser>().keeps_running() => api.prevent_exit(),
        RunEvent::Exit => {
            if let Some(shell) = handle.try_state::<setup::Shell>() {
                shell.shutdown(handle);
            }
        }
        _ => {}
    });
}
