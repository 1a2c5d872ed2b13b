//! Synthetic signal files for demos, tests and benchmarks (`samverka generate`).
