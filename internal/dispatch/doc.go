// Package dispatch builds the daily dispatch report (每日调度): for one
// calendar day in the city's time zone, the day's alarms by district,
// enterprise and level, the hazard records opened, closed, open and
// overdue at the end of the day, the gateways that went offline, each
// enterprise's data completeness (数据完整率) and online rate (在线率),
// and the districts and departments that lag, ranked for reminder talks
// (约谈).
//
// A Reporter reads the alarm journal and the hazard tables of the SQL
// store (read only), the registry in service and the readings in
// InfluxDB. Handler serves the report as JSON, a print-friendly HTML page
// or CSV. docs/dispatch.md says how every number is computed.
package dispatch
