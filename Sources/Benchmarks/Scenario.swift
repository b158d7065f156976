/// The stress scenarios (docs/benchmarks.md).
enum Scenario: String, CaseIterable {
    case mesh
    case dialStorm = "dial-storm"
    case broadcast
    case ping
    case churn
    case connections
    case connectionsClient = "connections-client"
    case attacks
    case eclipse
    case eclipseInner = "eclipse-inner"
    case plan

    func run(_ arguments: [String]) async throws -> BenchReport {
        switch self {
        case .mesh: return try await MeshScenario.run(BenchOptions(arguments, allowed: ["nodes", "outbound", "tick"]))
        case .dialStorm: return try await DialStormScenario.run(BenchOptions(arguments, allowed: ["nodes"]))
        case .broadcast:
            return try await BroadcastScenario.run(
                BenchOptions(arguments, allowed: ["peers", "messages", "size", "window", "reactors"]))
        case .ping:
            return try await PingScenario.run(
                BenchOptions(arguments, allowed: ["peers", "seconds", "interval", "reactors"]))
        case .churn:
            return try await ChurnScenario.run(
                BenchOptions(arguments, allowed: ["nodes", "restart-every", "duration", "tick"]))
        case .connections:
            return try await ConnectionsScenario.run(BenchOptions(arguments, allowed: ["count", "idle-seconds"]))
        case .connectionsClient:
            return try await ConnectionsClient.run(arguments)
        case .attacks:
            return try await AttacksScenario.run(BenchOptions(arguments, allowed: ["quick", "book"]))
        case .eclipse: return try await EclipseScenario.run(arguments)
        case .eclipseInner: return try await EclipseScenario.runInside(arguments)
        case .plan:
            return try await PlanScenario.run(BenchOptions(arguments, allowed: ["entries", "sources", "cycles"]))
        }
    }
}
