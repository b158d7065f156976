/// Reads big-endian fields from a borrowed buffer, failing with the name of the field that
/// ran past the end.
/// Used only inside a `withUnsafeBytes` closure, so it never outlives the bytes it reads.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8(_ field: String) throws(MessageDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(field: field) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(_ field: String) throws(MessageDecodingError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated(field: field) }
        defer { offset += 2 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self).bigEndian
    }

    mutating func readUInt32(_ field: String) throws(MessageDecodingError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(field: field) }
        defer { offset += 4 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).bigEndian
    }

    mutating func readUInt64(_ field: String) throws(MessageDecodingError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated(field: field) }
        defer { offset += 8 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).bigEndian
    }

    mutating func readBytes(_ count: Int, _ field: String) throws(MessageDecodingError) -> [UInt8] {
        guard remaining >= count else { throw .truncated(field: field) }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// A string prefixed by its UTF-8 length in one byte.
    mutating func readShortString(_ field: String, maximum: Int) throws(MessageDecodingError) -> String {
        let length = Int(try readUInt8("\(field) length"))
        guard length <= maximum else { throw .tooLong(field: field, length: length, maximum: maximum) }
        let raw = try readBytes(length, field)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidValue(field: field) }
        return text
    }

    func expectEnd() throws(MessageDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(count: remaining) }
    }
}
