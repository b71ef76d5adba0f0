import TestSupport
import XCTest
@testable import TwinIO

/// Writes a file shaped like a CityTwin output and checks it with h5py and xarray (h5netcdf).
/// Needs python3 with venv and, on first run, network access to PyPI (CI has both).
final class PythonInteropTests: XCTestCase {
    static let stations = ["north", "south", "east"]
    static let links: [Int64] = [101, 205, 307, 409]
    static let steps = 6

    /// The same formulas are used by the Python script: exact binary fractions, so compared exactly.
    static func temperature(_ t: Int, _ s: Int) -> Double { 20 + 0.5 * Double(t) + Double(s) }
    static func flow(_ t: Int, _ l: Int) -> Float { Float(t * 10 + l) + 0.25 }

    func testH5pyAndXarrayReadOurOutput() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path("results/run.h5")
        let output = try HDF5File.createAtomic(finalPath: path)
        let file = output.file
        try file.setAttribute("citytwin_version", "0.1.0")
        try file.setAttribute("seed", .int64(42))
        try file.write(["name: interop\nseed: 42\n"], dims: [], to: "/meta/scenario")

        let weather = try TimeSeriesLayout(file: file, group: "weather", calendarStart: "2025-07-14T00:00:00")
        try weather.addEntityAxis("station", labels: .names(Self.stations))
        let temperature = try weather.addVariable("temperature", axis: "station", as: Double.self,
                                                  metadata: VariableMetadata(units: "degC", longName: "outdoor air temperature"),
                                                  chunkRows: 4)
        let traffic = try TimeSeriesLayout(file: file, group: "traffic", calendarStart: "2025-07-14T00:00:00")
        try traffic.addEntityAxis("link", labels: .ids(Self.links))
        let flow = try traffic.addVariable("flow", axis: "link", as: Float.self, metadata: VariableMetadata(units: "veh/h"))
        try traffic.writeStatic("length", axis: "link", values: [100.0, 250, 80, 1200], metadata: VariableMetadata(units: "m"))
        for t in 0..<Self.steps {
            try weather.appendTime(Double(t) * 3600)
            try traffic.appendTime(Double(t) * 3600)
            try temperature.append(row: (0..<Self.stations.count).map { Self.temperature(t, $0) })
            try flow.append(row: (0..<Self.links.count).map { Self.flow(t, $0) })
        }
        try weather.finish()
        try traffic.finish()
        try output.commit()

        let python = try PythonEnvironment.prepare(modules: [
            ("numpy", "numpy"), ("h5py", "h5py"), ("h5netcdf", "h5netcdf"), ("xarray", "xarray"),
        ])
        let result = try python.run(script: Self.checkScript, arguments: [path])
        XCTAssertEqual(result.status, 0, "Python check failed:\n\(result.stdout)\n\(result.stderr)")
        XCTAssertTrue(result.stdout.contains("interop OK"), result.stdout)
    }

    static let checkScript = #"""
    import sys
    import numpy as np
    import h5py
    import xarray as xr

    path = sys.argv[1]
    STATIONS = ["north", "south", "east"]
    LINKS = [101, 205, 307, 409]
    STEPS = 6
    temperature = np.array([[20 + 0.5 * t + s for s in range(3)] for t in range(STEPS)])
    flow = np.array([[t * 10 + l + 0.25 for l in range(4)] for t in range(STEPS)], dtype=np.float32)
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with h5py.File(path, "r") as f:
        expect(f.attrs["citytwin_version"] == "0.1.0", f"root citytwin_version = {f.attrs.get('citytwin_version')!r}")
        expect(int(f.attrs["seed"]) == 42, "root seed")
        scenario = f["meta/scenario"][()]
        scenario = scenario.decode() if isinstance(scenario, bytes) else scenario
        expect(scenario.startswith("name: interop"), f"meta/scenario = {scenario!r}")
        t = f["weather/temperature"]
        expect(t.shape == (STEPS, 3), f"weather/temperature shape {t.shape}")
        expect(t.dtype == np.float64, f"weather/temperature dtype {t.dtype}")
        expect(t.attrs["units"] == "degC", f"weather/temperature units {t.attrs.get('units')!r}")
        expect(t.compression == "gzip" and t.shuffle and t.chunks == (4, 3), f"chunks/filters {t.chunks} {t.compression} {t.shuffle}")
        expect(np.array_equal(t[()], temperature), f"temperature values {t[()]}")
        expect(t.dims[0][0].name == "/weather/time" and t.dims[1][0].name == "/weather/station", "temperature dimension scales")
        expect(f["weather/time"].attrs["units"] == "seconds since 2025-07-14T00:00:00", "time units")
        expect(f["weather/time"].attrs["calendar_start"] == "2025-07-14T00:00:00", "calendar_start")
        expect(list(f["weather/station"].asstr()[()]) == STATIONS, "station labels")
        fl = f["traffic/flow"]
        expect(fl.dtype == np.float32 and fl.shape == (STEPS, 4), f"traffic/flow {fl.dtype} {fl.shape}")
        expect(np.array_equal(fl[()], flow), "flow values")
        expect(list(f["traffic/link"][()]) == LINKS, "link ids")

    ds = xr.open_dataset(path, engine="h5netcdf", group="weather")
    expect(ds["temperature"].dims == ("time", "station"), f"xarray temperature dims {ds['temperature'].dims}")
    expect(list(ds["station"].values) == STATIONS, f"xarray station coords {ds['station'].values}")
    expect(ds["time"].values[1] == np.datetime64("2025-07-14T01:00:00"), f"xarray time {ds['time'].values[:2]}")
    expect(ds["temperature"].attrs.get("units") == "degC", "xarray units")
    expect(ds["temperature"].attrs.get("long_name") == "outdoor air temperature", "xarray long_name")
    expect(np.array_equal(ds["temperature"].values, temperature), "xarray temperature values")
    expect(float(ds["temperature"].sel(station="south").isel(time=2)) == 22.0, "xarray sel")
    ds.close()

    raw = xr.open_dataset(path, engine="h5netcdf", group="weather", decode_times=False)
    expect(list(raw["time"].values) == [3600.0 * i for i in range(STEPS)], f"raw time {raw['time'].values}")
    raw.close()

    tr = xr.open_dataset(path, engine="h5netcdf", group="traffic")
    expect(tr["flow"].dims == ("time", "link"), f"xarray flow dims {tr['flow'].dims}")
    expect(tr["length"].dims == ("link",), f"xarray length dims {tr['length'].dims}")
    expect(list(tr["link"].values) == LINKS, f"xarray link coords {tr['link'].values}")
    expect(tr["flow"].attrs.get("units") == "veh/h", "xarray flow units")
    expect(np.array_equal(tr["flow"].values, flow), "xarray flow values")
    tr.close()

    tree = xr.open_datatree(path, engine="h5netcdf")
    expect(tree["weather"]["temperature"].dims == ("time", "station"), "open_datatree weather dims")
    expect(tree["traffic"]["flow"].dims == ("time", "link"), "open_datatree traffic dims")
    tree.close()

    if failures:
        print("interop FAILED:", "; ".join(failures))
        sys.exit(1)
    print("interop OK")
    """#
}
