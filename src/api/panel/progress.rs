//! Long work with its progress on the page, without script: the work runs in its own task and
//! reports how far it got; work that ends within its first step answers its page as usual, and
//! longer work answers a page that is streamed as it goes (its head, a `<progress>` line per step,
//! of which the stylesheet shows the newest, then its end). The work runs to its end whether or
//! not the browser stays: a batch of keys is one transaction, so it is there whole or not at all.

use super::{PanelError, layout, session::Panel};
use axum::{
    body::Body,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use futures_util::{StreamExt, stream};
use maud::{Markup, PreEscaped, html};
use std::convert::Infallible;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

enum Step<T> {
    Done(u64),
    Finished(T),
}

/// How far the work got: `done(n)` after each step, `n` of the total.
#[derive(Clone)]
pub struct Reporter<T>(UnboundedSender<Step<T>>);

impl<T> Reporter<T> {
    pub fn done(&self, n: u64) {
        // The page may be gone; the work goes on.
        let _ = self.0.send(Step::Done(n));
    }
}

/// Work that is still running after its first step, and its receiver of further steps.
pub struct Running<T> {
    first: u64,
    total: u64,
    steps: UnboundedReceiver<Step<T>>,
}

pub enum Outcome<T> {
    Finished(T),
    Running(Running<T>),
}

/// Starts `work` (of `total` units) in its own task and waits for its first report.
pub async fn start<T, F, Fut>(total: u64, work: F) -> Result<Outcome<T>, PanelError>
where
    T: Send + 'static,
    F: FnOnce(Reporter<T>) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let (tx, mut steps) = unbounded_channel();
    let job = work(Reporter(tx.clone()));
    tokio::spawn(async move {
        let out = job.await;
        let _ = tx.send(Step::Finished(out));
    });
    loop {
        match steps.recv().await {
            Some(Step::Finished(out)) => return Ok(Outcome::Finished(out)),
            // The last step's report comes just before the end: wait for the end itself.
            Some(Step::Done(n)) if n >= total => continue,
            Some(Step::Done(first)) => return Ok(Outcome::Running(Running { first, total, steps })),
            None => {
                let why = "The work stopped without an answer; see the server's log.".to_owned();
                return Err(PanelError::Status(StatusCode::INTERNAL_SERVER_ERROR, why));
            }
        }
    }
}

impl<T: Send + 'static> Running<T> {
    /// The streamed page: `title` at `current` in the navigation, a line per step counting
    /// `unit`, and at the end `finish`'s content.
    pub fn page(
        self,
        panel: &Panel,
        current: &str,
        title: &str,
        unit: &'static str,
        finish: impl FnOnce(T) -> Markup + Send + 'static,
    ) -> Response {
        const MARK: &str = "<!--progress-->";
        let shell = layout::page(panel, current, title, None, html! { (PreEscaped(MARK)) }).into_string();
        let (head, tail) = shell.split_once(MARK).map_or((shell.clone(), String::new()), |(h, t)| (h.into(), t.into()));
        let Running { first, total, steps } = self;
        let opening = format!("{head}<div class=\"progress\" role=\"status\">{}", line(first, total, unit));
        let state = (steps, Some(finish), Some(tail));
        let rest = stream::unfold(state, move |(mut steps, mut finish, mut tail)| async move {
            let chunk = match steps.recv().await {
                Some(Step::Done(n)) => line(n, total, unit),
                Some(Step::Finished(out)) => {
                    let end = finish.take().map(|f| f(out).into_string()).unwrap_or_default();
                    format!("</div>{end}{}", tail.take().unwrap_or_default())
                }
                // The task ended without its answer (it panicked): say so, then close the page.
                None => {
                    let t = tail.take()?;
                    let gone =
                        html! { p.error role="alert" { "The work stopped without an answer; see the server's log." } };
                    return Some((
                        Ok::<_, Infallible>(format!("</div>{}{t}", gone.into_string())),
                        (steps, finish, None),
                    ));
                }
            };
            Some((Ok(chunk), (steps, finish, tail)))
        });
        let body = stream::once(async move { Ok(opening) }).chain(rest);
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], Body::from_stream(body)).into_response()
    }
}

/// One progress line: `n of total unit`.
fn line(n: u64, total: u64, unit: &str) -> String {
    html! { p { progress max=(total) value=(n) { (n) " of " (total) } " " (n) " of " (total) " " (unit) "…" } }
        .into_string()
}
