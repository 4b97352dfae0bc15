//! The request-response codec of the sync protocol: one postcard-encoded
//! `SyncRequest` or `SyncResponse` per stream, read to the end under the
//! protocol's size cap. Raw bytes rather than CBOR, so pages cost what the
//! envelopes cost.

use std::io;

use amtshilfe_protocol::sync::{MESSAGE_BYTES_MAX, SyncRequest, SyncResponse};
use futures::prelude::*;
use libp2p::StreamProtocol;
use libp2p::request_response;

/// The sync protocol's name on the wire.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/amtshilfe/sync/1");

/// Codec for [`SyncRequest`] / [`SyncResponse`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncCodec;

async fn read_capped<T: AsyncRead + Unpin + Send>(io: &mut T) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    // One byte over the cap tells an oversized message from a full one.
    io.take(MESSAGE_BYTES_MAX as u64 + 1)
        .read_to_end(&mut bytes)
        .await?;
    if bytes.len() > MESSAGE_BYTES_MAX {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "sync message over the size cap",
        ));
    }
    Ok(bytes)
}

fn invalid(error: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, error.to_string())
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = SyncRequest;
    type Response = SyncResponse;

    async fn read_request<T>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<SyncRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        SyncRequest::from_bytes(&read_capped(io).await?).map_err(invalid)
    }

    async fn read_response<T>(&mut self, _: &Self::Protocol, io: &mut T) -> io::Result<SyncResponse>
    where
        T: AsyncRead + Unpin + Send,
    {
        SyncResponse::from_bytes(&read_capped(io).await?).map_err(invalid)
    }

    async fn write_request<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        request: SyncRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&request.to_bytes()).await?;
        io.close().await
    }

    async fn write_response<T>(
        &mut self,
        _: &Self::Protocol,
        io: &mut T,
        response: SyncResponse,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        io.write_all(&response.to_bytes()).await?;
        io.close().await
    }
}
