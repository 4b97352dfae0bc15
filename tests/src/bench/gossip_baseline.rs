//! The propagation baseline: swarms that run nothing but gossipsub over
//! the nodes' transport (TCP + Noise + Yamux on loopback) with the nodes'
//! heartbeat, fully connected, one topic. One message at a time from
//! rotating publishers; the time until every other swarm received it.

use std::time::{Duration, Instant};

use futures::StreamExt;
use libp2p::swarm::SwarmEvent;
use libp2p::{Multiaddr, Swarm, gossipsub, noise, tcp, yamux};
use tokio::sync::mpsc;

use super::support::ms;

/// Payload size: about one announced offer envelope.
const PAYLOAD_BYTES: usize = 900;
const DEADLINE: Duration = Duration::from_secs(30);

pub(crate) enum Command {
    Dial(Multiaddr),
    Publish(Vec<u8>),
}

/// Per message, ms until all `count` swarms but the publisher have it.
pub(crate) async fn run(count: usize, messages: usize) -> anyhow::Result<Vec<f64>> {
    let topic = gossipsub::IdentTopic::new("bench/plain");
    let (received_tx, mut received) = mpsc::unbounded_channel::<(usize, u64)>();
    let mut commands = Vec::new();
    let mut addresses = Vec::new();
    let mut tasks = Vec::new();
    for index in 0..count {
        let mut swarm = build(&topic)?;
        swarm.listen_on("/ip4/127.0.0.1/tcp/0".parse()?)?;
        let address = loop {
            if let SwarmEvent::NewListenAddr { address, .. } = swarm.select_next_some().await {
                break address;
            }
        };
        addresses.push(address.with(libp2p::multiaddr::Protocol::P2p(*swarm.local_peer_id())));
        let (tx, rx) = mpsc::unbounded_channel();
        commands.push(tx);
        tasks.push(tokio::spawn(drive(
            swarm,
            topic.clone(),
            index,
            rx,
            received_tx.clone(),
        )));
    }
    for (index, tx) in commands.iter().enumerate() {
        for address in &addresses[..index] {
            let _ = tx.send(Command::Dial(address.clone()));
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut times = Vec::with_capacity(messages);
    for n in 0..messages {
        let mut payload = vec![0u8; PAYLOAD_BYTES];
        payload[..8].copy_from_slice(&(n as u64).to_le_bytes());
        let started = Instant::now();
        let _ = commands[n % count].send(Command::Publish(payload));
        let mut arrived = 0;
        while arrived < count - 1 {
            let next = tokio::time::timeout(DEADLINE, received.recv()).await;
            match next {
                Ok(Some((_, seq))) if seq == n as u64 => arrived += 1,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    anyhow::bail!("gossipsub message {n} did not reach all swarms")
                }
            }
        }
        times.push(ms(started.elapsed()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(commands);
    for task in tasks {
        task.abort();
    }
    Ok(times)
}

pub(crate) fn build(topic: &gossipsub::IdentTopic) -> anyhow::Result<Swarm<gossipsub::Behaviour>> {
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )?
        .with_behaviour(|key| {
            let config = gossipsub::ConfigBuilder::default()
                .heartbeat_interval(Duration::from_millis(500))
                .build()?;
            gossipsub::Behaviour::new(gossipsub::MessageAuthenticity::Signed(key.clone()), config)
                .map_err(|e| e.into())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(3_600)))
        .build();
    swarm
        .behaviour_mut()
        .subscribe(topic)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(swarm)
}

pub(crate) async fn drive(
    mut swarm: Swarm<gossipsub::Behaviour>,
    topic: gossipsub::IdentTopic,
    index: usize,
    mut commands: mpsc::UnboundedReceiver<Command>,
    received: mpsc::UnboundedSender<(usize, u64)>,
) {
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Dial(address)) => { let _ = swarm.dial(address); }
                Some(Command::Publish(data)) => {
                    let _ = swarm.behaviour_mut().publish(topic.clone(), data);
                }
                None => return,
            },
            event = swarm.select_next_some() => {
                if let SwarmEvent::Behaviour(gossipsub::Event::Message { message, .. }) = event {
                    let mut seq = [0u8; 8];
                    if message.data.len() >= 8 {
                        seq.copy_from_slice(&message.data[..8]);
                    }
                    let _ = received.send((index, u64::from_le_bytes(seq)));
                }
            }
        }
    }
}
