import CHDF5

/// Element type of a dataset or attribute as stored in the file.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    case float64, float32
    case int64, int32, int16, int8
    case uint64, uint32, uint16, uint8
    /// Variable-length string (UTF-8 or ASCII).
    case variableString
    /// Fixed-length string of `length` bytes per element.
    case fixedString(length: Int)
    /// Anything else (compound, enum, reference, ...), with HDF5's class name.
    case other(String)

    public var description: String {
        switch self {
        case .float64: return "float64"
        case .float32: return "float32"
        case .int64: return "int64"
        case .int32: return "int32"
        case .int16: return "int16"
        case .int8: return "int8"
        case .uint64: return "uint64"
        case .uint32: return "uint32"
        case .uint16: return "uint16"
        case .uint8: return "uint8"
        case .variableString: return "string"
        case .fixedString(let n): return "string[\(n)]"
        case .other(let name): return name
        }
    }

    /// True for the integer cases.
    public var isInteger: Bool {
        switch self {
        case .int64, .int32, .int16, .int8, .uint64, .uint32, .uint16, .uint8: return true
        default: return false
        }
    }

    /// True for `float32`/`float64`.
    public var isFloatingPoint: Bool { self == .float64 || self == .float32 }

    /// True for both string kinds.
    public var isString: Bool {
        switch self {
        case .variableString, .fixedString: return true
        default: return false
        }
    }

    var isSigned: Bool {
        switch self {
        case .int64, .int32, .int16, .int8, .float64, .float32: return true
        default: return false
        }
    }

    /// Size in bytes of one element (strings: pointer size for variable, length for fixed).
    var byteWidth: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .int16, .uint16: return 2
        case .int8, .uint8: return 1
        case .variableString: return MemoryLayout<UnsafePointer<CChar>>.size
        case .fixedString(let n): return n
        case .other: return 0
        }
    }

    /// Little-endian type used in files for this element (numeric cases only).
    var fileTypeID: hid_t {
        switch self {
        case .float64: return ct_h5t_ieee_f64le()
        case .float32: return ct_h5t_ieee_f32le()
        case .int64: return ct_h5t_std_i64le()
        case .int32: return ct_h5t_std_i32le()
        case .int16: return ct_h5t_std_i16le()
        case .int8: return ct_h5t_std_i8le()
        case .uint64: return ct_h5t_std_u64le()
        case .uint32: return ct_h5t_std_u32le()
        case .uint16: return ct_h5t_std_u16le()
        case .uint8: return ct_h5t_std_u8le()
        default: return -1
        }
    }

    /// Native in-memory type for this element (numeric cases only).
    var memoryTypeID: hid_t {
        switch self {
        case .float64: return ct_h5t_native_double()
        case .float32: return ct_h5t_native_float()
        case .int64: return ct_h5t_native_int64()
        case .int32: return ct_h5t_native_int32()
        case .int16: return ct_h5t_native_int16()
        case .int8: return ct_h5t_native_int8()
        case .uint64: return ct_h5t_native_uint64()
        case .uint32: return ct_h5t_native_uint32()
        case .uint16: return ct_h5t_native_uint16()
        case .uint8: return ct_h5t_native_uint8()
        default: return -1
        }
    }

    /// Classifies an HDF5 datatype id.
    static func from(typeID: hid_t) -> HDF5ElementType {
        let size = H5Tget_size(typeID)
        switch H5Tget_class(typeID) {
        case H5T_FLOAT:
            if size == 8 { return .float64 }
            if size == 4 { return .float32 }
            return .other("float\(size * 8)")
        case H5T_INTEGER:
            let signed = H5Tget_sign(typeID) == H5T_SGN_2
            switch (size, signed) {
            case (8, true): return .int64
            case (4, true): return .int32
            case (2, true): return .int16
            case (1, true): return .int8
            case (8, false): return .uint64
            case (4, false): return .uint32
            case (2, false): return .uint16
            case (1, false): return .uint8
            default: return .other("integer\(size * 8)")
            }
        case H5T_STRING:
            if H5Tis_variable_str(typeID) > 0 { return .variableString }
            return .fixedString(length: size)
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum")
        case H5T_REFERENCE: return .other("reference")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("vlen")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_BITFIELD: return .other("bitfield")
        default: return .other("unknown")
        }
    }
}

/// A numeric Swift type that maps one-to-one to an HDF5 element type.
///
/// Conforming types: `Double`, `Float`, `Int64`, `Int32`, `Int16`, `Int8`, `UInt64`, `UInt32`,
/// `UInt16`, `UInt8`, and `Int` (stored as `int64`).
public protocol HDF5Numeric: Sendable {
    /// The element type this Swift type is stored as.
    static var hdf5ElementType: HDF5ElementType { get }
}

extension Double: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Float: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Int64: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension Int32: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int16: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .int16 } }
extension Int8: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .int8 } }
extension UInt64: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
extension UInt32: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .uint32 } }
extension UInt16: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .uint16 } }
extension UInt8: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
// Int is 64-bit on every platform CityTwin supports (64-bit Linux and macOS).
extension Int: HDF5Numeric { public static var hdf5ElementType: HDF5ElementType { .int64 } }

/// Whether a dataset of type `source` can be read into `target` without silent loss:
/// integers widen (never narrow or drop the sign), floats read as floats, integers also read
/// as floats (an int64 above 2^53 rounds, as in numpy).
func hdf5CanConvert(from source: HDF5ElementType, to target: HDF5ElementType) -> Bool {
    if source == target { return true }
    if target.isFloatingPoint {
        if source.isInteger { return true }
        if source.isFloatingPoint { return target == .float64 || source == .float32 }
        return false
    }
    guard target.isInteger, source.isInteger else { return false }
    if source.isSigned && !target.isSigned { return false }
    if !source.isSigned && target.isSigned { return target.byteWidth > source.byteWidth }
    return target.byteWidth >= source.byteWidth
}

/// Kind of an object in the file tree.
public enum HDF5ObjectKind: String, Sendable, Equatable {
    case group, dataset
    /// Named datatypes and anything else.
    case other
}

/// One child of a group, as listed by `HDF5File.children(of:)` or `HDF5File.walk()`.
public struct HDF5Entry: Sendable, Equatable, CustomStringConvertible {
    /// Last path component.
    public let name: String
    /// Absolute path in the file, e.g. `/weather/temperature`.
    public let path: String
    public let kind: HDF5ObjectKind

    public init(name: String, path: String, kind: HDF5ObjectKind) {
        self.name = name
        self.path = path
        self.kind = kind
    }

    public var description: String { "\(path) (\(kind.rawValue))" }
}
