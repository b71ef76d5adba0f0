/// Value of an HDF5 attribute.
///
/// Scalars are stored with a scalar dataspace, arrays with a 1-D one (so a one-element array
/// reads back as an array). Strings are variable-length UTF-8 (h5py and xarray give `str`).
/// Reading maps any integer attribute to `int64`/`int64s` and any float to `double`/`doubles`.
public enum HDF5AttributeValue: Sendable, Equatable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral
{
    case string(String)
    case double(Double)
    case int64(Int64)
    case doubles([Double])
    case int64s([Int64])
    case strings([String])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }

    /// The string, when this is `.string` (or a one-element `.strings`).
    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .strings(let a) where a.count == 1: return a[0]
        default: return nil
        }
    }

    /// The number as Double, when this is `.double` or `.int64` (or a one-element array).
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int64(let v): return Double(v)
        case .doubles(let a) where a.count == 1: return a[0]
        case .int64s(let a) where a.count == 1: return Double(a[0])
        default: return nil
        }
    }

    /// The integer, when this is `.int64` (or a one-element `.int64s`).
    public var int64Value: Int64? {
        switch self {
        case .int64(let v): return v
        case .int64s(let a) where a.count == 1: return a[0]
        default: return nil
        }
    }

    /// The numbers as Doubles, for any numeric case (scalars give one element).
    public var doublesValue: [Double]? {
        switch self {
        case .double(let v): return [v]
        case .int64(let v): return [Double(v)]
        case .doubles(let a): return a
        case .int64s(let a): return a.map(Double.init)
        default: return nil
        }
    }

    /// The integers, for `.int64` / `.int64s`.
    public var int64sValue: [Int64]? {
        switch self {
        case .int64(let v): return [v]
        case .int64s(let a): return a
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .double(let v): return "\(v)"
        case .int64(let v): return "\(v)"
        case .doubles(let a): return "\(a)"
        case .int64s(let a): return "\(a)"
        case .strings(let a): return "\(a)"
        }
    }
}

/// How a dataset is laid out on disk.
///
/// `chunk == nil` with compression requested chooses chunk dimensions automatically
/// (about `HDF5DatasetOptions.targetChunkBytes` per chunk).
public struct HDF5DatasetOptions: Sendable, Equatable {
    /// Chunk dimensions (same rank as the dataset), or nil for automatic/contiguous.
    public var chunk: [Int]?
    /// Deflate (gzip) level 1...9, or nil for no compression.
    public var deflateLevel: Int?
    /// Byte-shuffle filter before deflate (helps numeric data compress).
    public var shuffle: Bool

    /// Target size of an automatically chosen chunk: 128 KiB fits HDF5's default 1 MiB
    /// chunk cache several times and keeps per-chunk overhead low.
    public static let targetChunkBytes = 128 * 1024

    public init(chunk: [Int]? = nil, deflateLevel: Int? = nil, shuffle: Bool = false) {
        self.chunk = chunk
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
    }

    /// Contiguous, uncompressed (small arrays, metadata).
    public static let contiguous = HDF5DatasetOptions()

    /// Chunked (automatic chunk shape) + shuffle + deflate at `level`.
    public static func compressed(level: Int = 4) -> HDF5DatasetOptions {
        HDF5DatasetOptions(chunk: nil, deflateLevel: level, shuffle: true)
    }

    /// True when the dataset must be chunked (filters need chunks).
    var isChunked: Bool { chunk != nil || deflateLevel != nil || shuffle }

    /// Chunk shape for `dims` holding `elementBytes`-sized elements: halves the largest
    /// dimension until the chunk is at most `targetBytes`. O(rank · log(size)).
    static func automaticChunk(dims: [Int], elementBytes: Int, targetBytes: Int = targetChunkBytes) -> [Int] {
        var chunk = dims.map { max($0, 1) }
        let limit = max(1, targetBytes / max(elementBytes, 1))
        while chunk.reduce(1, *) > limit {
            guard let i = chunk.indices.max(by: { chunk[$0] < chunk[$1] }), chunk[i] > 1 else { break }
            chunk[i] = (chunk[i] + 1) / 2
        }
        return chunk
    }
}
