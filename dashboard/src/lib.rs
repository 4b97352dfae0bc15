//! The amtshilfe web interface: server-rendered pages, assets and the
//! German and English texts. It will read the node's API types, never the
//! protocol's internals. Nothing is built here yet.
