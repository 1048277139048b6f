//! Desktop notifications over D-Bus (notify-rust), behind a trait so the signal pass does
//! not care how a notice is shown. When there is no bus or no notification service, the
//! failure is returned in plain words; the caller records it once and keeps running.

use vigie_domain::Level;

/// What to tell the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub watch_id: i64,
    pub level: Level,
    pub summary: String,
    pub body: String,
}

impl Notice {
    /// The action a click triggers; the desktop shell opens this watch.
    pub fn action(&self) -> String {
        format!("open-watch:{}", self.watch_id)
    }
}

/// A notice could not be shown (no session bus, no notification service…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "desktop notifications are not available ({0}): Vigie keeps listening; levels and signals are still in `vigie levels` and the app"
)]
pub struct NotifyError(pub String);

pub trait Notifier: Send + Sync {
    fn notify(&self, notice: &Notice) -> Result<(), NotifyError>;
}

/// The desktop notification for a notice: app name, summary, body, urgency by level, and
/// the `open-watch:{id}` action labelled `open_label`. Front ends add what they need.
pub fn desktop_notification(n: &Notice, open_label: &str) -> notify_rust::Notification {
    use notify_rust::{Hint, Notification, Urgency};
    let urgency = match n.level {
        Level::Crisis | Level::Alert => Urgency::Critical,
        Level::Watch => Urgency::Normal,
        Level::Calm => Urgency::Low,
    };
    let mut notification = Notification::new();
    notification
        .appname("Vigie")
        .summary(&n.summary)
        .body(&n.body)
        .urgency(urgency)
        .action(&n.action(), open_label)
        .hint(Hint::Category("im.received".into()));
    notification
}

/// The desktop's notification service (org.freedesktop.Notifications on Linux).
#[derive(Debug, Default, Clone)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, n: &Notice) -> Result<(), NotifyError> {
        desktop_notification(n, "Ouvrir / Open")
            .show()
            .map(|_| ())
            .map_err(|e| NotifyError(e.to_string()))
    }
}

/// Notices kept in memory (headless runs and tests that only need the decisions).
#[derive(Debug, Default)]
pub struct MemoryNotifier(pub std::sync::Mutex<Vec<Notice>>);

impl Notifier for MemoryNotifier {
    fn notify(&self, n: &Notice) -> Result<(), NotifyError> {
        self.0.lock().expect("notices lock").push(n.clone());
        Ok(())
    }
}
