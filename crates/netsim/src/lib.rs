//! Deterministic simulated network with a virtual clock, for testing sans-IO protocol cores.
