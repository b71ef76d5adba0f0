import XCTest
import TwinIO

/// MATPOWER reader: the traps listed in Models/grids/SOURCES.md and one-line errors.
final class PowerFlowParserTests: XCTestCase {
    func testCase14SkipsBusNameCellArrayAndGencost() throws {
        let c = try MatpowerReader.read(path: PowerFlowTestPaths.grid("case14"))
        XCTAssertEqual(c.name, "case14")
        XCTAssertEqual(c.baseMVA, 100)
        XCTAssertEqual(c.bus.count, 14); XCTAssertEqual(c.gen.count, 5); XCTAssertEqual(c.branch.count, 20)
        XCTAssertEqual(c.bus[8][MatpowerCase.Bus.bs], 19)
        XCTAssertEqual(c.gen[0].count, 21)
        XCTAssertEqual(c.busLines[0], 25)
        XCTAssertTrue(c.appliedStatements.isEmpty)
    }

    /// case33bw.m converts Ohm→p.u. and kW→MW in MATLAB code after the tables; the reader must
    /// apply it. case33bw_pu.m holds the converted numbers (written with 16 significant digits),
    /// so both must agree to a relative 1e-12.
    func testCase33bwInFileConversionMatchesConvertedCopy() throws {
        let raw = try MatpowerReader.read(path: PowerFlowTestPaths.grid("case33bw"))
        let pu = try MatpowerReader.read(path: PowerFlowTestPaths.grid("case33bw_pu"))
        XCTAssertEqual(raw.appliedStatements.count, 2)
        XCTAssertTrue(raw.appliedStatements[0].contains("16.02756"), raw.appliedStatements[0])
        XCTAssertEqual(raw.bus.count, pu.bus.count)
        for (a, b) in zip(raw.bus + raw.branch, pu.bus + pu.branch) {
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-12 * max(1, abs(y))) }
        }
        XCTAssertEqual(raw.bus[1][MatpowerCase.Bus.pd], 0.1, accuracy: 1e-15)   // 100 kW → 0.1 MW
    }

    func testPegaseInfAndNonContiguousBusNumbers() throws {
        let c = try MatpowerReader.read(path: PowerFlowTestPaths.grid("case1354pegase"))
        XCTAssertEqual(c.bus.count, 1354); XCTAssertEqual(c.gen.count, 260); XCTAssertEqual(c.branch.count, 1991)
        XCTAssertTrue(c.gen.contains { $0[MatpowerCase.Gen.qmax] == .infinity && $0[MatpowerCase.Gen.qmin] == -.infinity })
        XCTAssertEqual(c.branch[0][MatpowerCase.Branch.fbus], 7351)
    }

    func testWrongColumnCountNamesFileLineAndRow() {
        let text = """
        function mpc = bad
        mpc.version = '2';
        mpc.baseMVA = 100;
        mpc.bus = [
        \t1\t3\t0\t0\t0\t0\t1\t1\t0\t135\t1\t1.1\t0.9;
        \t2\t1\t10\t0\t0\t0\t1\t1\t0\t135\t1\t1.1;
        ];
        """
        XCTAssertThrowsError(try MatpowerReader.parse(text: text, file: "bad.m")) { e in
            XCTAssertEqual("\(e)", "bad.m:6: mpc.bus row 2: expected 13 columns, found 12")
        }
    }

    func testBadNumberAndUnknownStatementAndUnclosedMatrix() {
        let head = "mpc.version = '2';\nmpc.baseMVA = 100;\n"
        XCTAssertThrowsError(try MatpowerReader.parse(text: head + "mpc.bus = [\n1 3 x 0 0 0 1 1 0 135 1 1.1 0.9;\n];\n", file: "f.m")) { e in
            XCTAssertEqual("\(e)", "f.m:4: mpc.bus row 1: expected a number, found 'x'")
        }
        XCTAssertThrowsError(try MatpowerReader.parse(text: head + "mpc.bus = [\n1 3 0 0 0 0 1 1 0 135 1 1.1 0.9;\n];\nmpc.branch=[];\nfor i = 1:3\n", file: "f.m")) { e in
            XCTAssertTrue("\(e)".hasPrefix("f.m:7: unsupported MATLAB statement 'for i = 1:3'"), "\(e)")
        }
        XCTAssertThrowsError(try MatpowerReader.parse(text: head + "mpc.bus = [\n1 3 0 0 0 0 1 1 0 135 1 1.1 0.9;\n", file: "f.m")) { e in
            XCTAssertTrue("\(e)".contains("not closed"), "\(e)")
        }
        XCTAssertThrowsError(try MatpowerReader.parse(text: "mpc.version = '1';\n", file: "f.m")) { e in
            XCTAssertEqual("\(e)", "f.m:1: mpc.version: expected '2', found '1';")
        }
        XCTAssertThrowsError(try MatpowerReader.read(path: "/nonexistent/x.m")) { e in
            XCTAssertEqual("\(e)", "/nonexistent/x.m:0: cannot read file")
        }
    }

    func testScalingBeforeMatrixIsAnError() {
        let text = "mpc.baseMVA = 10;\nmpc.bus(:, [3 4]) = mpc.bus(:, [3 4]) / 1e3;\n"
        XCTAssertThrowsError(try MatpowerReader.parse(text: text, file: "s.m")) { e in
            XCTAssertEqual("\(e)", "s.m:2: column scaling: mpc.bus is not defined yet")
        }
    }

    func testOneLineMatrixCommasAndContinuation() throws {
        let text = """
        mpc.baseMVA = 100;
        mpc.bus = [1, 3, 0, 0, 0, 0, 1, 1, 0, 135, 1, 1.1, 0.9; 2 1 1e1 0 0 0 1 1 0 135 1 1.1 0.9];
        mpc.branch = [1 2 0.01 0.1 0 0 0 0 0 0 1]; % one row, no final semicolon
        S = ...
            mpc.baseMVA * 2;
        mpc.bus(:, 3) = mpc.bus(:, 3) * S;
        """
        let c = try MatpowerReader.parse(text: text)
        XCTAssertEqual(c.bus.count, 2)
        XCTAssertEqual(c.bus[1][2], 2000)
        XCTAssertEqual(c.branch.count, 1)
    }
}
