//! The `amtshilfe` binary. Its commands (init, run, …) come with the network
//! layer; the library holds the parts built so far.

fn main() {}
