// The value types an application names, from the modules that define them. Everything else
// in those modules (the manager, the table, the reactor, the registry) stays out of reach.
@_exported import struct Actors.ChannelPayloads
@_exported import struct Actors.ConnectedPeer
@_exported import enum Actors.Direction
@_exported import struct Actors.DisconnectedPeer
@_exported import enum Actors.EndedBy
@_exported import enum Actors.PeerEvent
@_exported import struct Actors.PeerEvents
@_exported import struct Actors.PeerIP
@_exported import struct Wire.GenesisHash
@_exported import enum Wire.IPAddress
@_exported import struct Wire.ReasonCode
@_exported import struct Wire.SocketAddress
