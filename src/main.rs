fn main() {
    std::process::exit(scimcheck::app::main());
}
