//! Entry point trunk builds; everything lives in the library so tests can reach it.

fn main() {
    gatewatch::run();
}
