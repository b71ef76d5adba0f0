/// The CityTwin version written into every output file.
public enum CityTwinVersion {
    public static let string = "0.1.0"
}
