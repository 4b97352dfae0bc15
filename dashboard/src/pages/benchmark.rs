//! Pakt-Vergleich: the pact benchmarks the officers serving this member
//! shared with it. Figures per WiBA topic (min / median / max of the
//! share of `ja` among `ja` and `nein`), never another member's answers.

use amtshilfe_protocol::posture::{BenchmarkShare, TopicBenchmark, WibaCatalogue};
use maud::html;

use crate::Ctx;
use crate::format::date;
use crate::i18n::Lang;
use crate::layout::page;

fn t(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// Thousandths as a whole percent, German style.
fn percent(permille: u32) -> String {
    format!("{} %", (permille + 5) / 10)
}

fn topic_name(lang: Lang, topic: &TopicBenchmark) -> String {
    WibaCatalogue::builtin()
        .topics
        .iter()
        .find(|entry| entry.id == topic.topic)
        .map_or_else(
            || topic.topic.clone(),
            |entry| match lang {
                Lang::De => entry.de.clone(),
                Lang::En => entry.en.clone(),
            },
        )
}

/// The page: one table per benchmark shared with this member.
pub fn benchmark(ctx: &Ctx, shares: &[BenchmarkShare]) -> String {
    let content = html! {
        p { (t(ctx, "Umsetzungsgrad je WiBA-Thema (Anteil „ja“ an „ja“ und „nein“) über die Mitglieder, die dieselbe gemeinsame ISB betreut. Ein Thema erscheint erst, wenn mindestens drei Mitglieder eine eingereichte Selbstauskunft dazu haben; einzelne Antworten sind nicht enthalten.",
            "Progress per WiBA topic (share of yes among yes and no) across the members the same joint security officer serves. A topic appears only once at least three members have a submitted self-assessment for it; no single answer is included.")) }
        @if shares.is_empty() {
            p role="status" { (t(ctx, "Noch kein Vergleich freigegeben.", "No benchmark shared yet.")) }
        }
        @for (index, share) in shares.iter().enumerate() {
            section aria-labelledby={ "h-benchmark-" (index) } {
                h2 id={ "h-benchmark-" (index) } { (t(ctx, "Stand", "As of")) " " (date(share.computed_at_ms)) }
                @if share.topics.is_empty() { p { (t(ctx, "Zu wenige Mitglieder für einen Vergleich.", "Too few members for a benchmark.")) } } @else {
                    table data-testid="benchmark" {
                        thead { tr {
                            th scope="col" { (t(ctx, "Thema", "Topic")) }
                            th scope="col" { (t(ctx, "Mitglieder", "Members")) }
                            th scope="col" { (t(ctx, "Minimum", "Minimum")) }
                            th scope="col" { (t(ctx, "Median", "Median")) }
                            th scope="col" { (t(ctx, "Maximum", "Maximum")) }
                        } }
                        tbody {
                            @for topic in &share.topics {
                                tr {
                                    th scope="row" { (topic_name(ctx.lang, topic)) }
                                    td { (topic.members) }
                                    td { (percent(topic.min)) }
                                    td { (percent(topic.median)) }
                                    td { (percent(topic.max)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(
        ctx,
        t(
            ctx,
            "Pakt-Vergleich der Sicherheitslage",
            "Pact benchmark of the security posture",
        ),
        content,
    )
}
