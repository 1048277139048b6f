//! The tray icon: its colour and tooltip show the highest level across watches; its menu
//! shows the window (window.rs) or quits.

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};
use vigie_domain::Level;
use vigie_engine::app::App;
use vigie_signals::Lang;

const TRAY_ID: &str = "vigie";

fn icon(level: Level) -> Image<'static> {
    let bytes: &'static [u8] = match level {
        Level::Calm => include_bytes!("../../icons/tray-calm.png"),
        Level::Watch => include_bytes!("../../icons/tray-watch.png"),
        Level::Alert => include_bytes!("../../icons/tray-alert.png"),
        Level::Crisis => include_bytes!("../../icons/tray-crisis.png"),
    };
    Image::from_bytes(bytes).expect("the tray icons are valid PNGs")
}

/// "Vigie — calme" / "Vigie — calm".
pub fn tooltip(level: Level, lang: Lang) -> String {
    let word = match (lang, level) {
        (Lang::Fr, Level::Calm) => "calme",
        (Lang::Fr, Level::Watch) => "vigilance",
        (Lang::Fr, Level::Alert) => "alerte",
        (Lang::Fr, Level::Crisis) => "crise",
        (Lang::En, l) => l.as_str(),
    };
    format!("Vigie — {word}")
}

pub fn build(app: &AppHandle, lang: Lang) -> tauri::Result<()> {
    let (show, quit) = match lang {
        Lang::Fr => ("Afficher Vigie", "Quitter"),
        Lang::En => ("Show Vigie", "Quit"),
    };
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, "show", show, true, None::<&str>)?,
            &MenuItem::with_id(app, "quit", quit, true, None::<&str>)?,
        ],
    )?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(icon(Level::Calm))
        .tooltip(tooltip(Level::Calm, lang))
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "show" => crate::window::show_main(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .build(app)?;
    Ok(())
}

/// Sets the tray to the highest level across enabled watches.
pub fn refresh(app: &AppHandle, lang: Lang) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    let level = match app.state::<App>().dashboard() {
        Ok(rows) => rows
            .iter()
            .filter(|r| r.watch.enabled)
            .map(|r| r.level.level)
            .max()
            .unwrap_or_default(),
        Err(e) => {
            eprintln!("vigie: tray level unknown ({e})");
            return;
        }
    };
    let _ = tray.set_icon(Some(icon(level)));
    let _ = tray.set_tooltip(Some(tooltip(level, lang)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_has_an_icon_and_words() {
        for level in [Level::Calm, Level::Watch, Level::Alert, Level::Crisis] {
            let img = icon(level);
            assert!(
                img.width() > 0 && img.rgba().len() == (img.width() * img.height() * 4) as usize
            );
            assert!(tooltip(level, Lang::Fr).starts_with("Vigie — "));
        }
        assert_eq!(tooltip(Level::Crisis, Lang::En), "Vigie — crisis");
    }
}
