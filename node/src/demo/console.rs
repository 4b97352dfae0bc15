//! The demo's console: what the newcomer sees and types.
// The demo talks to its user on standard output.
#![allow(clippy::print_stdout)]

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::seed::MEMBERS;
use super::{DemoNode, start_node, wait_converged};

/// Prints each node with its address, and the console's commands.
pub(super) fn banner(nodes: &[DemoNode], converged: Duration, officer_password: &str) {
    let address = |node: &DemoNode| {
        node.options
            .http_bind
            .map(|a| a.to_string())
            .unwrap_or_default()
    };
    println!();
    println!(
        "Sechs Knoten laufen und sind abgeglichen ({} ms) / six nodes running and in sync:",
        converged.as_millis()
    );
    for node in nodes {
        println!(
            "  [{}] {:<36} http://{}/   Anmeldung / login: admin / {}",
            node.index + 1,
            node.name(),
            address(node),
            node.admin_password
        );
    }
    println!();
    println!(
        "Gemeinsame ISB / joint security officer (Kreis Bergstraße, Odenwaldkreis, Kreis Groß-Gerau):"
    );
    println!(
        "  http://{}/isb   Anmeldung / login: {} / {officer_password}",
        address(&nodes[0]),
        super::seed::OFFICER_ACCOUNT
    );
    if let Some(root) = nodes[0].options.data_dir.parent() {
        println!("Daten / data: {}", root.display());
    }
    println!();
    help();
}

fn help() {
    println!("Befehle / commands:");
    println!(
        "  aus N | stop N    Knoten N abschalten / take node N offline (N = 1–6 or its short name)"
    );
    println!("  an N  | start N   Knoten N wieder starten / bring node N back");
    println!("  status            wer läuft, wer ist abgeglichen / who runs, who is in sync");
    println!("  ende  | quit      alles beenden / stop everything (or Ctrl-C)");
}

/// Reads commands until `ende`, end of input, or Ctrl-C.
pub(super) async fn run(nodes: &mut [DemoNode]) {
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line,
            _ = tokio::signal::ctrl_c() => return,
        };
        let Ok(Some(line)) = line else {
            // No console (input closed): keep running until Ctrl-C.
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["ende" | "quit" | "exit"] => return,
            ["status"] => status(nodes),
            ["aus" | "stop", which] => match find(nodes, which) {
                Some(index) => stop(&mut nodes[index]).await,
                None => println!("Unbekannter Knoten / unknown node: {which}"),
            },
            ["an" | "start", which] => match find(nodes, which) {
                Some(index) => restart(nodes, index).await,
                None => println!("Unbekannter Knoten / unknown node: {which}"),
            },
            _ => help(),
        }
    }
}

fn find(nodes: &[DemoNode], which: &str) -> Option<usize> {
    if let Ok(number) = which.parse::<usize>() {
        return (1..=nodes.len()).contains(&number).then(|| number - 1);
    }
    MEMBERS
        .iter()
        .position(|m| m.short.eq_ignore_ascii_case(which))
}

async fn stop(node: &mut DemoNode) {
    match node.running.take() {
        Some(running) => {
            running.stop().await;
            println!("{} ist offline / is offline.", node.name());
        }
        None => println!("{} war schon offline / was already offline.", node.name()),
    }
}

async fn restart(nodes: &mut [DemoNode], index: usize) {
    if nodes[index].running.is_some() {
        println!("{} läuft schon / is already running.", nodes[index].name());
        return;
    }
    match start_node(&mut nodes[index]).await {
        Ok(()) => {
            println!(
                "{} ist wieder online / is back online; gleicht ab …",
                nodes[index].name()
            );
            match wait_converged(nodes).await {
                Ok(took) => println!("… abgeglichen nach {} ms / in sync.", took.as_millis()),
                Err(error) => println!("… {error}"),
            }
        }
        Err(error) => println!("{error:#}"),
    }
}

fn status(nodes: &[DemoNode]) {
    for node in nodes {
        match &node.running {
            Some(running) => {
                let core = running.core.lock();
                println!(
                    "  [{}] {:<36} online, {} Verbindungen, {} Änderungen, Stand {}",
                    node.index + 1,
                    node.name(),
                    core.counters.peers_connected.get(),
                    core.replica().stats().accepted,
                    core.replica().digest().short()
                );
            }
            None => println!("  [{}] {:<36} offline", node.index + 1, node.name()),
        }
    }
}
