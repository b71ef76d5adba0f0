import Foundation
import TestSupport
import XCTest

/// Opens a real run's output with h5py and xarray (the clients analysts use).
final class OutputInteropTests: XCTestCase {
    func testRunOutputOpensInH5pyAndXarray() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("heat.h5").path
        let run = try CommandLineTool.run(["run", "Scenarios/heatwave.yaml", "-o", out, "-q"])
        XCTAssertEqual(run.status, 0, run.stderr)

        let python = try PythonEnvironment.prepare(modules: [("h5py", "h5py"), ("xarray", "xarray"),
                                                             ("h5netcdf", "h5netcdf"), ("numpy", "numpy")])
        let script = """
        import sys, numpy as np, h5py, xarray as xr
        path = sys.argv[1]
        def fail(msg):
            print(msg); sys.exit(1)
        with h5py.File(path, "r") as f:
            t = f["weather/temperature"]
            if t.shape != (97, 1): fail(f"shape {t.shape}")
            if t.attrs["units"] != "degC": fail(f"units {t.attrs['units']}")
            if t.chunks is None or t.compression != "gzip": fail("time series not chunked+compressed")
            if f["meta"].attrs["seed"] != 42: fail("seed")
            if "heat_wave" not in f["meta/scenario_resolved"][0].decode(): fail("resolved scenario")
            kpi = dict(zip([n.decode() for n in f["kpi/kpi"][:]], f["kpi/value"][:]))
            if abs(kpi["max_outdoor_temperature"] - t[:].max()) > 0.5: fail(f"kpi {kpi['max_outdoor_temperature']} vs {t[:].max()}")
            tmax = float(t[:].max())
        ds = xr.open_dataset(path, engine="h5netcdf", group="weather")
        if ds["temperature"].dims != ("time", "station"): fail(f"dims {ds['temperature'].dims}")
        if ds["ghi"].attrs["units"] != "W m-2": fail("ghi units")
        if str(ds["time"].values[0])[:19] != "2025-07-14T00:00:00": fail(f"time {ds['time'].values[0]}")
        if str(ds["time"].values[-1])[:19] != "2025-07-15T00:00:00": fail(f"time end {ds['time'].values[-1]}")
        if abs(float(ds["temperature"].max()) - tmax) > 1e-12: fail("values differ between h5py and xarray")
        k = xr.open_dataset(path, engine="h5netcdf", group="kpi")
        if k["value"].dims != ("kpi",): fail(f"kpi dims {k['value'].dims}")
        print("ok", tmax)
        """
        let r = try python.run(script: script, arguments: [out])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("ok"), r.stdout)
    }
}
