import SimKernel
import Weather

/// The weather as the world sees it: the (transformed) series and the current conditions,
/// refreshed at every weather update event.
struct WeatherDriver {
    let series: WeatherSeries
    let site: WeatherSite
    private(set) var current: WeatherSample

    init(series: WeatherSeries) {
        self.series = series
        self.site = series.site
        self.current = series.sample(at: .zero)
    }

    mutating func update(at time: SimTime) {
        current = series.sample(at: time)
    }

    /// Weather KPIs over [0, duration], from samples every `step` (trapezoidal integrals).
    func kpis(duration: SimTime, step: SimTime) -> [KPI] {
        var times: [SimTime] = []
        var t = SimTime.zero
        while t < duration { times.append(t); t = t + step }
        times.append(duration)
        let samples = times.map { series.sample(at: $0) }
        let temps = samples.map(\.temperature)
        var ghiWh = 0.0, rainMm = 0.0, coolingDegreeHours = 0.0
        for i in 1..<max(samples.count, 1) {
            let hours = (times[i] - times[i - 1]).seconds / 3600
            ghiWh += 0.5 * (samples[i].ghi + samples[i - 1].ghi) * hours
            rainMm += 0.5 * (samples[i].precipitation + samples[i - 1].precipitation) * hours
            coolingDegreeHours += 0.5 * (max(0, samples[i].temperature - 18) + max(0, samples[i - 1].temperature - 18)) * hours
        }
        let mean = temps.reduce(0, +) / Double(max(temps.count, 1))
        return [
            KPI("max_outdoor_temperature", temps.max() ?? .nan, units: "degC", domain: "weather",
                description: "Highest outdoor dry-bulb temperature during the run"),
            KPI("min_outdoor_temperature", temps.min() ?? .nan, units: "degC", domain: "weather",
                description: "Lowest outdoor dry-bulb temperature during the run"),
            KPI("mean_outdoor_temperature", mean, units: "degC", domain: "weather",
                description: "Time-mean outdoor dry-bulb temperature"),
            KPI("cooling_degree_hours", coolingDegreeHours, units: "K h", domain: "weather",
                description: "Integral of max(0, T_out - 18 degC) over the run"),
            KPI("solar_irradiation", ghiWh / 1000, units: "kWh/m2", domain: "weather",
                description: "Global horizontal irradiation received during the run"),
            KPI("precipitation_total", rainMm, units: "mm", domain: "weather",
                description: "Rain that fell during the run"),
        ]
    }
}
