import SimKernel

/// Handler-id blocks: each system owns a contiguous range and the world routes by range.
///
/// Priorities at equal times (lower runs first): weather updates, then domain events, then
/// grid solves, then snapshots, so that a snapshot at time t sees every change made at t.
enum HandlerID {
    static let weatherUpdate: UInt32 = 1
    static let snapshot: UInt32 = 2
    static let gridSolve: UInt32 = 3
    static let loadCheck: UInt32 = 4
    static let gridExtraSolve: UInt32 = 5
    static let intervention: UInt32 = 6
    static let chargingControl: UInt32 = 7
    /// BuildingStock's block (`BuildingStock.handlerCount` ids).
    static let buildingsBase: UInt32 = 100
    static let buildingsEnd: UInt32 = 199
    /// TrafficSystem's block (`TrafficSystem.handlerCount` ids).
    static let trafficBase: UInt32 = 200
    static let trafficEnd: UInt32 = 299
    /// ChargingStations' block.
    static let chargersBase: UInt32 = 300
    static let chargersEnd: UInt32 = 399
    /// RobotaxiFleet's block.
    static let fleetBase: UInt32 = 400
    static let fleetEnd: UInt32 = 499
}

enum EventPriority {
    static let weather: Int32 = -100
    static let domain: Int32 = 0
    static let grid: Int32 = 500
    static let snapshot: Int32 = 1000
}
