fn main() {
    rounds_desktop::run()
}
