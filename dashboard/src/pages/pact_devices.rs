//! The Pakt page's own devices: this member's delegated devices, and the
//! form that revokes a lost or stolen one (reviewed first, like every
//! signing form of the page).

use maud::{Markup, html};

use crate::Ctx;
use crate::i18n::Lang;

/// One device this node's member delegated.
#[derive(Debug, Clone)]
pub struct PactDeviceRow {
    /// The device key, hex.
    pub device: String,
    /// Its word fingerprint.
    pub fingerprint: String,
    /// Whether it is revoked already.
    pub revoked: bool,
    /// Whether it is this node's own device (not revoked from here).
    pub this_node: bool,
}

fn tr(ctx: &Ctx, de: &'static str, en: &'static str) -> &'static str {
    match ctx.lang {
        Lang::De => de,
        Lang::En => en,
    }
}

/// The section; `off` when the node does not hold the member key.
pub(crate) fn section(ctx: &Ctx, devices: &[PactDeviceRow], off: bool) -> Markup {
    html! {
        section id="devices" data-live aria-labelledby="h-devices" {
            h2 id="h-devices" { (tr(ctx, "Eigene Geräte", "Own devices")) }
            p { (tr(ctx,
                "Ein verlorenes oder gestohlenes Gerät sperren: Seine bisherigen Änderungen bleiben gültig, spätere werden überall abgewiesen, und es wird nicht mehr ins Netz gelassen.",
                "Revoke a lost or stolen device: its changes so far stay valid, later ones are refused everywhere, and it is no longer let into the network.")) }
            @if devices.is_empty() { p { (tr(ctx, "Keine.", "None.")) } } @else {
                (super::scroll_box(tr(ctx, "Eigene Geräte", "Own devices"), html! {
                table {
                    thead { tr {
                        th scope="col" { (tr(ctx, "Gerät", "Device")) }
                        th scope="col" { (tr(ctx, "Zustand", "State")) }
                        th scope="col" { (tr(ctx, "Aktion", "Action")) }
                    } }
                    tbody { @for device in devices { tr {
                        td { code { (device.device.chars().take(16).collect::<String>()) "…" } br; span.muted { (device.fingerprint) } }
                        td { @if device.revoked { (tr(ctx, "gesperrt", "revoked")) }
                             @else if device.this_node { (tr(ctx, "dieser Knoten", "this node")) }
                             @else { (tr(ctx, "aktiv", "active")) } }
                        td { @if !device.revoked && !device.this_node {
                            form method="post" action="/pakt/pruefen" {
                                (ctx.csrf_field())
                                input type="hidden" name="kind" value="revoke_device";
                                input type="hidden" name="device" value=(device.device);
                                button.secondary type="submit" disabled[off] { (tr(ctx, "Sperren …", "Revoke …")) }
                            }
                        } }
                    } } }
                }
                }))
            }
        }
    }
}
