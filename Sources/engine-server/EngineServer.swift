import ArgumentParser

/// The `engine-server` command line: the engine's entry point.
@main
struct EngineServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-server",
        abstract: "Kol: a realtime media engine that answers phone calls with an AI voice agent.",
        subcommands: [ServeCommand.self, DemoCommand.self, AnalyzeCommand.self, LoadtestCommand.self]
    )
}
