/// `GET /api/p2p/mesh`: the mesh as a graph (``MeshGraph``), for the dashboard.
extension DebugRoutes {
    /// `scope=local` (what a sibling asks): this node's own view only, never its siblings'
    /// (two nodes asking each other for the whole mesh would wait on each other). Without a
    /// query, or `scope=mesh`: this node's view and, on a testnet node, its siblings'.
    func mesh(query: String?) async -> HTTPResponse {
        let local: Bool
        switch query {
        case nil, "", "scope=mesh": local = false
        case "scope=local": local = true
        default: return .error(400, "expected /api/p2p/mesh, ?scope=mesh or ?scope=local")
        }
        let own = MeshView(snapshot: await source.debugSnapshot())
        let siblings = local ? [] : await mesh?.views() ?? []
        return .json(MeshGraph(own: own, siblings: siblings, local: local).json)
    }
}
