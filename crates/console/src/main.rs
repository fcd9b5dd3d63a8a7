//! Entry point trunk builds; everything lives in the library so native tests reach it.

fn main() {
    gatewatch_console::run();
}
