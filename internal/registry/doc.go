// Package registry is the center's register of what it monitors: the
// enterprises, their major hazard sources and the monitoring points of
// each, with the limits every point's readings are checked against.
//
// A Registry is an immutable snapshot read from one YAML file. A Watcher
// keeps the current one, reloads the file when it changes (or on Reload,
// which a main calls on SIGHUP) and swaps the new registry in only when the
// whole file is valid; a bad file leaves the old registry in service and
// its error in LastError and in the status the HTTP handler serves.
//
// # File format
//
// Decoding is strict: an unknown key is an error. Enterprises come first;
// each hazard source names its enterprise and holds its points, so a point
// is written once, under the hazard source it belongs to, and inherits the
// enterprise from it:
//
//	enterprises:
//	  - code: 91320500MA1TANK01X     # unified social credit code
//	    name: 苏州示范储罐区有限公司
//	    district: 吴中区             # county or district, name or code
//	    industry: hazardous_chemicals # | non_coal_mine | coal_mine | metallurgy | other
//	    gateways: [gw-01]            # allowed gateway ids; empty: any
//	hazard_sources:
//	  - code: TF-01
//	    name: 储罐区
//	    grade: 2                     # GB 18218: 1 (most severe) to 4
//	    enterprise: 91320500MA1TANK01X
//	    points:
//	      - id: GT-101               # unique within the enterprise
//	        name: 可燃气体 T1 泵坑
//	        gateway: gw-01           # optional: the one gateway sending it
//	        kind: combustible_gas    # see rules.ParseKind
//	        unit: "%LEL"
//	        range_low: 0
//	        range_high: 100
//	        high_high: {value: 50, level: 2}  # also high, low, low_low
//	        deadband: 1
//	        on_delay: 0s
//	        off_delay: 5s
//	        rate_of_change: {per_minute: 10, level: 1}
//	        expected_interval: 1s    # required, > 0
//	        stale_after: 3           # intervals; 0: rules.DefaultStaleAfter
//	        methane: {alarm: 1.0, power_off: 1.5, restore: 1.0}
//
// A limit's level may be left out: high and low default to level 1,
// high_high and low_low to level 2. A gas point (combustible_gas,
// toxic_gas, oxygen, methane) without limits of its own gets the GB/T
// 50493-2019 defaults of its unit (rules.Defaults); a gas point for which
// no default exists either (toxic gas in ppm, say) is refused, since it
// could never raise an alarm. configs/registry-tankfarm.yaml is a complete,
// commented example.
//
// Every error names its key, such as
// "hazard_sources[0].points[3] (GT-101): high_high: 5 is out of order
// with high 10 (...)", and one load reports every problem it finds (up to
// twenty).
package registry
